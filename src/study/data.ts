/**
 * The study's data, prepared the way the README teaches (no leakage): run-to-failure units — the
 * built-in engines of one seed, or a caller's (StudySource: `keel demo --data csv:FILE`) — split BY
 * UNIT into fitting and validation units; a Standardizer fitted on the fitting units only; 30-cycle
 * windows (the built-in data's 14 informative sensors) with RUL targets capped at 125, divided by 125
 * so the loss is O(1) (RMSE in cycles = 125·√MSE); and the test units' last windows with their true,
 * uncapped RUL in cycles, when there are test units.
 */
import { groupSplit } from '../data/group-split.js';
import { fitStandardizer } from '../data/operating-conditions.js';
import type { SeriesTable } from '../data/series.js';
import type { WindowDataset } from '../data/window-dataset.js';
import { slidingWindows } from '../data/windows.js';
import { runToFailure } from '../datasets/run-to-failure.js';
import { DataError } from '../errors.js';
import { div } from '../functional/arithmetic.js';
import type { Tensor } from '../tensor/tensor.js';

export const WINDOW = 30;
/** RUL cap, and the target scale: targets are RUL/RUL_CAP. */
export const RUL_CAP = 125;

/** A loss (MSE of RUL/RUL_CAP) as RMSE in cycles: RUL_CAP·√MSE (NaN when there is none). */
export function rmseCycles(mse: number | undefined): number {
  return RUL_CAP * Math.sqrt(mse ?? NaN);
}

/** Share of the training engines held out for validation (8 of the default 20). */
export const VALIDATION_SHARE = 0.4;

export interface StudyData {
  /** What the units are, for the report ("Built-in run-to-failure data, seed 0"). */
  description: string;
  /** Rows per window (cycles). */
  window: number;
  /**
   * Windows (C, window) of the fitting engines with their targets RUL/125, cut as batches are drawn
   * (a user's file at stride 1 would take 30 times its table as one tensor).
   */
  fit: WindowDataset;
  /** The same for the validation engines. */
  validation: WindowDataset;
  /** The last window of each test engine, and its true RUL in cycles (not capped); null without test units. */
  testX: Tensor | null;
  testRul: Tensor | null;
  /** Engines (units) on each side of the split. */
  engines: {
    /** Training engines the model is fitted on. */
    fit: number;
    /** Training engines held out for validation (split by unit, so no engine is on both sides). */
    validation: number;
    /** Test engines, scored on their last window (0 without test units). */
    test: number;
  };
}

/** A caller's run-to-failure units for the study, in place of the built-in data. */
export interface StudySource {
  /** Units run to failure (RUL 0 at each unit's last row), split by unit into fitting and validation units. */
  train: SeriesTable;
  /**
   * Units cut before failure, each with its true RUL at its last row (`rulAtEnd`, as withRulFile or
   * datasets.runToFailure's test set give it), scored on their last window (a unit shorter than the
   * window repeats its first row). Default none: no test RMSE or PHM08.
   */
  test?: SeriesTable;
  /** The columns the backbone reads, by name. Default every column (but `conditions`). */
  channels?: readonly string[];
  /** Operating-setting columns (not channels): the conditions and a scaler per condition are fitted on the fitting units (OperatingConditions). Default none. */
  conditions?: readonly string[];
  /** Share of the training units held out for validation, in (0, 1). Default 0.2 (keel train's). */
  validationShare?: number;
  /** Rows per window. Default 30 (units with fewer rows give no training window). */
  window?: number;
  /** What the units are, for the report. Default "Run-to-failure data". */
  description?: string;
}

/** The built-in engines of `seed` as the study uses them: 20 training engines, 8 of them held out for validation. */
function builtIn(seed: number): StudySource {
  const ds = runToFailure({ seed });
  return {
    train: ds.train, test: ds.test, channels: ds.informative, validationShare: VALIDATION_SHARE, window: WINDOW,
    description: `Built-in run-to-failure data, seed ${seed}`,
  };
}

/** The study's windows of `source`'s units (default: `seed`'s built-in engines), split by `seed`. */
export function studyData(seed: number, source: StudySource = builtIn(seed)): StudyData {
  const share = source.validationShare ?? 0.2, window = source.window ?? WINDOW;
  const [fitEngines, valEngines] = groupSplit(source.train, [1 - share, share], seed) as [SeriesTable, SeriesTable];
  if (fitEngines.units.length === 0 || valEngines.units.length === 0) {
    throw new DataError(`regularisationStudy: a validation share of ${share} leaves no ${fitEngines.units.length === 0 ? 'fitting' : 'validation'} unit among the ${source.train.units.length}; the study needs at least one on each side`);
  }
  const { scale } = fitStandardizer(fitEngines, source.conditions); // per operating condition, with settings
  const channels = source.channels ?? (source.conditions && source.train.columns.filter((c) => !source.conditions!.includes(c)));
  const options = { window, ...(channels ? { channels } : {}), targets: 'rul', rulCap: RUL_CAP } as const;
  const fit = slidingWindows(scale(fitEngines), options);
  const val = slidingWindows(scale(valEngines), options);
  const test = source.test ? slidingWindows(scale(source.test), { ...options, last: true, pad: 'edge', rulCap: Infinity }) : null;
  return {
    description: source.description ?? 'Run-to-failure data', window,
    fit: fit.toDataset(div(fit.y!, RUL_CAP)), validation: val.toDataset(div(val.y!, RUL_CAP)),
    testX: test?.x ?? null, testRul: test?.y ?? null,
    engines: { fit: fitEngines.units.length, validation: valEngines.units.length, test: source.test?.units.length ?? 0 },
  };
}
