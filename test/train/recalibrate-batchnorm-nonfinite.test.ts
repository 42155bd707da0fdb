/**
 * recalibrateBatchNorm refuses non-finite values instead of averaging them into every running
 * statistic (one NaN in x once made every running_mean of the model NaN, silently). A Tensor x is
 * scanned before anything runs, a Dataset batch by batch: a DataError naming data and the first bad
 * index (or sample). A non-finite BatchNorm input made from finite data is a NonFiniteError naming the
 * layer. Each time every buffer (running_mean, running_var, num_batches_tracked) and every mode is
 * left as it was, bitwise.
 */
import { describe, expect, it } from 'vitest';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataError, NonFiniteError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { recalibrateBatchNorm } from '../../src/train/recalibrate-batchnorm.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';

/** Linear → BN → ReLU → Linear → BN, trained one step so that its running statistics are not the initial ones. */
function model(): nn.Sequential {
  manualSeed(1);
  const m = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 4), new nn.BatchNorm1d(4));
  m.forward(randn([16, 3]));
  return m;
}

/** 32 samples of 3 features with `value` at flat index 37 (sample 12, feature 1). */
function data(value: number): Tensor {
  manualSeed(2);
  const x = randn([32, 3]);
  x.data[37] = value;
  return x;
}

/** Runs the call and expects `cls` with `message`, the model's buffers and modes unchanged. */
async function expectRefused(m: nn.Module, call: () => Promise<unknown>, cls: typeof DataError, message: string): Promise<void> {
  const before = snapshot(m), modes = m.modules().map((mod) => mod.training);
  const e = await call().then(() => new Error('no error thrown'), (err: unknown) => err);
  expect(e).toBeInstanceOf(cls);
  expect((e as Error).message).toBe(message);
  expectSameSnapshot(snapshot(m), before);
  expect(m.modules().map((mod) => mod.training)).toEqual(modes);
}

describe('recalibrateBatchNorm with non-finite values', () => {
  it.each([NaN, Infinity, -Infinity])('a Tensor x holding %s: a DataError naming the first bad index, nothing changed', async (v) => {
    const m = model();
    await expectRefused(m, () => recalibrateBatchNorm(m, data(v), { batchSize: 8 }), DataError,
      `recalibrateBatchNorm: data must be finite, got ${v} at index 37 (sample 12); the model was not changed`);
  });

  it('a Dataset: the batch holding the bad sample is refused before its forward, the batches before it undone', async () => {
    // Sample 12 is in the third batch of seed 0's shuffle: two forwards moved the running statistics before it.
    const m = model();
    await expectRefused(m, () => recalibrateBatchNorm(m, new TensorDataset(data(NaN)), { batchSize: 8 }), DataError,
      'recalibrateBatchNorm: data must be finite, got NaN in sample 12 (index 1 of its x); the model was not changed');
  });

  it('finite data, a NaN weight before the second BatchNorm: a NonFiniteError naming that layer, nothing changed', async () => {
    const m = model();
    (m.at(3) as nn.Linear).weight.data[0] = NaN;
    await expectRefused(m, () => recalibrateBatchNorm(m, data(0), { batchSize: 8 }), NonFiniteError,
      "recalibrateBatchNorm: the input of BatchNorm1d layer '4' has NaN at index 0 although data is finite: a layer before it made it " +
        '(non-finite weights, or an overflow); the model was not changed');
  });
});
