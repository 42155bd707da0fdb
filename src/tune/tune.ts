/**
 * tune(space, options): the hyper-parameter search the regularisation chapters recommend, done
 * properly — every configuration of a grid (or `trials` seeded random ones, ./space.ts) scored by
 * k-fold cross-validation BY UNIT (./cross-validate.ts) of the §1 backbone on run-to-failure data
 * (./backbone-trial.ts; the built-in engines by default), or of a trial of the caller's over `samples`
 * rows (plain k-fold: tableTrial, ./table-trial.ts, for the MLP on a table). Every fold of every trial goes through one
 * concurrency limit (default: the core count); each fit runs in its own worker thread, so that is
 * how trials run in parallel. Scores do not depend on the concurrency: each fold is seeded by itself.
 *
 * Results are sorted by mean score (lower is better; ties keep the enumeration order), with the
 * per-fold scores and their std; the best is the first unless every trial diverged. Aborting the
 * signal stops the running fits and resolves with the trials that had finished every fold, marked
 * `interrupted`; giving those back as `finished` to the same search resumes it, running only the
 * others (each fold is seeded by itself, so the result is the uninterrupted search's).
 */
import { availableParallelism } from 'node:os';
import { DataError, OptionError } from '../errors.js';
import type { SeriesTable } from '../data/series.js';
import { checkSeries } from '../data/series-check.js';
import { runToFailure } from '../datasets/run-to-failure.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';
import { describe } from '../data/validate.js';
import { checkConditions } from '../data/operating-conditions.js';
import { backboneFolds, checkChannels } from './backbone-trial.js';
import { checkSignal, type CrossValidation, crossValidateWith, cvFolds, type MakeTrial } from './cross-validate.js';
import { limit } from './limit.js';
import { checkSpace, gridPoint, gridSize, randomConfigs, type TrialConfig, TUNE_KEYS, type TuneSpace } from './space.js';

/** Options of tune. */
export interface TuneOptions {
  /** The units to cross-validate. Default: the built-in run-to-failure training engines of `seed`. */
  table?: SeriesTable;
  /** The channels the model reads. Default: the built-in data's 14 informative sensors; with `table`, every column (but `conditions`). */
  channels?: readonly string[];
  /** With `table`: its operating-setting columns; each fold's conditions and a scaler per condition are fitted on its training units. Default none. */
  conditions?: readonly string[];
  /** Cycles per window. Default 30. */
  window?: number;
  /** Epochs per fold. Default 10. */
  epochs?: number;
  /** Folds (by unit). Default 3. */
  folds?: number;
  /** Random search: this many distinct configurations. Default: the whole grid. */
  trials?: number;
  /** Seed of the built-in data, the folds, the random search, the initial weights, batch order and dropout. Default 0. */
  seed?: number;
  /**
   * Fits running at once (each in a worker thread). Default os.availableParallelism(). The native
   * thread pool is one per process and a fit that finds it busy runs serially, so with concurrency > 1
   * setNumThreads(cores / concurrency) first is faster (keel tune does: 10–15% on 2 cores).
   */
  concurrency?: number;
  /**
   * A trial of your own instead of the backbone's, e.g. `(config) => tableTrial(config, settings)`:
   * folds are then plain k-fold over `samples` (give both; not with table, channels or window).
   */
  trial?: (config: TrialConfig) => MakeTrial;
  /** With `trial`: the number of samples (rows) to cut into folds. */
  samples?: number;
  /** Stops the search; tune resolves with the finished trials, `interrupted: true`. */
  signal?: AbortSignal;
  /**
   * Trials of this same search already scored (an interrupted run's `trials`, or keel tune's results
   * file read back): kept as they are, not run again, and counted as finished. Each must be one of
   * the search's trials: its index within the planned ones, its config the one at that index, one
   * score per fold. Default none.
   */
  finished?: readonly TrialResult[];
  /**
   * Called when a trial has finished all its folds: `done` trials so far of `total`, and those
   * trials (a copy, in the order they finished), e.g. to save them as they come. If it throws, the
   * search stops and tune rejects with that error (keel tune catches a refused write itself and
   * aborts through `signal`, so the finished trials are still returned).
   */
  onTrial?: (trial: TrialResult, done: number, total: number, finished: readonly TrialResult[]) => void;
}

/** One configuration's cross-validated score. */
export interface TrialResult extends CrossValidation {
  /** Position in the search's order (grid order, or the random draw's). */
  index: number;
  /** The hyper-parameters tried. */
  config: TrialConfig;
}

/** What tune found: every finished trial, best first, and the search's settings. */
export interface TuneResult {
  /** Finished trials, best (lowest mean held-out score: RMSE in cycles for the backbone) first. */
  trials: TrialResult[];
  /** trials[0] when its mean is finite; null when no trial finished or every one diverged. */
  best: TrialResult | null;
  /** Whether the whole grid was searched or `trials` random configurations. */
  search: 'grid' | 'random';
  /** Trials planned; fewer finished when interrupted. */
  planned: number;
  /** True when the signal stopped the search before every trial finished. */
  interrupted: boolean;
  /** Folds per trial. */
  folds: number;
  /** Epochs per fold. */
  epochs: number;
  /** The search's seed. */
  seed: number;
  /** Wall time of the search, in seconds. */
  seconds: number;
}

const W = 'tune';
const KEYS = ['table', 'channels', 'conditions', 'window', 'epochs', 'folds', 'trials', 'seed', 'concurrency', 'trial', 'samples', 'signal', 'onTrial', 'finished'] as const;

/** Ascending mean; a non-finite mean (a diverged fold) last; ties by index: the order of TuneResult.trials. */
export function byMean(a: TrialResult, b: TrialResult): number {
  const ma = Number.isNaN(a.mean) ? Infinity : a.mean, mb = Number.isNaN(b.mean) ? Infinity : b.mean;
  return ma - mb || a.index - b.index || 0;
}

/** `finished` checked against the search: by index, each the trial of its configuration with a score per fold. */
function checkFinished(finished: readonly TrialResult[] | undefined, configs: readonly TrialConfig[], folds: number): Map<number, TrialResult> {
  const byIndex = new Map<number, TrialResult>();
  if (finished === undefined) return byIndex;
  if (!Array.isArray(finished)) throw new OptionError(`${W}: finished must be an array of TrialResult, got ${describe(finished)}`);
  finished.forEach((t: TrialResult, i) => {
    const at = `finished[${i}]`;
    if (typeof t !== 'object' || t === null) throw new OptionError(`${W}: ${at} must be a TrialResult, got ${describe(t)}`);
    if (!Number.isInteger(t.index) || t.index < 0 || t.index >= configs.length) {
      throw new OptionError(`${W}: ${at}.index must be an integer in [0, ${configs.length - 1}] (the search plans ${configs.length} trials), got ${describe(t.index)}`);
    }
    if (byIndex.has(t.index)) throw new OptionError(`${W}: ${at}.index ${t.index} is given twice`);
    const config = configs[t.index]!;
    const differs = TUNE_KEYS.find((k) => t.config?.[k] !== config[k]);
    if (differs !== undefined) {
      throw new OptionError(`${W}: ${at} is not a trial of this search: its config has ${differs} ${describe(t.config?.[differs])}, trial ${t.index} of the search has ${config[differs]}`);
    }
    if (!Array.isArray(t.scores) || t.scores.length !== folds || !t.scores.every((v) => typeof v === 'number')) {
      throw new OptionError(`${W}: ${at}.scores must hold one number per fold (${folds}), got ${describe(t.scores)}`);
    }
    if (typeof t.mean !== 'number' || typeof t.std !== 'number') throw new OptionError(`${W}: ${at}.mean and .std must be numbers, got ${describe(t.mean)} and ${describe(t.std)}`);
    byIndex.set(t.index, { index: t.index, config, scores: [...t.scores], mean: t.mean, std: t.std });
  });
  return byIndex;
}

/**
 * The trial for each configuration and the folds: the §1 backbone by unit of the table (or the
 * built-in engines), or the caller's trial over `samples` rows.
 */
function trialsAndFolds(o: TuneOptions, seed: number, epochs: number): { trialOf: (config: TrialConfig) => MakeTrial; folds: ReturnType<typeof cvFolds> } {
  if (o.trial !== undefined || o.samples !== undefined) {
    if (typeof o.trial !== 'function') throw new OptionError(`${W}: trial must be a function (config) => MakeTrial, given with samples, got ${describe(o.trial)}`);
    const given = (['table', 'channels', 'conditions', 'window'] as const).find((k) => o[k] !== undefined);
    if (given) throw new OptionError(`${W}: ${given} is for the backbone's trial; a trial of your own reads its own data`);
    const trial = o.trial;
    // The factory's result is checked per configuration: a non-function would otherwise be a TypeError deep in crossValidate.
    const trialOf = (config: TrialConfig): MakeTrial => {
      const make = trial(config);
      if (typeof make !== 'function') throw new OptionError(`${W}: trial(config) must return a function (fold) => Promise<score>, got ${describe(make)} for ${JSON.stringify(config)}`);
      return make;
    };
    return { trialOf, folds: cvFolds(W, { samples: positiveInt(W, 'samples', o.samples), folds: o.folds ?? 3, seed }) };
  }
  const window = positiveInt(W, 'window', o.window ?? 30);
  const builtin = o.table === undefined ? runToFailure({ seed }) : null;
  const table = builtin ? builtin.train : checkSeries(W, 'table', o.table);
  if (builtin && o.conditions !== undefined) throw new OptionError(`${W}: conditions are setting columns of your table; the built-in engines have one operating condition`);
  const channels = checkChannels(W, o.channels ?? builtin?.informative ?? table.columns.filter((c) => !o.conditions?.includes(c)), table.columns);
  const conditions = o.conditions === undefined ? undefined : checkConditions(W, o.conditions, table.columns, channels);
  // Up front: a unit shorter than the window gives no window, and a fold holding only such units
  // would fail mid-search, on some seeds and not others. Leaving them out is the caller's choice.
  const short = table.units.filter((u) => u.values.shape[0]! < window);
  if (short.length > 0) {
    const ids = short.slice(0, 10).map((u) => describe(u.id)).join(', ') + (short.length > 10 ? ', …' : '');
    throw new DataError(`${W}: ${short.length} of the ${table.units.length} units of the table have fewer than window (${window}) rows, so no window (units ${ids}); leave them out of table or give a smaller window`);
  }
  return {
    trialOf: (config) => backboneFolds(config, { table, channels, ...(conditions && { conditions }), window, epochs, seed }),
    folds: cvFolds(W, { groups: table.units.map((u) => u.id), folds: o.folds ?? 3, seed }, 'units'),
  };
}

/** Scores every configuration of `space` (the grid, or `trials` random ones) by k-fold cross-validation (by unit for the §1 backbone); results sorted best first (see the file header). */
export async function tune(space: TuneSpace, options: TuneOptions = {}): Promise<TuneResult> {
  const o = checkOptions(W, options, KEYS);
  const s = checkSpace(W, space);
  const seed = nonNegativeInt(W, 'seed', o.seed ?? 0);
  const epochs = positiveInt(W, 'epochs', o.epochs ?? 10);
  const concurrency = positiveInt(W, 'concurrency', o.concurrency ?? availableParallelism());
  if (o.onTrial !== undefined && typeof o.onTrial !== 'function') throw new OptionError(`${W}: onTrial must be a function, got ${describe(o.onTrial)}`);
  checkSignal(W, o.signal);
  const { trialOf, folds } = trialsAndFolds(o, seed, epochs);
  const size = gridSize(s);
  if (o.trials !== undefined && positiveInt(W, 'trials', o.trials) > size) {
    throw new OptionError(`${W}: trials must not exceed the ${size} combinations of the space (leave it out to search the whole grid), got ${o.trials}`);
  }
  const configs = o.trials === undefined ? Array.from({ length: size }, (_, i) => gridPoint(s, i)) : randomConfigs(space, o.trials, seed);
  const given = checkFinished(o.finished, configs, folds.length);

  // One internal signal: the caller's abort, or the first real failure, stops every other fit.
  const stop = new AbortController();
  const onAbort = () => stop.abort(o.signal!.reason);
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const run = limit(concurrency);
  const finished: TrialResult[] = [...given.values()];
  let failure: { error: unknown } | null = null;
  const started = performance.now();
  try {
    await Promise.all(configs.map(async (config, index) => {
      if (given.has(index)) return;
      try {
        const trial: TrialResult = { index, config, ...(await crossValidateWith(run, trialOf(config), folds, stop.signal)) };
        finished.push(trial);
        o.onTrial?.(trial, finished.length, configs.length, finished.slice());
      } catch (error) {
        if (stop.signal.aborted) return; // stopped on purpose: the trial is dropped
        failure = { error };
        stop.abort(error);
      }
    }));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw (failure as { error: unknown }).error;
  const trials = finished.sort(byMean);
  return {
    trials, best: trials[0] !== undefined && Number.isFinite(trials[0].mean) ? trials[0] : null, search: o.trials === undefined ? 'grid' : 'random',
    planned: configs.length, interrupted: trials.length < configs.length,
    folds: folds.length, epochs, seed, seconds: (performance.now() - started) / 1000,
  };
}
