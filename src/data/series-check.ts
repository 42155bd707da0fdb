/**
 * Argument checks for functions that take run-to-failure series (internal): rulTargets,
 * slidingWindows, groupSplit and the scalers accept a SeriesTable or a bare list of UnitSeries, and
 * all of them need the same guarantees before they index rows — at least one unit, and every unit's
 * values a (T, C) Tensor with the table's C columns — so a malformed table fails here with the
 * caller's name, the unit and what was wrong, never later as a silently misread row.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import type { SeriesTable, UnitSeries } from './series.js';
import { describe } from './validate.js';

/** A checked table: its units and their column names. */
export interface CheckedSeries {
  /**
   * The table's column names; for a bare list of units, the column positions as strings
   * ('0', '1', ...), since such a list has no names.
   */
  readonly columns: readonly string[];
  readonly units: readonly UnitSeries[];
}

/** How a unit is named in messages: its id and its position. */
export function unitName(unit: UnitSeries, u: number): string {
  return `unit ${describe(unit.id)} (units[${u}])`;
}

/** Whether `v` looks like a SeriesTable (an object with `columns` and `units` arrays). */
export function isSeriesTable(v: unknown): v is SeriesTable {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as SeriesTable).columns) && Array.isArray((v as SeriesTable).units);
}

/** Checks a SeriesTable or a list of units (see the header); `name` is the argument's name. */
export function checkSeries(where: string, name: string, v: unknown): CheckedSeries {
  let columns: readonly string[] | null = null;
  let units: readonly UnitSeries[];
  if (isSeriesTable(v)) {
    v.columns.forEach((c, i) => {
      if (typeof c !== 'string') throw new OptionError(`${where}: ${name}.columns[${i}] must be a string, got ${describe(c)}`);
    });
    columns = v.columns;
    units = v.units;
  } else if (Array.isArray(v)) {
    units = v as UnitSeries[];
  } else {
    throw new OptionError(`${where}: ${name} must be a SeriesTable { columns, units } or an array of units, got ${describe(v)}`);
  }
  if (units.length === 0) throw new DataError(`${where}: ${name} has no units`);
  const width = columns?.length ?? (units[0]?.values instanceof Tensor ? units[0].values.shape[1] : undefined);
  units.forEach((unit, u) => {
    if (unit === null || typeof unit !== 'object') throw new OptionError(`${where}: ${name} units[${u}] must be a unit { id, values, ... }, got ${describe(unit)}`);
    if (typeof unit.id !== 'string' && typeof unit.id !== 'number') {
      throw new OptionError(`${where}: units[${u}].id must be a string or a number, got ${describe(unit.id)}`);
    }
    const x = unit.values;
    if (!(x instanceof Tensor) || x.ndim !== 2) {
      // Not a Tensor: the wrong kind of argument; a Tensor of another rank: the wrong shape.
      const E = x instanceof Tensor ? ShapeError : OptionError;
      throw new E(`${where}: ${unitName(unit, u)}: values must be a 2-D (time, channels) Tensor, got ${describe(x)}`);
    }
    if (x.shape[1] !== width) {
      throw new ShapeError(`${where}: ${unitName(unit, u)}: values ${formatShape(x.shape)} must have ${width} columns (${columns ? `the table's ${width} columns` : 'as units[0] has'})`);
    }
  });
  return { columns: columns ?? Array.from({ length: width ?? 0 }, (_, i) => String(i)), units };
}
