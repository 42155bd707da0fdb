/**
 * What Standardizer and MinMaxScaler share: the layouts they read, per-channel statistics
 * accumulated in double, optional statistics per operating condition, transform and its inverse, and
 * a validated JSON state (so a saved model carries its scaling and a corrupt state is refused, never
 * loaded half-way). Each scaler is an affine map per channel (and condition) with two parameters
 * (a_c, b_c) — Standardizer: (mean, scale); MinMaxScaler: (dataMin, dataMax) — defined by the
 * subclass from the fitted moments.
 *
 * Layouts. A Tensor's channel dimension is `channelDim` (default 1: the columns of (rows, C), the
 * channels of the windows layout (N, C, L)); a SeriesTable is read unit by unit, each unit (T, C).
 * With perCondition, each row of a table is scaled with its unit's `conditions` label, and a Tensor
 * needs `conditions`, one label per index of its first dimension (row or sample).
 *
 * Moments per channel c (and condition), over every value x_i of that channel, in double:
 *   n, min, max, mean = Σ x_i / n, variance = Σ (x_i − mean)² / n      (two passes; population variance)
 * — never Σx² − (Σx)²/n, which loses every digit for channels like 9065 ± 22 (DESIGN.md §4).
 * transform computes each value in double from the stored parameters and rounds once to float32, so
 * a scaler rebuilt with fromJSON(toJSON()) gives bit-identical results.
 */
import { DataError, FormatError, OptionError, ShapeError, StateError } from '../../errors.js';
import { boolean, checkOptions, normalizeDim } from '../../functional/validate.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { SeriesTable } from '../series.js';
import { checkSeries, isSeriesTable, unitName } from '../series-check.js';
import { describe } from '../validate.js';

/** What fit, transform and inverseTransform take: a Tensor or a SeriesTable. */
export type ScalerData = Tensor | SeriesTable;

/** Options every scaler takes (Standardizer's, and the base of MinMaxScaler's). */
export interface ScalerOptions {
  /** Keep statistics per operating-condition label (DESIGN.md §9: FD002/FD004). Default false. */
  perCondition?: boolean;
}

/** Options of fit, transform and inverseTransform. */
export interface ScaleOptions {
  /**
   * One condition label per index of a Tensor's first dimension; required with perCondition, not
   * allowed without it, nor with a SeriesTable (which has them per unit). Default none.
   */
  conditions?: Int32Array;
  /** A Tensor's channel dimension. Default 1. */
  channelDim?: number;
}

/** The fitted moments of one condition (see the file header), one entry per channel. */
export interface Moments {
  readonly count: number;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** The JSON state every scaler shares; subclasses add their two parameter arrays (and options). */
export interface ScalerJSONBase {
  /** The scaler's class name: 'Standardizer' or 'MinMaxScaler'. */
  type: string;
  /** Whether statistics are kept per operating condition. */
  perCondition: boolean;
  /** The channel names seen by fit on a SeriesTable; null when fitted on a Tensor. */
  columns: string[] | null;
  /** The condition labels, ascending (row k of each parameter array); null without perCondition. */
  conditions: number[] | null;
}

/** A run of values laid out (outer, C, inner), with the condition label of each outer index (or null). */
interface Block {
  readonly data: Float32Array;
  readonly outer: number;
  readonly inner: number;
  readonly labels: Int32Array | null;
  /** How messages name where the block came from. */
  readonly name: string;
}

interface Fitted {
  readonly channels: number;
  readonly columns: readonly string[] | null;
  /** Ascending labels; [0] without perCondition. */
  readonly labels: readonly number[];
  readonly a: readonly Float64Array[];
  readonly b: readonly Float64Array[];
}

/** Base class of Standardizer and MinMaxScaler: fit on training data, then transform / inverseTransform Tensors or SeriesTables per channel (and per condition), with a validated JSON state. */
export abstract class ChannelScaler {
  /** Whether statistics are kept per operating-condition label. */
  readonly perCondition: boolean;
  #state: Fitted | null = null;

  /** @internal The class name, for messages and JSON. */
  protected abstract readonly type: string;
  /** @internal The JSON names of a and b. */
  protected abstract readonly paramNames: readonly [string, string];
  /** @internal (a, b) of each channel from the fitted moments of one condition. */
  protected abstract paramsFrom(m: Moments): [Float64Array, Float64Array];
  /** @internal The scaled value of x (in double). */
  protected abstract forward(x: number, a: number, b: number): number;
  /** @internal The value whose scaled value is z (in double). */
  protected abstract backward(z: number, a: number, b: number): number;
  /** @internal Checks one channel's parameters read from JSON; returns an error text or null. */
  protected abstract checkParams(a: number, b: number): string | null;

  /** `options`: the subclass's checked options (their perCondition is read here). */
  constructor(where: string, options: ScalerOptions) {
    this.perCondition = options.perCondition === undefined ? false : boolean(where, 'perCondition', options.perCondition);
  }

  /** Whether fit (or fromJSON) has set the statistics. */
  get fitted(): boolean {
    return this.#state !== null;
  }

  /** Learns the per-channel (and per-condition) statistics of `data`; returns this. */
  fit(data: ScalerData, options?: ScaleOptions): this {
    const where = `${this.type}.fit`;
    const { blocks, channels, columns } = this.#blocks(where, data, options);
    // Pass 1: count, sum, min, max per (label, channel); pass 2: squared deviations from the mean.
    const slots = new Map<number, { count: number; sum: Float64Array; min: Float64Array; max: Float64Array; m2: Float64Array }>();
    for (const blk of blocks) {
      forEach(blk, channels, (label, c, x) => {
        if (!Number.isFinite(x)) throw new DataError(`${where}: ${blk.name} has a non-finite value (${x}) in channel ${c}`);
        let s = slots.get(label);
        if (!s) {
          s = { count: 0, sum: new Float64Array(channels), min: new Float64Array(channels).fill(Infinity), max: new Float64Array(channels).fill(-Infinity), m2: new Float64Array(channels) };
          slots.set(label, s);
        }
        if (c === 0) s.count++;
        s.sum[c]! += x;
        if (x < s.min[c]!) s.min[c] = x;
        if (x > s.max[c]!) s.max[c] = x;
      });
    }
    if (slots.size === 0) throw new ShapeError(`${where}: data has no values to fit`);
    const means = new Map([...slots].map(([label, s]) => [label, s.sum.map((v) => v / s.count)]));
    for (const blk of blocks) {
      forEach(blk, channels, (label, c, x) => {
        const d = x - means.get(label)![c]!;
        slots.get(label)!.m2[c]! += d * d;
      });
    }
    const labels = [...slots.keys()].sort((p, q) => p - q);
    const a: Float64Array[] = [];
    const b: Float64Array[] = [];
    for (const label of labels) {
      const s = slots.get(label)!;
      const [pa, pb] = this.paramsFrom({ count: s.count, mean: means.get(label)!, variance: s.m2.map((v) => v / s.count), min: s.min, max: s.max });
      a.push(pa);
      b.push(pb);
    }
    this.#state = { channels, columns, labels, a, b };
    return this;
  }

  /** `data` scaled: a new Tensor of the same shape, or a new SeriesTable with the same ids, time, conditions and rulAtEnd. */
  transform<D extends ScalerData>(data: D, options?: ScaleOptions): D {
    return this.#map(`${this.type}.transform`, data, options, false) as D;
  }

  /** The inverse of transform (e.g. predictions back in sensor units). */
  inverseTransform<D extends ScalerData>(data: D, options?: ScaleOptions): D {
    return this.#map(`${this.type}.inverseTransform`, data, options, true) as D;
  }

  /** fit(data) then transform(data). */
  fitTransform<D extends ScalerData>(data: D, options?: ScaleOptions): D {
    return this.fit(data, options).transform(data, options);
  }

  /** @internal The fitted state as plain JSON data (numbers are doubles, so it round-trips exactly). */
  protected stateJSON(): ScalerJSONBase & Record<string, unknown> {
    const s = this.#fitted(`${this.type}.toJSON`);
    const [na, nb] = this.paramNames;
    return {
      type: this.type,
      perCondition: this.perCondition,
      columns: s.columns ? [...s.columns] : null,
      conditions: this.perCondition ? [...s.labels] : null,
      [na]: s.a.map((r) => Array.from(r)),
      [nb]: s.b.map((r) => Array.from(r)),
    };
  }

  /** @internal Loads a JSON state (every field checked before anything is set). */
  protected loadJSON(where: string, o: Record<string, unknown>, extraKeys: readonly string[] = []): this {
    if (o.type !== this.type) throw new FormatError(`${where}: type must be ${describe(this.type)}, got ${describe(o.type)}`);
    const known = ['type', 'perCondition', 'columns', 'conditions', ...this.paramNames, ...extraKeys];
    for (const key of Object.keys(o)) if (!known.includes(key)) throw new FormatError(`${where}: unknown key "${key}" (known keys: ${known.join(', ')})`);
    if (o.perCondition !== this.perCondition) throw new FormatError(`${where}: perCondition must be true or false, got ${describe(o.perCondition)}`);
    const [na, nb] = this.paramNames;
    const rows = (name: string): number[][] => {
      const v = o[name];
      if (!Array.isArray(v) || v.length === 0 || !v.every((r) => Array.isArray(r) && r.length === (v[0] as unknown[]).length && r.length > 0)) {
        throw new FormatError(`${where}: ${name} must be a non-empty array of equal-length non-empty rows of numbers, got ${describe(v)}`);
      }
      return v as number[][];
    };
    const ra = rows(na), rb = rows(nb);
    const channels = ra[0]!.length;
    if (rb.length !== ra.length || rb[0]!.length !== channels) {
      throw new FormatError(`${where}: ${na} and ${nb} must have the same shape, got ${ra.length}×${channels} and ${rb.length}×${rb[0]!.length}`);
    }
    let labels: number[] = [0];
    if (this.perCondition) {
      const c = o.conditions;
      if (!Array.isArray(c) || c.length !== ra.length || !c.every((k, i) => Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31 && (i === 0 || k > c[i - 1]))) {
        throw new FormatError(`${where}: conditions must be ${ra.length} ascending int32 labels (one per row of ${na}), got ${describe(c)}`);
      }
      labels = c as number[];
    } else if (o.conditions !== null || ra.length !== 1) {
      throw new FormatError(`${where}: without perCondition, conditions must be null and ${na} one row, got conditions ${describe(o.conditions)} and ${ra.length} rows`);
    }
    let columns: string[] | null = null;
    if (o.columns !== null) {
      if (!Array.isArray(o.columns) || o.columns.length !== channels || !o.columns.every((n) => typeof n === 'string')) {
        throw new FormatError(`${where}: columns must be null or ${channels} strings, got ${describe(o.columns)}`);
      }
      columns = [...(o.columns as string[])];
    }
    ra.forEach((r, k) =>
      r.forEach((va, c) => {
        const vb = rb[k]![c];
        const bad = typeof va !== 'number' || typeof vb !== 'number' || !Number.isFinite(va) || !Number.isFinite(vb) ? 'must be finite numbers' : this.checkParams(va, vb);
        if (bad) throw new FormatError(`${where}: ${na}[${k}][${c}] = ${describe(va)} and ${nb}[${k}][${c}] = ${describe(vb)}: ${bad}`);
      }),
    );
    this.#state = { channels, columns, labels, a: ra.map((r) => Float64Array.from(r)), b: rb.map((r) => Float64Array.from(r)) };
    return this;
  }

  #fitted(where: string): Fitted {
    if (!this.#state) throw new StateError(`${where}: this ${this.type} is not fitted yet; call fit(trainingData) first`);
    return this.#state;
  }

  #map(where: string, data: ScalerData, options: ScaleOptions | undefined, inverse: boolean): ScalerData {
    const s = this.#fitted(where);
    const { blocks, channels, columns } = this.#blocks(where, data, options);
    if (channels !== s.channels) throw new ShapeError(`${where}: data has ${channels} channels but this ${this.type} was fitted on ${s.channels}`);
    if (columns && s.columns && columns.some((n, i) => n !== s.columns![i])) {
      throw new DataError(`${where}: the table's columns [${columns.join(', ')}] differ from those fitted [${s.columns.join(', ')}]`);
    }
    const slot = new Map(s.labels.map((label, k) => [label, k]));
    const outs = blocks.map((blk) => {
      const out = new Float32Array(blk.data.length);
      let i = 0;
      forEach(blk, channels, (label, c, x) => {
        const k = slot.get(label);
        if (k === undefined) throw new DataError(`${where}: ${blk.name} has condition ${label}, which fit did not see (fitted conditions: ${s.labels.join(', ')})`);
        const a = s.a[k]![c]!, b = s.b[k]![c]!;
        out[i++] = inverse ? this.backward(x, a, b) : this.forward(x, a, b);
      });
      return out;
    });
    if (data instanceof Tensor) return new Tensor(outs[0]!, data.shape);
    const table = data as SeriesTable;
    return { columns: table.columns, units: table.units.map((unit, u) => ({ ...unit, values: new Tensor(outs[u]!, unit.values.shape) })) };
  }

  /** `data` as blocks of (outer, C, inner) values with their labels (layouts in the file header). */
  #blocks(where: string, data: unknown, options: ScaleOptions | undefined): { blocks: Block[]; channels: number; columns: readonly string[] | null } {
    const o = checkOptions(where, options, ['conditions', 'channelDim']);
    if (isSeriesTable(data)) {
      if (o.conditions !== undefined || o.channelDim !== undefined) throw new OptionError(`${where}: conditions and channelDim apply to Tensors; a SeriesTable has its conditions per unit`);
      const { units, columns } = checkSeries(where, 'data', data);
      const blocks = units.map((unit, u): Block => {
        const T = unit.values.shape[0]!;
        let labels: Int32Array | null = null;
        if (this.perCondition) {
          if (!(unit.conditions instanceof Int32Array) || unit.conditions.length !== T) {
            throw new DataError(`${where}: perCondition needs the conditions of every unit: ${unitName(unit, u)} must have an Int32Array of ${T} labels, got ${describe(unit.conditions)}`);
          }
          labels = unit.conditions;
        }
        return { data: unit.values.data, outer: T, inner: 1, labels, name: unitName(unit, u) };
      });
      return { blocks, channels: columns.length, columns };
    }
    if (!(data instanceof Tensor)) throw new OptionError(`${where}: data must be a Tensor or a SeriesTable, got ${describe(data)}`);
    const shape = data.shape;
    if (shape.length < 2 && o.channelDim === undefined) {
      throw new ShapeError(`${where}: data ${formatShape(shape)} needs a channel dimension: pass a (rows, C) or (N, C, L) Tensor, or channelDim`);
    }
    const d = o.channelDim === undefined ? 1 : normalizeDim(where, o.channelDim, shape);
    const outer = shape.slice(0, d).reduce((p, q) => p * q, 1);
    const inner = shape.slice(d + 1).reduce((p, q) => p * q, 1);
    let labels: Int32Array | null = null;
    if (o.conditions !== undefined && !this.perCondition) throw new OptionError(`${where}: conditions were given but this ${this.type} was made without perCondition: true`);
    if (this.perCondition) {
      const c = o.conditions;
      if (!(c instanceof Int32Array) || d === 0 || c.length !== shape[0]) {
        throw new OptionError(`${where}: perCondition needs conditions, an Int32Array with one label per index of dim 0 (${shape[0]}) and channelDim >= 1, got ${describe(c)} and channelDim ${d}`);
      }
      // Expand the labels of dim 0 to every outer index (dims 0 .. channelDim − 1).
      const per = outer / shape[0]!;
      labels = new Int32Array(outer);
      for (let i = 0; i < outer; i++) labels[i] = c[Math.floor(i / per)]!;
    }
    return { blocks: [{ data: data.data, outer, inner, labels, name: 'the Tensor' }], channels: shape[d]!, columns: null };
  }
}

/** Calls fn(label, channel, value) for every value of a block, in memory order. */
function forEach(blk: Block, channels: number, fn: (label: number, c: number, x: number) => void): void {
  const { data, outer, inner, labels } = blk;
  let i = 0;
  for (let o = 0; o < outer; o++) {
    const label = labels ? labels[o]! : 0;
    for (let c = 0; c < channels; c++) for (let j = 0; j < inner; j++) fn(label, c, data[i++]!);
  }
}

/** The JSON argument of fromJSON: an object, or JSON text. */
export function parseJSON(where: string, json: unknown): Record<string, unknown> {
  let o = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch (e) {
      throw new FormatError(`${where}: invalid JSON text: ${(e as Error).message}`, { cause: e });
    }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new FormatError(`${where}: expected a scaler state object, got ${describe(o)}`);
  return o as Record<string, unknown>;
}
