/**
 * A table's target column (strings as written) as the MLP learns it, and back. Classification: the
 * distinct labels, sorted as scikit-learn's LabelEncoder sorts them (numerically when every label is
 * a number, else by code point), each row its label's index; the model gives one logit per label.
 * Regression: the numbers standardised with the fitting rows' mean and standard deviation, so the
 * loss is O(1) whatever the target's units; predictions are output · scale + mean. model.json keeps
 * the labels, or the mean and scale.
 */
import { DataError } from '../errors.js';

export type TableTask = 'classification' | 'regression';

export type TableTarget =
  | { name: 'classification'; column: string; labels: string[] }
  | { name: 'regression'; column: string; mean: number; scale: number };

/** A decimal literal, as readCsv accepts for numbers. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** --task auto: classification when some value is not a number, else regression. */
export function chooseTask(task: 'auto' | TableTask, values: readonly string[]): TableTask {
  if (task !== 'auto') return task;
  return values.every((v) => DECIMAL.test(v)) ? 'regression' : 'classification';
}

/** The distinct labels of `values`, sorted (see the header); at least two. */
export function classLabels(column: string, values: readonly string[]): string[] {
  const labels = [...new Set(values)];
  if (labels.every((v) => DECIMAL.test(v))) labels.sort((a, b) => Number(a) - Number(b));
  else labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length < 2) throw new DataError(`the target "${column}" holds one label (${JSON.stringify(labels[0])}) in every row: a classifier needs at least two`);
  return labels;
}

/** Each value's index among `labels`; a value not among them is a DataError naming its row (1-based, data rows). */
export function encodeClasses(column: string, values: readonly string[], labels: readonly string[]): Float32Array {
  const index = new Map(labels.map((l, i) => [l, i]));
  return Float32Array.from(values, (v, r) => {
    const i = index.get(v);
    if (i === undefined) throw new DataError(`the target "${column}" holds ${JSON.stringify(v)} in data row ${r + 1}, a label the model was not trained on (its labels: ${labels.map((l) => JSON.stringify(l)).join(', ')})`);
    return i;
  });
}

/** The values as numbers (float64); a value that is not one is an error naming its row and `why` numbers are needed. */
export function targetNumbers(column: string, values: readonly string[], why: string): Float64Array {
  return Float64Array.from(values, (v, r) => {
    const x = DECIMAL.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(Math.fround(x))) {
      throw new DataError(`the target "${column}" holds ${JSON.stringify(v)} in data row ${r + 1}, which is not a finite float32 number; ${why}`);
    }
    return x;
  });
}

/** Mean and population standard deviation of `y` (scale 1 when every value is equal, as Standardizer). */
export function moments(y: ArrayLike<number>): { mean: number; scale: number } {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let squares = 0;
  for (let i = 0; i < y.length; i++) squares += (y[i]! - mean) ** 2;
  const scale = Math.sqrt(squares / y.length);
  return { mean, scale: scale > 0 ? scale : 1 };
}
