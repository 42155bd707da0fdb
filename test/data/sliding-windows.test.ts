// slidingWindows: end-anchored windows in (N, C, window) layout, channels, targets, last windows, edge padding, errors.
import { describe, expect, it } from 'vitest';
import { slidingWindows, type Windows } from '../../src/data/windows.js';
import { rulTargets } from '../../src/data/rul.js';
import { WindowDataset } from '../../src/data/window-dataset.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { code, codedTable, codedUnit } from './series-fixtures.js';

/** Checks every value of x against the coded table: x[n, c, k] = code(unit, max(0, end − W + 1 + k), column of c). */
function expectCoded(w: Windows, columnIndex: readonly number[], window: number): void {
  const [N, C] = w.x.shape as [number, number, number];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let k = 0; k < window; k++) {
        const row = Math.max(0, w.ends[n]! - window + 1 + k);
        expect(w.x.data[(n * C + c) * window + k]).toBe(code(w.groups[n]!, row, columnIndex[c]!));
      }
}

describe('slidingWindows', () => {
  it('cuts every stride-1 window of every unit, channels-first, in unit then time order', () => {
    const w = slidingWindows(codedTable([5, 3]), { window: 3 });
    expect(w.x.shape).toEqual([4, 3, 3]);
    expect(Array.from(w.groups)).toEqual([0, 0, 0, 1]);
    expect(Array.from(w.ends)).toEqual([2, 3, 4, 2]);
    expect(w.columns).toEqual(['a', 'b', 'c']);
    expect(w.y).toBeNull();
    expectCoded(w, [0, 1, 2], 3);
    // Window 0 of unit 0, channel 'b': rows 0, 1, 2.
    expect(Array.from(w.x.data.subarray(3, 6))).toEqual([1, 11, 21]);
  });

  it('anchors windows at the end: the last window always ends at the last row; leftover rows are the oldest', () => {
    // T = 11, window 4, stride 3: ends 10, 7, 4 (rows 0 is in no window).
    const w = slidingWindows(codedTable([11, 10]), { window: 4, stride: 3 });
    expect(Array.from(w.ends)).toEqual([4, 7, 10, 3, 6, 9]);
    expect(Array.from(w.groups)).toEqual([0, 0, 0, 1, 1, 1]);
    expectCoded(w, [0, 1, 2], 4);
    // N = Σ floor((T − window) / stride) + 1.
    const lengths = [30, 31, 47, 8];
    const many = slidingWindows(codedTable(lengths), { window: 8, stride: 5 });
    expect(many.x.shape[0]).toBe(lengths.reduce((s, T) => s + Math.floor((T - 8) / 5) + 1, 0));
    for (let u = 0; u < lengths.length; u++) expect(Math.max(...Array.from(many.ends).filter((_, n) => many.groups[n] === u))).toBe(lengths[u]! - 1);
  });

  it('keeps the requested channels in the requested order, by name or index', () => {
    const w = slidingWindows(codedTable([4]), { window: 2, channels: ['c', 0] });
    expect(w.columns).toEqual(['c', 'a']);
    expect(w.x.shape).toEqual([3, 2, 2]);
    expectCoded(w, [2, 0], 2);
  });

  it("targets: 'rul' gives the capped RUL at each window's last row; arrays give their value there", () => {
    const table = { columns: ['a'], units: [codedUnit(0, 6, 1), codedUnit(1, 5, 1, { rulAtEnd: 7 })] };
    const w = slidingWindows(table, { window: 3, targets: 'rul' });
    expect(w.y!.shape).toEqual([w.x.shape[0], 1]);
    // unit 0: ends 2..5 → RUL 3..0; unit 1: ends 2..4 → 9, 8, 7.
    expect(Array.from(w.y!.data)).toEqual([3, 2, 1, 0, 9, 8, 7]);
    expect(Array.from(slidingWindows(table, { window: 3, targets: 'rul', rulCap: 2 }).y!.data)).toEqual([2, 2, 1, 0, 2, 2, 2]);
    const custom = slidingWindows(table, { window: 3, targets: [[0, 1, 2, 3, 4, 5], Float32Array.of(10, 11, 12, 13, 14)] });
    expect(Array.from(custom.y!.data)).toEqual([2, 3, 4, 5, 12, 13, 14]);
    expect(Array.from(slidingWindows(table, { window: 3, targets: rulTargets(table) }).y!.data)).toEqual(Array.from(w.y!.data));
  });

  it('last: one window per unit, ending at its last row (what test units are scored on)', () => {
    const table = { columns: ['a', 'b'], units: [codedUnit(0, 9, 2, { rulAtEnd: 20 }), codedUnit(1, 4, 2, { rulAtEnd: 3 })] };
    const w = slidingWindows(table, { window: 4, last: true, targets: 'rul', rulCap: Infinity });
    expect(Array.from(w.ends)).toEqual([8, 3]);
    expect(Array.from(w.groups)).toEqual([0, 1]);
    expect(Array.from(w.y!.data)).toEqual([20, 3]);
    expectCoded(w, [0, 1], 4);
  });

  it("pad 'none': a short unit is skipped in sliding mode and an error in last mode naming it", () => {
    const table = codedTable([6, 2, 5]);
    const w = slidingWindows(table, { window: 4 });
    expect(Array.from(w.groups)).toEqual([0, 0, 0, 2, 2]);
    expect(() => slidingWindows(table, { window: 4, last: true })).toThrow(
      `slidingWindows: unit "u1" (units[1]) has 2 rows, fewer than window (4) (pass pad: 'edge' to repeat its first row)`,
    );
  });

  it("pad 'edge': a short unit gives one window with its first row repeated in front", () => {
    const table = codedTable([6, 2]);
    for (const last of [false, true]) {
      const w = slidingWindows(table, { window: 4, pad: 'edge', last });
      const n = w.x.shape[0]! - 1;
      expect([w.groups[n], w.ends[n]]).toEqual([1, 1]);
      expectCoded(w, [0, 1, 2], 4);
      // Channel 'a' of the padded window: row 0 three times, then row 1.
      expect(Array.from(w.x.data.subarray(n * 12, n * 12 + 4))).toEqual([1000, 1000, 1000, 1010]);
    }
  });

  it('toDataset: a WindowDataset of (window, y), or of the window alone without targets, or with the fields given instead of y', () => {
    const w = slidingWindows(codedTable([5]), { window: 2, targets: 'rul' });
    const ds = w.toDataset();
    expect(ds).toBeInstanceOf(WindowDataset);
    expect(ds.length).toBe(4);
    expect(ds.fields).toEqual([w.y]);
    expect(ds.get(3).map((t) => t.shape)).toEqual([[3, 2], [1]]);
    expect(Array.from(ds.getBatch(Int32Array.of(0, 1, 2, 3))[0]!.data)).toEqual(Array.from(w.x.data));
    expect(slidingWindows(codedTable([5]), { window: 2 }).toDataset().fields).toEqual([]);
    const half = new Tensor(w.y.data.map((v) => v / 2), [4, 1]), weights = new Tensor(Float32Array.of(1, 2, 3, 4), [4]);
    expect(w.toDataset(half, weights).get(0).map((t) => Array.from(t.data))).toEqual([Array.from(w.x.data.subarray(0, 6)), [1.5], [1]]);
  });

  const bad = (v: unknown) => v as never;
  const t = codedTable([5, 4]);
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['no options', () => slidingWindows(t, bad(undefined)), 'slidingWindows: options { window, ... } are required (window has no default)'],
    ['window 0', () => slidingWindows(t, { window: 0 }), 'slidingWindows: window must be a positive integer, got 0'],
    ['window missing', () => slidingWindows(t, bad({ stride: 2 })), 'slidingWindows: window must be a positive integer, got undefined'],
    ['stride 1.5', () => slidingWindows(t, { window: 2, stride: 1.5 }), 'slidingWindows: stride must be a positive integer, got 1.5'],
    ['unknown channel', () => slidingWindows(t, { window: 2, channels: ['s9'] }), 'slidingWindows: channels[0] = "s9" is not a column (columns: a, b, c)'],
    ['channel index out of range', () => slidingWindows(t, { window: 2, channels: [3] }), 'slidingWindows: channels[0] must be a column name or an integer index in [0, 2], got 3'],
    ['repeated channel', () => slidingWindows(t, { window: 2, channels: ['a', 0] }), 'slidingWindows: channels[1] repeats column "a"'],
    ['targets of the wrong length', () => slidingWindows(t, { window: 2, targets: [new Float32Array(5), new Float32Array(3)] }), /targets\[1\] must have one value per row of unit "u1" \(units\[1\]\) \(4\)/],
    ['targets per unit missing', () => slidingWindows(t, { window: 2, targets: [new Float32Array(5)] }), /targets must be 'rul' or one array of per-row targets per unit \(2\)/],
    ['rulCap without rul', () => slidingWindows(t, { window: 2, rulCap: 100 }), "slidingWindows: rulCap applies only to targets: 'rul', got targets undefined"],
    ['bad pad', () => slidingWindows(t, { window: 2, pad: bad('zero') }), `slidingWindows: pad must be one of 'none', 'edge', got "zero"`],
    ['every unit too short', () => slidingWindows(t, { window: 9 }), "slidingWindows: no unit has window (9) rows or more (the longest has 5); use a smaller window or pad: 'edge'"],
    ['empty table', () => slidingWindows({ columns: ['a'], units: [] }, { window: 2 }), 'slidingWindows: table has no units'],
    ['unit with the wrong column count', () => slidingWindows({ columns: ['a', 'b'], units: [codedUnit(0, 5, 3)] }, { window: 2 }), 'slidingWindows: unit "u0" (units[0]): values (5, 3) must have 2 columns (the table\'s 2 columns)'],
    ['unit values not 2-D', () => slidingWindows({ columns: ['a'], units: [{ id: 7, values: new Tensor(new Float32Array(4), [4]) }] }, { window: 2 }), /unit 7 \(units\[0\]\): values must be a 2-D \(time, channels\) Tensor, got a Tensor of shape \(4\)/],
    ['unknown option', () => slidingWindows(t, bad({ window: 2, size: 3 })), /slidingWindows: unknown option "size"/],
  ];
  for (const [name, fn, message] of cases) it(`error: ${name}`, () => expect(fn).toThrow(message));
});
