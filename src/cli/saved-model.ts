/**
 * The model folder `keel train` writes and `keel eval` / `keel predict` read:
 *   model.safetensors  the state dict (PyTorch's keys: torch's load_file + load_state_dict read it)
 *   model.json         everything else needed to use it on new data: the architecture (toJSON()),
 *                      the Standardizer fitted on the training units, the window length and the
 *                      channels by name, the target scale (trained on RUL/scale, predictions × scale),
 *                      how CSV columns were read, the seed and a summary of the training run;
 *                      for an image classifier (target "classification") instead the input layout
 *                      and the label names, and no scaler (pixels are byte / 255)
 * Each file is written atomically (temporary file, fsync, rename), weights first, so model.json names
 * weights that exist. Loading checks everything and names the file at fault, so a folder with a
 * missing or damaged file is a runtime error that says which file — never a model that predicts junk.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Standardizer, type StandardizerJSON } from '../data/scalers/standardizer.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows, type Windows } from '../data/windows.js';
import { FormatError, StorageError } from '../errors.js';
import { load, save, writeFileAtomic } from '../io/save.js';
import type { Module, ModuleJSON } from '../nn/module.js';
import { fromJSON } from '../nn/serialize.js';
import { rejectOptions } from './args.js';
import { type CsvColumns, csvColumns, type DataSpec, loadData, type LoadedData, loadImages, type LoadedImages, SERIES_FLAGS } from './data-source.js';
import { UsageError } from './errors.js';
import { version } from './version.js';

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
}

export interface SavedModel extends ModelSettings {
  model: Module;
  scaler: Standardizer;
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
}

export function isClassifier(saved: SavedModel | SavedClassifier): saved is SavedClassifier {
  return saved.target.name === 'classification';
}

/** Writes `dir`/model.safetensors and `dir`/model.json (the folder must exist); returns their paths. */
export async function saveModel(dir: string, saved: SavedModel | SavedClassifier, training: Record<string, unknown>): Promise<string[]> {
  const { model, ...settings } = saved;
  const weights = join(dir, WEIGHTS_FILE), config = join(dir, CONFIG_FILE);
  await save(weights, model.stateDict(), { metadata: { format: 'pt' } });
  const scaler = 'scaler' in settings ? { scaler: settings.scaler.toJSON() } : {};
  const json = { format: FORMAT, version: FORMAT_VERSION, keel: version(), architecture: model.toJSON(), ...settings, ...scaler, training };
  await writeFileAtomic(config, Buffer.from(`${JSON.stringify(json, null, 2)}\n`));
  return [weights, config];
}

/** A field of model.json that is missing or has the wrong type. */
function bad(file: string, field: string, expected: string, got: unknown): FormatError {
  return new FormatError(`${file}: "${field}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isColumn = (v: unknown): boolean => typeof v === 'string' || (Number.isInteger(v) && (v as number) >= 0);

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

function checkSettings(file: string, o: Record<string, unknown>): ModelSettings {
  if (!Number.isInteger(o.window) || !positive(o.window)) throw bad(file, 'window', 'a positive integer', o.window);
  const channels = o.channels;
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => typeof c === 'string')) throw bad(file, 'channels', 'a non-empty array of column names', channels);
  const t = o.target as ModelSettings['target'] | undefined;
  if (typeof t !== 'object' || t === null || t.name !== 'rul' || !positive(t.cap) || !positive(t.scale)) throw bad(file, 'target', '{ "name": "rul", "cap": > 0, "scale": > 0 } or { "name": "classification", "labels" }', t);
  const d = o.data as ModelSettings['data'] | undefined;
  const csvOk = (c: Record<string, unknown>) => isColumn(c.unit) && isColumn(c.time) && (c.columns === null || (Array.isArray(c.columns) && c.columns.length > 0 && c.columns.every(isColumn)));
  if (typeof d !== 'object' || d === null || !((d.kind === 'runtofailure' && Number.isSafeInteger(d.seed) && d.seed >= 0) || (d.kind === 'csv' && csvOk(d as unknown as Record<string, unknown>)))) {
    throw bad(file, 'data', '{ "kind": "runtofailure", "seed" } or { "kind": "csv", "unit", "time", "columns" }', d);
  }
  return { window: o.window as number, channels, target: t, data: d, seed: o.seed as number };
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
export async function loadModel(dir: string): Promise<SavedModel | SavedClassifier> {
  const config = join(dir, CONFIG_FILE), weights = join(dir, WEIGHTS_FILE);
  let text: string;
  try {
    text = await readFile(config, 'utf8');
  } catch (e) {
    throw new StorageError(`${config}: cannot read the model description (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is ${dir} a folder written by keel train?`, config, e);
  }
  const o = inFile(config, () => JSON.parse(text) as unknown);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad(config, '(root)', 'an object', o);
  const json = o as Record<string, unknown>;
  checkFormat(config, json);
  const classifier = (json.target as { name?: unknown } | null)?.name === 'classification';
  const settings = classifier ? checkClassifier(config, json) : checkSettings(config, json);
  const model = inFile(config, () => fromJSON(json.architecture as ModuleJSON));
  const scaler = classifier ? {} : { scaler: inFile(config, () => Standardizer.fromJSON(json.scaler as StandardizerJSON)) };
  const state = await load(weights); // its errors name the file
  inFile(weights, () => model.loadStateDict(state));
  return { ...settings, model, ...scaler } as SavedModel | SavedClassifier;
}

/**
 * The model's input windows (N, C, window) of `table`, scaled with its scaler, with RUL targets in
 * cycles: `last` — the last window of each unit (short units padded with their first row), targets
 * the true RUL, uncapped; otherwise every window, targets capped as in training.
 */
export function modelWindows(saved: ModelSettings & { scaler: Standardizer }, table: SeriesTable, last: boolean): Windows & { y: NonNullable<Windows['y']> } {
  return slidingWindows(saved.scaler.transform(table), {
    window: saved.window, channels: saved.channels, targets: 'rul',
    ...(last ? { last: true, pad: 'edge', rulCap: Infinity } : { rulCap: saved.target.cap }),
  });
}

/**
 * eval/predict's data: --data read the way the model's training data was — the same CSV columns and,
 * for the built-in data without a seed, the training seed's test engines — unless flags say otherwise.
 */
export function loadDataFor(saved: ModelSettings, spec: DataSpec, values: Parameters<typeof csvColumns>[0] & { units?: string; limit?: string }): Promise<LoadedData> {
  if (spec.kind === 'fashion-mnist') throw new UsageError(`--data fashion-mnist: this model predicts remaining useful life (trained on ${saved.data.kind} data); give it run-to-failure data`);
  rejectOptions(values, ['limit'], `--data ${spec.kind} (it is for fashion-mnist)`);
  const csv = csvColumns(values, saved.data.kind === 'csv' ? saved.data : undefined);
  return loadData(spec, 'test', values.units, csv, saved.data.kind === 'runtofailure' ? saved.data.seed : 0);
}

/** eval/predict's images for a classifier: the test images of --data fashion-mnist[:DIR], in the model's layout. */
export function loadImagesFor(saved: ClassifierSettings, spec: DataSpec, values: Record<string, unknown> & { limit?: string }): Promise<LoadedImages> {
  if (spec.kind !== 'fashion-mnist') throw new UsageError(`--data ${spec.kind}: this model classifies Fashion-MNIST images; give --data fashion-mnist[:DIR]`);
  rejectOptions(values, SERIES_FLAGS, '--data fashion-mnist');
  return loadImages(spec, 'test', saved.layout, values.limit);
}
