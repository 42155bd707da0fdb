/**
 * WindowDataset: the windows of a time-series table as a dataset that cuts each batch's windows when
 * the batch is drawn, holding the table once instead of every window (what slidingWindows(…).toDataset()
 * returns; keras.utils.timeseries_dataset_from_array works the same way). Windows at stride s overlap by
 * window − s rows, so holding them all takes window / s times the table: at FD001's window of 30 and
 * stride 1, 30 times, which made a 45 MB CSV need 1.3 GB to train on.
 *
 * The table is kept channels-first, `series` (C, rows) with every unit's rows one after another, so a
 * window's channel is one contiguous run of rows. Window n ends at row ends[n] of that concatenation,
 * its unit starts at row firsts[n], and a window that would begin before its unit (pad 'edge') repeats
 * the unit's first row. A sample is [window (C, window), ...fields[i]]: the targets (and sample weights)
 * given to the constructor, one row per window.
 */
import { kernels } from '../backend/index.js';
import { OptionError, ShapeError } from '../errors.js';
import { checkTensor } from '../functional/validate.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { numel, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';
import { checkIndex, checkIndices, describe } from './validate.js';

/** Where the windows are: the table channels-first and each window's last row and unit start. */
export interface WindowLayout {
  /** (channels, rows): channel c of every unit's rows, units one after another. */
  readonly series: Float32Array;
  /** C, the channels of a window. */
  readonly channels: number;
  /** Rows per window. */
  readonly window: number;
  /** The row (of the concatenation) at which each window ends. */
  readonly ends: Int32Array;
  /** The first row of each window's unit: rows before it repeat it (pad 'edge'). */
  readonly firsts: Int32Array;
}

const W = 'WindowDataset';

function checkLayout(layout: WindowLayout): number {
  if (layout === null || typeof layout !== 'object') throw new OptionError(`${W}: layout must be { series, channels, window, ends, firsts }, got ${describe(layout)}`);
  const { series, channels, window, ends, firsts } = layout;
  if (!(series instanceof Float32Array)) throw new OptionError(`${W}: layout.series must be a Float32Array, got ${describe(series)}`);
  for (const [name, v] of [['channels', channels], ['window', window]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new OptionError(`${W}: layout.${name} must be a positive integer, got ${describe(v)}`);
  }
  if (series.length % channels !== 0) throw new ShapeError(`${W}: layout.series has ${series.length} floats, not a whole number of rows of ${channels} channels`);
  const rows = series.length / channels;
  if (!(ends instanceof Int32Array) || !(firsts instanceof Int32Array) || ends.length !== firsts.length) {
    throw new OptionError(`${W}: layout.ends and layout.firsts must be Int32Arrays of one entry per window, got ${describe(ends)} and ${describe(firsts)}`);
  }
  for (let n = 0; n < ends.length; n++) {
    if (!(firsts[n]! >= 0 && firsts[n]! <= ends[n]! && ends[n]! < rows)) {
      throw new OptionError(`${W}: window ${n} must satisfy 0 <= first <= end < rows (${rows}), got first ${firsts[n]} and end ${ends[n]}`);
    }
  }
  return rows;
}

/** A dataset of windows cut from a table as batches are drawn (see the file header). */
export class WindowDataset implements Dataset {
  /** Where the windows are (public: fit moves it to a worker thread). */
  readonly layout: WindowLayout;
  /** The fields after the window, one row per window (public for the same reason). */
  readonly fields: readonly Tensor[];
  /** Number of windows. */
  readonly length: number;
  private readonly rows: number;
  private readonly rowSizes: readonly number[];

  constructor(layout: WindowLayout, ...fields: Tensor[]) {
    this.rows = checkLayout(layout);
    this.layout = layout;
    this.length = layout.ends.length;
    fields.forEach((t, i) => {
      checkTensor(W, `fields[${i}]`, t);
      if (t.ndim === 0 || t.shape[0] !== this.length) {
        throw new ShapeError(`${W}: fields[${i}] must have one row per window (${this.length}), got shape ${formatShape(t.shape)}`);
      }
    });
    this.fields = Object.freeze([...fields]);
    this.rowSizes = fields.map((t) => numel(t.shape.slice(1)));
  }

  /** The shape of one window: (C, window). */
  get windowShape(): [number, number] {
    return [this.layout.channels, this.layout.window];
  }

  get(index: number): Tensor[] {
    return this.batch(Int32Array.of(checkIndex(`${W}.get`, index, this.length)), false);
  }

  /** The windows at `indices` cut into one new (B, C, window) array, and each field's rows gathered. */
  getBatch(indices: Int32Array): Tensor[] {
    return this.batch(checkIndices(`${W}.getBatch`, indices, this.length), true);
  }

  private batch(idx: Int32Array, stacked: boolean): Tensor[] {
    const [C, L] = this.windowShape;
    const x = emptyFloat32(idx.length * C * L);
    this.cut(x, idx);
    const out = [new Tensor(x, stacked ? [idx.length, C, L] : [C, L])];
    this.fields.forEach((t, f) => {
      const row = this.rowSizes[f]!;
      const y = emptyFloat32(idx.length * row);
      kernels.gatherRows(y, t.data, idx, { rows: idx.length, rowLength: row, srcRows: this.length });
      out.push(new Tensor(y, stacked ? [idx.length, ...t.shape.slice(1)] : t.shape.slice(1)));
    });
    return out;
  }

  /**
   * out[b, c, k] = series[c·rows + max(firsts[n], ends[n] − window + 1 + k)] for n = idx[b]: what
   * slidingWindows' x[n, c, k] holds, row for row, so batches are the same bits either way.
   */
  private cut(out: Float32Array, idx: Int32Array): void {
    const { series, channels: C, window: L, ends, firsts } = this.layout;
    const R = this.rows;
    for (let b = 0; b < idx.length; b++) {
      const n = idx[b]!;
      const start = ends[n]! - L + 1, first = firsts[n]!;
      const pad = Math.max(0, first - start);
      for (let c = 0; c < C; c++) {
        const src = c * R, dst = (b * C + c) * L;
        if (pad > 0) out.fill(series[src + first]!, dst, dst + pad);
        for (let k = pad; k < L; k++) out[dst + k] = series[src + start + k]!;
      }
    }
  }
}
