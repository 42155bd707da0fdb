/**
 * Non-finite losses, in both modes (worker thread and caller's thread). With TerminateOnNaN (on by
 * default) the first NaN or infinite training loss makes fit reject with a NonFiniteLossError naming
 * the epoch and the batch (.epoch, .batch, .value, and .history with the epochs completed before), and
 * the model is left at the last finite step: parameters, BatchNorm running statistics,
 * num_batches_tracked and the optimiser's state equal, bit for bit, what they were after the previous
 * batch (snapshotted on the caller's thread, where callbacks see the live model; the worker run must
 * end in the same state). Causes: a huge learning rate, a learning rate that diverges over a few
 * batches, NaN in a Dataset's samples (a Tensor x or y with NaN is a DataError before the first step).
 * With terminateOnNaN: false — and the non-finite guards opted out of, as
 * PyTorch runs (an optimiser built with allowNonFinite: true, else its guard stops the run; BatchNorm
 * with trackNonFinite) — fit resolves and the history records the non-finite losses; EarlyStopping's
 * checkFinite then stops at the first non-finite validation loss.
 */
import { describe, expect, it } from 'vitest';
import type { OptimizerStateDict } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { tensor } from '../../src/tensor/create.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { TerminateOnNaN } from '../../src/train/callbacks/terminate-on-nan.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataError, NonFiniteError } from '../../src/errors.js';
import { NonFiniteLossError } from '../../src/train/errors.js';
import { fit } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { BatchSnapshots, bnMlp, linearData, linearNet, stateValues } from './helpers.js';

const STEPS = 4; // 64 samples in batches of 16
const train = linearData(64, 10);
const validation = linearData(32, 11);

interface Failure {
  error: NonFiniteLossError;
  model: Record<string, Array<number | bigint>>;
  optimizer: OptimizerStateDict;
  training: boolean[];
}

/** Runs fit expecting it to reject; returns the error and the state the model and optimiser were left in. */
async function failingFit(worker: boolean, over: Partial<FitOptions> & { lr: number; momentum?: number }, snapshots?: BatchSnapshots): Promise<Failure> {
  const { lr, momentum, ...rest } = over;
  const model = linearNet();
  const optimizer = new SGD(model.parameters(), { lr, momentum: momentum ?? 0 });
  let error: unknown = null;
  try {
    await fit(model, { x: train.x, y: train.y, epochs: 5, batchSize: 16, optimizer, verbose: false, checks: false, worker, callbacks: snapshots ? [snapshots] : [], ...rest });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NonFiniteLossError);
  return { error: error as NonFiniteLossError, model: stateValues(model.stateDict()), optimizer: optimizer.stateDict(), training: model.modules().map((m) => m.training) };
}

/** The batch before (epoch, batch), as "epoch.batch". */
function previousBatch(epoch: number, batch: number): string {
  return batch > 1 ? `${epoch}.${batch - 1}` : `${epoch - 1}.${STEPS}`;
}

describe('TerminateOnNaN (default): fit rejects and leaves the model at the last finite step', () => {
  it.each([
    { cause: 'a huge learning rate (SGD lr 1e6)', lr: 1e6, momentum: 0, epoch: 1, batch: 3 },
    { cause: 'a learning rate that diverges over a few batches (SGD lr 1, momentum 0.9)', lr: 1, momentum: 0.9, epoch: 2, batch: 2 },
  ])('$cause: epoch $epoch, batch $batch', async ({ lr, momentum, epoch, batch }) => {
    const snapshots = new BatchSnapshots();
    const thread = await failingFit(false, { lr, momentum }, snapshots);
    const worker = await failingFit(true, { lr, momentum });

    for (const { error } of [thread, worker]) {
      expect(error.epoch).toBe(epoch);
      expect(error.batch).toBe(batch);
      expect(Number.isFinite(error.value)).toBe(false);
      expect(error.message).toContain(`fit: the training loss is ${error.value} at epoch ${epoch}, batch ${batch}`);
      // The history goes with the error: the epochs completed before, and why training ended.
      expect(error.history!.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epoch - 1 }, (_, i) => i + 1));
      expect(error.history!.values('loss').every(Number.isFinite)).toBe(true);
      expect(error.history!.stopped).toBe('nonFinite');
    }
    expect(worker.error.value).toBe(thread.error.value);

    // Every batch before the failing one ended (and was finite); the failing one never reached onBatchEnd.
    const before = previousBatch(epoch, batch);
    expect(snapshots.losses.length).toBe((epoch - 1) * STEPS + batch - 1);
    expect(snapshots.losses.every(Number.isFinite)).toBe(true);
    expect(snapshots.model.has(`${epoch}.${batch}`)).toBe(false);
    // Parameters, running statistics, num_batches_tracked and the optimiser's state are those of the batch before.
    expect(thread.model).toEqual(snapshots.model.get(before));
    expect(thread.model['1.num_batches_tracked']).toEqual([BigInt((epoch - 1) * STEPS + batch - 1)]);
    expect(thread.optimizer).toEqual(snapshots.optimizer.get(before));
    if (momentum > 0) expect(Object.keys(thread.optimizer.state).length).toBe(5); // a momentum buffer for each of the 5 parameters
    // The worker run ends in the same state, bit for bit; both put the modes back.
    expect(worker.model).toEqual(thread.model);
    expect(worker.optimizer).toEqual(thread.optimizer);
    expect(thread.training).toEqual([true, true, true, true, true]);
    expect(worker.training).toEqual(thread.training);
  });

  it('NaN in a Tensor x or y (training or validation): a DataError naming the sample before the first step', async () => {
    const x = new Float32Array(train.x.data);
    x[20 * 4 + 1] = NaN;
    const bad = tensor(x, [64, 4]);
    for (const worker of [false, true]) {
      const model = linearNet();
      const before = stateValues(model.stateDict());
      const run = (o: Partial<FitOptions>) => fit(model, { x: train.x, y: train.y, epochs: 1, batchSize: 16, verbose: false, checks: false, worker, ...o });
      await expect(run({ x: bad })).rejects.toThrow(new DataError('fit: x must be finite, got NaN at index 81 (sample 20); nothing was trained'));
      await expect(run({ validationData: { x: validation.x, y: tensor(Float32Array.from(validation.y.data, (v, i) => (i === 5 ? Infinity : v)), validation.y.shape) } }))
        .rejects.toThrow('fit: validationData.y must be finite, got Infinity at index 5 (sample 5); nothing was trained');
      expect(stateValues(model.stateDict())).toEqual(before);
    }
  });

  it('NaN in a Dataset\'s samples: the batch holding it fails, and its BatchNorm update is rolled back', async () => {
    const x = new Float32Array(train.x.data);
    x[20 * 4 + 1] = NaN; // sample 20: in batch 2 (samples 16..31) without shuffling
    // A Dataset is gathered batch by batch, so the loop meets the NaN (a Tensor x is refused up front).
    const poisoned = { x: undefined, y: undefined, data: new TensorDataset(tensor(x, [64, 4]), train.y), shuffle: false };
    const snapshots = new BatchSnapshots();
    const thread = await failingFit(false, { lr: 0.01, ...poisoned }, snapshots);
    const worker = await failingFit(true, { lr: 0.01, ...poisoned });
    for (const { error } of [thread, worker]) {
      expect([error.epoch, error.batch]).toEqual([1, 2]);
      expect(error.value).toBeNaN();
      expect(error.history!.epochs).toEqual([]);
    }
    expect(thread.model).toEqual(snapshots.model.get('1.1'));
    expect(thread.model['1.num_batches_tracked']).toEqual([1n]);
    expect([...thread.model['1.running_mean']!, ...thread.model['1.running_var']!].every((v) => Number.isFinite(v))).toBe(true);
    expect(worker.model).toEqual(thread.model);
    expect(worker.optimizer).toEqual(thread.optimizer);
  });

  it('a TerminateOnNaN given in callbacks works with terminateOnNaN: false too', async () => {
    for (const worker of [false, true]) {
      const { error } = await failingFit(worker, { lr: 1e6, terminateOnNaN: false, callbacks: [new TerminateOnNaN()] });
      expect([error.epoch, error.batch]).toEqual([1, 3]);
    }
  });
});

describe('a finite loss with a gradient that overflows', () => {
  it('the optimiser refuses the step: fit rejects with a NonFiniteError and the model is as before (both modes alike)', async () => {
    // Linear(1→2, weight 0) → BatchNorm1d (shift 1) → ReLU → Linear(2→1) on inputs of ±3e38: the
    // forward is exactly 1 after the BatchNorm (a finite loss), but the first weight's gradient, about
    // 3e38 × 316 (1/√eps) per sample, overflows.
    const runs = [];
    for (const worker of [false, true]) {
      const model = bnMlp({ inputs: 1, hidden: 2, seed: 3 });
      model.parameters()[0]!.data.fill(0);
      model.parameters()[2]!.data.fill(1);
      const before = stateValues(model.stateDict());
      const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const x = tensor(Array.from({ length: 8 }, (_, i) => (i % 2 ? 3e38 : -3e38)), [8, 1]), y = tensor(Array.from({ length: 8 }, (_, i) => i), [8, 1]);
      const error = await fit(model, { x, y, epochs: 2, batchSize: 4, optimizer, verbose: false, checks: false, worker }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(error).not.toBeInstanceOf(NonFiniteLossError);
      expect((error as Error).message).toMatch(/^SGD\.step: the gradient of paramGroups\[0\]\.params\[0\], .* -?Infinity/);
      // Parameters, BatchNorm running statistics, num_batches_tracked and the momentum buffers: untouched.
      expect(stateValues(model.stateDict())).toEqual(before);
      expect(optimizer.stateDict().state).toEqual({});
      runs.push((error as Error).message);
    }
    expect(runs[1]).toBe(runs[0]);
  });
});

describe('terminateOnNaN: false', () => {
  it('fit resolves and the history records the non-finite losses (both modes alike)', async () => {
    const runs = [];
    for (const worker of [false, true]) {
      const model = bnMlp({ inputs: 4, hidden: 8, seed: 2, trackNonFinite: true }); // linearNet, its BatchNorm as PyTorch's
      const history = await fit(model, {
        x: train.x,
        y: train.y,
        epochs: 3,
        batchSize: 16,
        optimizer: (p) => new SGD(p, { lr: 1, momentum: 0.9, allowNonFinite: true }), // opts out of the optimiser's non-finite guard
        terminateOnNaN: false,
        verbose: false,
        checks: false,
        worker,
      });
      expect(history.stopped).toBe('completed');
      const loss = history.values('loss');
      expect(loss.length).toBe(3);
      expect(Number.isFinite(loss[0])).toBe(true);
      expect(Number.isFinite(loss[1]) || Number.isFinite(loss[2])).toBe(false);
      expect(model.stateDict()['1.num_batches_tracked']!.data[0]).toBe(12n);
      expect(model.parameters().some((p) => p.data.some((v) => !Number.isFinite(v)))).toBe(true);
      runs.push({ loss, model: stateValues(model.stateDict()) });
    }
    expect(runs[1]!.loss).toEqual(runs[0]!.loss);
    expect(runs[1]!.model).toEqual(runs[0]!.model);
  });

  it("EarlyStopping's checkFinite then stops at the first non-finite validation loss (both modes alike)", async () => {
    const runs = [];
    for (const worker of [false, true]) {
      const stopper = new EarlyStopping({ patience: 10 });
      const history = await fit(linearNet(), {
        x: train.x,
        y: train.y,
        validationData: validation,
        epochs: 6,
        batchSize: 16,
        optimizer: (p) => new SGD(p, { lr: 1, momentum: 0.9, allowNonFinite: true }), // opts out of the optimiser's non-finite guard
        terminateOnNaN: false,
        callbacks: [stopper],
        verbose: false,
        checks: false,
        worker,
      });
      const valLoss = history.values('valLoss');
      const firstBad = valLoss.findIndex((v) => !Number.isFinite(v)) + 1;
      expect(firstBad).toBeGreaterThan(1);
      expect(history.stopped).toBe('earlyStopping');
      expect(history.epochs.length).toBe(firstBad);
      expect(stopper.stoppedEpoch).toBe(firstBad);
      expect(stopper.bestEpoch).toBe(1);
      runs.push(valLoss);
    }
    expect(runs[1]).toEqual(runs[0]);
  });
});
