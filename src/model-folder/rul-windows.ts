/**
 * A RUL model's input windows from a table of readings (keel eval, keel predict, ModelFolder.predict,
 * and keel train for its own fitting and validation windows): each row labelled with its operating
 * condition when the model has conditions, the model's channels picked by name and scaled with its
 * scaler's statistics for those names (and that condition), then cut into its windows — so data with
 * its columns in another order, or with more of them, gives the same windows, and data lacking a
 * channel or a setting is a DataError naming it and the model folder.
 */
import { Standardizer } from '../data/scalers/standardizer.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows, type Windows } from '../data/windows.js';
import { DataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type ModelSettings, quoted } from './format.js';

/**
 * A model's channels (and operating settings) that `columns` lacks, as a DataError naming them, the
 * data (`source`) and the model folder.
 */
export function requireChannels(saved: ModelSettings & { dir?: string }, columns: readonly string[], source: string): void {
  const needed = [...saved.channels, ...(saved.conditions?.columns ?? [])];
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length === 0) return;
  const lacks = missing.length === 1 ? `column ${quoted(missing)}` : `columns ${quoted(missing)}`;
  const model = saved.dir === undefined ? 'the model' : `the model in ${saved.dir}`;
  const settings = saved.conditions ? `; operating settings ${saved.conditions.columns.join(', ')}` : '';
  const has = columns.length <= 30 ? columns.join(', ') : `${columns.slice(0, 30).join(', ')}, … (${columns.length})`;
  // A file without a header row names its columns c0, c1, …: the channels are matched by name, so it needs one.
  const unnamed = columns.length > 0 && columns.every((c) => /^c\d+$/.test(c)) && !needed.every((c) => /^c\d+$/.test(c));
  const hint = unnamed ? `; a file without a header row names its columns c0, c1, …: add a header row that names them (${needed.join(', ')} among them)` : '';
  throw new DataError(`${source} lacks ${lacks}, which ${model} was trained on (channels ${saved.channels.join(', ')}${settings}); its columns are ${has || 'none'}${hint}`);
}

/** What modelWindows reads of a RUL model (a SavedModel, or keel train's settings before it has one). */
type RulModel = ModelSettings & { scaler: Standardizer; dir?: string };

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
 * With operating conditions, each row is first labelled with its condition, whose statistics scale it.
 * A scaler without column names (fitted on a Tensor) scales the whole table as it is.
 */
function scaleChannels(saved: RulModel, table: SeriesTable): SeriesTable {
  const state = saved.scaler.toJSON();
  if (state.columns !== null || saved.conditions) requireChannels(saved, table.columns, 'the data');
  if (saved.conditions) table = saved.conditions.transform(table); // each row's condition, for the scaler
  if (state.columns === null) return saved.scaler.transform(table);
  requireChannels({ ...saved, conditions: undefined }, state.columns, 'the scaler'); // it scales the channels only
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
export function modelWindows(saved: RulModel, table: SeriesTable, last: boolean): Windows & { y: NonNullable<Windows['y']> } {
  return slidingWindows(scaleChannels(saved, table), {
    window: saved.window, channels: saved.channels, targets: 'rul',
    ...(last ? { last: true, pad: 'edge', rulCap: Infinity } : { rulCap: saved.target.cap }),
  });
}
