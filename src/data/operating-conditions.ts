/**
 * OperatingConditions: which operating condition each row of a run-to-failure table was recorded
 * under, read off its setting columns — NASA C-MAPSS FD002 and FD004 fly six conditions (altitude,
 * Mach number, throttle angle) that shift every sensor far more than wear does, so each channel is
 * standardised per condition (DESIGN.md §9; Standardizer({ perCondition: true })). fit learns the
 * conditions from the training units; transform labels the rows of any table with them (the units'
 * `conditions`), so new data is scaled with the statistics of the condition it was recorded under.
 *
 * Levels. Operating settings are set points with a little jitter, so each setting column's values
 * fall into a few levels separated by gaps. fit sorts a column's values and ends a level where the
 * next value lies more than `tolerance` × the column's range above the last; a gap no wider than the
 * level on either side of it is jitter inside one level and is closed (repeatedly, until every gap
 * left is wider than both neighbours). FD002's altitude: six levels 0, 10, 20, 25, 35 and 42 (kft),
 * each 0.01 wide. Jitter recorded with few digits lies on a grid: FD001's second setting takes the 13
 * values −0.0006, −0.0005, … 0.0006, all one step apart. Three or more single values evenly spaced are
 * such a grid and make one level — unless they are integers, which are labels or set points
 * (a condition column 0 … 5, a throttle of 60 or 100): each integer is a level of its own.
 *
 * Conditions are the combinations of levels that fitted rows have, numbered 0, 1, … in ascending
 * order of their levels (the first column's, then the next's). transform puts each value in its
 * nearest level if it lies within that level's reach, max(its width, tolerance × the column's range),
 * and a row whose levels are not a fitted condition (an unseen setting, NaN) is a DataError naming
 * the unit, the row and its settings: a model has no statistics for a condition it never saw.
 *
 * Also here, for keel's own commands: fitStandardizer (the scaler per condition that keel train,
 * tune's folds and the study fit), settingLevels (keel train's hint at --conditions) and
 * checkConditions (the `conditions` option of tune and the study).
 */
import { DataError, FormatError, OptionError, StateError } from '../errors.js';
import { checkOptions, numberIn } from '../functional/validate.js';
import { parseJSON } from './scalers/scaler.js';
import { Standardizer } from './scalers/standardizer.js';
import type { SeriesTable } from './series.js';
import { checkSeries, unitName } from './series-check.js';
import { describe } from './validate.js';

/** Options of OperatingConditions. */
export interface OperatingConditionsOptions {
  /** The setting columns, by name (C-MAPSS: the three operational settings). At least one. */
  columns: readonly string[];
  /** A gap wider than this share of a column's range separates two of its levels, in (0, 1). Default 0.01. */
  tolerance?: number;
}

/** OperatingConditions' JSON state (toJSON / OperatingConditions.fromJSON). */
export interface OperatingConditionsJSON {
  /** Always 'OperatingConditions'. */
  type: 'OperatingConditions';
  /** The setting columns, by name. */
  columns: string[];
  /** The options' tolerance: levels lie more than this share of their column's range apart. */
  tolerance: number;
  /** levels[j]: column j's levels as [lowest, highest] value seen, ascending and apart. */
  levels: [number, number][][];
  /** conditions[k]: condition k's level in each column (an index into levels[j]). */
  conditions: number[][];
}

/** More conditions than this is most often a reading (a sensor) named as a setting: fit says so. */
export const MAX_CONDITIONS = 100;
const DEFAULT_TOLERANCE = 0.01;
const W = 'OperatingConditions';

interface Fitted {
  readonly levels: readonly (readonly [number, number])[][];
  readonly conditions: readonly number[][];
  /** The condition of each combination of levels, keyed by levelKey. */
  readonly byKey: ReadonlyMap<string, number>;
}

const levelKey = (levels: readonly number[]): string => levels.join(',');

/** Operating conditions from setting columns (see the file header): fit on training units, then label any table's rows. */
export class OperatingConditions {
  /** The setting columns, by name. */
  readonly columns: readonly string[];
  /** A gap wider than this share of a column's range separates two of its levels. */
  readonly tolerance: number;
  #state: Fitted | null = null;

  constructor(options: OperatingConditionsOptions) {
    if (options === undefined) throw new OptionError(`${W}: options must be given, with columns (the setting columns' names)`);
    const o = checkOptions(W, options, ['columns', 'tolerance']);
    const cols = o.columns as unknown;
    if (!Array.isArray(cols) || cols.length === 0 || !cols.every((c) => typeof c === 'string')) {
      throw new OptionError(`${W}: columns must be a non-empty array of column names, got ${describe(cols)}`);
    }
    const twice = cols.find((c, i) => cols.indexOf(c) !== i);
    if (twice !== undefined) throw new OptionError(`${W}: columns lists ${JSON.stringify(twice)} twice`);
    this.columns = [...(cols as string[])];
    this.tolerance = o.tolerance === undefined ? DEFAULT_TOLERANCE : numberIn(W, 'tolerance', o.tolerance, 0, 1);
    if (this.tolerance === 0 || this.tolerance === 1) throw new OptionError(`${W}: tolerance must be in (0, 1), got ${this.tolerance}`);
  }

  /** The number of conditions fit found. */
  get count(): number {
    return this.#fitted(`${W}.count`).conditions.length;
  }

  /** Learns each setting column's levels and the conditions (combinations of levels) the rows of `table` have; returns this. */
  fit(table: SeriesTable): this {
    const where = `${W}.fit`;
    const { at, units } = this.#settings(where, table);
    const levels = at.map((c, j) => {
      const values: number[] = [];
      for (const unit of units) {
        const [T, C] = unit.values.shape as [number, number];
        for (let t = 0; t < T; t++) {
          const v = unit.values.data[t * C + c]!;
          if (!Number.isFinite(v)) throw new DataError(`${where}: setting ${JSON.stringify(this.columns[j])} is ${v} in unit ${describe(unit.id)}, row ${t}`);
          values.push(v);
        }
      }
      return findLevels(Float64Array.from(values).sort(), this.tolerance, values.every(Number.isInteger));
    });
    const tooMany = (n: string) => {
      const counts = this.columns.map((name, j) => `${name}: ${levels[j]!.length} levels`).join(', ');
      return new DataError(`${where}: the settings give ${n} operating conditions, more than ${MAX_CONDITIONS} (${counts}); settings take a few values each (C-MAPSS FD002: six conditions), so a column with many levels is most often a reading, not a setting`);
    };
    // Every level is some row's, so a column's levels alone can be too many.
    if (levels.some((col) => col.length > MAX_CONDITIONS)) throw tooMany(`at least ${Math.max(...levels.map((col) => col.length))}`);
    const byKey = new Map<string, number[]>();
    for (const unit of units) this.#eachRow(unit, at, levels, (combo) => void byKey.set(levelKey(combo), combo));
    if (byKey.size > MAX_CONDITIONS) throw tooMany(String(byKey.size));
    const conditions = [...byKey.values()].sort(compareCombos);
    this.#state = { levels, conditions, byKey: new Map(conditions.map((combo, k) => [levelKey(combo), k])) };
    return this;
  }

  /** `table` with each unit's `conditions`: the condition of every row (a DataError for a row that matches none). */
  transform(table: SeriesTable): SeriesTable {
    const where = `${W}.transform`;
    const s = this.#fitted(where);
    const { at, units } = this.#settings(where, table);
    return {
      columns: table.columns,
      units: units.map((unit, u) => {
        const conditions = new Int32Array(unit.values.shape[0]!);
        this.#eachRow(unit, at, s.levels, (combo, t) => {
          const k = s.byKey.get(levelKey(combo));
          if (k === undefined) throw this.#unmatched(where, unit, u, t, at);
          conditions[t] = k;
        });
        return { ...unit, conditions };
      }),
    };
  }

  /** fit(table) then transform(table). */
  fitTransform(table: SeriesTable): SeriesTable {
    return this.fit(table).transform(table);
  }

  /** Condition k as its settings' typical values, "c2 ≈ 42, c3 ≈ 0.84, c4 ≈ 100", for messages and reports. */
  describeCondition(k: number): string {
    const s = this.#fitted(`${W}.describeCondition`);
    const combo = s.conditions[k];
    if (combo === undefined) throw new OptionError(`${W}.describeCondition: k must be a condition, 0 … ${s.conditions.length - 1}, got ${describe(k)}`);
    return combo.map((level, j) => {
      const [lo, hi] = s.levels[j]![level]!;
      return `${this.columns[j]} ≈ ${Number(((lo + hi) / 2).toPrecision(4))}`;
    }).join(', ');
  }

  /** The fitted state as plain JSON data (OperatingConditions.fromJSON reads it back exactly). */
  toJSON(): OperatingConditionsJSON {
    const s = this.#fitted(`${W}.toJSON`);
    return {
      type: W, columns: [...this.columns], tolerance: this.tolerance,
      levels: s.levels.map((col) => col.map(([lo, hi]) => [lo, hi])), conditions: s.conditions.map((c) => [...c]),
    };
  }

  /** Rebuilds fitted OperatingConditions from toJSON()'s state (an object or JSON text); a corrupt state throws naming the field. */
  static fromJSON(json: OperatingConditionsJSON | string): OperatingConditions {
    const where = `${W}.fromJSON`;
    const o = parseJSON(where, json);
    const known = ['type', 'columns', 'tolerance', 'levels', 'conditions'];
    for (const key of Object.keys(o)) if (!known.includes(key)) throw new FormatError(`${where}: unknown key "${key}" (known keys: ${known.join(', ')})`);
    if (o.type !== W) throw new FormatError(`${where}: type must be "${W}", got ${describe(o.type)}`);
    let oc: OperatingConditions;
    try {
      oc = new OperatingConditions({ columns: o.columns as string[], tolerance: o.tolerance as number });
    } catch (e) {
      throw new FormatError(`${where}: ${(e as Error).message.replace(`${W}: `, '')}`, { cause: e });
    }
    const levels = o.levels;
    if (!Array.isArray(levels) || levels.length !== oc.columns.length) throw new FormatError(`${where}: levels must hold one array of levels per column (${oc.columns.length}), got ${describe(levels)}`);
    levels.forEach((col: unknown, j) => {
      const ok = Array.isArray(col) && col.length > 0 && col.every((l: unknown, i) =>
        Array.isArray(l) && l.length === 2 && l.every(Number.isFinite) && l[0] <= l[1] && (i === 0 || (col[i - 1] as number[])[1]! < l[0]));
      if (!ok) throw new FormatError(`${where}: levels[${j}] must be [lowest, highest] pairs of finite numbers, ascending and apart, got ${describe(col)}`);
    });
    const conditions = o.conditions;
    const valid = (c: unknown): c is number[] => Array.isArray(c) && c.length === oc.columns.length && c.every((level, j) => Number.isInteger(level) && level >= 0 && level < (levels[j] as unknown[]).length);
    if (!Array.isArray(conditions) || conditions.length === 0 || conditions.length > MAX_CONDITIONS || !conditions.every(valid) || !conditions.every((c, k) => k === 0 || compareCombos(conditions[k - 1] as number[], c) < 0)) {
      throw new FormatError(`${where}: conditions must be 1 … ${MAX_CONDITIONS} distinct combinations of level indices, one per column, in ascending order, got ${describe(conditions)}`);
    }
    const combos = (conditions as number[][]).map((c) => [...c]);
    oc.#state = {
      levels: (levels as [number, number][][]).map((col) => col.map(([lo, hi]) => [lo, hi] as const)),
      conditions: combos, byKey: new Map(combos.map((c, k) => [levelKey(c), k])),
    };
    return oc;
  }

  #fitted(where: string): Fitted {
    if (!this.#state) throw new StateError(`${where}: these OperatingConditions are not fitted yet; call fit(trainingTable) first`);
    return this.#state;
  }

  /** The table's units and the position of each setting column among its columns (a DataError naming a missing one). */
  #settings(where: string, table: SeriesTable): { at: number[]; units: SeriesTable['units'] } {
    const { columns, units } = checkSeries(where, 'table', table);
    const missing = this.columns.filter((c) => !columns.includes(c));
    if (missing.length > 0) throw new DataError(`${where}: the table lacks the setting ${missing.length === 1 ? 'column' : 'columns'} ${missing.map((c) => JSON.stringify(c)).join(', ')} (its columns: ${columns.join(', ')})`);
    return { at: this.columns.map((c) => columns.indexOf(c)), units };
  }

  /** fn(levels of row t, t) for each row of `unit`; a value in no level gets level −1. */
  #eachRow(unit: SeriesTable['units'][number], at: readonly number[], levels: Fitted['levels'], fn: (combo: number[], t: number) => void): void {
    const [T, C] = unit.values.shape as [number, number];
    const reach = levels.map((col) => this.tolerance * (col[col.length - 1]![1] - col[0]![0]));
    for (let t = 0; t < T; t++) fn(at.map((c, j) => levelOf(unit.values.data[t * C + c]!, levels[j]!, reach[j]!)), t);
  }

  #unmatched(where: string, unit: SeriesTable['units'][number], u: number, t: number, at: readonly number[]): DataError {
    const C = unit.values.shape[1]!;
    // Values as read (float32), in their shortest form: 9.9987, not 9.998700141906738.
    const settings = at.map((c, j) => `${this.columns[j]} = ${Number(unit.values.data[t * C + c]!.toPrecision(7))}`).join(', ');
    const time = unit.time ? ` (time ${unit.time[t]})` : '';
    const known = Array.from({ length: this.count }, (_, k) => `(${this.describeCondition(k)})`).join('; ');
    return new DataError(`${where}: ${unitName(unit, u)}, row ${t}${time}: its settings ${settings} match none of the ${this.count === 1 ? 'one operating condition' : `${this.count} operating conditions`} fitted: ${known}`);
  }
}

/**
 * One column's levels as fit finds them (default tolerance) and each value's level, when there are 2 …
 * `most` of them (else null): what keel train's hint that a column looks like a setting reads.
 */
export function settingLevels(values: Float64Array, most: number): { levels: number; labels: Int32Array } | null {
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  if (lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) return null;
  const levels = findLevels(sorted, DEFAULT_TOLERANCE, values.every(Number.isInteger));
  if (levels.length < 2 || levels.length > most) return null;
  return { levels: levels.length, labels: Int32Array.from(values, (v) => levelOf(v, levels, DEFAULT_TOLERANCE * (hi - lo))) };
}

/**
 * A Standardizer fitted on `units` — per operating condition of their `settings` columns when given,
 * the conditions fitted on the same units — as keel train, tune's folds and the study fit theirs;
 * `scale(table)` labels a table's rows (with settings) and standardises it.
 */
export function fitStandardizer(units: SeriesTable, settings?: readonly string[]): { scaler: Standardizer; conditions?: OperatingConditions; scale(table: SeriesTable): SeriesTable } {
  const conditions = settings && new OperatingConditions({ columns: settings }).fit(units);
  const labelled = (table: SeriesTable) => (conditions ? conditions.transform(table) : table);
  const scaler = new Standardizer({ perCondition: conditions !== undefined }).fit(labelled(units));
  return { scaler, ...(conditions && { conditions }), scale: (table) => scaler.transform(labelled(table)) };
}

/** `conditions` as an option of tune, backboneTrial and the study: a non-empty array of column names of the table that are not channels. */
export function checkConditions(where: string, conditions: unknown, columns: readonly string[], channels: readonly string[]): readonly string[] {
  if (!Array.isArray(conditions) || conditions.length === 0 || conditions.some((c) => !columns.includes(c) || channels.includes(c))) {
    throw new OptionError(`${where}: conditions must be a non-empty array of column names of the table that are not channels (the operating settings), got ${describe(conditions)}`);
  }
  return conditions;
}

/**
 * The levels of one column's sorted values (the file header): split at gaps wider than tolerance ×
 * range, then close every gap no wider than a level beside it, until none is left; a grid of
 * non-integers (three or more single values, evenly spaced) is one level.
 */
function findLevels(sorted: Float64Array, tolerance: number, integers: boolean): [number, number][] {
  const range = sorted[sorted.length - 1]! - sorted[0]!;
  const levels: [number, number][] = [[sorted[0]!, sorted[0]!]];
  for (let i = 1; i < sorted.length; i++) {
    const last = levels[levels.length - 1]!;
    if (sorted[i]! - last[1] > tolerance * range) levels.push([sorted[i]!, sorted[i]!]);
    else last[1] = sorted[i]!;
  }
  const width = (l: [number, number]) => l[1] - l[0];
  for (let i = 1; i < levels.length;) {
    const gap = levels[i]![0] - levels[i - 1]![1];
    if (gap > width(levels[i - 1]!) && gap > width(levels[i]!)) {
      i++;
      continue;
    }
    levels[i - 1]![1] = levels[i]![1];
    levels.splice(i, 1);
    i = Math.max(1, i - 1); // the wider level may now swallow the gap before it
  }
  const step = levels.length > 1 ? levels[1]![0] - levels[0]![1] : 0;
  const grid = !integers && levels.length >= 3 && levels.every((l, i) => width(l) === 0 && (i === 0 || Math.abs(l[0] - levels[i - 1]![1] - step) <= 0.01 * step));
  return grid ? [[sorted[0]!, sorted[sorted.length - 1]!]] : levels;
}

/** The index of the level nearest to v if v is within its reach (max(width, `reach`)), else −1. */
function levelOf(v: number, levels: readonly (readonly [number, number])[], reach: number): number {
  let best = -1, bestDistance = Infinity;
  for (let i = 0; i < levels.length; i++) {
    const [lo, hi] = levels[i]!;
    const d = v < lo ? lo - v : v > hi ? v - hi : 0;
    if (d < bestDistance && d <= Math.max(hi - lo, reach)) [best, bestDistance] = [i, d];
  }
  return best;
}

function compareCombos(a: readonly number[], b: readonly number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j]! - b[j]!;
  return 0;
}
