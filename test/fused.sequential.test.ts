// nn.Sequential's fused Conv1d → BatchNorm1d → ReLU → Dropout path against the same model run module
// by module (setFusion(false)): outputs, loss, every parameter gradient, running statistics,
// num_batches_tracked, the random streams consumed and the dropout masks, for the DESIGN.md §1
// backbone in training and eval mode, other block variants, and bitwise determinism across threads.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kernels } from '../src/backend/index.js';
import { clearStoragePool, emptyFloat32, resetStoragePoolStats, storagePoolStats } from '../src/tensor/storage.js';
import { F, manualSeed, nn, noGrad, optim, rand, Tensor } from '../src/index.js';
import { fusionEnabled, setFusion } from '../src/nn/sequential.js';
import { addon } from './helpers/backends.js';
import { fillRandom } from './helpers/compare.js';
import { expectNearUnfused, maxAbs } from './helpers/near-unfused.js';

/**
 * FUSED: fused vs unfused model, |fused − unfused| ≤ atol·max|unfused| + rtol·|unfused| per tensor.
 * The only numerical difference is that the fused kernel normalises with float32(mean) and
 * float32(invstd) — the values backward uses — where BatchNorm1d uses their double values
 * (src/ref/fused.ts): each block's normalised value moves by a few float32 ulps (≈ 1e-7 relative).
 * Through three blocks, the head and the backward sums (Conv1d weight gradients sum 7680 products
 * per tap, Linear 1920-wide dot products) that grows to ≈ 1e-6 of each tensor's scale; atol = 1e-5 of
 * the tensor's largest value and rtol = 1e-4 leave a 10× margin. Dropout masks are exact (same
 * streams, same rule); the ReLU decision can differ only for values within that distance of 0,
 * which the mask check below allows and counts. Gradients are measured against the largest gradient
 * of the model: some are mathematically zero (a conv bias before a training-mode BatchNorm) and hold
 * only rounding noise of the other gradients' scale.
 */
afterEach(() => setFusion(true));

/** Runs fn with fusion on or off. */
function withFusion<T>(on: boolean, fn: () => T): T {
  const before = fusionEnabled();
  setFusion(on);
  try {
    return fn();
  } finally {
    setFusion(before);
  }
}

/** Linear (no bias) → BatchNorm1d → ReLU → Dropout(0.5) blocks over widths, then a Linear head (the seed-002 MLP's form). */
function mlp(widths: number[]): nn.Sequential {
  const layers: nn.Module[] = [];
  for (let i = 0; i + 2 < widths.length; i++) {
    layers.push(new nn.Linear(widths[i]!, widths[i + 1]!, { bias: false }), new nn.BatchNorm1d(widths[i + 1]!), new nn.ReLU(), new nn.Dropout(0.5));
  }
  layers.push(new nn.Linear(widths.at(-2)!, widths.at(-1)!));
  return new nn.Sequential(...layers);
}

function twins(make: () => nn.Module): [nn.Module, nn.Module] {
  manualSeed(7);
  const a = make();
  manualSeed(7);
  const b = make();
  return [a, b];
}

function expectSameState(a: nn.Module, b: nn.Module, where: string): void {
  const sa = a.stateDict(), sb = b.stateDict();
  expect(Object.keys(sb)).toEqual(Object.keys(sa));
  for (const k of Object.keys(sa)) {
    const ta = sa[k]!, tb = sb[k]!;
    if (ta.dtype === 'I64') expect(Array.from(tb.data as BigInt64Array), `${where} ${k}`).toEqual(Array.from(ta.data as BigInt64Array));
    else expectNearUnfused(`${where} ${k}`, tb.data as Float32Array, ta.data as Float32Array);
  }
}

const input = (shape: number[], seed: number) => new Tensor(fillRandom(new Float32Array(shape.reduce((x, y) => x * y, 1)), seed, 1.5, 0.3) as Float32Array, shape);

describe('fused Sequential = unfused Sequential (FUSED tolerance)', () => {
  it('the §1 backbone: three SGD training steps, then eval', () => {
    const [A, B] = twins(() => nn.conv1dBackbone());
    expectSameState(A, B, 'init');
    const optA = new optim.SGD(A.parameters(), { lr: 0.01, momentum: 0.9 }), optB = new optim.SGD(B.parameters(), { lr: 0.01, momentum: 0.9 });
    const N = 64;
    for (let step = 0; step < 3; step++) {
      const x = input([N, 14, 30], 100 + step), target = input([N, 1], 200 + step);
      const run = (m: nn.Module, fused: boolean) => withFusion(fused, () => {
        manualSeed(1000 + step);
        m.zeroGrad();
        const y = m.forward(x);
        const loss = F.mseLoss(y, target);
        loss.backward();
        return { y, loss: loss.item(), next: rand([1]).item() }; // next: the generator's position afterwards
      });
      const u = run(A, false), f = run(B, true);
      expect(f.next, 'the fused path consumes the same random streams').toBe(u.next);
      expectNearUnfused(`step ${step} output`, f.y.data, u.y.data);
      expectNearUnfused(`step ${step} loss`, [f.loss], [u.loss]);
      const pa = A.namedParameters(), pb = B.namedParameters();
      const gscale = maxAbs(...pa.map(([, t]) => t.grad!.data));
      pa.forEach(([k, t], i) => expectNearUnfused(`step ${step} grad ${k}`, pb[i]![1].grad!.data, t.grad!.data, gscale));
      expectSameState(A, B, `step ${step} running stats`);
      optA.step();
      optB.step();
      expectSameState(A, B, `step ${step} after SGD`);
    }
    A.eval();
    B.eval();
    const x = input([N, 14, 30], 300);
    const u = withFusion(false, () => noGrad(() => A.forward(x))), f = withFusion(true, () => noGrad(() => B.forward(x)));
    expectNearUnfused('eval output', f.data, u.data);
    expectSameState(A, B, 'after eval (nothing changes)');
    // Eval with grad: gradients through the running statistics.
    const run = (m: nn.Module, fused: boolean) => withFusion(fused, () => {
      m.zeroGrad();
      F.mseLoss(m.forward(x), input([N, 1], 301)).backward();
      return m.namedParameters().map(([, t]) => t.grad!.data);
    });
    const gu = run(A, false), gf = run(B, true);
    gu.forEach((g, i) => expectNearUnfused(`eval grad ${i}`, gf[i]!, g, maxAbs(...gu)));
  });

  it('an MLP of Linear blocks (the seed-002 shape, narrower): three AdamW training steps, then eval', () => {
    const [A, B] = twins(() => mlp([100, 64, 32, 10]));
    const optA = new optim.AdamW(A.parameters()), optB = new optim.AdamW(B.parameters());
    for (let step = 0; step < 3; step++) {
      const x = input([48, 100], 400 + step), g = input([48, 10], 500 + step);
      const run = (m: nn.Module, fused: boolean) => withFusion(fused, () => {
        manualSeed(2000 + step);
        m.zeroGrad();
        const y = m.forward(x);
        F.sum(F.mul(y, g)).backward();
        return { y, next: rand([1]).item() };
      });
      const fusedCalls = vi.spyOn(kernels, 'batchNorm1dReluDropoutForwardWithStats');
      const statsCalls = vi.spyOn(kernels, 'linearForwardStats');
      const u = run(A, false);
      expect(fusedCalls, 'unfused: the modules one by one').not.toHaveBeenCalled();
      expect(statsCalls, 'unfused: no statistics from the GEMM').not.toHaveBeenCalled();
      const f = run(B, true);
      expect(fusedCalls, 'fused: one call per Linear block').toHaveBeenCalledTimes(2);
      expect(statsCalls, 'fused: the GEMM of each Linear block takes the statistics').toHaveBeenCalledTimes(2);
      fusedCalls.mockRestore();
      statsCalls.mockRestore();
      expect(f.next, 'the fused path consumes the same random streams').toBe(u.next);
      expectNearUnfused(`step ${step} output`, f.y.data, u.y.data);
      const pa = A.namedParameters(), pb = B.namedParameters();
      const gscale = maxAbs(...pa.map(([, t]) => t.grad!.data));
      pa.forEach(([k, t], i) => expectNearUnfused(`step ${step} grad ${k}`, pb[i]![1].grad!.data, t.grad!.data, gscale));
      expectSameState(A, B, `step ${step} running stats`);
      optA.step();
      optB.step();
    }
    A.eval();
    B.eval();
    const x = input([48, 100], 600);
    expectNearUnfused('eval output', withFusion(true, () => noGrad(() => B.forward(x))).data, withFusion(false, () => noGrad(() => A.forward(x))).data);
  });

  it('dropout masks of a block are the unfused masks', () => {
    const make = () => new nn.Sequential(new nn.Conv1d(14, 64, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(64), new nn.ReLU(), new nn.Dropout(0.15));
    const [A, B] = twins(make);
    const x = input([256, 14, 30], 5);
    const u = withFusion(false, () => { manualSeed(3); return A.forward(x).data; });
    const f = withFusion(true, () => { manualSeed(3); return B.forward(x).data; });
    let kinks = 0, dropped = 0;
    for (let i = 0; i < u.length; i++) {
      if ((u[i] === 0) !== (f[i] === 0)) {
        // only a ReLU decision on a value within FUSED of the kink may differ
        expect(Math.max(Math.abs(u[i]!), Math.abs(f[i]!)), `mask at ${i}`).toBeLessThan(1e-5);
        kinks++;
      }
      if (u[i] === 0) dropped++;
    }
    expect(kinks).toBeLessThanOrEqual(2);
    expect(dropped).toBeGreaterThan(0.4 * u.length); // ReLU (≈ 1/2) and dropout (0.15) zeros
    expectNearUnfused('block output', f, u);
  });

  // [name, model, mode, input shape]: conv blocks on (N, C, L), Linear blocks on (N, in).
  const variants: Array<[string, () => nn.Module, (m: nn.Module) => void, number[]]> = [
    ['[Conv1d, BatchNorm1d, ReLU] (p = 0) then more layers', () => new nn.Sequential(new nn.Conv1d(3, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 15, 2)), () => {}, [6, 3, 17]],
    ['momentum null, affine false', () => new nn.Sequential(new nn.Conv1d(3, 8, 5, { padding: 'same' }), new nn.BatchNorm1d(8, { momentum: null, affine: false }), new nn.ReLU(), new nn.Dropout(0.5)), () => {}, [6, 3, 17]],
    ['trackRunningStats false, in eval', () => new nn.Sequential(new nn.Conv1d(3, 8, 3, { bias: true }), new nn.BatchNorm1d(8, { trackRunningStats: false }), new nn.ReLU(), new nn.Dropout(0.3)), (m) => m.eval(), [6, 3, 17]],
    ['BatchNorm in eval, Dropout in training', () => new nn.Sequential(new nn.Conv1d(3, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.3)), (m) => { (m as nn.Sequential).at(1).eval(); }, [6, 3, 17]],
    ['BatchNorm in training, Dropout in eval', () => new nn.Sequential(new nn.Conv1d(3, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.3)), (m) => { (m as nn.Sequential).at(3).eval(); }, [6, 3, 17]],
    ['Dropout p = 1 and two blocks back to back', () => new nn.Sequential(new nn.Conv1d(3, 8, 3, { padding: 1 }), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(1),
      new nn.Conv1d(8, 4, 3, { padding: 1 }), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.2)), () => {}, [6, 3, 17]],
    ['[Linear, BatchNorm1d, ReLU] (p = 0), Linear bias', () => new nn.Sequential(new nn.Linear(17, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 2)), () => {}, [11, 17]],
    ['Linear blocks: momentum null and affine false, Dropout p = 1', () => new nn.Sequential(new nn.Linear(17, 9, { bias: false }), new nn.BatchNorm1d(9, { momentum: null, affine: false }), new nn.ReLU(), new nn.Dropout(0.5),
      new nn.Linear(9, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Dropout(1)), () => {}, [11, 17]],
    ['Linear block, BatchNorm in eval, Dropout in training', () => new nn.Sequential(new nn.Linear(17, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.3)), (m) => { (m as nn.Sequential).at(1).eval(); }, [11, 17]],
    ['Linear block, trackRunningStats false, in eval', () => new nn.Sequential(new nn.Linear(17, 8), new nn.BatchNorm1d(8, { trackRunningStats: false }), new nn.ReLU(), new nn.Dropout(0.3)), (m) => m.eval(), [11, 17]],
  ];


  it('a Linear block over (N, L, in) input runs as the modules do', () => {
    // Linear maps the last axis, so BatchNorm1d sees (N, L, C) with L as its channels: not a block.
    const [A, B] = twins(() => new nn.Sequential(new nn.Linear(6, 5), new nn.BatchNorm1d(5), new nn.ReLU()));
    const x = input([4, 5, 6], 97);
    expectNearUnfused('output', withFusion(true, () => B.forward(x)).data, withFusion(false, () => A.forward(x)).data);
    expectSameState(A, B, 'running stats');
  });

  it.each(variants)('%s', (_name, make, mode, shape) => {
    const [A, B] = twins(make);
    mode(A);
    mode(B);
    for (let step = 0; step < 2; step++) {
      const x = input(shape, 40 + step);
      const run = (m: nn.Module, fused: boolean) => withFusion(fused, () => {
        manualSeed(50 + step);
        m.zeroGrad();
        const y = m.forward(x);
        F.sum(F.mul(y, input([...y.shape], 60))).backward();
        return { y: y.data, next: rand([1]).item(), grads: m.parameters().map((p) => p.grad?.data ?? new Float32Array(0)) };
      });
      const u = run(A, false), f = run(B, true);
      expect(f.next).toBe(u.next);
      expectNearUnfused('output', f.y, u.y);
      u.grads.forEach((g, i) => expectNearUnfused(`grad ${i}`, f.grads[i]!, g, maxAbs(...u.grads)));
      expectSameState(A, B, `step ${step}`);
    }
  });

  it('falls back to the modules for unbatched (C, L) input and for rejected batches', () => {
    const [A, B] = twins(() => new nn.Sequential(new nn.Conv1d(3, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.3)));
    const x = input([1, 3, 3], 9); // one value per channel after the conv: BatchNorm1d rejects it in training
    const err = (m: nn.Module, fused: boolean) => withFusion(fused, () => { try { m.forward(x); return null; } catch (e) { return (e as Error).message; } });
    expect(err(B, true)).toBe(err(A, false));
    expectSameState(A, B, 'rejected batch leaves the state');
    expect(Number((B as nn.Sequential).at(1).stateDict()['num_batches_tracked']!.data[0])).toBe(0);
  });

  it('F.batchNorm1dReluDropout on (N, C) and (N, C, L) = F.dropout(F.relu(F.batchNorm1d(...)))', () => {
    for (const shape of [[16, 5], [4, 3, 9]]) {
      const C = shape[1]!;
      const x = input(shape, 70).requiresGrad_(), w = input([C], 71).requiresGrad_(), b = input([C], 72).requiresGrad_();
      const rm = () => new Tensor(new Float32Array(C), [C]), rv = () => new Tensor(new Float32Array(C).fill(1), [C]);
      const [rmU, rvU, rmF, rvF] = [rm(), rv(), rm(), rv()];
      const g = input(shape, 73);
      const grads = () => [x, w, b].map((t) => { const d = t.grad!.data.slice(); t.grad = null; return d; });
      manualSeed(5);
      F.sum(F.mul(F.dropout(F.relu(F.batchNorm1d(x, rmU, rvU, w, b, { training: true })), 0.4), g)).backward();
      const gu = grads();
      manualSeed(5);
      F.sum(F.mul(F.batchNorm1dReluDropout(x, rmF, rvF, w, b, { training: true, p: 0.4 }), g)).backward();
      const gf = grads();
      gu.forEach((d, i) => expectNearUnfused(`${shape} grad ${i}`, gf[i]!, d, maxAbs(...gu)));
      expectNearUnfused('running mean', rmF.data, rmU.data);
      expectNearUnfused('running var', rvF.data, rvU.data);
    }
  });

  it('a block hands the first layer\'s output back to the storage pool once backward frees the graph', () => {
    const m = new nn.Sequential(new nn.Linear(8, 512), new nn.BatchNorm1d(512), new nn.ReLU()); // h: 64 x 512 floats, poolable
    const x = input([64, 8], 98);
    const run = (retainGraph: boolean) => {
      clearStoragePool();
      const y = m.forward(x);
      const h = y.gradFn!.inputs[0]!; // the Linear's output, which only the fused op holds
      F.sum(y).backward(undefined, { retainGraph });
      // Every array of h's length the pool holds, taken until it hands out a fresh one.
      const pooled: Float32Array[] = [];
      resetStoragePoolStats();
      while (storagePoolStats().misses === 0) pooled.push(emptyFloat32(h.numel));
      return pooled.includes(h.data);
    };
    expect(run(true), 'retainGraph: the graph may run again, h is kept').toBe(false);
    expect(run(false), 'freed graph: h is reused').toBe(true);
  });

  it('setFusion checks its argument', () => {
    expect(() => setFusion(1 as unknown as boolean)).toThrow('setFusion: enabled must be a boolean, got 1');
  });
});

describe.skipIf(!addon)('fused training steps: bitwise identical for 1, 2, 3 and 4 threads', () => {
  it.each([
    ['the backbone', () => nn.conv1dBackbone(), [128, 14, 30], [128, 1]],
    ['the seed-002 MLP', () => mlp([784, 512, 256, 10]), [128, 784], [128, 10]],
  ] as const)('%s: outputs, gradients and running statistics', (_name, make, xShape, tShape) => {
    const before = addon!.numThreads();
    const x = input([...xShape], 77), target = input([...tShape], 78);
    const run = () => {
      manualSeed(11);
      const m = make();
      const y = m.forward(x);
      F.mseLoss(y, target).backward();
      return [y.data, ...m.parameters().map((p) => p.grad!.data), ...m.buffers().filter((b) => b.dtype === 'F32').map((b) => b.data as Float32Array)];
    };
    try {
      addon!.setNumThreads(1);
      const want = run();
      for (const t of [2, 3, 4]) {
        addon!.setNumThreads(t);
        const got = run();
        got.forEach((a, i) => expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(want[i]!.buffer, want[i]!.byteOffset, want[i]!.byteLength)), `threads=${t} array ${i}`).toBe(true));
      }
    } finally {
      addon!.setNumThreads(before);
    }
  });
});
