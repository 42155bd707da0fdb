/**
 * Scoring remaining-useful-life predictions (DESIGN.md §9): the PHM08 challenge score as a streaming
 * metric for fit ('phm08'), and plain functions rmse(yPred, y), phm08Score(yPred, y) and
 * r2Score(yPred, y) for scoring test units outside fit (their last windows). With d = predicted −
 * true RUL, each sample costs
 *
 *   s(d) = e^(−d/13) − 1   for d < 0   (early: the engine is serviced too soon)
 *   s(d) = e^(d/10) − 1    for d ≥ 0   (late: it may fail first — costlier)
 *
 * and the score is the SUM Σ s(d_i) over the samples, not a mean (lower is better; 0 is perfect), so
 * it grows with the number of test units: compare scores over the same units only. The functions
 * run the same Metric classes over one batch, so they share the metric's math exactly.
 */
import { OptionError, ShapeError } from '../../errors.js';
import { show } from '../../functional/validate.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkBatch, checkSameShape, type Metric } from './metric.js';
import { ErrorMetric, R2Metric } from './regression.js';

/** The PHM08 cost of one prediction error d = predicted − true (formula in the header). */
export function phm08Term(d: number): number {
  return d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
}

/** Σ s(d) over every element of every batch, in double; NaN before any value. */
export class Phm08Metric implements Metric {
  readonly name = 'phm08';
  readonly mode = 'min' as const;
  readonly portable = true;
  private total = 0;
  private count = 0;

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch('phm08', yPred, yPredShape, y, yShape);
    checkSameShape('phm08', yPredShape, yShape);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += phm08Term(yPred[i]! - y[i]!);
    this.total += s;
    this.count += y.length;
  }

  result(): number {
    return this.count === 0 ? NaN : this.total;
  }
}

/** Predictions or targets: a Tensor, or numbers (one per sample). */
export type RulValues = Tensor | ArrayLike<number>;

/**
 * One argument as (data, shape), its values as float32 (as fit's metrics see them). As sklearn does, a column (N, 1) and a vector (N) are the same
 * thing here, so predict()'s (N, 1) output scores against a plain array of true RULs.
 */
function asBatch(where: string, name: string, v: unknown): [Float32Array, number[]] {
  let data: Float32Array, shape: number[];
  if (v instanceof Tensor) [data, shape] = [v.data, [...v.shape]];
  else if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
    const a = v as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') throw new OptionError(`${where}: ${name}[${i}] must be a number, got ${show(a[i])}`);
    [data, shape] = [Float32Array.from(a as ArrayLike<number>), [a.length]];
  } else throw new OptionError(`${where}: ${name} must be a Tensor or an array of numbers, got ${show(v)}`);
  if (shape.length === 2 && shape[1] === 1) shape = [shape[0]!];
  if (data.length === 0) throw new ShapeError(`${where}: ${name} is empty; there is nothing to score`);
  return [data, shape];
}

function score(where: string, metric: Metric, yPred: unknown, y: unknown): number {
  const [p, ps] = asBatch(where, 'yPred', yPred);
  const [t, ts] = asBatch(where, 'y', y);
  checkSameShape(where, ps, ts);
  metric.update(p, ps, t, ts);
  return metric.result();
}

/** √(mean (yPred − y)²) over every element (the 'rmse' metric over one batch). */
export function rmse(yPred: RulValues, y: RulValues): number {
  return score('rmse', new ErrorMetric('rmse'), yPred, y);
}

/** mean |yPred − y| over every element (the 'mae' metric over one batch). @internal */
export function mae(yPred: RulValues, y: RulValues): number {
  return score('mae', new ErrorMetric('mae'), yPred, y);
}

/** The PHM08 score Σ s(yPred − y) (the 'phm08' metric over one batch; formula in the header). */
export function phm08Score(yPred: RulValues, y: RulValues): number {
  return score('phm08Score', new Phm08Metric(), yPred, y);
}

/** R² = 1 − Σ (y − yPred)² / Σ (y − ȳ)² (the 'r2' metric over one batch; sklearn's r2_score): 0 is no better than predicting ȳ. @internal */
export function r2Score(yPred: RulValues, y: RulValues): number {
  return score('r2Score', new R2Metric(), yPred, y);
}
