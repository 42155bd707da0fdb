/**
 * slidingWindows: fixed-length windows cut from each unit of a time-series table, laid out
 * channels-first as Conv1d takes them — x (N, C, window) — with the target at each window's last row,
 * the unit each window came from (for splits by unit) and where in its unit it ends.
 *
 * Anchoring. Windows are anchored at the END of each unit: for a unit of T rows, window j (j = 0, 1,
 * ...) ends at row e_j = T − 1 − j·stride and covers rows e_j − window + 1 .. e_j; windows are made
 * while e_j ≥ window − 1 and listed in time order (increasing e). So the most recent row is always in
 * a window whatever the stride, and when stride does not divide T − window the rows left out are
 * the oldest ones. `last: true` keeps only e_0 = T − 1, the window test units are scored on.
 *
 * Short units (T < window): with pad 'none' (default) they are skipped in sliding mode and an error
 * in `last` mode (scoring must not drop a unit silently); with pad 'edge' they give their one
 * end-anchored window, the missing first rows filled with copies of row 0 (as is usual for the short
 * C-MAPSS test units):
 *   x[n, c, k] = values[max(0, e − window + 1 + k), channel_c]
 *
 * Targets: per-unit per-row arrays (rulTargets' output, or any per-row value), or 'rul' for
 * rulTargets(table, { cap: rulCap }); y[n] = target_u[e_n]. Everything returned is a plain Tensor or
 * typed array. x is cut when first read; `toDataset()` is the windows without x, a WindowDataset
 * (./window-dataset.ts) holding the table once, which fit can move to a worker.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { boolean, checkOptions, oneOf, positiveInt } from '../functional/validate.js';
import { Tensor } from '../tensor/tensor.js';
import { type WindowLayout, WindowDataset } from './window-dataset.js';
import { checkCap, rulTargets } from './rul.js';
import type { SeriesTable, UnitSeries } from './series.js';
import { checkSeries, unitName } from './series-check.js';
import { describe } from './validate.js';

/** Options of slidingWindows. */
export interface SlidingWindowsOptions {
  /** Rows per window. Required: a positive integer. */
  window: number;
  /** Rows between the ends of consecutive windows. Default 1. */
  stride?: number;
  /** The channels to keep, in this order: column names or column indices. Default: every column. */
  channels?: ReadonlyArray<string | number>;
  /**
   * The target of each row of each unit (one array of T values per unit, such as rulTargets' output),
   * or 'rul' for rulTargets with `rulCap`. Default none (y is null).
   */
  targets?: ReadonlyArray<ArrayLike<number>> | 'rul';
  /** The cap of targets: 'rul' (a positive number, Infinity for none). Default 125. */
  rulCap?: number;
  /** Only the last window of each unit (the one that ends at its last row). Default false. */
  last?: boolean;
  /** Short units: 'none' (skip them; an error with last) or 'edge' (repeat row 0). Default 'none'. */
  pad?: 'none' | 'edge';
}

/** The windows of a table (see the file header). */
export interface Windows {
  /**
   * (N, C, window): window n, channel c, step k (channels-first, what Conv1d takes). Cut when first
   * read: window / stride times the table's size (toDataset() trains without it).
   */
  readonly x: Tensor;
  /** (N, 1): the target at each window's last row; null without `targets`. */
  readonly y: Tensor | null;
  /** The position (in the table's units) of the unit each window comes from: the groups of groupSplit / groupKFold. */
  readonly groups: Int32Array;
  /** The row of its unit at which each window ends. */
  readonly ends: Int32Array;
  /** The names of the C channels of x, in order. */
  readonly columns: string[];
  /**
   * The windows as a dataset that cuts each batch's windows when drawn (WindowDataset; samples
   * [window, y], or [window] without targets), so training never holds x. Fields given replace y: the
   * targets transformed (`toDataset(div(w.y, 125))`), or targets and sample weights, one row per window.
   */
  toDataset(...fields: Tensor[]): WindowDataset;
}

const W = 'slidingWindows';
const KEYS = ['window', 'stride', 'channels', 'targets', 'rulCap', 'last', 'pad'] as const;

/** The column index of each requested channel (names or indices; no repeats). */
function channelIndices(columns: readonly string[], channels: unknown): number[] {
  if (channels === undefined) return columns.map((_, i) => i);
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new OptionError(`${W}: channels must be a non-empty array of column names or indices, got ${describe(channels)}`);
  }
  const out = channels.map((ch: unknown, i) => {
    if (typeof ch === 'string') {
      const k = columns.indexOf(ch);
      if (k < 0) throw new DataError(`${W}: channels[${i}] = ${describe(ch)} is not a column (columns: ${columns.join(', ')})`);
      return k;
    }
    const index = typeof ch === 'number' && Number.isInteger(ch) && ch >= 0;
    if (index && ch < columns.length) return ch;
    // An index past the table's columns names a column the data lacks; anything else is a bad value.
    throw new (index ? DataError : OptionError)(`${W}: channels[${i}] must be a column name or an integer index in [0, ${columns.length - 1}], got ${describe(ch)}`);
  });
  const seen = new Set<number>();
  out.forEach((k, i) => {
    if (seen.has(k)) throw new OptionError(`${W}: channels[${i}] repeats column ${describe(columns[k])}`);
    seen.add(k);
  });
  return out;
}

/** The per-unit target arrays, checked against the units' lengths. */
function targetArrays(units: readonly UnitSeries[], targets: unknown, rulCap: unknown): ReadonlyArray<ArrayLike<number>> | null {
  if (rulCap !== undefined && targets !== 'rul') throw new OptionError(`${W}: rulCap applies only to targets: 'rul', got targets ${describe(targets)}`);
  if (targets === undefined) return null;
  if (targets === 'rul') return rulTargets(units, { cap: rulCap === undefined ? 125 : checkCap(W, 'rulCap', rulCap) });
  if (!Array.isArray(targets) || targets.length !== units.length) {
    throw new OptionError(`${W}: targets must be 'rul' or one array of per-row targets per unit (${units.length}), got ${describe(targets)}`);
  }
  targets.forEach((t: unknown, u) => {
    const T = units[u]!.values.shape[0];
    if (t === null || typeof t !== 'object' || (t as ArrayLike<number>).length !== T) {
      throw new ShapeError(`${W}: targets[${u}] must have one value per row of ${unitName(units[u]!, u)} (${T}), got ${describe(t)}`);
    }
  });
  return targets as ArrayLike<number>[];
}

/** Cuts the windows of every unit (rules in the file header); with `targets`, y is a Tensor. */
export function slidingWindows(
  table: SeriesTable | readonly UnitSeries[],
  options: SlidingWindowsOptions & Required<Pick<SlidingWindowsOptions, 'targets'>>,
): Windows & {
  /** The targets, (N) or (N, targets): present whenever options.targets is given. */
  readonly y: Tensor;
};
export function slidingWindows(table: SeriesTable | readonly UnitSeries[], options: SlidingWindowsOptions): Windows;
export function slidingWindows(table: SeriesTable | readonly UnitSeries[], options: SlidingWindowsOptions): Windows {
  if (options === undefined) throw new OptionError(`${W}: options { window, ... } are required (window has no default)`);
  const o = checkOptions(W, options, KEYS);
  const window = positiveInt(W, 'window', o.window);
  const stride = o.stride === undefined ? 1 : positiveInt(W, 'stride', o.stride);
  const last = o.last === undefined ? false : boolean(W, 'last', o.last);
  const pad = o.pad === undefined ? 'none' : oneOf(W, 'pad', o.pad, ['none', 'edge'] as const);
  const { columns, units } = checkSeries(W, 'table', table);
  const chans = channelIndices(columns, o.channels);
  const targets = targetArrays(units, o.targets, o.rulCap);

  // The (unit, end row) of every window, in unit order, each unit's windows in time order.
  const groups: number[] = [];
  const ends: number[] = [];
  let longest = 0;
  units.forEach((unit, u) => {
    const T = unit.values.shape[0]!;
    longest = Math.max(longest, T);
    if (T < window && (pad === 'none' || T === 0)) {
      if (last) {
        const fix = T === 0 ? '' : ` (pass pad: 'edge' to repeat its first row)`;
        throw new DataError(`${W}: ${unitName(unit, u)} has ${T} rows, fewer than window (${window})${fix}`);
      }
      return;
    }
    const first = last || T < window ? T - 1 : T - 1 - Math.floor((T - window) / stride) * stride;
    for (let e = first; e < T; e += stride) {
      groups.push(u);
      ends.push(e);
    }
  });
  const N = groups.length;
  if (N === 0) throw new DataError(`${W}: no unit has window (${window}) rows or more (the longest has ${longest}); use a smaller window or pad: 'edge'`);

  // The units that have windows, channels-first and one after another: the WindowDataset's layout,
  // on a SharedArrayBuffer so that fit's worker reads it where it is, without a copy.
  const C = chans.length;
  const offsets = new Map<number, number>();
  let rows = 0;
  for (const u of groups) {
    if (offsets.has(u)) continue;
    offsets.set(u, rows);
    rows += units[u]!.values.shape[0]!;
  }
  const series = new Float32Array(new SharedArrayBuffer(C * rows * Float32Array.BYTES_PER_ELEMENT));
  for (const [u, at] of offsets) {
    const src = units[u]!.values.data, [T, width] = units[u]!.values.shape as [number, number];
    for (let c = 0; c < C; c++) {
      const col = chans[c]!, dst = c * rows + at;
      for (let t = 0; t < T; t++) series[dst + t] = src[t * width + col]!;
    }
  }
  const layout: WindowLayout = {
    series, channels: C, window,
    ends: Int32Array.from(ends, (e, n) => offsets.get(groups[n]!)! + e),
    firsts: Int32Array.from(groups, (u) => offsets.get(u)!),
  };
  const y = targets ? new Tensor(Float32Array.from(ends, (e, n) => targets[groups[n]!]![e]!), [N, 1]) : null;
  let x: Tensor | undefined;
  return {
    // Cut on first use: a fit on toDataset() never holds every window at once.
    get x() {
      return (x ??= new WindowDataset(layout).getBatch(Int32Array.from({ length: N }, (_, n) => n))[0]!);
    },
    y,
    groups: Int32Array.from(groups),
    ends: Int32Array.from(ends),
    columns: chans.map((k) => columns[k]!),
    toDataset: (...fields) => new WindowDataset(layout, ...(fields.length > 0 ? fields : y ? [y] : [])),
  };
}
