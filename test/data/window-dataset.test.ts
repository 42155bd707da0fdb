// WindowDataset: batches cut from the table are the bits of slidingWindows' x, the table is held once, fields ride along, bad layouts and indices are refused.
import { describe, expect, it } from 'vitest';
import { hasFreshBatches, Subset } from '../../src/data/dataset.js';
import { WindowDataset, type WindowLayout } from '../../src/data/window-dataset.js';
import { slidingWindows } from '../../src/data/windows.js';
import { OptionError, ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectBitwiseEqual } from '../nn/helpers.js';
import { prng } from '../io/helpers.js';
import { code, codedTable } from './series-fixtures.js';

/** Every option shape of slidingWindows: strides, a channel subset, a short unit skipped or padded, last windows. */
const CASES = [
  { name: 'stride 1', lengths: [9, 12, 7], options: { window: 5 } },
  { name: 'stride 3, channels c and a', lengths: [11, 10, 30], options: { window: 4, stride: 3, channels: ['c', 'a'] } },
  { name: 'a short unit skipped', lengths: [6, 2, 5], options: { window: 4 } },
  { name: "a short unit padded (pad 'edge')", lengths: [6, 2, 5], options: { window: 4, pad: 'edge' as const } },
  { name: 'last windows, padded', lengths: [9, 3, 14], options: { window: 6, last: true, pad: 'edge' as const } },
];

describe('WindowDataset', () => {
  for (const c of CASES) {
    it(`${c.name}: any batch of windows, repeats included, holds each window's coded rows and its target`, () => {
      const w = slidingWindows(codedTable(c.lengths), { ...c.options, targets: 'rul', rulCap: Infinity });
      const ds = w.toDataset(), L = c.options.window;
      const columns = (c.options.channels ?? ['a', 'b', 'c']).map((ch) => ['a', 'b', 'c'].indexOf(ch));
      const C = columns.length;
      const r = prng(c.lengths.length + L);
      for (const size of [1, 3, ds.length, 2 * ds.length]) {
        const idx = Int32Array.from({ length: size }, () => Math.floor(r() * ds.length));
        const [x, y] = ds.getBatch(idx) as [Tensor, Tensor];
        expect([x.shape, y.shape]).toEqual([[size, C, L], [size, 1]]);
        // x[b, c, k] = code(unit, max(0, end − L + 1 + k), column of c): a row before the unit's first repeats it.
        const want = new Float32Array(size * C * L);
        idx.forEach((n, b) => {
          for (let ch = 0; ch < C; ch++) for (let k = 0; k < L; k++) want[(b * C + ch) * L + k] = code(w.groups[n]!, Math.max(0, w.ends[n]! - L + 1 + k), columns[ch]!);
        });
        expectBitwiseEqual(x.data, want, `the windows of a batch of ${size}`);
        expect(Array.from(y.data)).toEqual(Array.from(idx, (n) => w.y.data[n]!));
      }
      for (let n = 0; n < ds.length; n++) {
        const [x, y] = ds.get(n) as [Tensor, Tensor];
        expect([x.shape, y.shape]).toEqual([[C, L], [1]]);
        expectBitwiseEqual(x.data, ds.getBatch(Int32Array.of(n))[0]!.data, `window ${n}`);
      }
    });
  }

  it("holds the table once: the channels of the units that have windows, not window / stride copies", () => {
    const w = slidingWindows(codedTable([40, 3, 25]), { window: 10, channels: ['b', 'c'] });
    const ds = w.toDataset();
    expect(ds.layout.series.length).toBe(2 * (40 + 25)); // unit 1 (3 rows) has no window
    expect(ds.length * 2 * 10).toBe(w.x.numel);
    // Channel-major: channel 'b' of unit 0's rows, then of unit 2's; then channel 'c'.
    expect(ds.layout.series[0]).toBe(1);
    expect(ds.layout.series[40]).toBe(2001);
    expect(ds.layout.series[65]).toBe(2);
    expect(ds.windowShape).toEqual([2, 10]);
    expect(ds.layout.series.buffer).toBeInstanceOf(SharedArrayBuffer); // fit's worker reads it without a copy
  });

  it('hands out fresh arrays (fit recycles them), as a Subset of it does', () => {
    const ds = slidingWindows(codedTable([8]), { window: 3 }).toDataset();
    expect(hasFreshBatches(ds)).toBe(true);
    expect(hasFreshBatches(new Subset(ds, [0, 2]))).toBe(true);
    const idx = Int32Array.of(0, 1);
    expect(ds.getBatch(idx)[0]!.data).not.toBe(ds.getBatch(idx)[0]!.data);
  });

  const layout = (over: Partial<Record<keyof WindowLayout, unknown>> = {}): WindowLayout =>
    ({ series: new Float32Array(12), channels: 2, window: 3, ends: Int32Array.of(2, 5), firsts: Int32Array.of(0, 3), ...over }) as WindowLayout;
  const errors: Array<[string, () => unknown, typeof OptionError, string]> = [
    ['no layout', () => new WindowDataset(null as never), OptionError, 'WindowDataset: layout must be { series, channels, window, ends, firsts }, got null'],
    ['series of float64', () => new WindowDataset(layout({ series: new Float64Array(12) })), OptionError, 'WindowDataset: layout.series must be a Float32Array, got a Float64Array'],
    ['window 0', () => new WindowDataset(layout({ window: 0 })), OptionError, 'WindowDataset: layout.window must be a positive integer, got 0'],
    ['channels 2.5', () => new WindowDataset(layout({ channels: 2.5 })), OptionError, 'WindowDataset: layout.channels must be a positive integer, got 2.5'],
    ['rows cut short', () => new WindowDataset(layout({ channels: 5 })), ShapeError, 'WindowDataset: layout.series has 12 floats, not a whole number of rows of 5 channels'],
    ['ends and firsts of other lengths', () => new WindowDataset(layout({ firsts: Int32Array.of(0) })), OptionError, 'WindowDataset: layout.ends and layout.firsts must be Int32Arrays of one entry per window, got an Int32Array and an Int32Array'],
    ['an end past the rows', () => new WindowDataset(layout({ ends: Int32Array.of(2, 6) })), OptionError, 'WindowDataset: window 1 must satisfy 0 <= first <= end < rows (6), got first 3 and end 6'],
    ['a first after its end', () => new WindowDataset(layout({ firsts: Int32Array.of(3, 3) })), OptionError, 'WindowDataset: window 0 must satisfy 0 <= first <= end < rows (6), got first 3 and end 2'],
    ['a field of 3 rows for 2 windows', () => new WindowDataset(layout(), new Tensor(new Float32Array(3), [3])), ShapeError, 'WindowDataset: fields[0] must have one row per window (2), got shape (3)'],
    ['get(2) of 2 windows', () => new WindowDataset(layout()).get(2), OptionError, 'WindowDataset.get: index 2 is out of range for a dataset of length 2'],
    ['getBatch past the end', () => new WindowDataset(layout()).getBatch(Int32Array.of(1, -1)), OptionError, 'WindowDataset.getBatch: indices[1] = -1 is out of range for a dataset of length 2'],
  ];
  for (const [name, run, type, message] of errors) {
    it(`refuses ${name}`, () => {
      expect(run).toThrow(type);
      expect(run).toThrow(message);
    });
  }
});
