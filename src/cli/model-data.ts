/**
 * eval/predict's data for a saved RUL or image model (../model-folder/format.ts): --data read the
 * way the model's training data was (its CSV columns and format, or the training seed's test
 * engines), and data lacking one of the model's channels an error naming it and the model folder.
 * ../model-folder/rul-windows.ts makes the model's windows of it. Table and sequence models read
 * theirs in ./table-data.ts and ./sequence-data.ts.
 */
import { join } from 'node:path';
import { CsvError } from '../data/csv/error.js';
import { rejectOptions } from './args.js';
import { csvColumns, type CsvFlags, type DataSpec, loadData, type SeriesSpec, type LoadedData, loadImages, type LoadedImages, SERIES_FLAGS } from './data-source.js';
import { UsageError } from './errors.js';
import { type ClassifierSettings, CONFIG_FILE, type ModelSettings } from '../model-folder/format.js';
import { requireChannels } from '../model-folder/rul-windows.js';

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
