/**
 * The non-finite guard for the data fit() and recalibrateBatchNorm() are given: a NaN or ±Infinity in
 * the data would otherwise surface later as a non-finite loss (whose first suspect is the learning
 * rate) or as NaN running statistics, after the model has been changed. A Tensor, or a
 * WindowDataset's table and fields, is scanned whole before anything runs; a Dataset's samples are
 * scanned batch by batch by the caller, with nonFiniteIndex, as they are gathered. predict() and
 * evaluate() scan each batch (./batches.ts forEachBatch), so a NaN input is an error naming its sample
 * rather than a NaN output or loss.
 */
import { kernels } from '../backend/index.js';
import { DataError } from '../errors.js';
import { Subset, type Dataset } from '../data/dataset.js';
import { WindowDataset } from '../data/window-dataset.js';
import type { Tensor } from '../tensor/tensor.js';

/** The index of the first NaN or ±Infinity of t's elements, or −1 (a SIMD pass natively that stops at the first). */
export function nonFiniteIndex(t: Tensor): number {
  return kernels.nonFiniteIndex(t.data, { count: t.data.length });
}

/**
 * Throws a DataError naming the first non-finite element of `t` and its sample (first dimension):
 * "`where`: `name` must be finite, got NaN at index 3 (sample 0); `consequence`".
 */
export function checkFiniteData(where: string, name: string, t: Tensor, consequence: string): void {
  const at = nonFiniteIndex(t);
  if (at < 0) return;
  const sample = t.shape.length > 0 ? Math.floor(at / (t.numel / t.shape[0]!)) : 0;
  throw new DataError(`${where}: ${name} must be finite, got ${t.data[at]} at index ${at} (sample ${sample}); ${consequence}`);
}

/** A DataError naming the first NaN or ±Infinity of batch tensor t by its sample (rows from `first`) and its index within the sample. */
export function checkFiniteRows(where: string, name: string, t: Tensor, first: number): void {
  const at = nonFiniteIndex(t);
  if (at < 0) return;
  const perSample = t.numel / t.shape[0]!, row = Math.floor(at / perSample);
  throw new DataError(`${where}: ${name} must be finite, got ${t.data[at]} in sample ${first + row} (index ${at - row * perSample} of its ${name})`);
}

/**
 * A WindowDataset (or a Subset of one) scanned whole, as a Tensor is: its table, which every window is
 * cut from (a value no window reads, such as a row a stride skips, is let be), then its fields.
 */
export function checkFiniteWindows(where: string, name: string, data: Dataset, consequence: string): void {
  while (data instanceof Subset) data = data.dataset;
  if (!(data instanceof WindowDataset)) return;
  const { series, channels, window, ends, firsts } = data.layout;
  const rows = series.length / channels;
  for (let from = 0; from < series.length; ) {
    const at = kernels.nonFiniteIndex(series.subarray(from), { count: series.length - from });
    if (at < 0) break;
    const i = from + at, row = i % rows;
    // A window reads rows max(first, end − window + 1) … end of the table.
    const n = ends.findIndex((end, n) => row <= end && row >= Math.max(firsts[n]!, end - window + 1));
    if (n >= 0) {
      throw new DataError(`${where}: ${name} must be finite, got ${series[i]} in sample ${n} (channel ${Math.floor(i / rows)}, step ${row - (ends[n]! - window + 1)} of its window); ${consequence}`);
    }
    from = i + 1;
  }
  data.fields.forEach((t, f) => checkFiniteData(where, `${name}'s field ${f + 1}`, t, consequence));
}
