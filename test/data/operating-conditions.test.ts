// OperatingConditions: levels of each setting column (set points with jitter, jitter tails, a grid of
// recorded jitter, integer labels), conditions as the combinations rows have, labelling new tables
// (within reach, nearest level, unseen settings refused), the per-condition Standardizer it feeds,
// the JSON round trip and corrupt states, option errors, and settingLevels (keel train's hint).
import { describe, expect, it } from 'vitest';
import { MAX_CONDITIONS, OperatingConditions, settingLevels } from '../../src/data/operating-conditions.js';
import { Standardizer } from '../../src/data/scalers/standardizer.js';
import type { SeriesTable } from '../../src/data/series.js';
import { DataError, FormatError, OptionError, StateError } from '../../src/errors.js';
import { unitOf } from './series-fixtures.js';

/** FD002's six conditions: (altitude kft, Mach, throttle) set points. */
const SET_POINTS = [[0, 0, 100], [10, 0.25, 100], [20, 0.7, 100], [25, 0.62, 60], [35, 0.84, 100], [42, 0.84, 100]];

/** Units whose rows cycle through `conditions` (indices into SET_POINTS), each setting jittered by ±0.004·scale, with one sensor shifted by the condition. */
function flights(units: number, rows: number, conditions = [0, 1, 2, 3, 4, 5]): SeriesTable {
  let n = 0;
  const jitter = () => (((n++ * 7919) % 9) - 4) / 1000; // −0.004 … 0.004, deterministic
  return {
    columns: ['alt', 'mach', 'tra', 'sensor'],
    units: Array.from({ length: units }, (_, u) => unitOf(u + 1, Array.from({ length: rows }, (_, t) => {
      const k = conditions[(u + t) % conditions.length]!;
      const [alt, mach, tra] = SET_POINTS[k]!;
      return [alt! + jitter(), mach! + jitter() / 10, tra!, 500 + 40 * k + t];
    }), { time: Float64Array.from({ length: rows }, (_, t) => t + 1) })),
  };
}

/** A table of one unit whose single column holds `values`. */
const oneColumn = (values: number[]): SeriesTable => ({ columns: ['s'], units: [unitOf(1, values.map((v) => [v]))] });
const levelsOf = (values: number[]) => new OperatingConditions({ columns: ['s'] }).fit(oneColumn(values)).toJSON().levels[0]!;

describe('OperatingConditions', () => {
  it("finds FD002's six conditions from jittered settings, numbered by their levels, and labels every row with its own", () => {
    const table = flights(4, 24);
    const oc = new OperatingConditions({ columns: ['alt', 'mach', 'tra'] }).fit(table);
    expect(oc.count).toBe(6);
    const { levels, conditions } = oc.toJSON();
    expect(levels.map((col) => col.length)).toEqual([6, 5, 2]);
    // Ascending by altitude level: here the set points' own order.
    expect(conditions).toEqual([[0, 0, 1], [1, 1, 1], [2, 3, 1], [3, 2, 0], [4, 4, 1], [5, 4, 1]]);
    expect(oc.describeCondition(3)).toBe('alt ≈ 25, mach ≈ 0.62, tra ≈ 60');
    const labelled = oc.transform(table);
    labelled.units.forEach((unit, u) => {
      expect(Array.from(unit.conditions!)).toEqual(Array.from({ length: 24 }, (_, t) => (u + t) % 6));
      expect(unit.values).toBe(table.units[u]!.values); // values, id and time kept as they are
      expect(unit.time).toBe(table.units[u]!.time);
    });
  });

  it('labels new rows whose settings lie within reach of a fitted level, and refuses a setting no condition has', () => {
    const oc = new OperatingConditions({ columns: ['alt', 'mach', 'tra'] }).fit(flights(2, 12));
    // alt range 42 → reach 0.42: 41.7 is condition 5; 10.3 with Mach 0.25 condition 1.
    const near = { columns: ['sensor', 'tra', 'mach', 'alt'], units: [unitOf('x', [[1, 100, 0.84, 41.7], [2, 100, 0.25, 10.3]])] };
    expect(Array.from(oc.transform(near).units[0]!.conditions!)).toEqual([5, 1]);
    const unseen = (row: number[]) => () => oc.transform({ columns: ['sensor', 'tra', 'mach', 'alt'], units: [unitOf('x', [[1, 100, 0.84, 42], row], { time: Float64Array.of(7, 8) })] });
    // Altitude 30 lies between levels 25 and 35; Mach 0.25 at 42 kft is a combination no row had; NaN matches nothing.
    expect(unseen([1, 100, 0.84, 30])).toThrow(DataError);
    expect(unseen([1, 100, 0.84, 30])).toThrow(/unit "x" \(units\[0\]\), row 1 \(time 8\): its settings alt = 30, mach = 0\.84, tra = 100 match none of the 6 operating conditions fitted: \(alt ≈ 0, mach ≈ [^,]+, tra ≈ 100\); \(alt ≈ 10, /);
    expect(unseen([1, 100, 0.25, 42])).toThrow(/alt = 42, mach = 0\.25, tra = 100 match none/);
    expect(unseen([1, 100, 0.84, Number.NaN])).toThrow(/alt = NaN/);
    expect(() => oc.transform({ columns: ['alt', 'sensor'], units: [unitOf(1, [[0, 1]])] })).toThrow(/the table lacks the setting columns "mach", "tra" \(its columns: alt, sensor\)/);
  });

  it('levels: jitter tails join the level beside them, a grid of recorded jitter is one level, integers are levels of their own', () => {
    // FD002's altitude: six set points 0.01 wide, far apart.
    expect(levelsOf([0, 0.003, 9.998, 10.008, 42.008, 41.998])).toEqual([[0, Math.fround(0.003)], [Math.fround(9.998), Math.fround(10.008)], [Math.fround(41.998), Math.fround(42.008)]]);
    // A wide jittered level with a few sparse values beyond a gap wider than 1% of the range: one level.
    const dense = Array.from({ length: 101 }, (_, i) => i / 10); // 0 … 10 by 0.1
    expect(levelsOf([...dense, 10.5, 11.2])).toEqual([[0, Math.fround(11.2)]]);
    // FD001's second setting: −0.0006 … 0.0006 on a 0.0001 grid is jitter around one set point.
    const grid = Array.from({ length: 13 }, (_, i) => (i - 6) / 10000);
    expect(levelsOf(grid)).toEqual([[Math.fround(-0.0006), Math.fround(0.0006)]]);
    // Labels 0 … 5 (a grid too, but of integers) and exact set points unevenly spaced: a level each.
    expect(levelsOf([0, 1, 2, 3, 4, 5, 5, 0])).toHaveLength(6);
    expect(levelsOf([0.25, 0.62, 0.7, 0.84])).toHaveLength(4);
    // A constant setting: one level, and new rows must hold its very value.
    const flat = new OperatingConditions({ columns: ['s'] }).fit(oneColumn([100, 100]));
    expect(flat.count).toBe(1);
    expect(() => flat.transform(oneColumn([100.5]))).toThrow(/s = 100\.5 match none of the one operating condition fitted: \(s ≈ 100\)/);
  });

  it("settingLevels: one column's levels and each value's, when there are 2 … most of them", () => {
    expect(settingLevels(Float64Array.of(42.001, 0, 10.002, 42.005, 0.003), 20)).toEqual({ levels: 3, labels: Int32Array.of(2, 0, 1, 2, 0) });
    expect(settingLevels(Float64Array.of(5, 5, 5), 20)).toBeNull(); // one level
    expect(settingLevels(Float64Array.from({ length: 13 }, (_, i) => (i - 6) / 10000), 20)).toBeNull(); // a grid: one level
    expect(settingLevels(Float64Array.from({ length: 30 }, (_, i) => i * 10), 20)).toBeNull(); // 30 integer levels
    expect(settingLevels(Float64Array.of(1, Number.NaN), 20)).toBeNull();
  });

  it("feeds a per-condition Standardizer: each row scaled with its condition's statistics", () => {
    const table = flights(3, 18);
    const oc = new OperatingConditions({ columns: ['alt', 'mach', 'tra'] });
    const labelled = oc.fitTransform(table);
    const scaler = new Standardizer({ perCondition: true }).fit(labelled);
    const z = scaler.transform(labelled);
    // Per condition, the shifted sensor standardises to mean 0: the condition's offset (40·k) is gone.
    for (let k = 0; k < 6; k++) {
      const values = z.units.flatMap((u) => Array.from(u.values.data).filter((_, i) => i % 4 === 3 && u.conditions![Math.floor(i / 4)] === k));
      expect(values.length).toBe(9);
      expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThan(1e-6);
    }
    expect(scaler.toJSON().conditions).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('too many levels or conditions: a DataError that says settings take a few values (a reading spread evenly is one level)', () => {
    // A reading named as a setting: its values leave no gap wider than both the level below it and 1% of the range.
    expect(new OperatingConditions({ columns: ['s'] }).fit(oneColumn(Array.from({ length: 500 }, (_, i) => i * i))).count).toBe(1);
    // 150 integer levels apart by more than 0.1% of their range.
    const reading = oneColumn(Array.from({ length: 150 }, (_, i) => i * 10));
    const fine = () => new OperatingConditions({ columns: ['s'], tolerance: 0.001 }).fit(reading);
    expect(fine).toThrow(DataError);
    expect(fine).toThrow(new RegExp(`at least \\d+ operating conditions, more than ${MAX_CONDITIONS} \\(s: \\d+ levels\\); settings take a few values each`));
    // 11 × 11 combinations of two columns with 11 levels each.
    const pairs: SeriesTable = { columns: ['a', 'b'], units: [unitOf(1, Array.from({ length: 121 }, (_, i) => [Math.floor(i / 11) * 10, (i % 11) * 10]))] };
    expect(() => new OperatingConditions({ columns: ['a', 'b'] }).fit(pairs)).toThrow(/give 121 operating conditions, more than 100 \(a: 11 levels, b: 11 levels\)/);
    expect(() => new OperatingConditions({ columns: ['s'] }).fit(oneColumn([1, Number.POSITIVE_INFINITY]))).toThrow(/setting "s" is Infinity in unit 1, row 1/);
  });

  it('round-trips through JSON exactly and refuses corrupt states, naming the field', () => {
    const oc = new OperatingConditions({ columns: ['alt', 'mach', 'tra'], tolerance: 0.02 }).fit(flights(2, 12));
    const json = oc.toJSON();
    const back = OperatingConditions.fromJSON(JSON.stringify(json));
    expect(back.toJSON()).toEqual(json);
    expect(back.tolerance).toBe(0.02);
    const table = flights(1, 12);
    expect(back.transform(table).units[0]!.conditions).toEqual(oc.transform(table).units[0]!.conditions);
    const bad = (patch: Record<string, unknown>) => () => OperatingConditions.fromJSON({ ...json, ...patch } as never);
    expect(bad({ type: 'Standardizer' })).toThrow(FormatError);
    expect(bad({ extra: 1 })).toThrow(/unknown key "extra"/);
    expect(bad({ columns: ['alt', 'alt', 'tra'] })).toThrow(/columns lists "alt" twice/);
    expect(bad({ tolerance: 0 })).toThrow(/tolerance must be in \(0, 1\)/);
    expect(bad({ levels: json.levels.slice(1) })).toThrow(/levels must hold one array of levels per column \(3\)/);
    expect(bad({ levels: [[[10, 0]], ...json.levels.slice(1)] })).toThrow(/levels\[0\] must be \[lowest, highest\] pairs/);
    expect(bad({ levels: [[[0, 5], [4, 6]], ...json.levels.slice(1)] })).toThrow(/levels\[0\] must be .* ascending and apart/);
    expect(bad({ conditions: [[0, 0, 9]] })).toThrow(/conditions must be 1 … 100 distinct combinations/);
    expect(bad({ conditions: [...json.conditions].reverse() })).toThrow(/in ascending order/);
    expect(() => OperatingConditions.fromJSON('{')).toThrow(/invalid JSON text/);
  });

  it('options and state: typed errors', () => {
    expect(() => new OperatingConditions(undefined as never)).toThrow(OptionError);
    expect(() => new OperatingConditions({ columns: [] })).toThrow(/columns must be a non-empty array of column names/);
    expect(() => new OperatingConditions({ columns: ['a'], tolerance: 1 })).toThrow(/tolerance must be in \(0, 1\), got 1/);
    expect(() => new OperatingConditions({ columns: ['a'], extra: 1 } as never)).toThrow(OptionError);
    const unfitted = new OperatingConditions({ columns: ['s'] });
    expect(() => unfitted.transform(oneColumn([1]))).toThrow(StateError);
    expect(() => unfitted.count).toThrow(/not fitted yet/);
    const fitted = unfitted.fit(oneColumn([1, 2]));
    expect(() => fitted.describeCondition(3)).toThrow(/k must be a condition, 0 … 1, got 3/);
  });
});
