/**
 * backboneTrial: one configuration of the DESIGN.md §1 backbone, as a crossValidate trial on
 * run-to-failure units — what `keel train` does, per fold and without leakage. The fold's samples are
 * UNITS of the table: a Standardizer is fitted on the training units only (per operating condition
 * with `conditions`), then 30-cycle windows with
 * RUL targets capped at 125 and divided by 125 (as src/study/data.ts), the backbone is built from the
 * seed (same initial weights for every configuration and fold: comparisons are paired) and trained
 * with AdamW and the configuration's dropout, weight decay, BatchNorm momentum, learning rate and
 * batch size. The score is the held-out units' RMSE in cycles after the last epoch (eval mode):
 *
 *   score = 125 · √(validation MSE of RUL/125)
 *
 * not the best epoch's, which would pick the epoch on the very fold being scored. A run whose loss
 * turns non-finite (too large a learning rate) scores Infinity.
 */
import { OptionError } from '../errors.js';
import { checkConditions, fitStandardizer } from '../data/operating-conditions.js';
import { checkSeries } from '../data/series-check.js';
import { describe } from '../data/validate.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows } from '../data/windows.js';
import type { WindowDataset } from '../data/window-dataset.js';
import { div } from '../functional/arithmetic.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { throwIfAborted } from '../train/abort.js';
import { NonFiniteLossError } from '../train/errors.js';
import { fit } from '../train/fit.js';
import type { CvFold, MakeTrial } from './cross-validate.js';
import { seededBuild } from './table-trial.js';
import { RUL_CAP, rmseCycles } from '../study/data.js';
import { checkConfig, type TrialConfig } from './space.js';

/** What backboneTrial trains: the data, its channels and window, epochs and seed. */
export interface BackboneTrialSettings {
  /** The units to cross-validate (fold indices are positions in table.units). */
  table: SeriesTable;
  /** The channels the model reads (column names of the table). */
  channels: readonly string[];
  /** Operating-setting columns of the table (not channels): each fold's conditions and a scaler per condition are fitted on its training units (OperatingConditions). Default none. */
  conditions?: readonly string[];
  /** Cycles per window. */
  window: number;
  /** Epochs per fold. */
  epochs: number;
  /** Seed of the initial weights, the batch order and dropout. */
  seed: number;
}

/** The §1 backbone with this configuration's dropout and BatchNorm momentum. */
function buildModel(config: TrialConfig, inChannels: number, window: number): nn.Sequential {
  return nn.conv1dBackbone({ inChannels, window, dropout: config.dropout, bnMomentum: config.bnMomentum });
}

/** The scaled units' windows (C, window) and their targets RUL/125, cut per batch (a WindowDataset). */
function windows(scaled: SeriesTable, s: BackboneTrialSettings): WindowDataset {
  const w = slidingWindows(scaled, { window: s.window, channels: s.channels, targets: 'rul', rulCap: RUL_CAP });
  return w.toDataset(div(w.y, RUL_CAP));
}

/**
 * A MakeTrial for crossValidate: per fold, a Standardizer fitted on the fold's training units, windows,
 * the §1 backbone with the configuration's dropout and BatchNorm momentum trained by fit, and the
 * validation RMSE in cycles as the score.
 */
export function backboneTrial(config: TrialConfig, settings: BackboneTrialSettings): MakeTrial {
  const c = checkConfig(W, config);
  const s = checkSettings(settings);
  return backboneFolds(c, s);
}

const W = 'backboneTrial';
const SETTINGS = ['table', 'channels', 'conditions', 'window', 'epochs', 'seed'] as const;

/** backboneTrial's settings, every one required (the public entry point checks what tune() checked for its own calls). */
function checkSettings(settings: unknown): BackboneTrialSettings {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new OptionError(`${W}: settings must be an object with ${SETTINGS.filter((k) => k !== 'conditions').join(', ')} (and optionally conditions), got ${describe(settings)}`);
  }
  const o = checkOptions(W, settings as BackboneTrialSettings, SETTINGS);
  const table = checkSeries(W, 'settings.table', o.table);
  const channels = checkChannels(W, o.channels, table.columns);
  return {
    table, channels, ...(o.conditions !== undefined && { conditions: checkConditions(W, o.conditions, table.columns, channels) }),
    window: positiveInt(W, 'settings.window', o.window), epochs: positiveInt(W, 'settings.epochs', o.epochs), seed: nonNegativeInt(W, 'settings.seed', o.seed),
  };
}


/** `channels`: a non-empty array of column names of the table. */
export function checkChannels(where: string, channels: unknown, columns: readonly string[]): readonly string[] {
  if (!Array.isArray(channels) || channels.length === 0 || channels.some((c) => !columns.includes(c))) {
    throw new OptionError(`${where}: channels must be a non-empty array of column names of the table (${columns.join(', ')}), got ${describe(channels)}`);
  }
  return channels;
}

/** backboneTrial on checked arguments (tune() checks its own once, not per configuration). */
export function backboneFolds(config: TrialConfig, s: BackboneTrialSettings): MakeTrial {
  return async (fold: CvFold) => {
    const pick = (idx: Int32Array): SeriesTable => ({ columns: s.table.columns, units: Array.from(idx, (u) => s.table.units[u]!) });
    const fitUnits = pick(fold.train);
    const { scale } = fitStandardizer(fitUnits, s.conditions);
    const train = windows(scale(fitUnits), s), val = windows(scale(pick(fold.validation)), s);
    const model = seededBuild(s.seed, () => buildModel(config, s.channels.length, s.window));
    try {
      const history = await fit(model, {
        data: train, validationData: val,
        epochs: s.epochs, batchSize: config.batchSize, seed: s.seed,
        optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, config.weightDecay), { lr: config.lr }),
        verbose: false,
        checks: false, // the search sets its dropout rates on purpose: no once-per-worker warning about each
        ...(fold.signal ? { signal: fold.signal } : {}),
      });
      if (history.stopped === 'aborted') throwIfAborted(fold.signal, 'tune');
      return rmseCycles(history.values('valLoss').at(-1));
    } catch (e) {
      if (e instanceof NonFiniteLossError) return Infinity;
      throw e;
    }
  };
}
