/**
 * What ModelFolder.predict takes, turned into what the model folder's preprocessing takes: a row of
 * readings or features is either values in the model's column order or an object keyed by column
 * name (other keys ignored, as `keel predict` ignores a file's other columns), and a series is a
 * non-empty array of such rows, oldest first. Every value must be a finite number that float32
 * holds; anything else is a DataError naming the input, the row and the column, never a NaN that
 * would come back as a prediction.
 */
import type { SeriesTable } from '../data/series.js';
import { DataError } from '../errors.js';
import { show as showValue } from '../functional/validate.js';
import { Tensor } from '../tensor/tensor.js';

/** One row: values in the model's column order (an array or typed array), or an object keyed by column name. */
export type Row = ArrayLike<number> | Readonly<Record<string, number>>;

/** One input of ModelFolder.predict: a row (a table model, an image's pixels) or a series of rows, oldest first (RUL and sequence models). */
export type ModelInput = Row | readonly Row[];

/** A value as an error message shows it: arrays by their length, other values cut at 80 characters. */
function show(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const text = showValue(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const isPositional = (v: unknown): v is ArrayLike<number> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

function value(where: string, column: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
    throw new DataError(`${where}: column "${column}" must be a finite number that float32 holds, got ${show(v)}`);
  }
  return v;
}

/** Writes `row`'s values for `columns` at out[at …]. */
function readRow(where: string, row: unknown, columns: readonly string[], out: Float32Array, at: number): void {
  if (isPositional(row)) {
    if (row.length !== columns.length) {
      throw new DataError(`${where}: expected ${columns.length} values (${columns.join(', ')}), got ${row.length}`);
    }
    for (let c = 0; c < columns.length; c++) out[at + c] = value(where, columns[c]!, row[c]);
    return;
  }
  if (typeof row !== 'object' || row === null) {
    throw new DataError(`${where}: expected an array of ${columns.length} numbers or an object keyed by column name, got ${show(row)}`);
  }
  const missing = columns.filter((c) => !(c in row));
  if (missing.length > 0) {
    throw new DataError(`${where} lacks ${missing.map((c) => JSON.stringify(c)).join(', ')} (the model reads ${columns.join(', ')})`);
  }
  const named = row as Record<string, unknown>;
  for (let c = 0; c < columns.length; c++) out[at + c] = value(where, columns[c]!, named[columns[c]!]);
}

/** The inputs as a non-empty array, or a DataError. */
export function inputList(where: string, inputs: unknown): readonly unknown[] {
  if (!Array.isArray(inputs)) throw new DataError(`${where}: inputs must be an array (one entry per prediction), got ${show(inputs)}`);
  if (inputs.length === 0) throw new DataError(`${where}: inputs is empty; give at least one`);
  return inputs;
}

/** One row per input: (inputs, columns). */
export function rowsTensor(where: string, inputs: readonly unknown[], columns: readonly string[]): Tensor {
  const out = new Float32Array(inputs.length * columns.length);
  for (let i = 0; i < inputs.length; i++) readRow(`${where}: inputs[${i}]`, inputs[i], columns, out, i * columns.length);
  return new Tensor(out, [inputs.length, columns.length]);
}

/** One unit per input, each a series of rows: a SeriesTable with exactly `columns`, unit ids 0, 1, …. */
export function seriesTable(where: string, inputs: readonly unknown[], columns: readonly string[]): SeriesTable {
  const units = [];
  for (let i = 0; i < inputs.length; i++) {
    const rows = inputs[i];
    if (!Array.isArray(rows) || rows.length === 0 || typeof rows[0] === 'number') {
      throw new DataError(`${where}: inputs[${i}] must be a non-empty array of rows (a series, oldest first), got ${show(rows)}`);
    }
    const values = new Float32Array(rows.length * columns.length);
    for (let t = 0; t < rows.length; t++) readRow(`${where}: inputs[${i}][${t}]`, rows[t], columns, values, t * columns.length);
    units.push({ id: i, values: new Tensor(values, [rows.length, columns.length]) });
  }
  return { columns: [...columns], units };
}

/** Images as the classifier's input: `pixels` values in [0, 255] each (784 for Fashion-MNIST), divided by 255 as training did. */
export function imagesTensor(where: string, inputs: readonly unknown[], shape: readonly number[]): Tensor {
  const pixels = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(inputs.length * pixels);
  for (let i = 0; i < inputs.length; i++) {
    const image = inputs[i];
    if (!isPositional(image) || image.length !== pixels) {
      throw new DataError(`${where}: inputs[${i}] must be an image of ${pixels} pixel values (row by row, 0 to 255), got ${isPositional(image) ? `${image.length} values` : show(image)}`);
    }
    for (let k = 0; k < pixels; k++) {
      const v = image[k];
      if (typeof v !== 'number' || !(v >= 0 && v <= 255)) throw new DataError(`${where}: inputs[${i}][${k}] must be a pixel value in [0, 255], got ${show(v)}`);
      out[i * pixels + k] = v / 255;
    }
  }
  return new Tensor(out, [inputs.length, ...shape]);
}
