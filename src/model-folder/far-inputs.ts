/**
 * Data far from what a saved model was trained on: a channel whose inputs, scaled with the model's
 * training statistics, have a mean |z| above FAR standard deviations is most often another sensor,
 * another unit (kelvin for celsius) or another machine under the same name, and the model then
 * extrapolates — predicting RUL in the thousands of cycles from a model that never saw more than 125.
 * The predictions are still made; ModelFolder.predict says so with a process warning (code
 * KEEL_FAR_INPUTS), `keel eval` and `keel predict` on stderr (src/cli/far-inputs.ts).
 */
import { WindowDataset } from '../data/window-dataset.js';
import type { Tensor } from '../tensor/tensor.js';

/** Mean |z| above which a channel is reported: 99.99% of a normal's values are within 4. */
const FAR = 10;

/** A channel of the data far from the training data, and its mean |z|. */
export interface FarChannel {
  name: string;
  z: number;
}

/**
 * The channels of `x`, the model's inputs scaled with its training statistics — (N, C, L) windows or
 * (N, C) rows, or windows a WindowDataset cuts — whose C channels are `names`, that lie far from the
 * training data.
 */
export function farChannels(x: Tensor | WindowDataset, names: readonly string[]): FarChannel[] {
  const { sums, count } = x instanceof WindowDataset ? windowSums(x) : tensorSums(x);
  return names.map((name, k) => ({ name, z: sums[k]! / count })).filter((ch) => ch.z > FAR);
}

/** Σ |x| per channel, and the values per channel. */
function tensorSums(x: Tensor): { sums: Float64Array; count: number } {
  const [n, c] = x.shape as [number, number];
  const per = n === 0 ? 0 : x.numel / (n * c); // values per channel in a sample (L, or 1)
  const sums = new Float64Array(c);
  for (let i = 0; i < x.numel; i++) sums[Math.floor(i / per) % c]! += Math.abs(x.data[i]!);
  return { sums, count: n * per };
}

/**
 * The same sums over every window the dataset cuts, without cutting them: each row of its table
 * weighs the number of window steps that read it (a padded window reads its unit's first row again
 * for each step of padding).
 */
function windowSums(ds: WindowDataset): { sums: Float64Array; count: number } {
  const { series, channels, window, ends, firsts } = ds.layout;
  const rows = series.length / channels;
  const reads = new Float64Array(rows + 1);
  for (let n = 0; n < ends.length; n++) {
    const start = ends[n]! - window + 1, first = firsts[n]!;
    reads[Math.max(start, first)]! += 1; // rows max(start, first) … end, once each (a running sum below)
    reads[ends[n]! + 1]! -= 1;
  }
  for (let r = 1; r < rows; r++) reads[r]! += reads[r - 1]!;
  for (let n = 0; n < ends.length; n++) reads[firsts[n]!]! += Math.max(0, firsts[n]! - (ends[n]! - window + 1));
  const sums = new Float64Array(channels);
  for (let c = 0; c < channels; c++) for (let r = 0; r < rows; r++) sums[c]! += reads[r]! * Math.abs(series[c * rows + r]!);
  return { sums, count: ends.length * window };
}

/** What to say about them (none: ''). */
export function farInputsText(far: readonly FarChannel[]): string {
  if (far.length === 0) return '';
  const list = far.map((ch) => `${ch.name} (${ch.z.toPrecision(3)})`).join(', ');
  return `the data is far from the model's training data: mean |z| ${list}, in standard deviations of the training data; ` +
    'are these the same sensors, in the same units? Predictions this far out are extrapolation';
}
