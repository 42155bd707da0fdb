/**
 * Running a model over data in batches on the caller's thread, shared by fit's loop, evaluate, predict
 * and the BatchNorm and learning-rate tools: inputs as a Dataset, the yield to the event loop between
 * batches (so a large input never blocks it for longer than one batch), and the scoring of one batch.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { DataLoader } from '../data/dataloader.js';
import { type Dataset, hasFreshBatches, isDataset, TensorDataset } from '../data/dataset.js';
import { describeNonTensor } from '../functional/validate.js';
import { throwIfAborted } from './abort.js';
import { checkFiniteRows } from './finite-data.js';
import { noGrad } from '../tensor/grad-mode.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { keepsNothing } from '../nn/temporaries.js';
import { recycleFloat32 } from '../tensor/storage.js';
import { batchLossWeight, type ResolvedLoss } from './losses.js';
import type { Metric } from './metrics.js';
import { checkInt } from '../options.js';

/** Lets the event loop run (timers, I/O) before the next batch. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A batch of [x, y] (or [x, y, sampleWeight]) samples. A dataset yielding x alone is refused naming
 * `where`, the data and the shape of its samples, before the batch reaches the model or the loss
 * (whose "y must be a Tensor, got undefined" would not say which data was wrong).
 */
export function checkPairs(where: string, data: string, batch: readonly Tensor[]): void {
  if (batch.length >= 2) return;
  const got = batch[0] ? `one Tensor per sample, of shape ${formatShape(batch[0].shape.slice(1))}` : 'samples with no field';
  throw new DataError(`${where}: ${data}'s samples must be [x, y] (or [x, y, sampleWeight]), got ${got}`);
}

/**
 * What a loop calls on each batch of `data` once the model is done with it: hands the batch's
 * arrays back to the storage pool, so the next batch reuses them instead of taking fresh pages from
 * the OS, when that is safe: the dataset hands out fresh arrays (hasFreshBatches: keel's
 * TensorDataset) and the model keeps nothing it is given (keepsNothing: built-in layers only).
 * Otherwise it does nothing.
 */
export function batchRecycler(data: Dataset, model: Module): (batch: readonly Tensor[]) => void {
  if (!hasFreshBatches(data) || !keepsNothing(model)) return () => {};
  return (batch) => {
    for (const t of batch) recycleFloat32(t.data);
  };
}

/**
 * One batch [x, y] (or [x, y, sampleWeight]) through the model under noGrad: its loss times its
 * weight (batchLossWeight: its size, or its targets that are not ignored; so sums over batches give
 * the mean over the set) and the metrics updated. The caller sets the mode.
 */
export function scoreBatch(
  model: Module, loss: ResolvedLoss, metrics: readonly Metric[], batch: readonly Tensor[],
): { lossSum: number; weight: number } {
  const [x, y] = batch as [Tensor, Tensor];
  return noGrad(() => {
    const out = model.forward(x);
    const weights = batch[2]?.data ?? null;
    const weight = batchLossWeight(loss, out, y, weights);
    const lossSum = weight === 0 ? 0 : loss.compute(out, y, weights).item() * weight;
    for (const m of metrics) m.update(out.data, out.shape, y.data, y.shape);
    return { lossSum, weight };
  });
}

/** x (a Tensor, first dimension = sample) or a Dataset whose samples start with x, checked. */
export function inputsDataset(where: string, name: string, x: unknown, y?: unknown): Dataset {
  if (isDataset(x)) return x;
  if (!(x instanceof Tensor)) throw new OptionError(`${where}: ${name} must be a Tensor (first dimension = sample) or a Dataset, got ${describeNonTensor(x)}`);
  if (x.ndim === 0) throw new ShapeError(`${where}: ${name} must have a sample dimension, got a 0-dim Tensor`);
  if (y === undefined) return new TensorDataset(x);
  if (!(y instanceof Tensor)) throw new OptionError(`${where}: y must be a Tensor (first dimension = sample), got ${describeNonTensor(y)}`);
  if (y.ndim === 0 || y.shape[0] !== x.shape[0]) throw new ShapeError(`${where}: x and y must have the same number of samples, got ${x.shape[0]} and ${y.ndim ? y.shape[0] : 'a 0-dim Tensor'}`);
  return new TensorDataset(x, y);
}

export function checkBatchSize(where: string, v: unknown): number {
  return checkInt(where, 'batchSize', v ?? 256, 1);
}

/**
 * Calls fn on every batch in order (no shuffle), yielding to the event loop after each. An aborted
 * signal ends it before the next batch with an AbortError naming `where` (cause: the signal's reason):
 * a partial result would be wrong, so there is none. The batch's first tensors, named by `finite`
 * (x, and y for evaluate), must hold finite numbers, as fit's data: a DataError names the first
 * sample that does not, instead of a NaN output or score.
 */
export async function forEachBatch(where: string, data: Dataset, batchSize: number, signal: AbortSignal | undefined, finite: readonly string[], fn: (batch: Tensor[]) => void): Promise<void> {
  let first = 0;
  for (const batch of new DataLoader(data, { batchSize }).batches(0)) {
    throwIfAborted(signal, where);
    finite.forEach((name, i) => batch[i] && checkFiniteRows(where, name, batch[i], first));
    fn(batch);
    first += batch[0]!.shape[0]!;
    await yieldToEventLoop();
  }
  throwIfAborted(signal, where);
}

