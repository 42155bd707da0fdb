/**
 * A model of labelled sequences on new sequences (keel eval, keel predict, ModelFolder.predict; keel
 * train and keel tune cut their own windows the same way): each sequence standardised as model.json
 * says, cut into the model's windows, and its prediction the mean of its windows' probabilities (or
 * outputs), with Monte-Carlo dropout applied to that mean.
 */
import { Subset } from '../data/dataset.js';
import type { SeriesTable } from '../data/series.js';
import { standardizeEach } from '../data/scalers/standardize-each.js';
import { slidingWindows, type Windows } from '../data/windows.js';
import { softmax } from '../functional/softmax.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { predict } from '../train/predict.js';
import type { SavedSequences, SequenceSettings } from './format.js';

/** `table` with each sequence standardised by its own statistics when `how` is 'sequence' (--standardize), else as it is. */
export function ownStandardized(how: SequenceSettings['standardize'] | undefined, table: SeriesTable): SeriesTable {
  return how === 'sequence' ? standardizeEach(table) : table;
}

/**
 * The model's input windows (N, C, window) of `table` (its columns the model's channels, in order),
 * each sequence standardised with its own statistics first when `saved.standardize` says so (eval,
 * predict; training does it before fitting the scaler), then with the training sequences',
 * `groups[n]` the sequence of window n. `pad`: a sequence shorter than the window gives one window,
 * padded with its first row (eval, predict); otherwise it gives none (training).
 */
export function sequenceWindows(saved: Pick<SequenceSettings, 'window' | 'stride'> & { standardize?: SequenceSettings['standardize']; scaler: SavedSequences['scaler'] }, table: SeriesTable, pad: boolean): Windows {
  return slidingWindows(saved.scaler.transform(ownStandardized(saved.standardize, table)), { window: saved.window, stride: saved.stride, pad: pad ? 'edge' : 'none' });
}

/**
 * Per sequence, the mean of its windows' rows of `out` ((windows, K), e.g. probabilities): the
 * prediction for a sequence cut into several windows. (units, K), in double.
 */
export function perSequence(out: Tensor, groups: Int32Array, units: number): Float64Array {
  const k = out.numel / groups.length;
  const sum = new Float64Array(units * k), count = new Float64Array(units);
  groups.forEach((u, n) => {
    count[u]!++;
    for (let j = 0; j < k; j++) sum[u * k + j]! += out.data[n * k + j]!;
  });
  return sum.map((v, i) => v / count[Math.floor(i / k)]!);
}

/** Windows per Monte-Carlo batch: whole sequences, up to predict's default batch (a longer sequence is a batch of its own). */
const MC_BATCH = 256;

/**
 * The model's prediction for each of `units` sequences from their windows `w`: the mean over its
 * windows of the softmax probabilities (`classifier`) or of the outputs, (units, K) in double. With
 * `mc` (Monte-Carlo dropout), each pass averages a sequence's windows first, so `std` is the spread
 * of the sequence's prediction over the passes: the windows go through predict's mcDropout in
 * batches of whole sequences, with a transform that replaces every window's row by its sequence's
 * average (a transform keeps the rows), so a sequence's first row holds its mean and std. Aborting
 * `signal` rejects with an AbortError before the next batch.
 */
export async function predictSequences(
  model: Module, w: Windows, units: number, classifier: boolean, mc: { samples: number; seed: number } | null, signal?: AbortSignal,
): Promise<{ mean: Float64Array; std: Float64Array | null }> {
  const perWindow = (out: Tensor) => (classifier ? softmax(out, 1) : out);
  const base = signal ? { signal } : {};
  // Windows cut as batches are drawn: at stride 1 holding them all would take `window` times the table.
  const windows = w.toDataset();
  if (mc === null) return { mean: perSequence(perWindow(await predict(model, windows, base)), w.groups, units), std: null };
  // Windows are listed sequence by sequence (slidingWindows): first[u] is sequence u's first window.
  const first = new Int32Array(units + 1).fill(w.groups.length);
  for (let n = w.groups.length - 1; n >= 0; n--) first[w.groups[n]!] = n;
  const mean: number[] = [], std: number[] = [];
  for (let u0 = 0; u0 < units;) {
    let u1 = u0 + 1;
    while (u1 < units && first[u1 + 1]! - first[u0]! <= MC_BATCH) u1++;
    const start = first[u0]!, n = first[u1]! - start;
    const local = Int32Array.from(w.groups.subarray(start, start + n), (g) => g - u0);
    const average = (out: Tensor) => {
      const m = perSequence(perWindow(out), local, u1 - u0), k = out.numel / n;
      return new Tensor(Float32Array.from({ length: out.numel }, (_, i) => m[local[Math.floor(i / k)]! * k + (i % k)]!), out.shape);
    };
    const range = Int32Array.from({ length: n }, (_, i) => start + i);
    const r = await predict(model, new Subset(windows, range), { ...base, batchSize: n, mcDropout: { ...mc, transform: average } });
    const k = r.mean.numel / n;
    for (let u = u0; u < u1; u++) {
      const row = (first[u]! - start) * k;
      mean.push(...r.mean.data.subarray(row, row + k));
      std.push(...r.std.data.subarray(row, row + k));
    }
    u0 = u1;
  }
  return { mean: Float64Array.from(mean), std: Float64Array.from(std) };
}
