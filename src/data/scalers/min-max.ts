/**
 * MinMaxScaler, as sklearn's: each channel (and, with perCondition, each operating condition) mapped
 * linearly from its fitted [min, max] onto featureRange [lo, hi] (default [0, 1]),
 *
 *   z = (x − min_c) / range_c · (hi − lo) + lo,   range_c = max_c − min_c, or 1 for a constant channel
 *
 * (sklearn's handling of a zero range: a constant channel maps to lo). Values outside the fitted
 * range map outside [lo, hi]; nothing is clipped. Layouts, conditions and JSON: ./scaler.ts.
 */
import { FormatError, OptionError } from '../../errors.js';
import { checkOptions } from '../../functional/validate.js';
import { describe } from '../validate.js';
import { ChannelScaler, parseJSON, type Moments, type ScalerJSONBase, type ScalerOptions } from './scaler.js';

/** Options of MinMaxScaler (sklearn's feature_range, plus perCondition). */
export interface MinMaxScalerOptions extends ScalerOptions {
  /** The target interval [lo, hi], finite, lo < hi. Default [0, 1]. */
  featureRange?: readonly [number, number];
}

/** MinMaxScaler's JSON state (toJSON / MinMaxScaler.fromJSON). */
export interface MinMaxScalerJSON extends ScalerJSONBase {
  /** Always 'MinMaxScaler'. */
  type: 'MinMaxScaler';
  /** The target interval [lo, hi]. */
  featureRange: [number, number];
  /** dataMin[k][c] <= dataMax[k][c]: channel c under condition conditions[k] (one row without perCondition). */
  dataMin: number[][];
  /** dataMax[k][c]: the largest value of channel c under condition conditions[k]. */
  dataMax: number[][];
}

/** featureRange as an option (OptionError) or as read by fromJSON (FormatError: the state is malformed). */
function checkRange(where: string, v: unknown, E: typeof OptionError | typeof FormatError): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isFinite) || !(v[0] < v[1])) {
    throw new E(`${where}: featureRange must be [lo, hi] with finite lo < hi, got ${describe(v)}`);
  }
  return [v[0], v[1]];
}

/** sklearn's MinMaxScaler per channel (and per operating condition): z = (x − min_c)/(max_c − min_c)·(hi − lo) + lo onto featureRange [lo, hi] (default [0, 1]); no clipping. */
export class MinMaxScaler extends ChannelScaler {
  protected readonly type = 'MinMaxScaler';
  protected readonly paramNames = ['dataMin', 'dataMax'] as const;
  /** The target interval [lo, hi]. */
  readonly featureRange: readonly [number, number];

  constructor(options?: MinMaxScalerOptions) {
    const o = checkOptions('MinMaxScaler', options, ['perCondition', 'featureRange']);
    super('MinMaxScaler', o);
    this.featureRange = Object.freeze(o.featureRange === undefined ? [0, 1] : checkRange('MinMaxScaler', o.featureRange, OptionError));
  }

  /** Rebuilds a fitted MinMaxScaler from toJSON()'s state (an object or JSON text); a corrupt state throws naming the field. */
  static fromJSON(json: MinMaxScalerJSON | string): MinMaxScaler {
    const where = 'MinMaxScaler.fromJSON';
    const o = parseJSON(where, json);
    const featureRange = checkRange(where, o.featureRange, FormatError);
    return new MinMaxScaler({ perCondition: o.perCondition === true, featureRange }).loadJSON(where, o, ['featureRange']);
  }

  /** The fitted state as plain JSON data (MinMaxScaler.fromJSON reads it back exactly). */
  toJSON(): MinMaxScalerJSON {
    return { ...this.stateJSON(), featureRange: [...this.featureRange] } as unknown as MinMaxScalerJSON;
  }

  protected paramsFrom(m: Moments): [Float64Array, Float64Array] {
    return [Float64Array.from(m.min), Float64Array.from(m.max)];
  }

  protected forward(x: number, min: number, max: number): number {
    const [lo, hi] = this.featureRange;
    return ((x - min) / (max - min || 1)) * (hi - lo) + lo;
  }

  protected backward(z: number, min: number, max: number): number {
    const [lo, hi] = this.featureRange;
    return ((z - lo) / (hi - lo)) * (max - min || 1) + min;
  }

  protected checkParams(min: number, max: number): string | null {
    return min <= max ? null : 'dataMin must not exceed dataMax';
  }
}
