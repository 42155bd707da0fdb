/**
 * `--data csv:FILE --target COL`: a CSV table of independent samples, one per row, with numeric
 * feature columns and one target column, for the MLP of ./commands/train-table.ts. Unlike
 * run-to-failure data there is no unit or time column, so rows may be split at random. The target is
 * read as written (readCsv's `labels`), so class names may be text; the features are every other
 * column unless --columns names them. The delimiter and header are detected as for series files
 * (./data-source.ts), the target's column not counting, and model.json keeps what was read — format,
 * feature and target names — so eval and predict read a new file the same way, and scale its rows
 * with the training rows' statistics.
 */
import { readCsv } from '../data/csv.js';
import { CsvError } from '../data/csv/error.js';
import type { ColumnRef } from '../data/csv/options.js';
import { DataError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { rejectOptions } from './args.js';
import { count } from './count.js';
import { columnRef, csvColumns, type CsvFlags, type DataSpec, preferNamed, sniff, withCliHint } from './data-source.js';
import { UsageError } from './errors.js';
import type { SavedTable } from '../model-folder/format.js';
import { readTarget, type TargetRead, taskOption } from './table-target.js';

/** How to read a table: its format (undefined: detected) and its columns, by name or 0-based index. */
export interface TableRead {
  delimiter?: string | undefined;
  header?: boolean | undefined;
  /** The target column; null for predict, which does not read it. */
  target: ColumnRef | null;
  /** The feature columns, in the model's input order; null: every column but the target. */
  features: readonly ColumnRef[] | null;
}

export interface LoadedTable {
  /** (rows, features). */
  x: Tensor;
  features: string[];
  /** The target column's name and its values as written, one per row; null when not read. */
  target: { name: string; values: string[] } | null;
  /** The format the file was read with (detected or given), for model.json. */
  format: { delimiter: string; header: boolean };
  description: string;
}

/** A column's name from the file's first record (`fields`, as sniff parses it), as readCsv names it: the header's text, or c<i> without one. */
export function columnName(ref: ColumnRef, header: boolean, fields: readonly string[]): string {
  if (typeof ref === 'string') return ref;
  return header ? fields[ref] ?? '' : `c${ref}`;
}

/** readCsv's reasons as the table flags name things (--target), with what to do about an input column (`inputs`: features, channels) that is not a number. */
export function tableHint(e: CsvError, inputs = 'features'): CsvError {
  const reason = e.reason
    .replace(/^labels column/, '--target column')
    .replace(/is not a number$/, `is not a number (${inputs} must be numeric: encode this column as numbers, or leave it out with --columns)`);
  return reason === e.reason ? e : new CsvError(e.file, e.line, e.column, reason);
}

export async function loadTable(file: string, read: TableRead): Promise<LoadedTable> {
  const detected = await sniff(file, read.delimiter, ...(read.target !== null ? [read.target] : []));
  const header = read.header ?? detected.header;
  const targetRef = preferNamed(read.target, header, detected.fields);
  let table;
  try {
    table = await readCsv(file, {
      delimiter: detected.delimiter, header,
      ...(targetRef !== null ? { labels: targetRef } : {}),
      ...(read.features ? { columns: read.features.map((f) => preferNamed(f, header, detected.fields)) } : {}),
    });
  } catch (e) {
    throw e instanceof CsvError ? tableHint(withCliHint(e, read.delimiter === undefined ? detected : null, detected.delimiter)) : e;
  }
  const rows = table.values.shape[0]!;
  if (rows === 0) throw new DataError(`${file} has no data rows${header ? ' after its header' : ''}`);
  if (table.columns.length === 0) throw new DataError(`${file} has no feature column besides the target; a model needs at least one input`);
  const target = targetRef === null ? null : { name: columnName(targetRef, header, detected.fields), values: table.labels! };
  return {
    x: table.values,
    features: table.columns,
    target,
    format: { delimiter: detected.delimiter, header },
    description: `${file}, ${count(rows, 'row')} of ${count(table.columns.length, 'feature')}${target ? ` and the target "${target.name}"` : ''}`,
  };
}

/**
 * eval/predict's rows for a table model: --data csv:FILE read with the model's format (flags may
 * override it) and its features by name; the target column too when `withTarget` (eval).
 */
export async function loadTableFor(saved: SavedTable, spec: DataSpec, values: CsvFlags & { units?: string; limit?: string }, withTarget: boolean): Promise<LoadedTable> {
  if (spec.kind !== 'csv') throw new UsageError(`--data ${spec.kind}: this model was trained on the rows of a CSV table; give --data csv:FILE with its feature columns (${saved.features.join(', ')})`);
  rejectOptions(values, ['units', 'limit', 'columns', 'unit-column', 'time-column'], 'a table model (its features are read by name, as model.json lists them)');
  const given = csvColumns(values);
  try {
    return await loadTable(spec.file, {
      delimiter: given.delimiter ?? saved.data.delimiter, header: given.header ?? saved.data.header,
      target: withTarget ? saved.target.column : null, features: saved.features,
    });
  } catch (e) {
    // The columns come from model.json here, not from flags: say so.
    const found = e instanceof CsvError ? /^(--target column|--columns entry (\d+)) (.*)$/.exec(e.reason) : null;
    if (found === null) throw e;
    const [, , entry, rest] = found;
    const field = entry === undefined ? '"target.column" (keel eval scores against it; keel predict reads files without it)' : `"features[${Number(entry) - 1}]"`;
    const { file, line, column } = e as CsvError;
    throw new CsvError(file, line, column, `column ${rest}: model.json ${field}`);
  }
}

/** A table read for training (keel train, keel tune): the rows, and the target's column, task and values before scaling. */
export interface TrainingTable extends TargetRead {
  data: LoadedTable;
}

/** --data csv:FILE read with --target, --task, --columns and the format flags; --task is checked before the file is read. */
export async function loadTrainingTable(file: string, values: CsvFlags & { target?: string; task?: string }): Promise<TrainingTable> {
  const asked = taskOption(values.task);
  const csv = csvColumns(values);
  if (csv.columns?.some((c) => String(c) === values.target)) throw new UsageError(`--columns lists the target column ${JSON.stringify(values.target)}; the features must be other columns`);
  const target = columnRef('target', values.target!);
  const data = await loadTable(file, { delimiter: csv.delimiter, header: csv.header, target, features: csv.columns });
  return { data, ...readTarget(data.target!.name, data.target!.values, asked) };
}
