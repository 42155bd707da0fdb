/**
 * From fit()'s checked options to the pieces of a run, on the caller's thread: the training and
 * validation datasets and loaders (seeded), the optimiser and schedule (factories are called here), the
 * loss and metrics, the callbacks in the order they run, and what callbacks are told (FitParams). The
 * loop (./loop.ts) runs these pieces here, or a worker rebuilds them from their descriptions (./worker/).
 */
import { DataError, OptionError } from '../errors.js';
import { DataLoader } from '../data/dataloader.js';
import { type Dataset, isDataset, TensorDataset } from '../data/dataset.js';
import { randomSplit } from '../data/split.js';
import { show } from '../functional/validate.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Scheduler } from '../optim/lr-scheduler.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler-plateau.js';
import { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Callback } from './callbacks/callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { classTargetsCheck } from './class-targets.js';
import { checkFiniteData, checkFiniteWindows } from './finite-data.js';
import { ProgressLogger, progressMode } from './callbacks/progress.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import { type Augmentation, compose } from '../augment/augmentation.js';
import type { BatchAugment, LoopPlan } from './loop.js';
import { resolveLoss } from './losses.js';
import { validationKey } from './logs.js';
import { type Metric, resolveMetrics } from './metrics.js';
import type { AugmentFunction, CheckedFitOptions } from './options.js';

/** Seed offset of the validation split, so it does not reuse the shuffle's numbers. */
const SPLIT_SEED_OFFSET = 0x5eed;

/**
 * The validation split's seed: fit's seed plus the offset, wrapped to stay a seed ([0, 2^53 − 1]) for
 * seeds near the top of fit's range (unchanged below it, so existing splits stay as they were).
 */
function splitSeed(seed: number): number {
  const room = Number.MAX_SAFE_INTEGER - seed;
  return room >= SPLIT_SEED_OFFSET ? seed + SPLIT_SEED_OFFSET : SPLIT_SEED_OFFSET - room - 1;
}

/**
 * Everything a run needs, built on the caller's thread: the loop's plan but for what depends on where
 * it runs (the history it fills, how a stop arrives, whether it yields), and the checked options.
 */
export interface FitRun extends Omit<LoopPlan, 'history' | 'externalStop' | 'yieldBetweenBatches'> {
  options: CheckedFitOptions;
  /** Model-side callbacks first, then caller-side ones, each in the order given. */
  callbacks: Callback[];
}

function tensorsDataset(x: Tensor, y: Tensor, w: Tensor | undefined): TensorDataset {
  return w ? new TensorDataset(x, y, w) : new TensorDataset(x, y);
}

/** Whether a forward in training mode normalises with batch statistics somewhere (a batch of one fails there). */
function usesBatchStatistics(model: Module): boolean {
  return model.modules().some((m) => m instanceof BatchNorm1d);
}

let warnedMergedBatch = false;

/** fit's x and y (and validationData's) given as Tensors, whole, before the first step (./finite-data.ts). */
function checkFinite(name: string, t: Tensor): void {
  checkFiniteData('fit', name, t, 'nothing was trained');
}

function datasets(model: Module, o: CheckedFitOptions): { train: Dataset; validation: Dataset | null } {
  const accuracy = o.metrics.find((m): m is string => typeof m === 'string' && /^(accuracy|top\d+Accuracy)$/.test(m)) ?? null;
  const checkClasses = classTargetsCheck(model, { crossEntropy: o.loss === 'crossEntropy', accuracy, augment: o.augment });
  if (o.x !== undefined) {
    checkFinite('x', o.x);
    checkFinite('y', o.y!);
    checkClasses?.(o.x, o.y!, 'y');
  }
  if (o.data !== undefined) checkFiniteWindows('fit', 'data', o.data, 'nothing was trained');
  const v = o.validationData;
  if (isDataset(v)) checkFiniteWindows('fit', 'validationData', v, 'nothing was trained');
  else if (v !== undefined) {
    checkFinite('validationData.x', v.x);
    checkFinite('validationData.y', v.y);
    checkClasses?.(v.x, v.y, 'validationData.y');
  }
  let train: Dataset = o.data ?? tensorsDataset(o.x!, o.y!, o.sampleWeight);
  let validation: Dataset | null = null;
  if (o.validationData !== undefined) {
    const v = o.validationData;
    validation = isDataset(v) ? v : tensorsDataset(v.x, v.y, v.sampleWeight);
  } else if (o.validationSplit !== undefined) {
    const n = train.length, held = Math.round(n * o.validationSplit);
    if (held < 1 || held >= n) {
      throw new DataError(`fit: validationSplit ${o.validationSplit} of ${n} samples leaves ${held} for validation and ${n - held} for training; both need at least one`);
    }
    [train, validation] = randomSplit(train, [n - held, held], splitSeed(o.seed)) as unknown as [Dataset, Dataset];
  }
  if (train.length === 0) throw new DataError('fit: the training data has no samples');
  if (validation && validation.length === 0) throw new DataError('fit: the validation data has no samples');
  return { train, validation };
}

function makeOptimizer(model: Module, o: CheckedFitOptions): Optimizer {
  if (o.optimizer instanceof Optimizer) return o.optimizer;
  if (o.optimizer === undefined) return new Adam(model.parameters());
  const opt = o.optimizer(model.parameters(), model);
  if (!(opt instanceof Optimizer)) throw new OptionError(`fit: the optimizer factory must return an Optimizer, got ${show(opt)}`);
  return opt;
}

function makeScheduler(o: CheckedFitOptions, optimizer: Optimizer, stepsPerEpoch: number): Scheduler | null {
  if (o.scheduler === undefined) return null;
  const s = typeof o.scheduler === 'function' ? o.scheduler(optimizer, { epochs: o.epochs, stepsPerEpoch }) : o.scheduler;
  if (s === null || typeof s !== 'object' || typeof s.step !== 'function') throw new OptionError(`fit: the scheduler factory must return a scheduler, got ${show(s)}`);
  if (s.optimizer !== optimizer) throw new OptionError(`fit: the scheduler drives another optimizer than fit's; build it on the optimizer fit uses (the factory receives it)`);
  // ReduceLROnPlateau steps on an epoch's loss: per batch it would have none, and fail once training began.
  if (s instanceof ReduceLROnPlateau && o.schedulerInterval === 'batch') {
    throw new OptionError("fit: schedulerInterval 'batch' with a ReduceLROnPlateau scheduler, which steps on an epoch's loss; leave schedulerInterval out (it then steps once an epoch)");
  }
  return s;
}

/** fit's `augment` option as one transform (a list composed in order), or the user's function as given. */
export function augmentation(a: Augmentation | readonly Augmentation[] | AugmentFunction | undefined): Augmentation | AugmentFunction | null {
  if (a === undefined) return null;
  return Array.isArray(a) ? compose([...a]) : (a as Augmentation | AugmentFunction);
}

/** The loop's per-batch call of a transform or function. */
export function batchAugment(a: Augmentation | AugmentFunction | null): BatchAugment | null {
  if (a === null) return null;
  return typeof a === 'function' ? a : (x, y) => a.apply(x, y);
}

/**
 * The direction of each log key the loss or a metric defines (FitParams.modes): the losses are
 * minimised; a metric and its validation key go as the metric declares (a custom metric's `mode`).
 */
function logModes(metrics: readonly Metric[], hasValidation: boolean): Record<string, 'min' | 'max'> {
  const modes: Record<string, 'min' | 'max'> = { loss: 'min' };
  for (const m of metrics) modes[m.name] = m.mode;
  if (hasValidation) {
    modes.valLoss = 'min';
    for (const m of metrics) modes[validationKey(m.name)] = m.mode;
  }
  return modes;
}

/** The log keys of a run, in the order CSV columns and progress lines show them. */
function logKeys(metricNames: string[], hasValidation: boolean, groups: number): string[] {
  const keys = ['loss', ...metricNames];
  if (hasValidation) keys.push('valLoss', ...metricNames.map(validationKey));
  for (let g = 0; g < groups; g++) keys.push(g === 0 ? 'lr' : `lr${g}`);
  return [...keys, 'seconds', 'samplesPerSecond'];
}

export function planFit(model: Module, o: CheckedFitOptions): FitRun {
  const { train, validation } = datasets(model, o);
  const batchStats = usesBatchStatistics(model);
  if (batchStats && train.length % o.batchSize === 1 && train.length > 1 && !warnedMergedBatch) {
    warnedMergedBatch = true;
    process.emitWarning(
      `fit: ${train.length} training samples in batches of ${o.batchSize} leave a last batch of 1 sample, on which BatchNorm cannot compute batch statistics; it is merged into the batch before it (of ${o.batchSize + 1}) every epoch.`,
      { code: 'KEEL_MERGED_LAST_BATCH' },
    );
  }
  const trainLoader = new DataLoader(train, { batchSize: o.batchSize, shuffle: o.shuffle, seed: o.seed, minBatchSize: batchStats ? Math.min(2, o.batchSize) : 1 });
  const validationLoader = validation ? new DataLoader(validation, { batchSize: o.validationBatchSize }) : null;
  const optimizer = makeOptimizer(model, o);
  const owned = new Set(model.parameters());
  if (!optimizer.paramGroups.some((g) => g.params.some((p) => owned.has(p)))) {
    throw new OptionError('fit: the optimizer holds none of the model\'s parameters (build it on model.parameters(), or pass a factory)');
  }
  const scheduler = makeScheduler(o, optimizer, trainLoader.length);
  const loss = resolveLoss(o.loss, 'fit');
  const resolvedMetrics = resolveMetrics(o.metrics, 'fit');
  const metricNames = resolvedMetrics.map((m) => m.name);
  const callbacks = [...o.callbacks];
  if (o.earlyStopping) callbacks.push(new EarlyStopping(o.earlyStopping === true ? {} : o.earlyStopping));
  if (o.terminateOnNaN && !callbacks.some((cb) => cb instanceof TerminateOnNaN)) callbacks.unshift(new TerminateOnNaN());
  const stream = o.verboseStream ?? (o.verbose === 'jsonl' ? process.stdout : process.stderr);
  const mode = progressMode(o.verbose, stream);
  if (mode) callbacks.push(new ProgressLogger(mode, stream));
  const ordered = [...callbacks.filter((cb) => cb.runsWith === 'model'), ...callbacks.filter((cb) => cb.runsWith !== 'model')];
  return {
    model,
    options: o,
    train: trainLoader,
    validation: validationLoader,
    optimizer,
    scheduler,
    schedulerInterval: o.schedulerInterval ?? scheduler?.interval ?? 'epoch',
    loss,
    metrics: o.metrics,
    classWeight: o.classWeight ?? null,
    augment: batchAugment(augmentation(o.augment)),
    epochs: o.epochs,
    initialEpoch: o.initialEpoch,
    l1: o.l1,
    l2: o.l2,
    clipGradNorm: o.clipGradNorm ?? null,
    clipGradValue: o.clipGradValue ?? null,
    seed: o.seed,
    callbacks: ordered,
    params: {
      epochs: o.epochs,
      initialEpoch: o.initialEpoch,
      stepsPerEpoch: trainLoader.length,
      batchSize: o.batchSize,
      samples: train.length,
      validationSamples: validation?.length ?? 0,
      logKeys: logKeys(metricNames, validation !== null, optimizer.paramGroups.length),
      modes: logModes(resolvedMetrics, validation !== null),
      mode: 'thread',
    },
  };
}
