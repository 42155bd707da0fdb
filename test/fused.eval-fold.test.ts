// nn.Sequential's eval path with BatchNorm folded into the convolution or Linear (src/functional/bn-fold.ts)
// against the same model run module by module (setFusion(false)): non-trivial running statistics and
// affine parameters, with and without a conv or Linear bias, groups/stride/dilation, and eval-mode
// gradients (which take the unfolded path and must equal the modules').
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kernels } from '../src/backend/index.js';
import { F, nn, noGrad, Tensor } from '../src/index.js';
import { foldBatchNorm } from '../src/functional/bn-fold.js';
import { setFusion } from '../src/nn/sequential.js';
import { fillRandom } from './helpers/compare.js';
import { expectNearUnfused, maxAbs } from './helpers/near-unfused.js';

/**
 * FOLD: |folded − unfused| ≤ atol·max|unfused| + rtol·|unfused| per output tensor. The unfused block
 * rounds the conv output y = Σ w·x (n = C_in/groups·K + 1 float32 terms, error ≤ n·2⁻²⁴·Σ|w·x|) and then
 * normalises it in double; the folded block rounds W' = W·s (2⁻²⁴ relative per product) and accumulates
 * the same n terms scaled by s, then adds b' = (b − μ)·s + β, rounded once. Both errors are of order
 * n·2⁻²⁴·s·Σ|w·x| worst case, √n·2⁻²⁴ in practice: for the backbone (n = 193) ≈ 1e-6 of the block's
 * scale, carried through three blocks and the head. atol = 1e-5 and rtol = 1e-4 — the fused-vs-unfused
 * tolerance of test/fused.sequential.test.ts — leave a margin of about 10. A ReLU decision can differ
 * only for values within that distance of 0, which the atol term covers.
 */
const expectNearFolded = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, scale = maxAbs(want)) =>
  expectNearUnfused(what, got, want, scale, 'folded');

afterEach(() => setFusion(true));

const rand = (n: number, seed: number, scale: number, offset: number) => fillRandom(new Float32Array(n), seed, scale, offset) as Float32Array;

/** Gives every BatchNorm1d of m running statistics and affine parameters away from their defaults. */
function perturb(m: nn.Module, seed: number): void {
  const bns = new Set(m.modules().filter((c) => c instanceof nn.BatchNorm1d).map((c) => c as nn.BatchNorm1d));
  for (const bn of bns) {
    const C = bn.numFeatures;
    bn.runningMean!.data.set(rand(C, seed++, 2, 0.5));
    bn.runningVar!.data.set(rand(C, seed++, 0.5, 1.2).map(Math.abs));
    bn.weight?.data.set(rand(C, seed++, 0.6, 1));
    bn.bias?.data.set(rand(C, seed++, 0.5, 0.1));
  }
}

function copyInto(dst: nn.Module, src: nn.Module): void {
  dst.loadStateDict(src.stateDict());
}

const cases: Array<[string, () => nn.Module, number[]]> = [
  ['the §1 backbone', () => nn.conv1dBackbone(), [64, 14, 30]],
  ['conv bias, Dropout absent', () => new nn.Sequential(new nn.Conv1d(5, 7, 3, { bias: true }), new nn.BatchNorm1d(7), new nn.ReLU()), [3, 5, 19]],
  ['groups, stride, dilation, no affine', () => new nn.Sequential(new nn.Conv1d(6, 9, 3, { groups: 3, stride: 2, dilation: 2, padding: 2 }), new nn.BatchNorm1d(9, { affine: false }), new nn.ReLU(), new nn.Dropout(0.4)), [4, 6, 33]],
  // Linear blocks: BatchNorm folded into the Linear's weight and bias.
  ['the seed-002 MLP (Linear without bias)', () => new nn.Sequential(
    new nn.Linear(784, 512, { bias: false }), new nn.BatchNorm1d(512), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(512, 256, { bias: false }), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(256, 10)), [64, 784]],
  ['Linear bias, Dropout absent, no affine', () => new nn.Sequential(new nn.Linear(20, 9), new nn.BatchNorm1d(9, { affine: false }), new nn.ReLU()), [5, 20]],
];

describe('eval: BatchNorm folded into the convolution or Linear = the modules (FOLD tolerance)', () => {
  it.each(cases)('%s', (_name, make, shape) => {
    const a = make(), b = make();
    perturb(a, 11);
    copyInto(b, a);
    a.eval();
    b.eval();
    const x = new Tensor(rand(shape.reduce((p, q) => p * q, 1), 5, 1.5, 0.3), shape);
    setFusion(false);
    const want = noGrad(() => a.forward(x)).data;
    setFusion(true);
    const normalised = [vi.spyOn(kernels, 'batchNorm1dEvalForward'), vi.spyOn(kernels, 'batchNorm1dReluDropoutForward')];
    const got = noGrad(() => b.forward(x)).data;
    for (const spy of normalised) {
      expect(spy, 'folded: no normalise pass').not.toHaveBeenCalled();
      spy.mockRestore();
    }
    expectNearFolded('output', got, want);
    // The buffers and parameters are untouched (nothing is cached or folded in place).
    const sa = a.stateDict(), sb = b.stateDict();
    for (const k of Object.keys(sa)) expect(Array.from(sb[k]!.data as ArrayLike<number | bigint>), k).toEqual(Array.from(sa[k]!.data as ArrayLike<number | bigint>));
    // A change of the running statistics is seen by the next forward (no stale fold).
    const bn = b.modules().find((m) => m instanceof nn.BatchNorm1d) as nn.BatchNorm1d;
    const bnA = a.modules().find((m) => m instanceof nn.BatchNorm1d) as nn.BatchNorm1d;
    for (const t of [bn.runningMean!, bnA.runningMean!]) t.data[0]! += 0.75;
    setFusion(false);
    const want2 = noGrad(() => a.forward(x)).data;
    setFusion(true);
    expectNearFolded('output after running_mean changed', noGrad(() => b.forward(x)).data, want2);
  });

  it('eval with gradients recorded takes the unfolded path: the same gradients as the modules', () => {
    const a = nn.conv1dBackbone(), b = nn.conv1dBackbone();
    perturb(a, 21);
    copyInto(b, a);
    a.eval();
    b.eval();
    const x = new Tensor(rand(32 * 14 * 30, 6, 1.5, 0.3), [32, 14, 30]), target = new Tensor(rand(32, 7, 1, 0), [32, 1]);
    const run = (m: nn.Module, fused: boolean) => {
      setFusion(fused);
      m.zeroGrad();
      const y = m.forward(x);
      F.mseLoss(y, target).backward();
      return { y: y.data, grads: m.parameters().map((p) => p.grad!.data) };
    };
    const u = run(a, false), f = run(b, true);
    expectNearFolded('output', f.y, u.y);
    const scale = maxAbs(...u.grads);
    u.grads.forEach((g, i) => expectNearFolded(`grad ${i}`, f.grads[i]!, g, scale));
  });

  it('foldBatchNorm: W·s and (b − μ)·s + β per output channel', () => {
    const w = new Tensor(new Float32Array([1, 2, 3, 4]), [2, 1, 2]), b = new Tensor(new Float32Array([0.5, -1]), [2]);
    const rm = new Tensor(new Float32Array([1, 2]), [2]), rv = new Tensor(new Float32Array([3, 0]), [2]);
    const g = new Tensor(new Float32Array([2, 1]), [2]), beta = new Tensor(new Float32Array([0.25, 4]), [2]);
    const f = foldBatchNorm(w, b, rm, rv, g, beta, 1);
    const s = [2 / 2, 1 / 1];
    expect(Array.from(f.weight.data)).toEqual([1 * s[0]!, 2 * s[0]!, 3 * s[1]!, 4 * s[1]!]);
    expect(Array.from(f.bias.data)).toEqual([(0.5 - 1) * s[0]! + 0.25, (-1 - 2) * s[1]! + 4]);
    expect(f.weight.shape).toEqual([2, 1, 2]);
  });
});
