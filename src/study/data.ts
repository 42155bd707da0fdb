/**
 * The study's data, prepared the way the README teaches (no leakage): the built-in run-to-failure
 * engines of one seed; the training engines split BY ENGINE into fitting and validation engines;
 * a Standardizer fitted on the fitting engines only; 30-cycle windows over the 14 informative sensors
 * with RUL targets capped at 125, divided by 125 so the loss is O(1) (RMSE in cycles = 125·√MSE);
 * and the test engines' last windows with their true, uncapped RUL in cycles.
 */
import { groupSplit } from '../data/group-split.js';
import { Standardizer } from '../data/scalers/standardizer.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows } from '../data/windows.js';
import { runToFailure } from '../datasets/run-to-failure.js';
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
  /** Windows (N, 14, 30) of the fitting engines and their targets RUL/125, (N, 1). */
  x: Tensor;
  y: Tensor;
  /** The same for the validation engines. */
  valX: Tensor;
  valY: Tensor;
  /** The last window of each test engine, and its true RUL in cycles (not capped). */
  testX: Tensor;
  testRul: Tensor;
  /** Engines (units) on each side of the split. */
  engines: {
    /** Training engines the model is fitted on. */
    fit: number;
    /** Training engines held out for validation (split by unit, so no engine is on both sides). */
    validation: number;
    /** Test engines, scored on their last window. */
    test: number;
  };
}

export function studyData(seed: number): StudyData {
  const ds = runToFailure({ seed });
  const [fitEngines, valEngines] = groupSplit(ds.train, [1 - VALIDATION_SHARE, VALIDATION_SHARE], seed) as [SeriesTable, SeriesTable];
  const scaler = new Standardizer().fit(fitEngines);
  const options = { window: WINDOW, channels: ds.informative, targets: 'rul', rulCap: RUL_CAP } as const;
  const fit = slidingWindows(scaler.transform(fitEngines), options);
  const val = slidingWindows(scaler.transform(valEngines), options);
  const test = slidingWindows(scaler.transform(ds.test), { ...options, last: true, rulCap: Infinity });
  return {
    x: fit.x, y: div(fit.y!, RUL_CAP),
    valX: val.x, valY: div(val.y!, RUL_CAP),
    testX: test.x, testRul: test.y!,
    engines: { fit: fitEngines.units.length, validation: valEngines.units.length, test: ds.test.units.length },
  };
}
