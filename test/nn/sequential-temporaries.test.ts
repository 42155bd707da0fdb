// nn.Sequential hands its layers' intermediate outputs back to the storage pool once nothing can read
// them (src/nn/temporaries.ts): a training step of the §1 backbone then allocates no activation in
// the steady state, results are bitwise those of the same layers run one by one (no recycling), also
// with two graphs alive at once, an array several tensors share (a reshape, Dropout(0)) goes back
// once and only when the op that made it is freed, and no array the caller or a custom layer can
// reach (input, output, views of them) is recycled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { F, manualSeed, nn, noGrad, randn, Tensor } from '../../src/index.js';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { setFusion } from '../../src/nn/sequential.js';
import { recycleTemporaries } from '../../src/nn/temporaries.js';
import { clearStoragePool, emptyFloat32, resetStoragePoolStats, storagePoolBytes, storagePoolStats } from '../../src/tensor/storage.js';
import { fromOp, releaseGrad } from '../../src/tensor/tensor.js';
import { bytes } from './helpers.js';

// From an empty pool: a file run before this one in the same process (vitest --no-isolate, as the
// sanitizer run does) may have filled it with lengths still too recent to evict.
beforeEach(() => clearStoragePool());
afterEach(() => {
  setFusion(true);
  clearStoragePool();
});

/** Batch 64: every block's (64, 64, 30) output is large enough to be pooled (4 KB and more). */
function backboneBatch(seed: number): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  return { x: randn([64, 14, 30]), y: randn([64, 1]) };
}

/** One step as fit runs it: forward, MSE, backward, parameter gradients handed back (fit's zeroGrad). */
function step(model: Module, x: Tensor, y: Tensor): number {
  const loss = F.mseLoss(model.forward(x), y);
  loss.backward();
  const value = loss.item();
  for (const p of model.parameters()) releaseGrad(p);
  return value;
}

/** The model's layers run one by one, outside Sequential (so nothing is recycled). */
function layerByLayer(model: nn.Sequential, x: Tensor): Tensor {
  let h = x;
  for (const m of model) h = m.forward(h);
  return h;
}

function gradients(model: Module): Uint8Array[] {
  return model.parameters().map((p) => bytes(p.grad!.data));
}

describe('Sequential temporaries', () => {
  it('a training step of the §1 backbone allocates no activation once warm', () => {
    manualSeed(0);
    const model = nn.conv1dBackbone();
    const { x, y } = backboneBatch(1);
    step(model, x, y);
    step(model, x, y);
    resetStoragePoolStats();
    step(model, x, y);
    const { hits, misses } = storagePoolStats();
    expect(hits).toBeGreaterThan(0);
    expect(misses).toBe(0);
  });

  // The §1 backbone, and the study's unregularised one: ReLU → Dropout(0), which returns its input, and
  // Flatten, a reshape over the last block's array.
  const models = { backbone: {}, unregularised: { batchNorm: false, dropout: 0, headDropout: 0 } };
  for (const [fusion, [name, options]] of [true, false].flatMap((f) => Object.entries(models).map((m) => [f, m] as const))) {
    it(`changes no result (${name}, fusion ${fusion ? 'on' : 'off'}): gradients bitwise the same with two graphs alive at once${fusion ? '' : ' and as the layers run one by one'}`, () => {
      setFusion(fusion);
      manualSeed(0);
      const model = nn.conv1dBackbone(options);
      const batches = [backboneBatch(1), backboneBatch(2)];
      // Both forwards before either backward (the first graph's arrays must survive the second forward),
      // or each backward right after its forward (the second forward reuses the first's arrays).
      // Forwards take the dropout streams and update BatchNorm in the same order either way.
      const run = (forward: (x: Tensor) => Tensor, interleaved: boolean): Buffer => {
        manualSeed(7);
        const grads: Uint8Array[] = [];
        const backward = (loss: Tensor): void => {
          loss.backward();
          grads.push(...gradients(model));
          for (const p of model.parameters()) releaseGrad(p);
        };
        for (let round = 0; round < 2; round++) {
          if (interleaved) batches.map(({ x, y }) => F.mseLoss(forward(x), y)).forEach(backward);
          else for (const { x, y } of batches) backward(F.mseLoss(forward(x), y));
        }
        return Buffer.concat(grads);
      };
      const interleaved = run((x) => model.forward(x), true);
      expect(run((x) => model.forward(x), false).equals(interleaved)).toBe(true);
      if (!fusion) expect(run((x) => layerByLayer(model, x), true).equals(interleaved)).toBe(true);
    });
  }

  it('an array several temporaries share goes back once, when the node of the op that made it is freed', () => {
    const leaf = randn([128, 128], { requiresGrad: true });
    const made = fromOp('made', emptyFloat32(128 * 128), [128, 128], [leaf], (g) => [g]);
    const reshaped = made.reshape(128 * 128); // a node of its own over the same array
    expect(reshaped.data).toBe(made.data);
    const output = F.mul(reshaped, 2);
    recycleTemporaries([made, reshaped, reshaped], leaf, output);
    reshaped.gradFn!.release(); // backward frees the consumer first
    expect(storagePoolBytes()).toBe(0); // the array is still made's op's
    made.gradFn!.release();
    expect(storagePoolBytes()).toBe(made.data.byteLength);
  });

  it('never recycles a custom layer\'s output, even seen through a built-in reshape', () => {
    /** A layer that keeps what it returns (as a cache might). */
    class Keeps extends Module {
      kept: Tensor | null = null;
      forward(x: Tensor): Tensor {
        return (this.kept = F.relu(x)); // an array from the storage pool's allocator
      }
      toJSON(): ModuleJSON {
        return { type: 'Keeps' };
      }
    }
    const keeps = new Keeps();
    const model = new nn.Sequential(keeps, new nn.Flatten(), new nn.Linear(64 * 30, 4));
    const loss = F.mseLoss(model.forward(randn([64, 64, 30], { requiresGrad: true })), randn([64, 4]));
    const kept = Buffer.from(bytes(keeps.kept!.data));
    loss.backward(); // allocates arrays of that length (the gradients)
    expect(kept.equals(bytes(keeps.kept!.data))).toBe(true);
    const pooled: Float32Array[] = []; // every array of that length the pool holds
    resetStoragePoolStats();
    while (storagePoolStats().misses === 0) pooled.push(emptyFloat32(64 * 64 * 30));
    expect(pooled).not.toContain(keeps.kept!.data);
  });

  it('an eval forward returns its temporaries at once and leaves its output intact', () => {
    manualSeed(0);
    const model = nn.conv1dBackbone({ headHidden: 256 }).eval(); // (64, 256) head activations: large enough to pool
    const { x } = backboneBatch(1);
    const first = noGrad(() => model.forward(x));
    const kept = Buffer.from(bytes(first.data));
    expect(storagePoolBytes()).toBeGreaterThan(0);
    const second = noGrad(() => model.forward(backboneBatch(2).x));
    expect(kept.equals(bytes(first.data))).toBe(true);
    expect(second.data.buffer).not.toBe(first.data.buffer);
  });

  it('an eval forward hands back the weights BatchNorm was folded into, and the next one reuses them', () => {
    manualSeed(0);
    const model = nn.conv1dBackbone().eval();
    const { x } = backboneBatch(1);
    noGrad(() => model.forward(x));
    resetStoragePoolStats();
    noGrad(() => model.forward(x));
    expect(storagePoolStats().misses).toBe(0);
    resetStoragePoolStats();
    emptyFloat32(64 * 64 * 3); // the folded weight of a 64 -> 64, k = 3 block
    expect(storagePoolStats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('never recycles the input, the output or a view of either', () => {
    const x = randn([64, 64, 30]);
    const before = Buffer.from(bytes(x.data));
    // Flatten's output is a view of the input; Dropout in eval returns its input; ReLU's output is the model's output.
    const viewOfInput = new nn.Sequential(new nn.Flatten(), new nn.Dropout(0.5).eval());
    const out = noGrad(() => viewOfInput.forward(x));
    expect(out.data.buffer).toBe(x.data.buffer);
    const outputIsATemporary = new nn.Sequential(new nn.ReLU(), new nn.Flatten(), new nn.Dropout(0.5).eval());
    const y = noGrad(() => outputIsATemporary.forward(x));
    expect(storagePoolBytes()).toBe(0);
    const z = noGrad(() => outputIsATemporary.forward(x));
    expect(z.data.buffer).not.toBe(y.data.buffer);
    expect(before.equals(bytes(x.data))).toBe(true);
  });
});
