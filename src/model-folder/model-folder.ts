/**
 * loadModelFolder(dir): a folder written by `keel train`, loaded with every check `keel predict` makes,
 * and its predict(inputs) for a Node program: a RUL model's remaining useful life from each unit's
 * latest readings, a sequence model's label or value for each whole sequence, a table model's for
 * each row, an image classifier's for each image. The preprocessing model.json records (channels by
 * name, the training data's scaler, each sequence's own standardisation, the window, the target's
 * scale) is applied by the same functions `keel predict` uses (./rul-windows.ts, ./sequence-windows.ts,
 * ./table-inputs.ts), so both give the same numbers.
 */
import { mul } from '../functional/arithmetic.js';
import { softmax } from '../functional/softmax.js';
import { show } from '../functional/validate.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import type { WindowDataset } from '../data/window-dataset.js';
import { type MCDropoutOptions, predict } from '../train/predict.js';
import { OptionError } from '../errors.js';
import { farChannels, farInputsText } from './far-inputs.js';
import { modelWindows } from './rul-windows.js';
import { type AnySavedModel, isClassifier, isSequences, isTable, loadModel } from './format.js';
import { predictSequences, sequenceWindows } from './sequence-windows.js';
import { tableInputs } from './table-inputs.js';
import { imagesTensor, inputList, type ModelInput, rowsTensor, seriesTable } from './inputs.js';
import { checkKnown, isObject } from '../options.js';

/** What a model folder's model predicts from: units' readings (RUL), whole sequences, table rows or images. */
export type ModelFolderKind = 'rul' | 'sequences' | 'table' | 'images';

/** A regressor's prediction (RUL in cycles, or the target in its units). */
export interface ValuePrediction {
  /** The prediction: remaining useful life in cycles, or the target in its units (the mean over the passes with mcDropout). */
  value: number;
  /** With mcDropout: the standard deviation of the value over the passes. */
  std?: number;
}

/** A classifier's prediction. */
export interface ClassPrediction {
  /** The most probable class's name. */
  label: string;
  /** Its index in ModelFolder.labels. */
  index: number;
  /** Every class's probability (softmax of the logits, or its mean over the Monte-Carlo passes), in ModelFolder.labels order. */
  probabilities: number[];
  /** With mcDropout: the standard deviation of the chosen class's probability over the passes. */
  std?: number;
}

/** One input's prediction: a classifier's (folder.labels not null) or a regressor's. */
export type Prediction = ValuePrediction | ClassPrediction;

/** A RUL model's prediction from one window of a unit (ModelFolder.predict with `windows: 'all'`). */
export interface WindowPrediction extends ValuePrediction {
  /** The unit's row (0-based, oldest first) at which the window ends: the RUL is the unit's at that reading. */
  end: number;
}

/** Options of ModelFolder.predict. */
export interface ModelFolderPredictOptions {
  /** Monte-Carlo dropout (predict()'s, without a transform): every prediction is the mean of `samples` passes with dropout on, and gets a std. Default off. */
  mcDropout?: Omit<MCDropoutOptions, 'transform'>;
  /** Aborting it rejects with an AbortError before the next batch. */
  signal?: AbortSignal;
  /**
   * A RUL model's windows: 'last' (each unit's RUL now, from its last window) or 'all' (its RUL at
   * every reading from the window's-th on, as `keel predict` without --last). Default 'last'.
   */
  windows?: 'last' | 'all';
}

const W = 'ModelFolder.predict';

/** A model folder written by `keel train`, ready to predict (see loadModelFolder). */
export class ModelFolder {
  /** The folder it was loaded from. */
  readonly dir: string;
  /** What predict takes: units' readings, whole sequences, table rows or images. */
  readonly kind: ModelFolderKind;
  /** The network, in eval mode (its weights and BatchNorm running statistics as trained). */
  readonly module: Module;
  /** The names of the values a row holds, in the model's order: channels (RUL, sequences; a RUL model with operating conditions then its settings) or features (table); none for images. */
  readonly columns: readonly string[];
  /** A classifier's class names (ClassPrediction.index indexes them); null for a regressor. */
  readonly labels: readonly string[] | null;
  /** Rows per window (RUL and sequence models): a RUL prediction reads a unit's last `window` rows, a shorter unit padded with its first row. */
  readonly window: number | null;
  private readonly saved: AnySavedModel;
  /** The far channels already warned about (far-inputs.ts), so that a server predicting all day says so once, not per request. */
  private readonly warnedFar = new Set<string>();

  /** @internal use loadModelFolder. */
  constructor(saved: AnySavedModel, dir: string) {
    this.saved = saved;
    this.dir = dir;
    this.module = saved.model;
    this.module.eval();
    if (isClassifier(saved)) {
      this.kind = 'images', this.columns = [], this.labels = saved.target.labels, this.window = null;
    } else if (isTable(saved)) {
      this.kind = 'table', this.columns = saved.features, this.window = null;
      this.labels = saved.target.name === 'classification' ? saved.target.labels : null;
    } else if (isSequences(saved)) {
      this.kind = 'sequences', this.columns = saved.channels, this.window = saved.window;
      this.labels = saved.target.name === 'classification' ? saved.target.labels : null;
    } else {
      this.kind = 'rul', this.columns = [...saved.channels, ...(saved.conditions?.columns ?? [])], this.labels = null, this.window = saved.window;
    }
  }

  /**
   * One prediction per input, in order. An input is, by kind:
   * - `rul`: a unit's readings, an array of rows oldest first; the prediction is its remaining useful
   *   life in cycles from its last window (`keel predict --last`; `windows: 'all'` gives every window's);
   * - `sequences`: a whole sequence, an array of rows; the mean over its windows of their
   *   probabilities or values, as `keel predict` gives it;
   * - `table`: one row of features;
   * - `images`: an image's pixel values in [0, 255], row by row (784 for Fashion-MNIST).
   * A row is an array in `columns` order or an object keyed by column name (other keys are ignored).
   * Bad input is a DataError naming the input, the row and the column.
   */
  async predict(inputs: readonly ModelInput[], options?: ModelFolderPredictOptions & { windows?: 'last' }): Promise<Prediction[]>;
  /**
   * A RUL model's prediction at every window of each unit: per unit, one WindowPrediction for each of
   * its readings from the `window`-th on, oldest first (a unit shorter than the window has none; with
   * `windows: 'last'` it is padded instead).
   */
  async predict(inputs: readonly ModelInput[], options: ModelFolderPredictOptions & { windows: 'all' }): Promise<WindowPrediction[][]>;
  async predict(inputs: readonly ModelInput[], options: ModelFolderPredictOptions = {}): Promise<Prediction[] | WindowPrediction[][]> {
    if (!isObject(options as unknown)) throw new OptionError(`${W}: options must be an object, got ${show(options)}`);
    checkKnown(W, options, ['mcDropout', 'signal', 'windows']);
    const windows = options.windows ?? 'last';
    if (windows !== 'last' && windows !== 'all') throw new OptionError(`${W}: windows must be 'last' or 'all', got ${show(windows)}`);
    if (windows === 'all' && this.kind !== 'rul') throw new OptionError(`${W}: windows: 'all' is for a RUL model's units (kind 'rul'); this folder's model is of kind '${this.kind}'`);
    const list = inputList(W, inputs);
    const o = options.mcDropout;
    if (o !== undefined && !isObject(o as unknown)) throw new OptionError(`${W}: mcDropout must be an object { samples, seed }, got ${show(o)}`);
    if (o !== undefined) checkKnown(`${W}: mcDropout`, o, ['samples', 'seed']);
    const mc = o === undefined ? null : { samples: o.samples ?? 30, seed: o.seed ?? 0 };
    const base: { signal?: AbortSignal } = options.signal ? { signal: options.signal } : {};
    const saved = this.saved;
    if (isClassifier(saved)) {
      const shape = saved.layout === 'flat' ? [784] : [28, 28];
      return this.classes(arrays(await this.outputs(imagesTensor(W, list, shape), mc, base, true)));
    }
    if (isTable(saved)) {
      const t = saved.target;
      const x = this.checkedFar(tableInputs(saved, rowsTensor(W, list, saved.features)));
      const out = arrays(await this.outputs(x, mc, base, t.name === 'classification'));
      return t.name === 'classification' ? this.classes(out) : values(out, (v) => v * t.scale + t.mean, t.scale);
    }
    if (isSequences(saved)) {
      const t = saved.target;
      const windows = sequenceWindows(saved, seriesTable(W, list, saved.channels), true);
      this.checkedFar(windows.toDataset());
      const p = await predictSequences(saved.model, windows, list.length, t.name === 'classification', mc, options.signal);
      return t.name === 'classification' ? this.classes(p) : values(p, (v) => v * t.scale + t.mean, t.scale);
    }
    // keel predict --last: each unit's last window; RUL and its std in cycles, scaled in float32 as there.
    const cycles = (t: Tensor) => mul(t, saved.target.scale).data;
    const rul = async (x: WindowDataset) => {
      const out = await this.outputs(x, mc, base, false);
      return values({ mean: cycles(out.mean), std: out.std && cycles(out.std) }, (v) => v, 1);
    };
    const table = seriesTable(W, list, this.columns);
    if (windows === 'last') return rul(this.checkedFar(modelWindows(saved, table, true).toDataset()));
    // keel predict: every window of the units with one; the others get none.
    const perUnit = list.map((): WindowPrediction[] => []);
    const full = table.units.filter((unit) => unit.values.shape[0]! >= saved.window);
    if (full.length === 0) return perUnit;
    const w = modelWindows(saved, { ...table, units: full }, false);
    (await rul(this.checkedFar(w.toDataset()))).forEach((p, n) => perUnit[full[w.groups[n]!]!.id as number]!.push({ ...p, end: w.ends[n]! }));
    return perUnit;
  }

  /**
   * x (the model's scaled inputs), after a process warning (KEEL_FAR_INPUTS) when channels of it lie
   * far from the training data (./far-inputs.ts) that this folder has not warned about yet.
   */
  private checkedFar<T extends Tensor | WindowDataset>(x: T): T {
    const far = farChannels(x, this.columns).filter((ch) => !this.warnedFar.has(ch.name));
    if (far.length > 0) {
      for (const ch of far) this.warnedFar.add(ch.name);
      process.emitWarning(`${W}: ${farInputsText(far)} (${this.dir})`, { code: 'KEEL_FAR_INPUTS' });
    }
    return x;
  }

  /** The model's outputs for x (softmax probabilities for a classifier) and, with mc, their Monte-Carlo std. */
  private async outputs(x: Tensor | WindowDataset, mc: { samples: number; seed: number } | null, base: { signal?: AbortSignal }, classifier: boolean): Promise<{ mean: Tensor; std: Tensor | null }> {
    const toProbabilities = (logits: Tensor) => softmax(logits, 1);
    if (mc === null) {
      const out = await predict(this.module, x, base);
      return { mean: classifier ? toProbabilities(out) : out, std: null };
    }
    return predict(this.module, x, { ...base, mcDropout: { ...mc, ...(classifier ? { transform: toProbabilities } : {}) } });
  }

  private classes(p: Outputs): ClassPrediction[] {
    const labels = this.labels!, k = labels.length;
    return Array.from({ length: p.mean.length / k }, (_, n) => {
      const probabilities = Array.from({ length: k }, (_, j) => p.mean[n * k + j]!);
      const index = probabilities.indexOf(Math.max(...probabilities));
      return { label: labels[index]!, index, probabilities, ...(p.std ? { std: p.std[n * k + index]! } : {}) };
    });
  }
}

/** Outputs per input, row after row, and their Monte-Carlo std (null without). */
interface Outputs {
  mean: ArrayLike<number>;
  std: ArrayLike<number> | null;
}

function arrays(o: { mean: Tensor; std: Tensor | null }): Outputs {
  return { mean: o.mean.data, std: o.std && o.std.data };
}

/** A regressor's predictions: `unscale` of each output, and its std × `scale`. */
function values({ mean, std }: Outputs, unscale: (v: number) => number, scale: number): ValuePrediction[] {
  return Array.from({ length: mean.length }, (_, n) => ({ value: unscale(mean[n]!), ...(std ? { std: std[n]! * scale } : {}) }));
}

/**
 * Loads the model folder `dir` that `keel train` wrote (model.json and model.safetensors) with the
 * checks `keel eval` and `keel predict` make: a missing or damaged file is a StorageError or
 * FormatError naming it, never a model that predicts junk. The model is put in eval mode.
 *
 *   const folder = await loadModelFolder('models/rul');
 *   const [p] = await folder.predict([engineReadings]);   // rows of { s2: …, s3: …, … }, oldest first
 *   p.value                                               // remaining useful life, cycles
 */
export async function loadModelFolder(dir: string): Promise<ModelFolder> {
  if (typeof dir !== 'string' || dir === '') throw new OptionError(`loadModelFolder: dir must be a folder path, got ${show(dir)}`);
  return new ModelFolder(await loadModel(dir), dir);
}
