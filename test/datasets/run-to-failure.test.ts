// datasets.runToFailure: determinism and a seed-0 fingerprint, lives, sensors (constant vs informative, signs), test cuts, operating conditions, options, the caller's random state.
import { describe, expect, it } from 'vitest';
import { runToFailure, type RunToFailureDataset } from '../../src/datasets/run-to-failure.js';
import type { SeriesTable } from '../../src/data/series.js';
import { KeelError, OptionError } from '../../src/errors.js';
import { randn } from '../../src/tensor/create.js';
import { generatorState, manualSeed } from '../../src/tensor/random.js';

const CONSTANT = ['s1', 's5', 's6', 's10', 's16', 's18', 's19'];
const RISING = ['s2', 's3', 's4', 's8', 's9', 's11', 's13', 's14', 's15', 's17'];
const FALLING = ['s7', 's12', 's20', 's21'];

/** FNV-1a over the float32 bits of every value, the lives and the test RULs: changes if any bit does. */
function fingerprint(ds: RunToFailureDataset): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => (h = Math.imul(h ^ v, 0x01000193) >>> 0);
  for (const table of [ds.train, ds.test]) {
    for (const u of table.units) {
      for (const bits of new Uint32Array(u.values.data.buffer, u.values.data.byteOffset, u.values.data.length)) mix(bits);
      mix(u.values.shape[0]!);
      mix(u.rulAtEnd ?? 0);
    }
  }
  return h.toString(16).padStart(8, '0');
}

/** Column `name` of every row of every unit (minus the unit's own mean when `centred`), with each row's RUL (rulAtEnd + rows to the end). */
function column(table: SeriesTable, name: string, centred = false): { x: number[]; rul: number[] } {
  const j = table.columns.indexOf(name), C = table.columns.length;
  const x: number[] = [], rul: number[] = [];
  for (const u of table.units) {
    const T = u.values.shape[0]!;
    const own = Array.from({ length: T }, (_, t) => u.values.data[t * C + j]!);
    const m = centred ? mean(own) : 0;
    for (let t = 0; t < T; t++) {
      x.push(own[t]! - m);
      rul.push((u.rulAtEnd ?? 0) + T - 1 - t);
    }
  }
  return { x, rul };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: number[]) => {
  const m = mean(a);
  return Math.sqrt(mean(a.map((v) => (v - m) ** 2)));
};
function corr(a: number[], b: number[]): number {
  const ma = mean(a), mb = mean(b);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('runToFailure', () => {
  const ds = runToFailure();

  it('has the documented shape: 21 columns s1..s21, cycles 1..T, the 14 informative and 7 constant sensors', () => {
    expect(ds.train.columns).toEqual(Array.from({ length: 21 }, (_, i) => `s${i + 1}`));
    expect(ds.test.columns).toEqual(ds.train.columns);
    expect(ds.train.units.length).toBe(20);
    expect(ds.test.units.length).toBe(100);
    expect(ds.informative).toEqual(['s2', 's3', 's4', 's7', 's8', 's9', 's11', 's12', 's13', 's14', 's15', 's17', 's20', 's21']);
    expect(ds.constant).toEqual(CONSTANT);
    ds.train.units.forEach((u, i) => {
      const T = u.values.shape[0]!;
      expect(u.id).toBe(i + 1);
      expect(u.values.shape).toEqual([T, 21]);
      expect(Array.from(u.time!)).toEqual(Array.from({ length: T }, (_, t) => t + 1));
      expect(u.rulAtEnd).toBeUndefined();
      expect(u.conditions).toBeUndefined();
    });
  });

  it('is a pure function of the seed: same seed, same bits; this fingerprint for seed 0 on every platform', () => {
    expect(fingerprint(runToFailure({ seed: 0 }))).toBe(fingerprint(ds));
    expect(fingerprint(ds)).toBe('6d00d142');
    expect(ds.train.units.slice(0, 5).map((u) => u.values.shape[0])).toEqual([225, 156, 210, 151, 212]);
    expect(ds.test.units.slice(0, 5).map((u) => u.rulAtEnd)).toEqual([44, 106, 120, 21, 20]);
    expect(Array.from(ds.train.units[0]!.values.data.subarray(0, 4))).toEqual([518.6699829101562, 641.8964233398438, 1587.3316650390625, 1416.399658203125]);
  });

  it('different seeds give different engines; engine i does not depend on how many are asked for', () => {
    const other = runToFailure({ seed: 1 });
    expect(fingerprint(other)).not.toBe(fingerprint(ds));
    expect(other.train.units[0]!.values.data).not.toEqual(ds.train.units[0]!.values.data);
    const few = runToFailure({ trainUnits: 3, testUnits: 2 });
    few.train.units.forEach((u, i) => expect(u.values.data).toEqual(ds.train.units[i]!.values.data));
    few.test.units.forEach((u, i) => expect(u.values.data).toEqual(ds.test.units[i]!.values.data));
  });

  it('lives run 128–362 cycles with mean ≈ 206 (FD001) over many engines', () => {
    const lives = runToFailure({ seed: 3, trainUnits: 1000, testUnits: 0 }).train.units.map((u) => u.values.shape[0]!);
    expect(Math.min(...lives)).toBeGreaterThanOrEqual(128);
    expect(Math.max(...lives)).toBeLessThanOrEqual(362);
    // sd of lives ≈ 44, so the mean of 1000 has sd ≈ 1.4.
    expect(Math.abs(mean(lives) - 206)).toBeLessThan(6);
    expect(std(lives)).toBeGreaterThan(30);
  });

  it('constant sensors barely move; informative ones track RUL with their documented sign', () => {
    const stds = new Map(ds.train.columns.map((c) => [c, std(column(ds.train, c).x)]));
    const maxConstant = Math.max(...CONSTANT.map((c) => stds.get(c)!));
    const minInformative = Math.min(...ds.informative.map((c) => stds.get(c)!));
    expect(maxConstant).toBeLessThan(minInformative / 10);
    for (const c of ['s1', 's5', 's10', 's16', 's18', 's19']) expect(stds.get(c)).toBe(0);
    // FD001-like scales.
    expect(mean(column(ds.train, 's2').x)).toBeCloseTo(642.7, 0);
    expect(Math.abs(mean(column(ds.train, 's9').x) - 9065) / 22).toBeLessThan(1);
    expect(Math.abs(mean(column(ds.train, 's15').x) - 8.44)).toBeLessThan(0.04);
    // A sensor that rises with wear falls with RUL, within each engine (each engine's mean removed:
    // s9 and s14 vary more between engines than with wear, as in FD001).
    const within = (c: string) => corr(column(ds.train, c, true).x, column(ds.train, c).rul);
    for (const c of RISING) expect(within(c), c).toBeLessThan(-0.2);
    for (const c of FALLING) expect(within(c), c).toBeGreaterThan(0.2);
  });

  it('without noise, an engine stays at its initial readings for at least 20 cycles, then moves one way to failure', () => {
    const clean = runToFailure({ noise: 0, trainUnits: 10, testUnits: 0 });
    const C = 21, s2 = 1, s7 = 6;
    for (const u of clean.train.units) {
      const v = u.values.data, T = u.values.shape[0]!;
      for (let t = 1; t < 20; t++) expect(v[t * C + s2]).toBe(v[s2]);
      for (let t = 1; t < T; t++) {
        expect(v[t * C + s2]!).toBeGreaterThanOrEqual(v[(t - 1) * C + s2]!);
        expect(v[t * C + s7]!).toBeLessThanOrEqual(v[(t - 1) * C + s7]!);
      }
      expect(v[(T - 1) * C + s2]! - v[s2]!).toBeGreaterThan(0.3); // change 1.2 at failure, gain e^(0.3·z) ≥ 0.3 for |z| < 4.6
    }
  });

  it('test engines are cut before failure: RUL 7–145 at the end, at least 31 rows', () => {
    const test = runToFailure({ seed: 5, trainUnits: 1, testUnits: 300 }).test.units;
    for (const u of test) {
      expect(u.values.shape[0]).toBeGreaterThanOrEqual(31);
      expect(Number.isInteger(u.rulAtEnd)).toBe(true);
      expect(u.rulAtEnd).toBeGreaterThanOrEqual(7);
      expect(u.rulAtEnd).toBeLessThanOrEqual(145);
      expect(u.values.shape[0]! + u.rulAtEnd!).toBeLessThanOrEqual(362);
    }
    const ruls = test.map((u) => u.rulAtEnd!);
    expect(Math.min(...ruls)).toBeLessThan(20);
    expect(Math.max(...ruls)).toBeGreaterThan(130);
  });

  it('operatingConditions: six labels per row that scale every sensor, constant sensors constant within a condition', () => {
    const oc = runToFailure({ operatingConditions: true, trainUnits: 5, testUnits: 2 });
    const C = 21;
    const byCondition = new Map<number, Set<number>>();
    const s2ByCondition: number[][] = [[], [], [], [], [], []];
    for (const u of [...oc.train.units, ...oc.test.units]) {
      const T = u.values.shape[0]!;
      expect(u.conditions).toBeInstanceOf(Int32Array);
      expect(u.conditions!.length).toBe(T);
      for (let t = 0; t < T; t++) {
        const k = u.conditions![t]!;
        if (!byCondition.has(k)) byCondition.set(k, new Set());
        byCondition.get(k)!.add(u.values.data[t * C]!); // s1
        s2ByCondition[k]!.push(u.values.data[t * C + 1]!);
      }
    }
    expect([...byCondition.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // s1 takes exactly one value per condition, six different ones; condition 0 is FD001's sea level.
    const s1 = [0, 1, 2, 3, 4, 5].map((k) => [...byCondition.get(k)!]);
    s1.forEach((values) => expect(values.length).toBe(1));
    expect(new Set(s1.flat()).size).toBe(6);
    expect(s1[0]![0]).toBe(Math.fround(518.67));
    // s2 moves far more between conditions (its level · U[0.85, 1.05]) than its noise and wear do.
    const s2means = s2ByCondition.map(mean);
    expect(Math.max(...s2means) - Math.min(...s2means)).toBeGreaterThan(10);
    // The condition draws do not change the engines' lives.
    expect(oc.train.units.map((u) => u.values.shape[0])).toEqual(ds.train.units.slice(0, 5).map((u) => u.values.shape[0]));
  });

  it('leaves the caller’s random state alone', () => {
    manualSeed(42);
    const before = generatorState();
    runToFailure({ trainUnits: 2, testUnits: 2 });
    expect(generatorState()).toEqual(before);
    const a = randn([4]).data;
    manualSeed(42);
    expect(randn([4]).data).toEqual(a);
  });

  it('rejects bad options, naming the option, the expectation and the value', () => {
    expect(() => runToFailure({ seeds: 1 } as never)).toThrow(/runToFailure: unknown option "seeds"/);
    expect(() => runToFailure(3 as never)).toThrow(/runToFailure: options must be an object, got 3/);
    expect(() => runToFailure({ seed: -1 })).toThrow(/runToFailure: seed must be a non-negative integer, got -1/);
    expect(() => runToFailure({ seed: 1.5 })).toThrow(OptionError);
    expect(() => runToFailure({ seed: 1.5 })).toThrow(KeelError);
    expect(() => runToFailure({ trainUnits: 0 })).toThrow(/runToFailure: trainUnits must be a positive integer, got 0/);
    expect(() => runToFailure({ testUnits: -2 })).toThrow(/runToFailure: testUnits must be a non-negative integer, got -2/);
    expect(() => runToFailure({ noise: -0.1 })).toThrow(/runToFailure: noise must be a finite number >= 0, got -0.1/);
    expect(() => runToFailure({ noise: Infinity })).toThrow(/runToFailure: noise must be a finite number >= 0, got Infinity/);
    expect(() => runToFailure({ operatingConditions: 'yes' as never })).toThrow(/runToFailure: operatingConditions must be true or false, got "yes"/);
    expect(runToFailure({ testUnits: 0, trainUnits: 1 }).test.units).toEqual([]);
  });
});
