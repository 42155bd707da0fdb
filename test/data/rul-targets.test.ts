// rulTargets: the piecewise-linear capped RUL per row (in the time column's units when a unit has one), rulAtEnd for cut units, Infinity for no cap, bad arguments.
import { describe, expect, it } from 'vitest';
import { rulTargets } from '../../src/data/rul.js';
import { codedTable, codedUnit } from './series-fixtures.js';

describe('rulTargets', () => {
  it('counts down to 0 at the last row of a unit run to failure, and to rulAtEnd for a cut unit', () => {
    const table = { columns: ['a'], units: [codedUnit(0, 5, 1), codedUnit(1, 4, 1, { rulAtEnd: 10 })] };
    const [a, b] = rulTargets(table);
    expect(a).toBeInstanceOf(Float32Array);
    expect(Array.from(a!)).toEqual([4, 3, 2, 1, 0]);
    expect(Array.from(b!)).toEqual([13, 12, 11, 10]);
  });

  it('caps the early rows at 125 by default: RUL_t = min(125, T − 1 − t)', () => {
    const [r] = rulTargets(codedTable([200]));
    expect(r!.length).toBe(200);
    // T − 1 − t <= 125 from t = 74 on.
    expect(Array.from(r!.subarray(0, 75))).toEqual(new Array(75).fill(125));
    expect(r![75]).toBe(124);
    expect(r![199]).toBe(0);
  });

  it('takes any positive cap, Infinity for the plain linear RUL, and a bare list of units', () => {
    const units = [codedUnit(0, 4, 2, { rulAtEnd: 1 })];
    expect(Array.from(rulTargets(units, { cap: 2.5 })[0]!)).toEqual([2.5, 2.5, 2, 1]);
    expect(Array.from(rulTargets(codedTable([200]), { cap: Infinity })[0]!.subarray(0, 2))).toEqual([199, 198]);
  });

  it("counts in the units of a unit's time column: cycles skipped (rows dropped, readings every few cycles) still count", () => {
    const time = new Float64Array([1, 2, 3, 7, 8, 20]);
    const [r, cut] = rulTargets([codedUnit(0, 6, 1, { time }), codedUnit(1, 3, 1, { time: new Float64Array([10, 15, 20]), rulAtEnd: 4 })]);
    expect(Array.from(r!)).toEqual([19, 18, 17, 13, 12, 0]);
    expect(Array.from(cut!)).toEqual([14, 9, 4]);
    // Consecutive cycles give the row count, as for a unit without a time column.
    expect(Array.from(rulTargets([codedUnit(0, 4, 1, { time: new Float64Array([1, 2, 3, 4]) })])[0]!)).toEqual([3, 2, 1, 0]);
    expect(Array.from(rulTargets([codedUnit(0, 6, 1, { time })], { cap: 15 })[0]!)).toEqual([15, 15, 15, 13, 12, 0]);
  });

  const bad = (v: unknown) => v as never;
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['cap 0', () => rulTargets(codedTable([3]), { cap: 0 }), 'rulTargets: cap must be a positive number (Infinity for no cap), got 0'],
    ['cap NaN', () => rulTargets(codedTable([3]), { cap: NaN }), /cap must be a positive number .*got NaN/],
    ['cap null', () => rulTargets(codedTable([3]), { cap: bad(null) }), /cap must be a positive number .*got null/],
    ['negative rulAtEnd', () => rulTargets([codedUnit(0, 3, 1, { rulAtEnd: -2 })]), 'rulTargets: unit "u0" (units[0]): rulAtEnd must be a finite number >= 0, got -2'],
    ['no units', () => rulTargets({ columns: ['a'], units: [] }), 'rulTargets: table has no units'],
    ['time of another length', () => rulTargets([codedUnit(0, 3, 1, { time: new Float64Array(2) })]),
      'rulTargets: unit "u0" (units[0]): time must be a Float64Array of one value per row (3), got 2 values'],
    ['time not increasing', () => rulTargets([codedUnit(0, 3, 1, { time: new Float64Array([1, 3, 3]) })]),
      'rulTargets: unit "u0" (units[0]): time must be finite and increase from row to row, got 3 at row 2 after 3'],
    ['time NaN', () => rulTargets([codedUnit(0, 2, 1, { time: new Float64Array([NaN, 1]) })]), /time must be finite .*got NaN at row 0$/],
    ['time not a Float64Array', () => rulTargets([codedUnit(0, 2, 1, { time: bad([1, 2]) })]), /time must be a Float64Array .*got/],
    ['unknown option', () => rulTargets(codedTable([3]), bad({ clip: 3 })), /rulTargets: unknown option "clip"/],
    ['not a table', () => rulTargets(bad(3)), /rulTargets: table must be a SeriesTable .*got 3/],
  ];
  for (const [name, fn, message] of cases) it(`error: ${name}`, () => expect(fn).toThrow(message));
});
