/**
 * eval/predict's data for a saved RUL or image model (./saved-model.ts): --data read the way the
 * model's training data was (its CSV columns and format, or the training seed's test engines), the
 * model's channels picked by name and scaled with its scaler's statistics for those names, and cut
 * into its windows — so data with its columns in another order, or with more of them, gives the same
 * windows, and data lacking a channel is an error naming it and the model folder. Table and sequence
 * models read theirs in ./table-data.ts and ./sequence-data.ts.
 */
import { join } from 'node:path';
import { CsvError } from '../data/csv/error.js';
import { Standardizer } from '../data/scalers/standardizer.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows, type Windows } from '../data/windows.js';
import { DataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { rejectOptions } from './args.js';
import { csvColumns, type CsvFlags, type DataSpec, loadData, type SeriesSpec, type LoadedData, loadImages, type LoadedImages, SERIES_FLAGS } from './data-source.js';
import { UsageError } from './errors.js';
import { type ClassifierSettings, CONFIG_FILE, type ModelSettings, quoted } from './saved-model.js';

/** A model's channels that `columns` lacks, as a DataError naming them, the data (`source`) and the model folder. */
function requireChannels(saved: ModelSettings & { dir?: string }, columns: readonly string[], source: string): void {
  const missing = saved.channels.filter((c) => !columns.includes(c));
  if (missing.length === 0) return;
  const lacks = missing.length === 1 ? `column ${quoted(missing)}` : `columns ${quoted(missing)}`;
  const model = saved.dir === undefined ? 'the model' : `the model in ${saved.dir}`;
  const has = columns.length <= 30 ? columns.join(', ') : `${columns.slice(0, 30).join(', ')}, … (${columns.length})`;
  throw new DataError(`${source} lacks ${lacks}, which ${model} was trained on (channels ${saved.channels.join(', ')}); its columns are ${has || 'none'}`);
}

/** Each unit of `table` with only the columns `names` (all present), in that order. */
function selectColumns(table: SeriesTable, names: readonly string[]): SeriesTable {
  const at = names.map((n) => table.columns.indexOf(n));
  if (at.length === table.columns.length && at.every((k, i) => k === i)) return table;
  const units = table.units.map((unit) => {
    const [T, width] = unit.values.shape as [number, number];
    const src = unit.values.data, out = new Float32Array(T * at.length);
    for (let t = 0; t < T; t++) for (let c = 0; c < at.length; c++) out[t * at.length + c] = src[t * width + at[c]!]!;
    return { ...unit, values: new Tensor(out, [T, at.length]) };
  });
  return { columns: [...names], units };
}

/**
 * `table` scaled for the model: only its channels, in model.json's order, each with the statistics
 * the scaler fitted for that column name — so data with its columns in another order, or with more
 * of them, gives the same windows, and data lacking a channel is an error naming it. (keel train fits
 * the scaler on every column it read, e.g. all 21 built-in sensors, and keeps the informative ones.)
 * A scaler without column names (fitted on a Tensor) scales the whole table as it is.
 */
function scaleChannels(saved: ModelSettings & { scaler: Standardizer; dir?: string }, table: SeriesTable): SeriesTable {
  const state = saved.scaler.toJSON();
  if (state.columns === null) return saved.scaler.transform(table);
  requireChannels(saved, table.columns, 'the data');
  requireChannels(saved, state.columns, 'the scaler');
  const at = saved.channels.map((c) => state.columns!.indexOf(c));
  const pick = (rows: number[][]) => rows.map((row) => at.map((k) => row[k]!));
  const scaler = Standardizer.fromJSON({ ...state, columns: [...saved.channels], mean: pick(state.mean), scale: pick(state.scale) });
  return scaler.transform(selectColumns(table, saved.channels));
}

/**
 * The model's input windows (N, C, window) of `table`, scaled with its scaler, with RUL targets in
 * cycles: `last` — the last window of each unit (short units padded with their first row), targets
 * the true RUL, uncapped; otherwise every window, targets capped as in training.
 */
export function modelWindows(saved: ModelSettings & { scaler: Standardizer; dir?: string }, table: SeriesTable, last: boolean): Windows & { y: NonNullable<Windows['y']> } {
  return slidingWindows(scaleChannels(saved, table), {
    window: saved.window, channels: saved.channels, targets: 'rul',
    ...(last ? { last: true, pad: 'edge', rulCap: Infinity } : { rulCap: saved.target.cap }),
  });
}

/** --data as typed, for messages. */
function dataText(spec: SeriesSpec): string {
  return spec.kind === 'csv' ? `--data csv:${spec.file}` : `--data runtofailure${spec.seed === undefined ? '' : `:${spec.seed}`}`;
}

/**
 * A CsvError for a column that model.json's data settings name (no flag replaced them) says so: the
 * file is only half of the mismatch, and --columns and friends are the way out.
 */
function savedColumnError(e: unknown, saved: ModelSettings & { dir?: string }, values: CsvFlags): unknown {
  if (!(e instanceof CsvError) || saved.data.kind !== 'csv') return e;
  // loadData names the column by its flag (`--columns entry 3 "c" not found`): here it is model.json's.
  const found = /^(--columns entry (\d+)|--unit-column|--time-column) (.*)$/.exec(e.reason);
  if (found === null) return e;
  const [, option, entry, rest] = found;
  const [field, flag] = option === '--unit-column' ? ['data.unit', 'unit-column'] as const : option === '--time-column' ? ['data.time', 'time-column'] as const : [`data.columns[${Number(entry) - 1}]`, 'columns'] as const;
  if (values[flag] !== undefined) return e;
  const config = saved.dir === undefined ? CONFIG_FILE : join(saved.dir, CONFIG_FILE);
  return new CsvError(e.file, e.line, e.column, `${config} "${field}": column ${rest} (how the model's training data was read; --${flag} reads another)`);
}

/**
 * eval/predict's data: --data read the way the model's training data was — the same CSV columns and,
 * for the built-in data without a seed, the training seed's test engines — unless flags say otherwise.
 * Data lacking one of the model's channels is a DataError naming them and the model folder.
 */
export async function loadDataFor(saved: ModelSettings & { dir?: string }, spec: DataSpec, values: CsvFlags & { units?: string; limit?: string }): Promise<LoadedData> {
  if (spec.kind === 'fashion-mnist' || spec.kind === 'ts') throw new UsageError(`--data ${spec.kind === 'ts' ? 'ts:FILE' : 'fashion-mnist'}: this model predicts remaining useful life (trained on ${saved.data.kind} data); give it run-to-failure data`);
  rejectOptions(values, ['limit'], `--data ${spec.kind} (it is for fashion-mnist)`);
  const csv = csvColumns(values, saved.data.kind === 'csv' ? saved.data : undefined);
  let data: LoadedData;
  try {
    data = await loadData(spec, 'test', values.units, csv, saved.data.kind === 'runtofailure' ? saved.data.seed : 0);
  } catch (e) {
    throw savedColumnError(e, saved, values);
  }
  requireChannels(saved, data.table.columns, dataText(spec));
  return data;
}

/** eval/predict's images for a classifier: the test images of --data fashion-mnist[:DIR], in the model's layout. */
export function loadImagesFor(saved: ClassifierSettings, spec: DataSpec, values: Record<string, unknown> & { limit?: string }): Promise<LoadedImages> {
  if (spec.kind !== 'fashion-mnist') throw new UsageError(`--data ${spec.kind}: this model classifies Fashion-MNIST images; give --data fashion-mnist[:DIR]`);
  rejectOptions(values, SERIES_FLAGS, '--data fashion-mnist');
  return loadImages(spec, 'test', saved.layout, values.limit);
}
