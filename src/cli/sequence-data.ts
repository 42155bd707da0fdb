/**
 * `--data csv:FILE --target COL --unit-column ID`: labelled sequences for the Conv1d backbone of
 * ./commands/train-sequences.ts, in the long layout of a tidy data frame — one row per time step,
 * the rows of each unit (a recording, a patient, a machine's run) one sequence, in file order or by
 * --time-column (which must then increase), and the target column the sequence's label repeated on
 * its rows (a class name, or a number). The channels are every other column unless --columns names
 * them. The backbone reads fixed windows: `window` steps ending every `stride` steps back from each
 * sequence's last row (slidingWindows), each labelled with its sequence's target; eval and predict
 * give a sequence the mean of its windows' probabilities (or outputs), a sequence shorter than the
 * window one window padded with its first row. model.json keeps what was read — format, unit and
 * time columns, channel and target names — so new files are read the same way. `--data ts:FILE`
 * gives the same sequences from a .ts or UCR file (../data/ts-file.ts): each case a sequence, its
 * dimensions the channels (dim_0 …), its label the target, classes or (`@targetLabel`) numbers.
 */
import { readCsv } from '../data/csv.js';
import { CsvError } from '../data/csv/error.js';
import type { ColumnRef } from '../data/csv/options.js';
import type { SeriesTable } from '../data/series.js';
import { readTs, type TsTable } from '../data/ts-file.js';
import { DataError, StorageError } from '../errors.js';
import { rejectOptions } from './args.js';
import { columnRef, csvColumns, type CsvFlags, type DataSpec, preferNamed, rejectCsvFlags, sniff, withCliHint } from './data-source.js';
import { UsageError } from './errors.js';
import { isTsSource, type SavedSequences, type SequenceSettings, type SequenceSource } from '../model-folder/format.js';
import { columnName, tableHint } from './table-data.js';
import { readTarget, type TargetRead, taskOption } from './table-target.js';

/** How to read labelled sequences: the format (undefined: detected) and the columns, by name or 0-based index. */
export interface SequenceRead {
  delimiter?: string | undefined;
  header?: boolean | undefined;
  unit: ColumnRef;
  /** null: each unit's rows in file order. */
  time: ColumnRef | null;
  /** The target column; null for predict, which does not read it. */
  target: ColumnRef | null;
  /** The channel columns, in the model's input order; null: every column but the unit, time and target. */
  channels: readonly ColumnRef[] | null;
}

export interface LoadedSequences {
  /** One unit per sequence, its `label` the target as written when the target was read. */
  table: SeriesTable;
  /** The target column's name, when read. */
  target: string | null;
  description: string;
}

/** A CSV file's sequences, and the format it was read with (detected or given), for model.json. */
export async function loadSequences(
  file: string, read: SequenceRead,
): Promise<LoadedSequences & { format: { delimiter: string; header: boolean }; columns: { unit: ColumnRef; time: ColumnRef | null } }> {
  const detected = await sniff(file, read.delimiter, read.unit, ...(read.target !== null ? [read.target] : []));
  const header = read.header ?? detected.header;
  const named = <R extends ColumnRef | null>(ref: R) => preferNamed(ref, header, detected.fields);
  const targetRef = named(read.target);
  let table: SeriesTable;
  try {
    table = await readCsv(file, {
      delimiter: detected.delimiter, header, group: named(read.unit),
      ...(read.time !== null ? { time: named(read.time) } : {}),
      ...(targetRef !== null ? { labels: targetRef } : {}),
      ...(read.channels ? { columns: read.channels.map(named) } : {}),
    });
  } catch (e) {
    throw e instanceof CsvError ? tableHint(withCliHint(e, read.delimiter === undefined ? detected : null, detected.delimiter), 'channels') : e;
  }
  if (table.units.length === 0) throw new DataError(`${file} has no data rows${header ? ' after its header' : ''}`);
  if (table.columns.length === 0) {
    const others = ['unit', ...(read.time !== null ? ['time'] : []), ...(read.target !== null ? ['target'] : [])];
    throw new DataError(`${file} has no channel column besides its ${others.join(', ')} column${others.length > 1 ? 's' : ''}; a model needs at least one input`);
  }
  const target = targetRef === null ? null : columnName(targetRef, header, detected.fields);
  // Under a header, the unit and time columns by the names it gives them, as model.json keeps them:
  // a file with a column more or in another order (pandas' index column) is then read right.
  const byName = <R extends ColumnRef | null>(ref: R): R | string => (ref === null ? ref : header ? columnName(named(ref)!, true, detected.fields) : ref);
  return {
    table,
    target,
    format: { delimiter: detected.delimiter, header },
    columns: { unit: byName(read.unit), time: byName(read.time) },
    description: `${file}, ${sequencesText(table)}${target ? ` labelled by "${target}"` : ''}`,
  };
}

/** "40 sequences of 7–29 steps × 12 channels", for messages and reports. */
function sequencesText(table: SeriesTable): string {
  const lengths = table.units.map((u) => u.values.shape[0]!);
  const [shortest, longest] = [Math.min(...lengths), Math.max(...lengths)], C = table.columns.length;
  return `${table.units.length} sequences of ${shortest === longest ? shortest : `${shortest}–${longest}`} steps × ${C} channel${C === 1 ? '' : 's'}`;
}

/** Each unit's label (the target as written), in unit order. */
export function unitLabels(table: SeriesTable): string[] {
  return table.units.map((u) => u.label!);
}

/** A sequence file read for training: the sequences, how model.json records the source, and the target's column, task and values (one per sequence) before scaling. */
export interface TrainingSequences extends TargetRead {
  data: LoadedSequences;
  source: SequenceSource;
}

/** --data csv:FILE read with --target, --unit-column, --time-column, --task, --columns and the format flags, or --data ts:FILE. */
export async function loadTrainingSequences(spec: { kind: 'csv' | 'ts'; file: string }, values: CsvFlags & { target?: string; task?: string }): Promise<TrainingSequences> {
  if (spec.kind === 'ts') {
    rejectCsvFlags(spec, values);
    const data = await loadTsSequences(spec.file);
    const t = data.ts.target;
    if (t === null) throw new DataError(`${spec.file}: its cases carry no label (@classLabel false and no @targetLabel true); keel train learns one`);
    return { data, source: { kind: 'sequences', format: 'ts' }, ...readTarget(data.target!, unitLabels(data.table), t.kind) };
  }
  const asked = taskOption(values.task);
  const csv = csvColumns(values);
  const unit = columnRef('unit-column', values['unit-column']!), time = values['time-column'] !== undefined ? csv.time : null;
  const target = columnRef('target', values.target!);
  const roles: Array<[string, ColumnRef | null]> = [['--target', target], ['--unit-column', unit], ['--time-column', time]];
  roles.forEach(([flag, r], i) => {
    const same = roles.slice(i + 1).find(([, other]) => other !== null && String(other) === String(r));
    if (same) throw new UsageError(`${flag} and ${same[0]} name the same column ${JSON.stringify(String(r))}; each needs its own`);
    if (r !== null && csv.columns?.some((c) => String(c) === String(r))) throw new UsageError(`--columns lists ${JSON.stringify(String(r))}, which ${flag} names; the channels must be other columns`);
  });
  const data = await loadSequences(spec.file, { delimiter: csv.delimiter, header: csv.header, unit, time, target, channels: csv.columns });
  return { data, source: { kind: 'sequences', ...data.columns, ...data.format }, ...readTarget(data.target!, unitLabels(data.table), asked) };
}

/**
 * --data ts:FILE: each case of a .ts or UCR file a sequence, its label the target ("class", or
 * "target" for @targetLabel's numbers; null when the cases carry none).
 */
async function loadTsSequences(file: string): Promise<LoadedSequences & { ts: TsTable }> {
  let ts: TsTable;
  try {
    ts = await readTs(file);
  } catch (e) {
    throw e instanceof StorageError ? new StorageError(`--data ts:${file}: cannot read it (${(e.cause as Error).message})`, file, e.cause) : e;
  }
  const target = ts.target === null ? null : ts.target.kind === 'classification' ? 'class' : 'target';
  return { ts, table: ts, target, description: `${file}${ts.problem ? ` (${ts.problem})` : ''}, ${sequencesText(ts)}` };
}

/**
 * eval/predict's sequences for a sequence model: --data csv:FILE read with the model's format and
 * unit and time columns (flags may override them) and its channels by name; the target column too
 * when `withTarget` (eval).
 */
export async function loadSequencesFor(saved: SavedSequences, spec: DataSpec, values: CsvFlags & { units?: string; limit?: string }, withTarget: boolean): Promise<LoadedSequences> {
  const source = saved.data;
  if (isTsSource(source)) return loadTsSequencesFor(saved, spec, values, withTarget);
  if (spec.kind !== 'csv') throw new UsageError(`--data ${spec.kind}: this model was trained on labelled sequences of a CSV file; give --data csv:FILE with its unit column and channels (${saved.channels.join(', ')})`);
  rejectOptions(values, ['units', 'limit', 'columns'], 'a sequence model (its channels are read by name, as model.json lists them)');
  const given = csvColumns(values);
  try {
    return await loadSequences(spec.file, {
      delimiter: given.delimiter ?? source.delimiter, header: given.header ?? source.header,
      unit: values['unit-column'] !== undefined ? given.unit : source.unit,
      time: values['time-column'] !== undefined ? given.time : source.time,
      target: withTarget ? saved.target.column : null, channels: saved.channels,
    });
  } catch (e) {
    // A column model.json names (no flag replaced it): say so.
    const found = e instanceof CsvError ? /^(--target column|--columns entry (\d+)|--unit-column|--time-column) (.*)$/.exec(e.reason) : null;
    if (found === null) throw e;
    const [, option, entry, rest] = found;
    const field = option === '--target column' ? '"target.column" (keel eval scores against it; keel predict reads files without it)'
      : option === '--unit-column' ? '"data.unit"' : option === '--time-column' ? '"data.time"' : `"channels[${Number(entry) - 1}]"`;
    if ((option === '--unit-column' && values['unit-column'] !== undefined) || (option === '--time-column' && values['time-column'] !== undefined)) throw e;
    const { file, line, column } = e as CsvError;
    throw new CsvError(file, line, column, `column ${rest}: model.json ${field}`);
  }
}

/** eval/predict's sequences for a model trained on a .ts or UCR file: --data ts:FILE with as many dimensions, and labels of the model's kind for eval. */
async function loadTsSequencesFor(saved: SavedSequences, spec: DataSpec, values: CsvFlags & { units?: string; limit?: string }, withTarget: boolean): Promise<LoadedSequences> {
  const D = saved.channels.length, dims = `${D} dimension${D === 1 ? '' : 's'}`;
  if (spec.kind !== 'ts') throw new UsageError(`--data ${spec.kind}: this model was trained on the cases of a .ts or UCR file; give --data ts:FILE with ${dims}`);
  rejectCsvFlags(spec, values);
  rejectOptions(values, ['units', 'limit'], '--data ts:FILE (every case of the file is read)');
  const data = await loadTsSequences(spec.file);
  if (data.table.columns.length !== D) throw new DataError(`${spec.file}: its cases have ${data.table.columns.length} dimension${data.table.columns.length === 1 ? '' : 's'}; the model was trained on ${dims}`);
  const t = data.ts.target, want = saved.target.name;
  if (withTarget && t?.kind !== want) {
    throw new DataError(`${spec.file}: its cases carry ${t === null ? 'no label' : t.kind === 'classification' ? 'class labels' : 'target values'}; keel eval scores this ${want === 'classification' ? 'classifier against class labels (@classLabel true)' : 'regressor against target values (@targetLabel true)'} (keel predict needs none)`);
  }
  return data;
}

/** --standardize's value: 'training' (the default: the training sequences' statistics) or 'sequence' (each its own). */
export function standardizeOption(text: string | undefined): SequenceSettings['standardize'] {
  const how = text ?? 'training';
  if (how !== 'training' && how !== 'sequence') throw new UsageError(`--standardize must be training or sequence, got "${how}"`);
  return how;
}

