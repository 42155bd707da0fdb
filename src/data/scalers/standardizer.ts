/**
 * Standardizer, as sklearn's StandardScaler: each channel (and, with perCondition, each operating
 * condition) centred on its mean and divided by its population standard deviation,
 *
 *   z = (x − mean_c) / scale_c,   scale_c = √(Σ (x − mean_c)² / n)
 *
 * fitted on training data only (split by unit first: see groupSplit). A constant channel (all its
 * values equal, std 0) gets scale 1, as in sklearn, so it becomes 0 instead of NaN; the seven flat
 * C-MAPSS sensors are better dropped (slidingWindows' `channels`). Layouts, conditions and JSON:
 * ./scaler.ts.
 *
 *   const s = new Standardizer().fit(trainTable);
 *   const [train, val] = [s.transform(trainTable), s.transform(valTable)];
 */
import { checkOptions } from '../../functional/validate.js';
import { ChannelScaler, parseJSON, type Moments, type ScalerJSONBase, type ScalerOptions } from './scaler.js';

/** Options of Standardizer: perCondition only. */
export type StandardizerOptions = ScalerOptions;

/** Standardizer's JSON state (toJSON / Standardizer.fromJSON). */
export interface StandardizerJSON extends ScalerJSONBase {
  /** Always 'Standardizer'. */
  type: 'Standardizer';
  /** mean[k][c]: channel c under condition conditions[k] (one row without perCondition). */
  mean: number[][];
  /** scale[k][c] > 0: the standard deviation, 1 for a constant channel. */
  scale: number[][];
}

/** sklearn's StandardScaler per channel (and per operating condition): z = (x − mean_c)/std_c with the population std; a constant channel gets scale 1. Fit on training units only. */
export class Standardizer extends ChannelScaler {
  protected readonly type = 'Standardizer';
  protected readonly paramNames = ['mean', 'scale'] as const;

  constructor(options?: StandardizerOptions) {
    super('Standardizer', checkOptions('Standardizer', options, ['perCondition']));
  }

  /** Rebuilds a fitted Standardizer from toJSON()'s state (an object or JSON text); a corrupt state throws naming the field. */
  static fromJSON(json: StandardizerJSON | string): Standardizer {
    const o = parseJSON('Standardizer.fromJSON', json);
    return new Standardizer({ perCondition: o.perCondition === true }).loadJSON('Standardizer.fromJSON', o);
  }

  /** The fitted state as plain JSON data (Standardizer.fromJSON reads it back exactly). */
  toJSON(): StandardizerJSON {
    return this.stateJSON() as unknown as StandardizerJSON;
  }

  protected paramsFrom(m: Moments): [Float64Array, Float64Array] {
    return [Float64Array.from(m.mean), m.variance.map((v, c) => (m.min[c] === m.max[c] ? 1 : Math.sqrt(v)))];
  }

  protected forward(x: number, mean: number, scale: number): number {
    return (x - mean) / scale;
  }

  protected backward(z: number, mean: number, scale: number): number {
    return z * scale + mean;
  }

  protected checkParams(_mean: number, scale: number): string | null {
    return scale > 0 ? null : 'scale must be positive';
  }
}
