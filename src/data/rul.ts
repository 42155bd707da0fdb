/**
 * rulTargets: the remaining-useful-life target of every row of every unit, piecewise linear with a
 * cap, as is usual for run-to-failure data (DESIGN.md §9). For a unit of T rows whose true RUL at
 * its last row is R (a test unit's `rulAtEnd`; 0 for a unit observed until failure), row t has
 *
 *   RUL_t = min(cap, R + (time_{T−1} − time_t)),   t = 0 .. T − 1
 *
 * in the units of its time column (cycles in C-MAPSS), or, for a unit without one, with the row
 * numbers as its time (time_t = t): the target falls by one per row. Where cycles are consecutive
 * the two agree; where a unit skips cycles (rows dropped, readings every few cycles) only the time
 * column gives the cycles that remain. Early rows — where the sensors carry no wear signal yet — all
 * share the constant `cap` (125 by default) instead of an unlearnable large number. `cap: Infinity`
 * gives the plain linear RUL.
 */
import { DataError, OptionError } from '../errors.js';
import { checkOptions } from '../functional/validate.js';
import type { SeriesTable, UnitSeries } from './series.js';
import { checkSeries, unitName } from './series-check.js';
import { describe } from './validate.js';

/** Options of rulTargets. */
export interface RulTargetsOptions {
  /** The largest target: a positive number, or Infinity for no cap. Default 125. */
  cap?: number;
}

/** A unit's true RUL at its last row: its `rulAtEnd`, 0 when absent (run to failure). */
export function rulAtEnd(where: string, unit: UnitSeries, u: number): number {
  const r = unit.rulAtEnd;
  if (r === undefined) return 0;
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0) {
    throw new DataError(`${where}: ${unitName(unit, u)}: rulAtEnd must be a finite number >= 0, got ${describe(r)}`);
  }
  return r;
}

/** Checks a cap: a positive number, Infinity allowed. */
export function checkCap(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0)) throw new OptionError(`${where}: ${name} must be a positive number (Infinity for no cap), got ${describe(v)}`);
  return v;
}

/** A unit's time column, checked: one finite value per row, increasing (readCsv refuses anything else too); null when it has none. */
function unitTime(where: string, unit: UnitSeries, u: number, T: number): Float64Array | null {
  const time = unit.time;
  if (time === undefined) return null;
  if (!(time instanceof Float64Array) || time.length !== T) {
    throw new DataError(`${where}: ${unitName(unit, u)}: time must be a Float64Array of one value per row (${T}), got ${time instanceof Float64Array ? `${time.length} values` : describe(time)}`);
  }
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(time[t]!) || (t > 0 && !(time[t]! > time[t - 1]!))) {
      throw new DataError(`${where}: ${unitName(unit, u)}: time must be finite and increase from row to row, got ${time[t]} at row ${t}${t > 0 ? ` after ${time[t - 1]}` : ''}`);
    }
  }
  return time;
}

/** The capped RUL of every row of every unit (formula in the header): one Float32Array of T values per unit, in unit order. */
export function rulTargets(table: SeriesTable | readonly UnitSeries[], options?: RulTargetsOptions): Float32Array[] {
  const W = 'rulTargets';
  const o = checkOptions(W, options, ['cap']);
  const cap = o.cap === undefined ? 125 : checkCap(W, 'cap', o.cap);
  const { units } = checkSeries(W, 'table', table);
  return units.map((unit, u) => {
    const end = rulAtEnd(W, unit, u);
    const T = unit.values.shape[0]!;
    const time = unitTime(W, unit, u, T);
    const out = new Float32Array(T);
    for (let t = 0; t < T; t++) out[t] = Math.min(cap, end + (time ? time[T - 1]! - time[t]! : T - 1 - t));
    return out;
  });
}
