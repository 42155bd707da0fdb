/**
 * crossValidate: k-fold cross-validation of one configuration. The samples 0..n−1 (or the samples of
 * `groups`, one label per sample) are cut into k folds; for each fold f, `makeTrial` trains on the
 * other folds and returns its score on fold f (lower is better: a validation loss or RMSE). With
 * groups it is group k-fold (groupKFold, shuffled by the seed): every group — a unit, an engine — is in
 * exactly one validation fold, so overlapping windows of one unit never sit on both sides. Without
 * groups each sample is its own group, which is sklearn's KFold(shuffle=True). Anything fitted on
 * data (a scaler) must be fitted inside makeTrial, on the fold's training samples only.
 *
 *   mean = (1/k) Σ_f s_f,   std = √((1/k) Σ_f (s_f − mean)²)   (population std, as sklearn's cv_results_)
 *
 * A fold whose score is not finite (a run that diverged) makes the mean non-finite and the std NaN.
 * Folds run concurrently up to `concurrency` (fit already trains in a worker thread, so concurrent
 * fits use several cores); scores do not depend on it, since each fold's run is seeded on its own.
 */
import { availableParallelism } from 'node:os';
import { DataError, OptionError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { groupKFold, type Groups } from '../data/group-split.js';
import { describe } from '../data/validate.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';
import { throwIfAborted } from '../train/abort.js';
import { type Limit, limit } from './limit.js';

/** One fold: sample indices (into 0..n−1) to train on and to score on, both ascending. */
export interface CvFold {
  /** 0-based fold number. */
  index: number;
  /** Indices to train on, ascending. */
  train: Int32Array;
  /** Indices to score on, ascending. */
  validation: Int32Array;
  /** The caller's signal: a trial should stop when it aborts (pass it to fit). */
  signal: AbortSignal | undefined;
}

/** Trains on fold.train and resolves with the score on fold.validation (lower is better). */
export type MakeTrial = (fold: CvFold) => Promise<number>;

/** Options of crossValidate. */
export interface CrossValidateOptions {
  /** Number of samples, split as 0..samples−1. Give this or `groups`. */
  samples?: number;
  /** One group label per sample (unit ids): group k-fold. Give this or `samples`. */
  groups?: Groups;
  /** Number of folds, at least 2 and at most the number of groups. Default 3. */
  folds?: number;
  /** Seed of the fold assignment, an integer in [0, 2^53 − 1]. Default 0. */
  seed?: number;
  /** Folds trained at once. Default os.availableParallelism(). */
  concurrency?: number;
  /** Aborting stops the running folds; crossValidate then rejects with an AbortError (cause: the signal's reason). */
  signal?: AbortSignal;
}

/** crossValidate's result: the folds' scores and their summary. */
export interface CrossValidation {
  /** The score of each fold, in fold order. */
  scores: number[];
  /** Mean of the scores. */
  mean: number;
  /** Population standard deviation of the scores. */
  std: number;
}

const KEYS = ['samples', 'groups', 'folds', 'seed', 'concurrency', 'signal'] as const;

/**
 * The k folds of the options (rules in the file header). `groupNoun` names the groups in messages
 * ("units" for tune's backbone); samples are "samples".
 */
export function cvFolds(where: string, o: Pick<CrossValidateOptions, 'samples' | 'groups' | 'folds' | 'seed'>, groupNoun = 'groups'): Array<Pick<CvFold, 'index' | 'train' | 'validation'>> {
  if ((o.samples === undefined) === (o.groups === undefined)) {
    throw new OptionError(`${where}: give either samples (a count) or groups (one label per sample), got ${o.samples === undefined ? 'neither' : 'both'}`);
  }
  const k = checkFolds(where, o.folds ?? 3);
  const n = o.groups !== undefined ? o.groups.length : positiveInt(where, 'samples', o.samples);
  const groups = o.groups ?? Int32Array.from({ length: n }, (_, i) => i);
  // groupKFold checks this too, but in its own words (k, groups): say it with the caller's names.
  const distinct = Array.isArray(groups) || ArrayBuffer.isView(groups) ? new Set(groups as ArrayLike<unknown> as unknown[]).size : Infinity;
  if (k > distinct) {
    const noun = o.groups === undefined ? 'samples' : groupNoun;
    throw new DataError(`${where}: folds (${k}) must not exceed the number of ${noun} (${distinct}): each of the ${noun} is held out in exactly one fold`);
  }
  // groupKFold only needs the sample count; the folds hand out the indices of their Subsets.
  const samples: Dataset = { length: n, get: () => [] };
  return groupKFold(samples, groups, k, { shuffle: true, seed: nonNegativeInt(where, 'seed', o.seed ?? 0) })
    .map((f, index) => ({ index, train: f.train.indices, validation: f.validation.indices }));
}

/** The fold count: an integer of at least 2. */
function checkFolds(where: string, folds: unknown): number {
  if (typeof folds !== 'number' || !Number.isSafeInteger(folds) || folds < 2) throw new OptionError(`${where}: folds must be an integer >= 2, got ${describe(folds)}`);
  return folds;
}

/** A signal option: undefined or an AbortSignal (anything else would fail later with a TypeError of its own). */
export function checkSignal(where: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new OptionError(`${where}: signal must be an AbortSignal, got ${describe(signal)}`);
  return signal;
}

/** Population mean and std of the fold scores (formula in the file header). */
export function summarise(scores: number[]): CrossValidation {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length);
  return { scores, mean, std };
}

/**
 * crossValidate with a shared concurrency limit (tune() runs every fold of every trial through one).
 * Waits for every fold to settle — no fit is left running — then rejects with the first failure.
 */
export async function crossValidateWith(run: Limit, makeTrial: MakeTrial, folds: ReturnType<typeof cvFolds>, signal: AbortSignal | undefined): Promise<CrossValidation> {
  const settled = await Promise.allSettled(folds.map((f) => run(() => {
    throwIfAborted(signal, 'crossValidate');
    // Through Promise.resolve: a trial that returns a plain value (or not a promise) gets the score check, not a TypeError.
    return Promise.resolve(makeTrial({ ...f, signal })).then((score) => {
      if (typeof score !== 'number' || Number.isNaN(score)) throw new OptionError(`crossValidate: makeTrial must resolve to a number (fold ${f.index}'s score), got ${describe(score)}`);
      return score;
    });
  })));
  // An abort wins over what the folds it stopped rejected with.
  throwIfAborted(signal, 'crossValidate');
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return summarise(settled.map((s) => (s as PromiseFulfilledResult<number>).value));
}

/** Scores one configuration by k-fold cross-validation: per-fold scores, their mean and std. */
export async function crossValidate(makeTrial: MakeTrial, options: CrossValidateOptions): Promise<CrossValidation> {
  const W = 'crossValidate';
  if (typeof makeTrial !== 'function') throw new OptionError(`${W}: makeTrial must be a function (fold) => Promise<score>, got ${typeof makeTrial}`);
  const o = checkOptions(W, options, KEYS);
  const folds = cvFolds(W, o);
  const concurrency = positiveInt(W, 'concurrency', o.concurrency ?? availableParallelism());
  return crossValidateWith(limit(concurrency), makeTrial, folds, checkSignal(W, o.signal));
}
