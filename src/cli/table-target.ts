/**
 * A table's target column (strings as written) as the MLP learns it, and back. Classification: the
 * distinct labels, sorted as scikit-learn's LabelEncoder sorts them (numerically when every label is
 * a number, else by code point), each row its label's index; the model gives one logit per label.
 * Regression: the numbers as read, which training standardises with the fitting rows' mean and
 * standard deviation (so the loss is O(1) whatever the target's units); predictions are
 * output · scale + mean. model.json keeps the labels, or the mean and scale.
 */
import { DECIMAL } from '../data/csv/table.js';
import { Standardizer } from '../data/scalers/standardizer.js';
import { indexSelect } from '../functional/indexing.js';
import { DataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { UsageError } from './errors.js';
import type { TableTarget } from '../model-folder/format.js';

export type TableTask = 'classification' | 'regression';

const TASKS = ['auto', 'classification', 'regression'] as const;

/** --task's value (default auto). */
export function taskOption(text: string | undefined): 'auto' | TableTask {
  const task = text ?? 'auto';
  if (!(TASKS as readonly string[]).includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got "${task}"`);
  return task as 'auto' | TableTask;
}

/**
 * At most this share of a column's values may be text for --task auto to call it a numeric column
 * with stray cells ("n.a.", "12,5") rather than labels: a classifier of one label per distinct
 * number would be learnt from it silently.
 */
const STRAY_TEXT = 0.05;

/** --task auto: regression when every value is a number, classification when enough are text; in between, an error naming the first text. */
function chooseTask(column: string, task: 'auto' | TableTask, values: readonly string[]): TableTask {
  if (task !== 'auto') return task;
  const text = values.reduce((n, v) => n + (DECIMAL.test(v) ? 0 : 1), 0);
  if (text === 0) return 'regression';
  if (text > STRAY_TEXT * values.length) return 'classification';
  const r = values.findIndex((v) => !DECIMAL.test(v));
  throw new DataError(`the target "${column}" holds a number in ${values.length - text} of ${values.length} rows but ${JSON.stringify(values[r])} in data row ${r + 1}${text > 1 ? ` (and ${text - 1} more)` : ''}: fix or drop ${text > 1 ? 'those rows' : 'that row'} to predict the number (--task regression), or pass --task classification to read the values as labels`);
}

/** The distinct labels of `values`, sorted (see the header); at least two. */
function classLabels(column: string, values: readonly string[]): string[] {
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

/** The targets as the model learns them, before any scaling: class indices (N) and the labels, or the values (N, 1) and no labels. */
function tableTargets(column: string, values: readonly string[], task: TableTask): { labels: string[] | null; y: Tensor } {
  if (task === 'classification') {
    const labels = classLabels(column, values);
    return { labels, y: new Tensor(encodeClasses(column, values, labels), [values.length]) };
  }
  const numbers = targetNumbers(column, values, '--task regression needs a number in every row (--task classification reads them as labels)');
  return { labels: null, y: new Tensor(Float32Array.from(numbers), [values.length, 1]) };
}

/** A target column read for training: its task, its labels (a classifier) and its values as the model learns them. */
export interface TargetRead {
  column: string;
  task: TableTask;
  /** The labels of a classifier (sorted; y holds their indices), null for regression (y holds the values, (N, 1)). */
  labels: string[] | null;
  y: Tensor;
  /** How the task was chosen, for the command's first line: "classification of 3 labels, as the target holds text". */
  text: string;
}

/** The column's values as written (one per row or per sequence) read for --task `asked` (see chooseTask and tableTargets). */
export function readTarget(column: string, values: readonly string[], asked: 'auto' | TableTask): TargetRead {
  const task = chooseTask(column, asked, values);
  const { labels, y } = tableTargets(column, values, task);
  const why = asked !== 'auto' ? '' : labels ? ', as the target holds text' : ', as the target holds numbers; --task classification reads them as labels';
  return { column, task, labels, y, text: `${labels ? `classification of ${labels.length} labels` : 'regression'}${why}` };
}

/**
 * The target model.json records and the targets the model learns: a classifier's labels and class
 * indices as they are; a regressor's values standardised with the mean and standard deviation of
 * the samples `fit` (the fitting side of the split only), so the loss is O(1) whatever the units.
 */
export function fitTarget(column: string, labels: string[] | null, y: Tensor, fit: Int32Array): { target: TableTarget; y: Tensor } {
  if (labels) return { target: { name: 'classification', column, labels }, y };
  const scaler = new Standardizer().fit(indexSelect(y, 0, fit));
  const { mean, scale } = scaler.toJSON();
  return { target: { name: 'regression', column, mean: mean[0]![0]!, scale: scale[0]![0]! }, y: scaler.transform(y) };
}
