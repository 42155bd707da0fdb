// A fit epoch of the §1 backbone, with validation, allocates no large array once warm: activations
// (Sequential's temporaries), gradients and the training and validation batches all come back to the
// storage pool, and so do evaluate's and predict's batches. A batch is recycled only when nothing
// could keep it: a model whose forward keeps its inputs sees them intact.
import { beforeEach, describe, expect, it } from 'vitest';
import { evaluate, fit, manualSeed, nn, predict, randn, Tensor } from '../../src/index.js';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import { clearStoragePool, resetStoragePoolStats, storagePoolStats } from '../../src/tensor/storage.js';

// From an empty pool: a file run before this one in the same process (vitest --no-isolate, as the
// sanitizer run does) may have filled it with lengths still too recent to evict.
beforeEach(() => clearStoragePool());

/** The pool's counters over each epoch after the first. */
class PoolSpy extends Callback {
  readonly epochs: { hits: number; misses: number }[] = [];
  override onEpochBegin(): void {
    resetStoragePoolStats();
  }
  override onEpochEnd(epoch: number): void {
    if (epoch > 1) this.epochs.push(storagePoolStats());
  }
}

/** A model that keeps every input it is given (as a user's debugging layer might). */
class KeepsInputs extends Module {
  readonly seen: { tensor: Tensor; copy: Float32Array }[] = [];
  constructor(readonly inner: nn.Sequential) {
    super();
    this.registerModule('inner', inner);
  }
  forward(x: Tensor): Tensor {
    this.seen.push({ tensor: x, copy: x.data.slice() });
    return this.inner.forward(x);
  }
  toJSON(): ModuleJSON {
    return { type: 'KeepsInputs', children: [this.inner.toJSON()] };
  }
}

function data(): { x: Tensor; y: Tensor } {
  manualSeed(1);
  return { x: randn([256, 14, 30]), y: randn([256, 1]) }; // batches of 64: (64, 14, 30) is large enough to pool
}

describe('fit in the steady state', () => {
  it('allocates no large array in an epoch after the first (backbone, batch 64, with validation), nor does evaluate or predict', async () => {
    manualSeed(0);
    const model = nn.conv1dBackbone();
    const spy = new PoolSpy();
    const { x, y } = data();
    await fit(model, { x, y, validationData: { x, y }, epochs: 3, batchSize: 64, validationBatchSize: 64, callbacks: [spy], worker: false, verbose: false, seed: 0 });
    expect(spy.epochs).toHaveLength(2);
    for (const { hits, misses } of spy.epochs) {
      expect(hits).toBeGreaterThan(0);
      expect(misses).toBe(0);
    }
    resetStoragePoolStats();
    await evaluate(model, { x, y, batchSize: 64 });
    await predict(model, x, { batchSize: 64 });
    expect(storagePoolStats().misses).toBe(0);
  });

  it('leaves the batches alone when the model could keep them', async () => {
    manualSeed(0);
    const model = new KeepsInputs(nn.conv1dBackbone());
    const { x, y } = data();
    await fit(model, { x, y, validationData: { x, y }, epochs: 2, batchSize: 64, validationBatchSize: 64, worker: false, verbose: false, seed: 0 });
    await evaluate(model, { x, y, batchSize: 64 });
    await predict(model, x, { batchSize: 64 });
    expect(model.seen.length).toBe(2 * 4 + 2 * 4 + 4 + 4); // training and validation batches, evaluate, predict
    for (const { tensor, copy } of model.seen) expect(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(Buffer.from(copy.buffer))).toBe(true);
  });
});
