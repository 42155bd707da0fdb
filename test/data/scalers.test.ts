// Standardizer / MinMaxScaler (and standardizeEach, per unit): per-channel statistics against hand computations, layouts (rows, C) / (N, C, L) / SeriesTable,
// fit on training units only, per-condition statistics, constant channels, inverse, JSON round trip and corrupt states, errors.
import { describe, expect, it } from 'vitest';
import { MinMaxScaler } from '../../src/data/scalers/min-max.js';
import { standardizeEach } from '../../src/data/scalers/standardize-each.js';
import { Standardizer } from '../../src/data/scalers/standardizer.js';
import type { SeriesTable } from '../../src/data/series.js';
import { slidingWindows } from '../../src/data/windows.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { unitOf } from './series-fixtures.js';

/** Mean and population std of numbers, two-pass in double. */
function meanStd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)];
}

/** Rows (T, 3): a large-offset channel (9065 ± a little), a small one, and a constant one. */
const rowsA = [[9065.5, 0.25, 7], [9064.25, -1.5, 7], [9066, 2, 7], [9065.75, 0.5, 7]];
const rowsB = [[9000, 10, 7], [9100, -10, 7], [9050, 0, 7]];
const tableA: SeriesTable = { columns: ['s9', 's15', 's1'], units: [unitOf(1, rowsA.slice(0, 2), { rulAtEnd: 3 }), unitOf(2, rowsA.slice(2))] };
const tableB: SeriesTable = { columns: ['s9', 's15', 's1'], units: [unitOf(3, rowsB, { time: Float64Array.of(1, 2, 3), conditions: Int32Array.of(0, 0, 0) })] };
const column = (rows: number[][], c: number) => rows.map((r) => Math.fround(r[c]!));

describe('Standardizer', () => {
  it('fitted on training units only: validation units are scaled with the training statistics (hand computation)', () => {
    const s = new Standardizer().fit(tableA);
    expect(s.fitted).toBe(true);
    const out = s.transform(tableB);
    for (let c = 0; c < 2; c++) {
      const [m, sd] = meanStd(column(rowsA, c));
      rowsB.forEach((r, t) => expect(out.units[0]!.values.data[t * 3 + c]).toBe(Math.fround((Math.fround(r[c]!) - m) / sd)));
    }
    // The constant channel has scale 1 (sklearn): x − mean = 0 for the training value.
    expect(s.toJSON().scale[0]![2]).toBe(1);
    expect(Array.from(out.units[0]!.values.data.filter((_, i) => i % 3 === 2))).toEqual([0, 0, 0]);
    // Everything else of the table is kept.
    expect(out.columns).toBe(tableB.columns);
    expect(out.units[0]).toMatchObject({ id: 3, time: tableB.units[0]!.time, conditions: tableB.units[0]!.conditions });
    expect(s.transform(tableA).units[0]!.rulAtEnd).toBe(3);
    expect(tableB.units[0]!.values.data[0]).toBe(9000); // input untouched
  });

  it('statistics are accurate for a large offset (two passes in double): the training data standardises to mean 0, std 1', () => {
    const z = new Standardizer().fitTransform(tableA);
    const all = z.units.flatMap((u) => Array.from(u.values.data));
    const [m, sd] = meanStd(all.filter((_, i) => i % 3 === 0));
    expect(Math.abs(m)).toBeLessThan(1e-6);
    expect(sd).toBeCloseTo(1, 6);
  });

  it('reads (rows, C) and (N, C, L) Tensors by their channel dimension, and channelDim overrides it', () => {
    const rows = rowsA.concat(rowsB);
    const flat = new Tensor(Float32Array.from(rows.flat()), [rows.length, 3]);
    const fromRows = new Standardizer().fit(flat).toJSON();
    // The same values as (N = 7, C = 3, L = 1) windows, and as (C = 3, rows) with channelDim 0.
    expect(new Standardizer().fit(new Tensor(flat.data, [7, 3, 1])).toJSON()).toEqual(fromRows);
    const transposed = new Tensor(Float32Array.from([0, 1, 2].flatMap((c) => column(rows, c))), [3, 7]);
    expect(new Standardizer().fit(transposed, { channelDim: 0 }).toJSON()).toEqual(fromRows);
    // Windows of a table (each row in several windows) give per-channel statistics over dim 0 and 2.
    const w = slidingWindows(tableA, { window: 2 });
    const fromWindows = new Standardizer().fit(w.x).toJSON();
    const values = [0, 1, 2].map((c) => Array.from({ length: w.x.shape[0]! * 2 }, (_, i) => w.x.data[(Math.floor(i / 2) * 3 + c) * 2 + (i % 2)]!));
    expect(fromWindows.mean[0]).toEqual(values.map((v) => meanStd(v)[0]));
  });

  it('inverseTransform undoes transform (to float32 rounding)', () => {
    const s = new Standardizer().fit(tableA);
    const back = s.inverseTransform(s.transform(tableB));
    Array.from(back.units[0]!.values.data).forEach((v, i) => expect(v).toBeCloseTo(tableB.units[0]!.values.data[i]!, 2));
  });

  it('perCondition: statistics per operating-condition label, from each unit’s conditions or a Tensor’s', () => {
    // Condition 1 shifts the channel by +100 and doubles its spread.
    const table: SeriesTable = {
      columns: ['x'],
      units: [unitOf('a', [[1], [2], [101], [3]], { conditions: Int32Array.of(0, 0, 1, 0) }), unitOf('b', [[104], [4], [107]], { conditions: Int32Array.of(1, 0, 1) })],
    };
    const s = new Standardizer({ perCondition: true }).fit(table);
    const json = s.toJSON();
    expect(json.conditions).toEqual([0, 1]);
    expect([json.mean[0]![0], json.scale[0]![0]]).toEqual(meanStd([1, 2, 3, 4]));
    expect([json.mean[1]![0], json.scale[1]![0]]).toEqual(meanStd([101, 104, 107]));
    const z = s.transform(table);
    const [m1, s1] = meanStd([101, 104, 107]);
    expect(z.units[1]!.values.data[2]).toBe(Math.fround((107 - m1) / s1));
    // A Tensor takes one label per row (2-D) or sample (3-D).
    const x = new Tensor(Float32Array.of(2, 104), [2, 1]);
    expect(Array.from(s.transform(x, { conditions: Int32Array.of(0, 1) }).data)).toEqual([z.units[0]!.values.data[1], z.units[1]!.values.data[0]]);
    expect(Array.from(s.transform(new Tensor(Float32Array.of(2, 2, 104, 104), [2, 1, 2]), { conditions: Int32Array.of(0, 1) }).data)).toEqual(
      [z.units[0]!.values.data[1], z.units[0]!.values.data[1], z.units[1]!.values.data[0], z.units[1]!.values.data[0]],
    );
    expect(() => s.transform(x, { conditions: Int32Array.of(0, 2) })).toThrow('Standardizer.transform: the Tensor has condition 2, which fit did not see (fitted conditions: 0, 1)');
    expect(() => s.transform(x)).toThrow(/Standardizer.transform: perCondition needs conditions, an Int32Array with one label per index of dim 0 \(2\)/);
    expect(() => s.fit(tableA)).toThrow(/Standardizer.fit: perCondition needs the conditions of every unit: unit 1 \(units\[0\]\) must have an Int32Array of 2 labels, got undefined/);
    expect(() => new Standardizer().fit(x, { conditions: Int32Array.of(0, 1) })).toThrow('Standardizer.fit: conditions were given but this Standardizer was made without perCondition: true');
  });

  it('toJSON → fromJSON (object or text) reproduces transform bit for bit', () => {
    const table: SeriesTable = { columns: ['x', 'y'], units: [unitOf(0, [[0.1, 3], [0.7, 1], [0.3, 2]], { conditions: Int32Array.of(2, 5, 2) }), unitOf(1, [[0.9, 9], [0.2, 4]], { conditions: Int32Array.of(5, 2) })] };
    const s = new Standardizer({ perCondition: true }).fit(table);
    const expected = s.transform(table).units.map((u) => Array.from(u.values.data));
    for (const copy of [Standardizer.fromJSON(s.toJSON()), Standardizer.fromJSON(JSON.stringify(s))]) {
      expect(copy.fitted).toBe(true);
      expect(copy.transform(table).units.map((u) => Array.from(u.values.data))).toEqual(expected);
    }
  });

  it('refuses corrupt JSON states with a message naming the field', () => {
    const good = new Standardizer().fit(tableA).toJSON();
    const edit = (patch: Record<string, unknown>) => ({ ...good, ...patch }) as never;
    const cases: Array<[unknown, string | RegExp]> = [
      ['{not json', /Standardizer.fromJSON: invalid JSON text/],
      [[1, 2], 'Standardizer.fromJSON: expected a scaler state object, got [1, 2]'],
      [edit({ type: 'MinMaxScaler' }), 'Standardizer.fromJSON: type must be "Standardizer", got "MinMaxScaler"'],
      [edit({ scale: [[1, 0, 1]] }), 'Standardizer.fromJSON: mean[0][1] = 0.3125 and scale[0][1] = 0: scale must be positive'],
      [JSON.parse(JSON.stringify(edit({ mean: [[NaN, 0, 7]] }))), /Standardizer.fromJSON: mean\[0\]\[0\] = null and scale\[0\]\[0\] = [\d.]+: must be finite numbers/],
      [edit({ mean: [[1, 2]] }), 'Standardizer.fromJSON: mean and scale must have the same shape, got 1×2 and 1×3'],
      [edit({ mean: undefined }), /Standardizer.fromJSON: mean must be a non-empty array of equal-length non-empty rows of numbers, got undefined/],
      [edit({ conditions: [0] }), 'Standardizer.fromJSON: without perCondition, conditions must be null and mean one row, got conditions [0] and 1 rows'],
      [edit({ columns: ['a'] }), 'Standardizer.fromJSON: columns must be null or 3 strings, got ["a"]'],
      [edit({ perCondition: 'yes' }), 'Standardizer.fromJSON: perCondition must be true or false, got "yes"'],
      [edit({ extra: 1 }), /Standardizer.fromJSON: unknown key "extra"/],
      [edit({ perCondition: true, conditions: [1, 0], mean: [[0, 0, 0], [0, 0, 0]], scale: [[1, 1, 1], [1, 1, 1]] }), /Standardizer.fromJSON: conditions must be 2 ascending int32 labels/],
    ];
    for (const [json, message] of cases) expect(() => Standardizer.fromJSON(json as never)).toThrow(message);
  });

  it('errors: transform before fit, channel count and column mismatches, non-finite data, bad layouts', () => {
    const s = new Standardizer();
    expect(s.fitted).toBe(false);
    expect(() => s.transform(tableA)).toThrow('Standardizer.transform: this Standardizer is not fitted yet; call fit(trainingData) first');
    expect(() => s.toJSON()).toThrow('Standardizer.toJSON: this Standardizer is not fitted yet');
    s.fit(tableA);
    expect(() => s.transform(new Tensor(new Float32Array(8), [4, 2]))).toThrow('Standardizer.transform: data has 2 channels but this Standardizer was fitted on 3');
    expect(() => s.transform({ columns: ['s9', 's1', 's15'], units: tableB.units })).toThrow('Standardizer.transform: the table\'s columns [s9, s1, s15] differ from those fitted [s9, s15, s1]');
    expect(() => new Standardizer().fit(new Tensor(Float32Array.of(1, NaN), [1, 2]))).toThrow('Standardizer.fit: the Tensor has a non-finite value (NaN) in channel 1');
    expect(() => s.transform(new Tensor(new Float32Array(3), [3]))).toThrow(/needs a channel dimension/);
    expect(() => s.transform(tableA, { channelDim: 0 })).toThrow(/conditions and channelDim apply to Tensors/);
    expect(() => new Standardizer({ perCondition: 1 as never })).toThrow('Standardizer: perCondition must be true or false, got 1');
    expect(() => new Standardizer({ withMean: false } as never)).toThrow(/Standardizer: unknown option "withMean"/);
  });
});

describe('MinMaxScaler', () => {
  it('maps each channel’s fitted [min, max] onto [0, 1] by default, a constant channel to lo', () => {
    const s = new MinMaxScaler().fit(tableA);
    const z = s.transform(tableA).units.flatMap((u) => Array.from(u.values.data));
    expect(Math.min(...z.filter((_, i) => i % 3 === 0))).toBe(0);
    expect(Math.max(...z.filter((_, i) => i % 3 === 1))).toBe(1);
    expect(z.filter((_, i) => i % 3 === 2)).toEqual([0, 0, 0, 0]);
    // Validation data: hand computation with the training min and max; nothing is clipped.
    const out = s.transform(tableB).units[0]!.values.data;
    const [lo, hi] = [Math.min(...column(rowsA, 1)), Math.max(...column(rowsA, 1))];
    expect(out[1]).toBe(Math.fround((10 - lo) / (hi - lo)));
    expect(out[1]).toBeGreaterThan(1);
  });

  it('featureRange, inverseTransform and the JSON round trip', () => {
    const s = new MinMaxScaler({ featureRange: [-1, 1] }).fit(tableA);
    const z = s.transform(tableB);
    const [lo, hi] = [Math.min(...column(rowsA, 0)), Math.max(...column(rowsA, 0))];
    expect(z.units[0]!.values.data[0]).toBe(Math.fround(((9000 - lo) / (hi - lo)) * 2 - 1));
    const back = s.inverseTransform(z).units[0]!.values.data;
    Array.from(back).forEach((v, i) => expect(v).toBeCloseTo(tableB.units[0]!.values.data[i]!, 2));
    const copy = MinMaxScaler.fromJSON(JSON.stringify(s));
    expect(copy.featureRange).toEqual([-1, 1]);
    expect(Array.from(copy.transform(tableB).units[0]!.values.data)).toEqual(Array.from(z.units[0]!.values.data));
    expect(() => MinMaxScaler.fromJSON({ ...s.toJSON(), dataMin: [[9070, 0, 7]] })).toThrow('MinMaxScaler.fromJSON: dataMin[0][0] = 9070 and dataMax[0][0] = 9066: dataMin must not exceed dataMax');
    expect(() => MinMaxScaler.fromJSON({ ...s.toJSON(), featureRange: [1, 1] })).toThrow('MinMaxScaler.fromJSON: featureRange must be [lo, hi] with finite lo < hi, got [1, 1]');
    expect(() => Standardizer.fromJSON(s.toJSON() as never)).toThrow(/type must be "Standardizer", got "MinMaxScaler"/);
    expect(() => new MinMaxScaler({ featureRange: [0, Infinity] })).toThrow('MinMaxScaler: featureRange must be [lo, hi] with finite lo < hi, got [0, Infinity]');
  });
});

describe('standardizeEach', () => {
  it("standardises each unit's channels by that unit's own mean and population std; a constant channel becomes 0", () => {
    const table: SeriesTable = { columns: ['s9', 's15', 's1'], units: [unitOf(1, rowsA, { rulAtEnd: 3 }), unitOf(2, rowsB)] };
    const out = standardizeEach(table);
    expect(out.columns).toEqual(table.columns);
    expect(out.units.map((u) => [u.id, u.rulAtEnd])).toEqual([[1, 3], [2, undefined]]);
    [rowsA, rowsB].forEach((rows, k) => {
      const values = out.units[k]!.values;
      expect(values.shape).toEqual([rows.length, 3]);
      for (let c = 0; c < 3; c++) {
        const [m, s] = meanStd(rows.map((r) => r[c]!));
        rows.forEach((r, t) => expect(values.data[t * 3 + c]).toBeCloseTo(s === 0 ? 0 : (r[c]! - m) / s, 5));
      }
    });
  });
});
