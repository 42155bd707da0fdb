/**
 * The model folder `keel train` writes and `keel eval` / `keel predict` read:
 *   model.safetensors  the state dict (PyTorch's keys: torch's load_file + load_state_dict read it)
 *   model.json         everything else needed to use it on new data: the architecture (toJSON()),
 *                      the Standardizer fitted on the training units, the window length and the
 *                      channels by name, the target scale (trained on RUL/scale, predictions × scale),
 *                      how CSV columns were read, the seed and a summary of the training run;
 *                      for an image classifier (target "classification") instead the input layout
 *                      and the label names, and no scaler (pixels are byte / 255); for a table
 *                      model (data kind "table") the feature columns, their scaler, the target
 *                      column with its labels or its mean and scale, and the file format; for a
 *                      model of labelled sequences (data kind "sequences") the window and stride,
 *                      the channels and their scaler, the target as a table's, and the unit and
 *                      time columns and file format of a CSV file, or the format "ts" of a .ts or
 *                      UCR file
 * Each file is written atomically (temporary file, fsync, rename), weights first, so model.json names
 * weights that exist. Loading checks everything and names the file at fault, so a folder with a
 * missing or damaged file is a runtime error that says which file — never a model that predicts junk:
 * every field of model.json (target scale and cap, scaler statistics and the CSV settings included),
 * every weight and buffer (finite; running_var ≥ 0), and one forward of an all-zero input in eval
 * mode, so a window, channel list or image layout that the architecture cannot take fails at load
 * naming model.json, not later with a layer's shape error. Reading new data for a model is
 * src/cli's job (model-data.ts, table-data.ts, sequence-data.ts); making a model's inputs of it is
 * ./rul-windows.ts's, ./table-inputs.ts's and ./sequence-windows.ts's.
 * docs/model-folder.md is the contract for readers outside keel.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OperatingConditions, type OperatingConditionsJSON } from '../data/operating-conditions.js';
import { Standardizer, type StandardizerJSON } from '../data/scalers/standardizer.js';
import { FormatError, KeelError, StorageError } from '../errors.js';
import { load, save, writeFileAtomic } from '../io/save.js';
import type { Module, ModuleJSON } from '../nn/module.js';
import { fromJSON } from '../nn/serialize.js';
import { noGrad } from '../tensor/grad-mode.js';
import { formatShape, numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { restoreModes, saveModes } from '../train/modes.js';
import { version } from '../version.js';
import type { ColumnRef } from '../data/csv/options.js';

/** Which columns of a CSV file are the unit id, the time and the channels (null: every other column), and its format when flags gave it (else detected). */
export interface CsvColumns {
  unit: ColumnRef;
  time: ColumnRef;
  columns: ColumnRef[] | null;
  /** The operating-setting columns (keel train --conditions), read besides the channels. */
  conditions?: ColumnRef[];
  /** One character, or 'whitespace' (runs of spaces and tabs). */
  delimiter?: string;
  /** Whether the first row names the columns. */
  header?: boolean;
}

/** A table's target as the MLP learns it (../cli/table-target.ts): its labels, or the mean and scale of its values. */
export type TableTarget =
  | { name: 'classification'; column: string; labels: string[] }
  | { name: 'regression'; column: string; mean: number; scale: number };

export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'model.json';
const FORMAT = 'keel-model';
const FORMAT_VERSION = 1;

/** What model.json describes besides the weights (the file header lists it). */
export interface ModelSettings {
  window: number;
  channels: string[];
  /** Targets were RUL / scale, capped at `cap` cycles before scaling. */
  target: { name: 'rul'; cap: number; scale: number };
  /** How the training data was read: the built-in engines or a CSV file's columns. */
  data: { kind: 'runtofailure'; seed: number } | ({ kind: 'csv' } & CsvColumns);
  seed: number;
  /** The operating conditions of the CSV's setting columns (data.conditions), when trained with them: the scaler is then per condition. */
  conditions?: OperatingConditions;
}

export interface SavedModel extends ModelSettings {
  model: Module;
  scaler: Standardizer;
  /** The folder loadModel read it from, for messages (not saved). */
  dir?: string;
}

/** What model.json describes for a Fashion-MNIST classifier (the model outputs one logit per label). */
export interface ClassifierSettings {
  /** 'flat': an image is 784 values (the MLP); 'sequence': 28 channels (rows) × 28 steps (the backbone). */
  layout: 'flat' | 'sequence';
  target: { name: 'classification'; labels: string[] };
  data: { kind: 'fashion-mnist' };
  seed: number;
}

export interface SavedClassifier extends ClassifierSettings {
  model: Module;
  /** The folder loadModel read it from, for messages (not saved). */
  dir?: string;
}

/** What model.json describes for a model of a CSV table's rows (../cli/table-data.ts, ../cli/table-target.ts). */
export interface TableSettings {
  /** The feature columns by name, in input order (c<i> for a file without a header). */
  features: string[];
  target: TableTarget;
  /** How the training file was read; eval and predict read new files the same way unless flags say otherwise. */
  data: { kind: 'table'; delimiter: string; header: boolean };
  seed: number;
}

export interface SavedTable extends TableSettings {
  model: Module;
  /** Fitted on the training rows' features. */
  scaler: Standardizer;
  dir?: string;
}

/** What model.json describes for a model of labelled sequences (../cli/sequence-data.ts): the backbone on windows, one label per sequence. */
export interface SequenceSettings {
  window: number;
  /** Steps between the ends of consecutive windows of a sequence. */
  stride: number;
  /** 'sequence': each sequence's channels standardised with its own mean and std before `scaler` (absent in older folders: 'training'). */
  standardize: 'training' | 'sequence';
  /** The channel columns by name, in input order. */
  channels: string[];
  target: TableTarget;
  /** How the training file was read: a CSV file's unit (sequence) column, time column (null: file order) and format, or a .ts or UCR file (format "ts"). */
  data: SequenceSource;
  seed: number;
}

export type SequenceSource =
  | { kind: 'sequences'; unit: ColumnRef; time: ColumnRef | null; delimiter: string; header: boolean }
  | { kind: 'sequences'; format: 'ts' };

/** Whether the sequences came from a .ts or UCR file (--data ts:FILE) rather than a CSV file. */
export function isTsSource(d: SequenceSource): d is { kind: 'sequences'; format: 'ts' } {
  return 'format' in d;
}

export interface SavedSequences extends SequenceSettings {
  model: Module;
  /** Fitted on the training sequences' channels. */
  scaler: Standardizer;
  dir?: string;
}

export type AnySavedModel = SavedModel | SavedClassifier | SavedTable | SavedSequences;

/** A Fashion-MNIST classifier. */
export function isClassifier(saved: AnySavedModel): saved is SavedClassifier {
  return saved.data.kind === 'fashion-mnist';
}

/** A model of a CSV table's rows (a classifier or a regressor). */
export function isTable(saved: AnySavedModel): saved is SavedTable {
  return saved.data.kind === 'table';
}

/** A model of labelled sequences (a classifier or a regressor). */
export function isSequences(saved: AnySavedModel): saved is SavedSequences {
  return saved.data.kind === 'sequences';
}

/** Writes `dir`/model.safetensors and `dir`/model.json (the folder must exist); returns their paths. */
export async function saveModel(dir: string, saved: AnySavedModel, training: Record<string, unknown>): Promise<string[]> {
  const { model, dir: _loadedFrom, ...settings } = saved;
  const weights = join(dir, WEIGHTS_FILE), config = join(dir, CONFIG_FILE);
  await save(weights, model.stateDict(), { metadata: { format: 'pt' } });
  const scaler = 'scaler' in settings ? { scaler: settings.scaler.toJSON() } : {};
  const conditions = 'conditions' in settings && settings.conditions ? { conditions: settings.conditions.toJSON() } : {};
  const json = { format: FORMAT, version: FORMAT_VERSION, keel: version(), architecture: model.toJSON(), ...settings, ...scaler, ...conditions, training };
  await writeFileAtomic(config, Buffer.from(`${JSON.stringify(json, null, 2)}\n`));
  return [weights, config];
}

/** A field of model.json that is missing or has the wrong type. */
function bad(file: string, field: string, expected: string, got: unknown): FormatError {
  return new FormatError(`${file}: "${field}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isColumn = (v: unknown): boolean => typeof v === 'string' || (Number.isInteger(v) && (v as number) >= 0);
/** Whether float32, in which predictions are computed, holds v as a finite number: one that becomes Infinity there turns every prediction into junk. */
const float32 = (v: number): boolean => Number.isFinite(Math.fround(v));
export const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');

function checkFormat(file: string, o: Record<string, unknown>): void {
  if (o.format !== FORMAT || o.version !== FORMAT_VERSION) throw bad(file, 'format/version', `"${FORMAT}"/${FORMAT_VERSION} (a model folder written by keel train)`, [o.format, o.version]);
  if (!Number.isSafeInteger(o.seed) || (o.seed as number) < 0) throw bad(file, 'seed', 'a non-negative integer', o.seed);
}

function checkClassifier(file: string, o: Record<string, unknown>): ClassifierSettings {
  if (o.layout !== 'flat' && o.layout !== 'sequence') throw bad(file, 'layout', '"flat" or "sequence"', o.layout);
  const t = o.target as ClassifierSettings['target'];
  if (!Array.isArray(t.labels) || t.labels.length < 2 || !t.labels.every((l) => typeof l === 'string')) throw bad(file, 'target.labels', 'an array of at least two label names', t.labels);
  const d = o.data as ClassifierSettings['data'] | undefined;
  if (typeof d !== 'object' || d === null || d.kind !== 'fashion-mnist') throw bad(file, 'data', '{ "kind": "fashion-mnist" }', d);
  return { layout: o.layout, target: t, data: d, seed: o.seed as number };
}

/** A non-empty array of distinct strings, or a FormatError naming `field`. */
function names(file: string, field: string, v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((c) => typeof c === 'string')) throw bad(file, field, `a non-empty array of ${what}`, v);
  const twice = v.find((c, i) => v.indexOf(c) !== i);
  if (twice !== undefined) throw bad(file, field, `distinct ${what} (${JSON.stringify(twice)} is listed twice)`, v);
  return v as string[];
}

/** A table's or a sequence model's target: its column (not one of `inputs`), and its labels or its mean and scale. */
function checkLabelledTarget(file: string, t: Record<string, unknown> | null, inputs: readonly string[], what: string): TableTarget {
  if (typeof t !== 'object' || t === null || typeof t.column !== 'string' || (t.name !== 'classification' && t.name !== 'regression')) {
    throw bad(file, 'target', '{ "name": "classification", "column", "labels" } or { "name": "regression", "column", "mean", "scale" }', t);
  }
  if (inputs.includes(t.column)) throw bad(file, 'target.column', `a column that is not a ${what}`, t.column);
  if (t.name === 'classification') {
    const labels = names(file, 'target.labels', t.labels, 'label names');
    if (labels.length < 2) throw bad(file, 'target.labels', 'at least two label names', labels);
  } else {
    if (typeof t.mean !== 'number' || !float32(t.mean)) throw bad(file, 'target.mean', 'a number that float32 holds', t.mean);
    if (!positive(t.scale) || !float32(t.scale) || Math.fround(t.scale) === 0) throw bad(file, 'target.scale', 'a positive number that float32 holds (≤ 3.4e38, ≥ 1.4e-45)', t.scale);
  }
  return t as unknown as TableTarget;
}

/** The file format model.json records for a table or sequences. */
function checkFormatData(file: string, d: Record<string, unknown>): { delimiter: string; header: boolean } {
  if (!checkDelimiter(d.delimiter)) throw bad(file, 'data.delimiter', 'one character (not a quote or line break) or "whitespace"', d.delimiter);
  if (typeof d.header !== 'boolean') throw bad(file, 'data.header', 'true or false', d.header);
  return { delimiter: d.delimiter as string, header: d.header };
}

function checkTable(file: string, o: Record<string, unknown>): TableSettings {
  const features = names(file, 'features', o.features, 'column names');
  const target = checkLabelledTarget(file, o.target as Record<string, unknown> | null, features, 'feature');
  return { features, target, data: { kind: 'table', ...checkFormatData(file, o.data as Record<string, unknown>) }, seed: o.seed as number };
}

function checkSequences(file: string, o: Record<string, unknown>): SequenceSettings {
  for (const key of ['window', 'stride'] as const) if (!Number.isInteger(o[key]) || !positive(o[key])) throw bad(file, key, 'a positive integer', o[key]);
  const channels = names(file, 'channels', o.channels, 'column names');
  const target = checkLabelledTarget(file, o.target as Record<string, unknown> | null, channels, 'channel');
  const d = o.data as Record<string, unknown>;
  const standardize = o.standardize ?? 'training';
  if (standardize !== 'training' && standardize !== 'sequence') throw bad(file, 'standardize', '"training" or "sequence"', o.standardize);
  const settings = { window: o.window as number, stride: o.stride as number, standardize: standardize as SequenceSettings['standardize'], channels, target, seed: o.seed as number };
  if (d.format !== undefined) {
    if (d.format !== 'ts' || Object.keys(d).length !== 2) throw bad(file, 'data', '{ "kind": "sequences", "format": "ts" } or a CSV file\'s unit, time, delimiter and header', d);
    return { ...settings, data: { kind: 'sequences', format: 'ts' } };
  }
  if (!isColumn(d.unit)) throw bad(file, 'data.unit', 'a column name or 0-based index', d.unit);
  if (d.time !== null && (!isColumn(d.time) || d.time === d.unit)) throw bad(file, 'data.time', 'null (rows in file order) or a column name or 0-based index other than "data.unit"', d.time);
  return { ...settings, data: { kind: 'sequences', unit: d.unit as ColumnRef, time: d.time as ColumnRef | null, ...checkFormatData(file, d) } };
}

/** eval and predict multiply the model's output by scale (and train divided by it, after capping at cap). */
function checkTarget(file: string, t: unknown): ModelSettings['target'] {
  if (typeof t !== 'object' || t === null || (t as { name?: unknown }).name !== 'rul') {
    throw bad(file, 'target', '{ "name": "rul", "cap": > 0, "scale": > 0 } or { "name": "classification", "labels" }', t);
  }
  const target = t as ModelSettings['target'];
  for (const key of ['cap', 'scale'] as const) {
    const v = target[key];
    if (!positive(v) || !float32(v) || Math.fround(v) === 0) throw bad(file, `target.${key}`, 'a positive number that float32 holds (≤ 3.4e38, ≥ 1.4e-45)', v);
  }
  return target;
}

/** What --delimiter accepts, as model.json stores it. */
function checkDelimiter(d: unknown): boolean {
  return d === 'whitespace' || (typeof d === 'string' && d.length === 1 && !/["\r\n]/.test(d));
}

/** The CSV settings keel train recorded, checked as --delimiter, --header and --columns would be (see data-source.ts). */
function checkCsvData(file: string, d: Record<string, unknown>, channels: readonly string[], settings: readonly string[] | undefined): void {
  if (!isColumn(d.unit)) throw bad(file, 'data.unit', 'a column name or 0-based index', d.unit);
  if (!isColumn(d.time) || d.time === d.unit) throw bad(file, 'data.time', 'a column name or 0-based index other than "data.unit"', d.time);
  if (d.delimiter !== undefined && !checkDelimiter(d.delimiter)) throw bad(file, 'data.delimiter', 'one character (not a quote or line break) or "whitespace"', d.delimiter);
  if (d.header !== undefined && typeof d.header !== 'boolean') throw bad(file, 'data.header', 'true or false', d.header);
  const columns = d.columns;
  if (settings !== undefined) checkSettingColumns(file, d, settings);
  if (columns === null) return; // every column but unit and time: the data's names are checked when it is read
  if (!Array.isArray(columns) || !columns.every(isColumn)) throw bad(file, 'data.columns', 'null or an array of column names or 0-based indices', columns);
  // The columns read are the model's channels, in order: one per channel, named as the channel (a file without a header names column i "c<i>").
  if (columns.length !== channels.length) throw bad(file, 'data.columns', `one column per channel (${channels.length}: ${channels.join(', ')})`, columns);
  columns.forEach((ref: string | number, k) => checkRef(file, `data.columns[${k}]`, d, ref, channels[k]!, `the column of channel ${k}`));
}

/** A column reference of data.columns or data.conditions: named `name` (when its name is known here), and not the unit or time column. */
function checkRef(file: string, field: string, d: Record<string, unknown>, ref: string | number, name: string, what: string): void {
  const known = typeof ref === 'string' ? ref : d.header === false ? `c${ref}` : undefined;
  if (known !== undefined && known !== name) throw bad(file, field, `${what}, ${JSON.stringify(name)}`, ref);
  if (ref === d.unit || ref === d.time) throw bad(file, field, 'a column other than "data.unit" and "data.time"', ref);
}

/** data.conditions: the columns read as the conditions' settings, one per setting, in order. */
function checkSettingColumns(file: string, d: Record<string, unknown>, settings: readonly string[]): void {
  const refs = d.conditions;
  if (!Array.isArray(refs) || refs.length !== settings.length || !refs.every(isColumn)) {
    throw bad(file, 'data.conditions', `one column name or 0-based index per setting of "conditions" (${settings.length}: ${settings.join(', ')})`, refs);
  }
  refs.forEach((ref: string | number, j) => checkRef(file, `data.conditions[${j}]`, d, ref, settings[j]!, `the column of setting ${j}`));
}

function checkSettings(file: string, o: Record<string, unknown>): ModelSettings {
  if (!Number.isInteger(o.window) || !positive(o.window)) throw bad(file, 'window', 'a positive integer', o.window);
  const channels = names(file, 'channels', o.channels, 'column names');
  const target = checkTarget(file, o.target);
  const d = o.data as ModelSettings['data'] | undefined;
  if (typeof d !== 'object' || d === null || !((d.kind === 'runtofailure' && Number.isSafeInteger(d.seed) && d.seed >= 0) || d.kind === 'csv')) {
    throw bad(file, 'data', '{ "kind": "runtofailure", "seed" } or { "kind": "csv", "unit", "time", "columns" }', d);
  }
  const conditions = o.conditions === undefined ? undefined : inFile(file, () => OperatingConditions.fromJSON(o.conditions as OperatingConditionsJSON));
  if (conditions && d.kind !== 'csv') throw bad(file, 'conditions', 'absent for the built-in data (operating conditions are read from a CSV file\'s setting columns)', o.conditions);
  if (d.kind === 'csv') checkCsvData(file, d as unknown as Record<string, unknown>, channels, conditions?.columns);
  if (d.kind === 'csv' && !conditions && (d as CsvColumns).conditions !== undefined) throw bad(file, 'data.conditions', 'absent when there are no "conditions"', (d as CsvColumns).conditions);
  const settings = conditions?.columns.filter((c) => channels.includes(c)) ?? [];
  if (settings.length > 0) throw bad(file, 'channels', `columns other than the operating settings (${quoted(settings)} among them)`, channels);
  return { window: o.window as number, channels, target, data: d, seed: o.seed as number, ...(conditions && { conditions }) };
}

/**
 * The scaler of model.json: valid (Standardizer.fromJSON), fitted on named columns that include
 * every channel (modelWindows scales each channel with its column's statistics), and with statistics
 * float32 can hold — transform rounds (x − mean) / scale to float32, so a mean of 1e300 or a scale of
 * 1e-300 makes its channel ±Infinity for every input.
 */
function loadScaler(file: string, json: unknown, channels: readonly string[], conditions?: OperatingConditions): Standardizer {
  const scaler = inFile(file, () => Standardizer.fromJSON(json as StandardizerJSON));
  const { columns, mean, scale, perCondition, conditions: labels } = scaler.toJSON();
  // Per condition exactly when the model has conditions, with statistics for each of them (both were fitted on the same rows).
  const expected = conditions ? Array.from({ length: conditions.count }, (_, k) => k) : null;
  if (perCondition !== (conditions !== undefined) || JSON.stringify(labels) !== JSON.stringify(expected)) {
    const want = conditions ? `per condition (perCondition true), with the labels of the ${conditions.count} "conditions", ${JSON.stringify(expected)}` : 'one set of statistics (perCondition false), as the model has no "conditions"';
    throw bad(file, 'scaler.conditions', want, labels);
  }
  if (columns === null) throw bad(file, 'scaler.columns', `the names of the columns it was fitted on, every channel among them (${channels.join(', ')})`, columns);
  const missing = channels.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw bad(file, 'scaler.columns', `the columns it was fitted on, every channel among them (missing ${quoted(missing)})`, columns);
  for (const [key, rows] of [['mean', mean], ['scale', scale]] as const) {
    rows.forEach((row, k) => row.forEach((v, c) => {
      if (!float32(v) || (key === 'scale' && Math.fround(v) === 0)) {
        throw bad(file, `scaler.${key}[${k}][${c}]`, `a ${key === 'scale' ? 'positive ' : ''}number that float32 holds (|x| ≤ 3.4e38${key === 'scale' ? ', ≥ 1.4e-45' : ''}; column ${JSON.stringify(columns[c])})`, v);
      }
    }));
  }
  return scaler;
}

/** Flat index i of `shape` as [i0, i1, …], for messages. */
function position(i: number, shape: readonly number[]): string {
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return `[${at.join(', ')}]`;
}

/**
 * Every float weight and buffer of the loaded model is finite and every BatchNorm running_var is
 * ≥ 0: one NaN spreads to every prediction, and a negative variance is NaN after the square root.
 * A plain loop: a few hundred thousand values take about a millisecond.
 */
function checkWeights(file: string, model: Module): void {
  for (const [key, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    const data = t.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) continue; // integer counters (num_batches_tracked) hold no NaN
    const variance = key === 'running_var' || key.endsWith('.running_var');
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (Number.isFinite(v) && !(variance && v < 0)) continue;
      const expected = variance ? 'finite and ≥ 0 (a variance)' : 'finite';
      throw new FormatError(`${file}: every value of "${key}" must be ${expected}, got ${v} at ${position(i, t.shape)} (index ${i} of shape ${formatShape(t.shape)})`);
    }
  }
}

/** What one forward at load feeds the model, what it must give back, and the fields of model.json that decide them. */
interface Probe {
  input: number[];
  outputs: number;
  /** The fields that set the input and how they fail, for messages: '"layout" ("flat") does not fit'. */
  mismatch: string;
  /** Why the output must have `outputs` columns, for messages. */
  because: string;
}

function seriesProbe(s: ModelSettings): Probe {
  return {
    input: [1, s.channels.length, s.window], outputs: 1,
    mismatch: `"window" (${s.window}) and "channels" (${s.channels.length}: ${s.channels.join(', ')}) do not fit`,
    because: 'a RUL model gives one output per window',
  };
}

function imageProbe(s: ClassifierSettings): Probe {
  return {
    input: s.layout === 'flat' ? [1, 784] : [1, 28, 28], outputs: s.target.labels.length,
    mismatch: `"layout" (${JSON.stringify(s.layout)}) does not fit`,
    because: `"target.labels" lists ${s.target.labels.length} labels, one logit each`,
  };
}

function tableProbe(s: TableSettings): Probe {
  const classes = s.target.name === 'classification' ? s.target.labels.length : 0;
  return {
    input: [1, s.features.length], outputs: classes || 1,
    mismatch: `"features" (${s.features.length}: ${s.features.join(', ')}) do not fit`,
    because: classes ? `"target.labels" lists ${classes} labels, one logit each` : 'a regression model gives one output per row',
  };
}

function sequenceProbe(s: SequenceSettings): Probe {
  const classes = s.target.name === 'classification' ? s.target.labels.length : 0;
  return {
    input: [1, s.channels.length, s.window], outputs: classes || 1,
    mismatch: `"window" (${s.window}) and "channels" (${s.channels.length}: ${s.channels.join(', ')}) do not fit`,
    because: classes ? `"target.labels" lists ${classes} labels, one logit each` : 'a regression model gives one output per window',
  };
}

/**
 * One forward of an all-zero input (the training mean, once standardised) in eval mode: the window,
 * channels or layout of model.json must fit the architecture, which must give `outputs` values per
 * sample; a non-finite output from finite weights means weights too large to use. Any architecture
 * keel can save (a --model-config one too) is checked the same way, with the layer's own message.
 */
function probe(config: string, weights: string, model: Module, p: Probe): void {
  const modes = saveModes(model);
  let y: Tensor;
  try {
    model.eval();
    y = noGrad(() => model.forward(new Tensor(new Float32Array(numel(p.input)), p.input)));
  } catch (e) {
    if (!(e instanceof KeelError)) throw e;
    throw new FormatError(`${config}: ${p.mismatch} the architecture: an input of shape ${formatShape(p.input)} fails with ${e.name}: ${e.message}`, { cause: e });
  } finally {
    restoreModes(modes);
  }
  if (y.shape.length !== 2 || y.shape[1] !== p.outputs) {
    throw new FormatError(`${config}: the architecture must give (N, ${p.outputs}) (${p.because}), got ${formatShape(y.shape)} for an input of shape ${formatShape(p.input)}`);
  }
  const i = y.data.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) throw new FormatError(`${weights}: the model's output for an all-zero input of shape ${formatShape(p.input)} is ${y.data[i]}, although every weight is finite: some are too large to compute with in float32`);
}

/** Prefixes an error from a loader with the file it was reading: the file does not hold what it should. */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new FormatError(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads a model folder written by saveModel; every problem names the file (see the header). */
export async function loadModel(dir: string): Promise<AnySavedModel> {
  const config = join(dir, CONFIG_FILE), weights = join(dir, WEIGHTS_FILE);
  let text: string;
  try {
    text = await readFile(config, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new StorageError(`${dir} is a file; give the model folder that holds it (${dirname(dir)}), as keel train wrote it`, dir, e);
    throw new StorageError(`${config}: cannot read the model description (${code ?? (e as Error).message}); is ${dir} a folder written by keel train?`, config, e);
  }
  const o = inFile(config, () => JSON.parse(text) as unknown);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad(config, '(root)', 'an object', o);
  const json = o as Record<string, unknown>;
  checkFormat(config, json);
  const kind = (json.data as { kind?: unknown } | null)?.kind;
  const table = kind === 'table', sequences = kind === 'sequences';
  const classifier = !table && !sequences && (json.target as { name?: unknown } | null)?.name === 'classification';
  const settings = table ? checkTable(config, json) : sequences ? checkSequences(config, json) : classifier ? checkClassifier(config, json) : checkSettings(config, json);
  const model = inFile(config, () => fromJSON(json.architecture as ModuleJSON));
  const columns = table ? (settings as TableSettings).features : classifier ? null : (settings as ModelSettings | SequenceSettings).channels;
  const scaler = columns === null ? {} : { scaler: loadScaler(config, json.scaler, columns, (settings as ModelSettings).conditions) };
  // A table's or a sequence model's scaler transforms its inputs as they are read: fitted on exactly those columns.
  if ((table || sequences) && JSON.stringify(scaler.scaler!.toJSON().columns) !== JSON.stringify(columns)) {
    throw bad(config, 'scaler.columns', `the ${table ? 'features' : 'channels'}, in their order (${columns!.join(', ')})`, scaler.scaler!.toJSON().columns);
  }
  const state = await load(weights); // its errors name the file
  inFile(weights, () => model.loadStateDict(state));
  checkWeights(weights, model);
  probe(config, weights, model, table ? tableProbe(settings as TableSettings) : sequences ? sequenceProbe(settings as SequenceSettings) : classifier ? imageProbe(settings as ClassifierSettings) : seriesProbe(settings as ModelSettings));
  return { ...settings, model, ...scaler, dir } as AnySavedModel;
}
