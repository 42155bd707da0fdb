/**
 * Time series by unit: the shape in which run-to-failure data travels between the loaders
 * (readCsv with a grouping column), the built-in dataset (datasets.runToFailure), the scalers and
 * slidingWindows. A table is a list of units (engines, machines, patients), each a (T, C) tensor with
 * one row per time step and one column per channel, plus what windowing and scoring need: the time
 * column, an operating-condition label per row, and for a unit cut before failure its true RUL at the
 * last row. Splits that must not leak (groupSplit, groupKFold) work on units, never on rows.
 */
import type { Tensor } from '../tensor/tensor.js';

/** One unit's series. */
export interface UnitSeries {
  /** The unit's id: the grouping column's value, or its position when there is none. */
  readonly id: string | number;
  /** (T, C): row t is time step t, column c is channel `columns[c]` of the table. */
  readonly values: Tensor;
  /** The time column (e.g. cycle numbers), one value per row, when the source has one. */
  readonly time?: Float64Array;
  /** Operating-condition label per row (0 .. K − 1), when known. */
  readonly conditions?: Int32Array;
  /**
   * True remaining useful life at the last row, for a unit cut before failure (a test unit). Absent
   * for a unit observed until failure (its RUL at the last row is 0).
   */
  readonly rulAtEnd?: number;
  /** The unit's label as written (a class name or a number), for a labelled sequence (readCsv's `labels` with `group`). */
  readonly label?: string;
}

/** Units that share their channels. */
export interface SeriesTable {
  /** Channel names, one per column of every unit's values. */
  readonly columns: readonly string[];
  /** The units (engines), each a (T, C) series with its id. */
  readonly units: readonly UnitSeries[];
}
