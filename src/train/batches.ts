/**
 * The inference side shared by evaluate, predict and the BatchNorm tools: a model's inputs as a
 * Dataset, run in batches on the caller's thread, yielding to the event loop between batches so a large
 * input never blocks it for longer than one batch.
 */
import { DataLoader } from '../data/dataloader.js';
import { type Dataset, isDataset, TensorDataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import { checkInt } from '../optim/lr-scheduler.js';
import { Tensor } from '../tensor/tensor.js';
import { yieldToEventLoop } from './loop.js';

/** x (a Tensor, first dimension = sample) or a Dataset whose samples start with x, checked. */
export function inputsDataset(where: string, name: string, x: unknown, y?: unknown): Dataset {
  if (isDataset(x)) return x;
  if (!(x instanceof Tensor)) throw new TypeError(`${where}: ${name} must be a Tensor (first dimension = sample) or a Dataset, got ${show(x)}`);
  if (x.ndim === 0) throw new RangeError(`${where}: ${name} must have a sample dimension, got a 0-dim Tensor`);
  if (y === undefined) return new TensorDataset(x);
  if (!(y instanceof Tensor)) throw new TypeError(`${where}: y must be a Tensor (first dimension = sample), got ${show(y)}`);
  if (y.ndim === 0 || y.shape[0] !== x.shape[0]) throw new RangeError(`${where}: x and y must have the same number of samples, got ${x.shape[0]} and ${y.ndim ? y.shape[0] : 'a 0-dim Tensor'}`);
  return new TensorDataset(x, y);
}

export function checkBatchSize(where: string, v: unknown): number {
  return checkInt(where, 'batchSize', v ?? 256, 1);
}

/**
 * Calls fn on every batch in order (no shuffle), yielding to the event loop after each. An aborted
 * signal ends it before the next batch by throwing the signal's reason (an AbortError by default), as
 * Node's own abortable APIs do: a partial result would be wrong, so there is none.
 */
export async function forEachBatch(data: Dataset, batchSize: number, signal: AbortSignal | undefined, fn: (batch: Tensor[]) => void): Promise<void> {
  for (const batch of new DataLoader(data, { batchSize }).batches(0)) {
    signal?.throwIfAborted();
    fn(batch);
    await yieldToEventLoop();
  }
  signal?.throwIfAborted();
}
