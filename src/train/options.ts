/**
 * fit()'s options: the typed interface (each field with its default) and the one place they are
 * checked. Every problem throws before anything runs, naming the option, what it takes and what it got.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { type Dataset, isDataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import type { Module } from '../nn/module.js';
import type { Scheduler } from '../optim/lr-scheduler.js';
import { Optimizer } from '../optim/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import { Callback } from './callbacks/callback.js';
import type { EarlyStoppingOptions } from './callbacks/early-stopping.js';
import type { ProgressMode, ProgressStream } from './callbacks/progress.js';
import type { DivergenceOptions } from './divergence.js';
import type { LossFunction, LossName } from './losses.js';
import type { ClassWeight } from './loop.js';
import type { MetricSpec } from './metrics.js';
import { Augmentation } from '../augment/augmentation.js';
import { checkBoolean, checkChoice, checkInt, checkKnown, checkNumber, isObject } from '../options.js';

/** A batch augmentation written as a function: inputs and targets in, the augmented pair out (must not mutate its arguments). */
export type AugmentFunction = (
  x: Tensor,
  y: Tensor,
) => {
  /** The augmented inputs, same first dimension. */
  x: Tensor;
  /** The augmented targets; omitted: unchanged. */
  y?: Tensor;
};

/** Validation data: tensors, or a Dataset whose samples are [x, y] (or [x, y, sampleWeight]). */
export type ValidationData =
  | {
      /** Validation inputs, first dimension = sample. */
      x: Tensor;
      /** Validation targets, first dimension = sample. */
      y: Tensor;
      /** Per-sample weights of the validation loss, shape (N). */
      sampleWeight?: Tensor;
    }
  | Dataset;

/** What a scheduler factory is told about the run (OneCycleLR needs both). */
export interface ScheduleInfo {
  /** The epoch number training stops at. */
  epochs: number;
  /** Training batches per epoch. */
  stepsPerEpoch: number;
}

/** Options of fit (Keras' model.fit arguments, camelCase, plus the optimiser, loss and schedule). */
export interface FitOptions {
  /** Inputs, first dimension = sample. Give x and y, or `data`. */
  x?: Tensor;
  /** Targets, first dimension = sample (class indices for 'crossEntropy'). */
  y?: Tensor;
  /** A Dataset whose samples are [x, y] or [x, y, sampleWeight] (instead of x and y). */
  data?: Dataset;
  /** Data to validate on after every epoch. Default none. */
  validationData?: ValidationData;
  /**
   * Fraction of the training samples held out for validation, in (0, 1): SEEDED RANDOM rows (Keras and
   * TF.js take the last rows, which silently fails on sorted data). For grouped data (windows of one
   * unit) split by group yourself and pass validationData. Default none.
   */
  validationSplit?: number;
  /** The epoch number to train up to (counting initialEpoch). Default 1. */
  epochs?: number;
  /** Samples per training batch. Default 32. */
  batchSize?: number;
  /** Samples per validation batch (results do not depend on it). Default 256. */
  validationBatchSize?: number;
  /** Visit the training samples in a new seeded random order every epoch. Default true. */
  shuffle?: boolean;
  /**
   * The optimiser: an instance over the model's parameters, or a factory given model.parameters() and
   * the model (e.g. `(params) => new optim.AdamW(params, { lr: 1e-3 })`, or
   * `(_, model) => new optim.AdamW(optim.weightDecayGroups(model, 1e-2))`). Default Adam (lr 1e-3).
   * When fit resolves it holds the trained state (moments, steps).
   */
  optimizer?: Optimizer | ((params: Tensor[], model: Module) => Optimizer);
  /** A learning-rate schedule on that optimiser, or a factory given it and { epochs, stepsPerEpoch }. Default none. */
  scheduler?: Scheduler | ((optimizer: Optimizer, info: ScheduleInfo) => Scheduler);
  /** When the schedule steps: every batch or every epoch. Default: what the schedule expects (scheduler.interval; OneCycleLR 'batch'). */
  schedulerInterval?: 'batch' | 'epoch';
  /** 'mse' | 'mae' | 'huber' | 'crossEntropy' | 'bce' (on logits), or a function (yPred, y) → scalar Tensor. Default 'mse'. */
  loss?: LossName | LossFunction;
  /** Metrics logged for training and validation ('rmse' → 'rmse' and 'valRmse'): 'mse', 'rmse', 'mae', 'r2', 'accuracy', 'top5Accuracy', functions. Default none. */
  metrics?: MetricSpec[];
  /** Adds an EarlyStopping callback with these options (true: its defaults). Default none. */
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** L1 penalty λ·Σ|w| on weights only (never BatchNorm parameters or biases), added to the loss. Default 0. */
  l1?: number;
  /** L2 penalty λ·Σw² on weights only, added to the loss (AdamW's weightDecay is the decoupled alternative). Default 0. */
  l2?: number;
  /** Rescale gradients whose total L2 norm exceeds this (optim.clipGradNorm). Default none. */
  clipGradNorm?: number;
  /** Clamp every gradient element to [−v, v] (optim.clipGradValue). Default none. */
  clipGradValue?: number;
  /** Callback objects (see `callbacks`). Default none. */
  callbacks?: Callback[];
  /** Aborting it stops training within one batch; fit resolves with history.stopped = 'aborted'. */
  signal?: AbortSignal;
  /**
   * Progress: 'auto' (a bar on a TTY, one line per epoch otherwise or when CI is set), 'bar', 'lines',
   * 'jsonl' (one JSON object per epoch), or false (nothing). Default 'auto'.
   */
  verbose?: 'auto' | ProgressMode | boolean;
  /** Where progress goes. Default process.stderr ('jsonl': process.stdout). */
  verboseStream?: ProgressStream;
  /**
   * Augmentation of TRAINING batches only (never validation, evaluate or predict): an `augment.*`
   * transform, a list of them (applied in order), or a function (x, y) → { x, y } (which keeps the run
   * on the caller's thread). It draws from the fit's seed, so runs repeat. Class weights are looked up
   * from the targets before augmentation (MixUp turns class indices into mixed rows). Default none.
   */
  augment?: Augmentation | readonly Augmentation[] | AugmentFunction;
  /**
   * Per-class loss weights for the training loss (Keras' class_weight): { class: weight }, a Map from
   * class index to weight (a Python dict's twin), or an array by class; a class without an entry weighs
   * 1. Weights must be finite and >= 0. With sampleWeight (or a Dataset's third field) a sample
   * weighs the product of the two, as in Keras 2. Default none.
   */
  classWeight?: ClassWeight | ReadonlyMap<number, number>;
  /** Per-sample loss weights, one per training sample (with x and y); with classWeight, multiplied by its class's weight. Default none. */
  sampleWeight?: Tensor;
  /** Epochs already done (resuming): training runs epochs initialEpoch + 1 … epochs; schedules continue where they are. Default 0. */
  initialEpoch?: number;
  /** Seed of the shuffles, the validation split and every dropout mask: an integer in [0, 2^53 − 1]; same seed, same result, in a worker or not. Default 0. */
  seed?: number;
  /**
   * Run the loop in a worker thread: 'auto' (default) when everything can move there (built-in or
   * registered module types, named losses and metrics, built-in optimisers and schedules, tensor data),
   * otherwise on the caller's thread yielding between batches, with a warning saying why once;
   * true: a worker or an error saying why not; false: the caller's thread.
   */
  worker?: 'auto' | boolean;
  /** Warn once about the pitfalls `check()` finds (Dropout before BatchNorm, ...). Default true. */
  checks?: boolean;
  /** End fit with an error at the first non-finite loss (TerminateOnNaN). Default true. */
  terminateOnNaN?: boolean;
  /** How History finds the divergence epoch (see divergenceIndex). Default its defaults. */
  divergence?: DivergenceOptions;
}

const KEYS: ReadonlyArray<keyof FitOptions> = [
  'x', 'y', 'data', 'validationData', 'validationSplit', 'epochs', 'batchSize', 'validationBatchSize', 'shuffle', 'optimizer',
  'scheduler', 'schedulerInterval', 'loss', 'metrics', 'earlyStopping', 'l1', 'l2', 'clipGradNorm', 'clipGradValue', 'callbacks',
  'signal', 'verbose', 'verboseStream', 'classWeight', 'sampleWeight', 'initialEpoch', 'seed', 'worker', 'checks', 'terminateOnNaN',
  'divergence', 'augment',
];

const W = 'fit';

/** The seed, in fit's words: every generator under fit (shuffle, split, dropout) takes [0, 2^53 − 1]. */
function checkSeed(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new OptionError(`${W}: seed must be an integer in [0, 2^53 - 1] (Number.MAX_SAFE_INTEGER), got ${show(v)}`);
  }
  return v;
}

function checkTensorOption(name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new OptionError(`${W}: ${name} must be a Tensor (first dimension = sample), got ${show(v)}`);
  if (v.ndim === 0) throw new ShapeError(`${W}: ${name} must have a sample dimension, got a 0-dim Tensor`);
  return v;
}

/**
 * Per-sample weights: 1-D, finite and >= 0 — checked before training starts, since the loss would
 * refuse a bad weight only at its batch, after the batches before it had stepped.
 */
function checkSampleWeight(name: string, v: unknown): Tensor {
  const w = checkTensorOption(name, v);
  if (w.ndim !== 1) throw new ShapeError(`${W}: ${name} must be 1-D (one weight per sample), got shape (${w.shape.join(', ')})`);
  const i = w.data.findIndex((x) => !(x >= 0 && x < Infinity));
  if (i >= 0) throw new DataError(`${W}: ${name} must be finite numbers >= 0, got ${w.data[i]} for sample ${i}`);
  return w;
}

/** The tensors given (of x, y, sampleWeight; names after `prefix`) must agree on their first dimension. */
function checkSamples(prefix: string, pairs: Array<[string, Tensor | undefined]>): void {
  const present = pairs.filter((p): p is [string, Tensor] => p[1] !== undefined);
  const n = present[0]![1].shape[0];
  if (present.every(([, t]) => t.shape[0] === n)) return;
  const and = (items: string[]) => `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  throw new ShapeError(
    `${W}: ${and(present.map(([k]) => prefix + k))} must have the same number of samples, got ${and(present.map(([, t]) => String(t.shape[0])))}`,
  );
}

/** A class index as a classWeight key: an integer >= 0 (a record's keys are its decimal strings). */
function classIndex(key: unknown): number | null {
  if (typeof key === 'number') return Number.isSafeInteger(key) && key >= 0 ? key : null;
  return typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key) && Number.isSafeInteger(Number(key)) ? Number(key) : null;
}

/**
 * classWeight as the loop takes it, every key and weight checked now: the loop would meet a bad one
 * only at the first batch, after the callbacks' onTrainBegin. A Map — Keras' dict in JavaScript —
 * becomes the equivalent record (the loop reads records' own keys, so it would see none of a Map's).
 */
function checkClassWeight(v: unknown): ClassWeight | undefined {
  if (v === undefined) return undefined;
  const plain = isObject(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));
  if (!(v instanceof Map) && !Array.isArray(v) && !plain) {
    throw new OptionError(`${W}: classWeight must be { class: weight }, a Map of class to weight or an array of weights by class, got ${show(v)}`);
  }
  const entries: Array<[unknown, unknown]> = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? Array.from(v as unknown[], (w, i): [unknown, unknown] => [i, w]) : Object.entries(v as object);
  const record: Record<number, number> = {};
  for (const [key, w] of entries) {
    const c = classIndex(key);
    if (c === null) throw new OptionError(`${W}: classWeight keys must be class indices (integers >= 0), got ${show(key)}`);
    if (w === undefined && Array.isArray(v)) continue; // a hole: that class weighs 1
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new OptionError(`${W}: classWeight[${c}] must be a finite number >= 0, got ${show(w)}`);
    record[c] = w;
  }
  return v instanceof Map ? record : (v as ClassWeight);
}

function checkAugment(a: unknown): void {
  if (a instanceof Augmentation || typeof a === 'function') return;
  if (!Array.isArray(a)) throw new OptionError(`${W}: augment must be an augmentation (augment.jitter(), ...), a list of them, or a function (x, y) => { x, y }, got ${show(a)}`);
  a.forEach((t, i) => {
    if (!(t instanceof Augmentation)) throw new OptionError(`${W}: augment[${i}] must be an augmentation (augment.jitter(), ...), got ${show(t)}`);
  });
}

/** fit's options, checked; defaults filled in; classWeight as a record or an array. */
export type CheckedFitOptions = Omit<FitOptions, 'classWeight'> & { classWeight?: ClassWeight } &
  Required<Pick<FitOptions, 'epochs' | 'batchSize' | 'validationBatchSize' | 'shuffle' | 'loss' | 'metrics' | 'l1' | 'l2' | 'callbacks' | 'verbose' | 'initialEpoch' | 'seed' | 'worker' | 'checks' | 'terminateOnNaN'>>;

export function checkFitOptions(options: FitOptions): CheckedFitOptions {
  if (!isObject(options as unknown)) throw new OptionError(`${W}: options must be an object { x, y, epochs, ... }, got ${show(options)}`);
  checkKnown(W, options, KEYS);
  const o = options;
  if (o.data !== undefined) {
    if (o.x !== undefined || o.y !== undefined) throw new OptionError(`${W}: give either data or x and y, not both`);
    if (!isDataset(o.data)) throw new OptionError(`${W}: data must be a Dataset (length, get(i)), got ${show(o.data)}`);
    if (o.sampleWeight !== undefined) throw new OptionError(`${W}: with data, give sample weights as each sample's third field, not sampleWeight`);
  } else {
    if (o.x === undefined || o.y === undefined) throw new OptionError(`${W}: give x and y (Tensors, first dimension = sample) or data (a Dataset)`);
    checkTensorOption('x', o.x);
    checkTensorOption('y', o.y);
    if (o.sampleWeight !== undefined) checkSampleWeight('sampleWeight', o.sampleWeight);
    checkSamples('', [['x', o.x], ['y', o.y], ['sampleWeight', o.sampleWeight]]);
  }
  if (o.validationData !== undefined && o.validationSplit !== undefined) throw new OptionError(`${W}: give validationData or validationSplit, not both`);
  if (o.validationSplit !== undefined) checkNumber(W, 'validationSplit', o.validationSplit, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (o.validationData !== undefined && !isDataset(o.validationData)) {
    const v = o.validationData as { x?: unknown; y?: unknown; sampleWeight?: unknown };
    if (!isObject(v)) throw new OptionError(`${W}: validationData must be { x, y } or a Dataset, got ${show(v)}`);
    checkKnown(`${W}: validationData`, v, ['x', 'y', 'sampleWeight']);
    const x = checkTensorOption('validationData.x', v.x), y = checkTensorOption('validationData.y', v.y);
    const w = v.sampleWeight === undefined ? undefined : checkSampleWeight('validationData.sampleWeight', v.sampleWeight);
    checkSamples('validationData.', [['x', x], ['y', y], ['sampleWeight', w]]);
  }
  const initialEpoch = checkInt(W, 'initialEpoch', o.initialEpoch ?? 0, 0);
  const epochs = checkInt(W, 'epochs', o.epochs ?? 1, 1);
  if (epochs <= initialEpoch) throw new OptionError(`${W}: epochs (${epochs}) must be greater than initialEpoch (${initialEpoch}): epochs counts up to a total`);
  if (o.optimizer !== undefined && !(o.optimizer instanceof Optimizer) && typeof o.optimizer !== 'function') {
    throw new OptionError(`${W}: optimizer must be an Optimizer or a factory (params, model) => Optimizer, got ${show(o.optimizer)}`);
  }
  if (o.scheduler !== undefined && typeof o.scheduler !== 'function' && !(isObject(o.scheduler as unknown) && typeof (o.scheduler as Scheduler).step === 'function')) {
    throw new OptionError(`${W}: scheduler must be a learning-rate scheduler or a factory (optimizer, { epochs, stepsPerEpoch }) => scheduler, got ${show(o.scheduler)}`);
  }
  if (o.schedulerInterval !== undefined) checkChoice(W, 'schedulerInterval', o.schedulerInterval, ['batch', 'epoch'] as const);
  if (o.loss !== undefined && typeof o.loss !== 'string' && typeof o.loss !== 'function') {
    throw new OptionError(`${W}: loss must be a loss name or a function (yPred, y) => Tensor, got ${show(o.loss)}`);
  }
  if (o.metrics !== undefined && !Array.isArray(o.metrics)) throw new OptionError(`${W}: metrics must be an array, got ${show(o.metrics)}`);
  if (o.earlyStopping !== undefined && typeof o.earlyStopping !== 'boolean' && !isObject(o.earlyStopping as unknown)) {
    throw new OptionError(`${W}: earlyStopping must be EarlyStopping options or a boolean, got ${show(o.earlyStopping)}`);
  }
  const callbacks = o.callbacks ?? [];
  if (!Array.isArray(callbacks)) throw new OptionError(`${W}: callbacks must be an array of Callback objects, got ${show(callbacks)}`);
  callbacks.forEach((cb, i) => {
    if (!(cb instanceof Callback)) throw new OptionError(`${W}: callbacks[${i}] must be a Callback (extend callbacks.Callback), got ${show(cb)}`);
  });
  if (new Set(callbacks).size !== callbacks.length) throw new OptionError(`${W}: a callback appears more than once in callbacks`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new OptionError(`${W}: signal must be an AbortSignal, got ${show(o.signal)}`);
  const verbose = o.verbose ?? 'auto';
  if (typeof verbose !== 'boolean') checkChoice(W, 'verbose', verbose, ['auto', 'bar', 'lines', 'jsonl'] as const);
  if (o.verboseStream !== undefined && !(isObject(o.verboseStream as unknown) && typeof o.verboseStream.write === 'function')) {
    throw new OptionError(`${W}: verboseStream must have a write(string) method, got ${show(o.verboseStream)}`);
  }
  const classWeight = checkClassWeight(o.classWeight);
  if (o.augment !== undefined) checkAugment(o.augment);
  const worker = o.worker ?? 'auto';
  if (worker !== 'auto' && typeof worker !== 'boolean') throw new OptionError(`${W}: worker must be 'auto', true or false, got ${show(worker)}`);
  const positive = (name: 'clipGradNorm' | 'clipGradValue') =>
    o[name] === undefined ? undefined : checkNumber(W, name, o[name], { min: 0, minExclusive: true });
  return {
    ...o,
    epochs,
    initialEpoch,
    batchSize: checkInt(W, 'batchSize', o.batchSize ?? 32, 1),
    validationBatchSize: checkInt(W, 'validationBatchSize', o.validationBatchSize ?? 256, 1),
    shuffle: checkBoolean(W, 'shuffle', o.shuffle ?? true),
    loss: o.loss ?? 'mse',
    metrics: o.metrics ?? [],
    l1: checkNumber(W, 'l1', o.l1 ?? 0, { min: 0 }),
    l2: checkNumber(W, 'l2', o.l2 ?? 0, { min: 0 }),
    clipGradNorm: positive('clipGradNorm'),
    clipGradValue: positive('clipGradValue'),
    classWeight,
    callbacks,
    verbose,
    seed: checkSeed(o.seed ?? 0),
    worker,
    checks: checkBoolean(W, 'checks', o.checks ?? true),
    terminateOnNaN: checkBoolean(W, 'terminateOnNaN', o.terminateOnNaN ?? true),
  };
}
