/**
 * What every streaming metric of fit and evaluate is (the Metric interface: reset, update per batch,
 * result over the epoch) and the checks each metric runs on a batch before reading it: predictions and
 * targets must be Float32Arrays whose shapes account for every value, and — for metrics that compare
 * them element by element — of the same shape. They live here so the metric families
 * (./regression.ts, ./classification.ts, ./function-metric.ts) share one wording of each error.
 */
import { OptionError, ShapeError } from '../../errors.js';
import { show } from '../../functional/validate.js';
import { formatShape, sameShape } from '../../tensor/shape.js';

/** A streaming metric: reset() at the start of an epoch, update() per batch, result() over all batches since. */
export interface Metric {
  /** The log key: 'rmse', 'top5Accuracy', or a custom name (fit logs the validation value as 'val' + Name). */
  readonly name: string;
  /** 'min' if smaller is better, 'max' if larger (EarlyStopping and History use it). */
  readonly mode: 'min' | 'max';
  /** Rebuildable from its spec (named metrics) → may run in a worker thread. */
  readonly portable: boolean;
  /** Forgets every batch seen (fit calls it at the start of each epoch and of each validation pass). */
  reset(): void;
  /** Adds one batch: predictions and targets, row-major, with their shapes (first dimension = sample). */
  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void;
  /** The metric over every batch since the last reset; NaN before any update. */
  result(): number;
}

/** Checks one array against its shape (non-negative integers whose product is its length). */
function checkArray(where: string, name: string, data: unknown, shape: unknown): readonly number[] {
  if (!(data instanceof Float32Array)) throw new OptionError(`${where}: ${name} must be a Float32Array, got ${show(data)}`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(`${where}: ${name}Shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new ShapeError(`${where}: ${name} has ${data.length} values but ${name}Shape ${formatShape(shape)} needs ${n}`);
  return shape as readonly number[];
}

/** Checks both arrays against their shapes. */
export function checkBatch(where: string, yPred: unknown, yPredShape: unknown, y: unknown, yShape: unknown): void {
  checkArray(where, 'yPred', yPred, yPredShape);
  checkArray(where, 'y', y, yShape);
}

/** Throws unless yPred and y have the same shape, with the reshape that fixes a (N, 1) vs (N) mix-up. */
export function checkSameShape(where: string, yPredShape: readonly number[], yShape: readonly number[]): void {
  if (sameShape(yPredShape, yShape)) return;
  const a = yPredShape.reduce((p, d) => p * d, 1), b = yShape.reduce((p, d) => p * d, 1);
  const fix = a === b ? `; reshape y to ${formatShape(yPredShape)}` : '';
  throw new ShapeError(`${where}: yPred ${formatShape(yPredShape)} and y ${formatShape(yShape)} must have the same shape${fix}`);
}
