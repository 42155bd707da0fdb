/**
 * regularisationStudy: what BatchNorm, Dropout and weight decay do to overfitting, measured the way
 * the regularisation chapters draw it. On one seed's built-in run-to-failure data (./data.ts), or on
 * a caller's run-to-failure units (`data`: `keel demo --data csv:FILE`, split by that seed), the
 * DESIGN.md §1 backbone is trained once per variant (./variants.ts) with the same initial weights,
 * the same batches in the same order, the same epochs and learning rate; only the regularisers differ.
 * Per variant it reports the curves (training and validation RMSE per epoch), the best validation RMSE
 * and its epoch, the divergence epoch (History.divergenceEpoch: validation loss turning upward while
 * training loss keeps falling), the final generalisation gap, the held-out test engines' RMSE and
 * PHM08 score, and the time and throughput. `keel demo` prints and reports it; bench/regularisation.ts
 * runs it over many seeds.
 *
 * Every fit runs in a worker thread (fit's default), so the caller's event loop stays free and
 * progress arrives while it trains.
 */
import { checkConditions } from '../data/operating-conditions.js';
import { checkSeries, unitName } from '../data/series-check.js';
import { describe } from '../data/validate.js';
import { OptionError } from '../errors.js';
import { mul } from '../functional/arithmetic.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { manualSeed } from '../tensor/random.js';
import { throwIfAborted } from '../train/abort.js';
import { Callback } from '../train/callbacks/callback.js';
import { evaluate } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import type { EpochLogs } from '../train/history.js';
import { phm08Score, rmse } from '../train/metrics/rul.js';
import { predict } from '../train/predict.js';
import { checkOptions, nonNegativeInt, numberIn, positiveInt } from '../functional/validate.js';
import { RUL_CAP, rmseCycles as cycles, type StudyData, studyData, type StudySource } from './data.js';
import { STUDY_VARIANT_NAMES, STUDY_VARIANTS, type StudyVariant, type StudyVariantName } from './variants.js';

/** Options of regularisationStudy. */
export interface RegularisationStudyOptions {
  /** Seed of the data (or of `data`'s split), the initial weights, the batch order and dropout. Default 0. */
  seed?: number;
  /**
   * The caller's run-to-failure units instead of the built-in engines: training units split by unit
   * into fitting and validation units, optional test units with their true RUL (StudySource). Default
   * the built-in data of `seed`.
   */
  data?: StudySource;
  /** Epochs per variant (the recipe may stop earlier). Default 40. */
  epochs?: number;
  /** Which variants to train, in this order. Default all five. */
  variants?: readonly StudyVariantName[];
  /** Training batch size. Default 128. */
  batchSize?: number;
  /** Learning rate of Adam / AdamW, the same for every variant. Default 1e-3 (Adam's default). */
  lr?: number;
  /** AdamW's decoupled weight decay, for the variants that use it. Default 0.1. */
  weightDecay?: number;
  /** Early stopping patience of the recipe, in epochs. Default 8. */
  patience?: number;
  /**
   * BatchNorm over ghost batches: the BatchNorm variants normalise groups of this many samples in
   * training (BatchNorm1d's virtualBatchSize; docs/regularisation-study.md). Default null (the whole batch, PyTorch's BatchNorm).
   */
  bnVirtualBatchSize?: number | null;
  /** Train in a worker thread (fit's `worker`). Default true. */
  worker?: boolean;
  /** Called after every epoch of every variant (progress). */
  onEpoch?: (variant: StudyVariant, logs: EpochLogs, epochs: number) => void;
  /** Called when a variant's fit and scoring are done. */
  onVariant?: (result: VariantResult) => void;
  /** Stops the study: it rejects with an AbortError (cause: the signal's reason) once the running fit stops. */
  signal?: AbortSignal;
}

/** What one variant of the study measured. */
export interface VariantResult {
  /** The variant's name, e.g. 'recipe'. */
  name: StudyVariantName;
  /** The variant's label as tables and charts show it. */
  label: string;
  /** Best validation RMSE (cycles). */
  bestValRmse: number;
  /** The epoch (1-based) of bestValRmse. */
  bestEpoch: number;
  /** Epoch where validation loss starts rising while training loss keeps falling, or null. */
  divergenceEpoch: number | null;
  /** Validation RMSE minus training RMSE of the final model, both in eval mode (cycles). */
  trainValGap: number;
  /** RMSE (cycles) on the test engines' last windows; null without test units. */
  testRmse: number | null;
  /** PHM08 score on the test engines' last windows (a sum; lower is better; late predictions cost more); null without test units. */
  phm08: number | null;
  /** Wall time of the fit (training, validation, worker start-up), in seconds. */
  seconds: number;
  /** Training samples per second of that wall time. */
  samplesPerSecond: number;
  /** Epochs run (fewer than asked when the recipe stopped early). */
  epochs: number;
  /** Per epoch: training RMSE in cycles (train mode: dropout on, batch statistics). */
  trainRmse: number[];
  /** Per epoch: validation RMSE in cycles (eval mode). */
  valRmse: number[];
}

/** The whole study: its settings, the data's size, and one result per variant. */
export interface RegularisationStudy {
  /** The seed of data, weights, batch order and dropout. */
  seed: number;
  /** Epochs asked per variant. */
  epochs: number;
  /** What the units are ("Built-in run-to-failure data, seed 0", or StudySource.description). */
  data: string;
  /** Rows per window. */
  window: number;
  /** Ghost batch size of the BatchNorm variants (options.bnVirtualBatchSize), or null for the whole batch. */
  bnVirtualBatchSize: number | null;
  /** Engines on each side of the split. */
  engines: StudyData['engines'];
  /** Training windows (N, 14, 30) on each side of the split. */
  windows: {
    /** Windows the model is fitted on. */
    fit: number;
    /** Windows of the validation engines. */
    validation: number;
  };
  /** One result per variant, in the order trained. */
  variants: VariantResult[];
}

const W = 'regularisationStudy';
const KEYS = ['seed', 'data', 'epochs', 'variants', 'batchSize', 'lr', 'weightDecay', 'patience', 'bnVirtualBatchSize', 'worker', 'onEpoch', 'onVariant', 'signal'] as const;

class EpochListener extends Callback {
  constructor(private readonly listener: (logs: EpochLogs) => void) {
    super();
  }

  override get passive(): boolean {
    return true;
  }

  override onEpochEnd(_epoch: number, logs: EpochLogs): void {
    this.listener(logs);
  }
}

function checkVariants(v: unknown): readonly StudyVariantName[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((n) => !STUDY_VARIANT_NAMES.includes(n)) || new Set(v).size !== v.length) {
    throw new OptionError(`${W}: variants must be a non-empty list of distinct names from ${STUDY_VARIANT_NAMES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const SOURCE_KEYS = ['train', 'test', 'channels', 'conditions', 'validationShare', 'window', 'description'] as const;

/** options.data checked: tables, channels among the columns (and settings that are not channels), a share in (0, 1), test units that carry their true RUL. */
function checkSource(data: unknown): StudySource {
  const o = checkOptions(`${W}: data`, data as StudySource, SOURCE_KEYS);
  const train = checkSeries(W, 'data.train', o.train);
  if (o.test !== undefined) {
    const test = checkSeries(W, 'data.test', o.test);
    const u = test.units.findIndex((unit) => !(typeof unit.rulAtEnd === 'number' && unit.rulAtEnd >= 0));
    if (u >= 0) throw new OptionError(`${W}: data.test ${unitName(test.units[u]!, u)} has no rulAtEnd (its true RUL at its last row, a number ≥ 0), got ${describe(test.units[u]!.rulAtEnd)}`);
  }
  if (o.channels !== undefined) {
    if (!Array.isArray(o.channels) || o.channels.length === 0) throw new OptionError(`${W}: data.channels must be a non-empty array of column names, got ${describe(o.channels)}`);
    const missing = o.channels.find((c) => !train.columns.includes(c));
    if (missing !== undefined) throw new OptionError(`${W}: data.channels names ${describe(missing)}, which is not a column of data.train (${train.columns.join(', ')})`);
  }
  if (o.conditions !== undefined) checkConditions(`${W}: data`, o.conditions, train.columns, o.channels ?? []);
  if (o.description !== undefined && typeof o.description !== 'string') throw new OptionError(`${W}: data.description must be a string, got ${describe(o.description)}`);
  return {
    ...o,
    ...(o.validationShare !== undefined ? { validationShare: numberIn(W, 'data.validationShare', o.validationShare, Number.MIN_VALUE, 1 - Number.EPSILON) } : {}),
    ...(o.window !== undefined ? { window: positiveInt(W, 'data.window', o.window) } : {}),
  };
}

/**
 * Trains the §1 backbone once per variant on one seed's built-in run-to-failure data (or `data`'s
 * units), with the same initial weights and batches, and measures what each regulariser does to
 * overfitting (file header).
 */
export async function regularisationStudy(options: RegularisationStudyOptions = {}): Promise<RegularisationStudy> {
  const o = checkOptions(W, options, KEYS);
  const seed = nonNegativeInt(W, 'seed', o.seed ?? 0);
  const epochs = positiveInt(W, 'epochs', o.epochs ?? 40);
  const names = checkVariants(o.variants ?? STUDY_VARIANT_NAMES);
  const settings = {
    seed, epochs,
    batchSize: positiveInt(W, 'batchSize', o.batchSize ?? 128),
    lr: numberIn(W, 'lr', o.lr ?? 1e-3, Number.MIN_VALUE, Infinity),
    weightDecay: numberIn(W, 'weightDecay', o.weightDecay ?? 0.1, 0, Infinity),
    patience: positiveInt(W, 'patience', o.patience ?? 8),
    bnVirtualBatchSize: o.bnVirtualBatchSize == null ? null : positiveInt(W, 'bnVirtualBatchSize', o.bnVirtualBatchSize),
    worker: o.worker ?? true,
    signal: o.signal,
  };
  const data = studyData(seed, o.data === undefined ? undefined : checkSource(o.data));
  const variants: VariantResult[] = [];
  for (const name of names) {
    const variant = STUDY_VARIANTS.find((v) => v.name === name)!;
    const result = await trainVariant(variant, data, settings, o.onEpoch);
    variants.push(result);
    o.onVariant?.(result);
  }
  return { seed, epochs, data: data.description, window: data.window, bnVirtualBatchSize: settings.bnVirtualBatchSize, engines: data.engines, windows: { fit: data.fit.length, validation: data.validation.length }, variants };
}

interface Settings {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  patience: number;
  bnVirtualBatchSize: number | null;
  worker: boolean;
  signal: AbortSignal | undefined;
}

async function trainVariant(variant: StudyVariant, data: StudyData, s: Settings, onEpoch: RegularisationStudyOptions['onEpoch']): Promise<VariantResult> {
  manualSeed(s.seed);
  const model = nn.conv1dBackbone({
    inChannels: data.fit.layout.channels, window: data.window, batchNorm: variant.batchNorm, bnVirtualBatchSize: s.bnVirtualBatchSize,
    ...(variant.dropout ? {} : { dropout: 0, headDropout: 0 }),
  });
  const started = performance.now();
  const history = await fit(model, {
    data: data.fit, validationData: data.validation,
    epochs: s.epochs, batchSize: s.batchSize, seed: s.seed,
    optimizer: variant.weightDecay
      ? (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, s.weightDecay), { lr: s.lr })
      : (params) => new optim.Adam(params, { lr: s.lr }),
    ...(variant.earlyStopping ? { earlyStopping: { patience: s.patience, restoreBestWeights: true } } : {}),
    callbacks: onEpoch ? [new EpochListener((logs) => onEpoch(variant, logs, s.epochs))] : [],
    verbose: false,
    worker: s.worker,
    ...(s.signal ? { signal: s.signal } : {}),
  });
  throwIfAborted(s.signal, W); // an aborted fit resolves; the study rejects
  const seconds = (performance.now() - started) / 1000;

  const trainRmse = history.values('loss').map(cycles);
  const valRmse = history.values('valLoss').map(cycles);
  const best = history.bestEpoch!;
  const finalTrain = await evaluate(model, { data: data.fit });
  const finalVal = await evaluate(model, { data: data.validation });
  const predicted = data.testX && mul(await predict(model, data.testX), RUL_CAP);
  return {
    name: variant.name, label: variant.label,
    bestValRmse: valRmse[best - 1]!, bestEpoch: best,
    divergenceEpoch: history.divergenceEpoch,
    trainValGap: cycles(finalVal.loss!) - cycles(finalTrain.loss!),
    testRmse: predicted && rmse(predicted, data.testRul!), phm08: predicted && phm08Score(predicted, data.testRul!),
    seconds, samplesPerSecond: (history.epochs.length * data.fit.length) / seconds,
    epochs: history.epochs.length, trainRmse, valRmse,
  };
}
