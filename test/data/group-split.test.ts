// groupSplit / groupKFold: no unit on both sides of a split (proved over windows), randomSplit's rule over groups, sklearn's fold balancing, errors.
import { describe, expect, it } from 'vitest';
import { groupKFold, groupSplit } from '../../src/data/group-split.js';
import { randomSplit } from '../../src/data/split.js';
import { TensorDataset, type Subset } from '../../src/data/dataset.js';
import { slidingWindows } from '../../src/data/windows.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { range, referencePermutation } from './helpers.js';
import { codedTable } from './series-fixtures.js';

/** A table of 13 units of varied lengths (20..58 rows) and its stride-2 windows of 10 rows. */
const lengths = Array.from({ length: 13 }, (_, u) => 20 + ((u * 17) % 39));
const table = codedTable(lengths);
const windows = slidingWindows(table, { window: 10, stride: 2, targets: 'rul' });
const dataset = windows.toDataset();
/** The unit id of each window, as the window's own data says (x[n, 0, 0] = code(unit, row, 0) = unit·1000 + ...). */
const unitIdOf = (n: number): string => `u${Math.floor(windows.x.data[n * 3 * 10]! / 1000)}`;
const ids = (s: Subset): Set<string> => new Set(Array.from(s.indices, unitIdOf));
const sorted = (a: Iterable<number>): number[] => [...a].sort((p, q) => p - q);

describe('groupSplit', () => {
  it('no unit has windows on both sides, and together the parts hold every window exactly once', () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const [train, val] = groupSplit(dataset, windows.groups, [0.75, 0.25], seed);
      const a = ids(train!), b = ids(val!);
      expect([...a].filter((id) => b.has(id))).toEqual([]);
      expect(sorted([...train!.indices, ...val!.indices])).toEqual(range(dataset.length));
      // lengths count units: 13 · 0.75 = 9.75 → 9, + the remainder → 10 units and 3.
      expect([a.size, b.size]).toEqual([10, 3]);
    }
  });

  it('permutes the groups (first-appearance order) with randomSplit’s stream; each group’s samples stay in order', () => {
    const groups = ['b', 'b', 'a', 'c', 'a', 'd', 'c', 'c'];
    const ds = new TensorDataset(new Tensor(new Float32Array(8), [8]));
    const [p, q] = groupSplit(ds, groups, [2, 2], 11);
    const order = referencePermutation(11, 2 ** 51, 4); // over b, a, c, d
    const members = [[0, 1], [2, 4], [3, 6, 7], [5]];
    expect(Array.from(p!.indices)).toEqual([...members[order[0]!]!, ...members[order[1]!]!]);
    expect(Array.from(q!.indices)).toEqual([...members[order[2]!]!, ...members[order[3]!]!]);
  });

  it('with one group per sample it is exactly randomSplit', () => {
    const ds = new TensorDataset(new Tensor(new Float32Array(23), [23]));
    const a = groupSplit(ds, Int32Array.from(range(23)), [0.6, 0.3, 0.1], 5).map((s) => Array.from(s.indices));
    const b = randomSplit(ds, [0.6, 0.3, 0.1], 5).map((s) => Array.from(s.indices));
    expect(a).toEqual(b);
  });

  it('splits a SeriesTable by unit (a pure function of the seed), so a scaler can be fitted on training units', () => {
    const [train, val] = groupSplit(table, [9, 4], 7);
    expect(train!.columns).toBe(table.columns);
    expect([train!.units.length, val!.units.length]).toEqual([9, 4]);
    const all = [...train!.units, ...val!.units];
    expect(new Set(all).size).toBe(13);
    for (const u of table.units) expect(all).toContain(u);
    expect(groupSplit(table, [9, 4], 7)[1]!.units).toEqual(val!.units);
    expect(groupSplit(table, [9, 4], 8)[1]!.units).not.toEqual(val!.units);
  });

  const bad = (v: unknown) => v as never;
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['lengths over groups', () => groupSplit(dataset, windows.groups, [10, 4], 0), "groupSplit: lengths must be counts summing to the number of groups (13) or fractions summing to 1, got [10, 4] (sum 14)"],
    ['groups of the wrong length', () => groupSplit(dataset, new Int32Array(3), [0.5, 0.5], 0), `groupSplit: groups must have one label per sample of the dataset (${dataset.length}), got 3`],
    ['NaN group', () => groupSplit(new TensorDataset(new Tensor(new Float32Array(2), [2])), [1, NaN], [1, 0], 0), 'groupSplit: groups[1] must be a finite number or a string, got NaN'],
    ['groups not an array', () => groupSplit(dataset, bad('u1'), [1], 0), /groupSplit: groups must be an Int32Array or an array/],
    ['bad seed', () => groupSplit(table, [0.5, 0.5], -1), 'groupSplit: seed must be a non-negative integer, got -1'],
    ['duplicate unit ids', () => groupSplit({ columns: table.columns, units: [table.units[0]!, table.units[0]!] }, [1, 1], 0), 'groupSplit: units[0] and units[1] share the id "u0"; unit ids must be unique'],
    ['not a dataset', () => groupSplit(bad({}), bad([0]), [1], 0), /groupSplit: dataset must be a Dataset/],
  ];
  for (const [name, fn, message] of cases) it(`error: ${name}`, () => expect(fn).toThrow(message));
});

describe('groupKFold', () => {
  it('every window is in exactly one validation fold; no fold shares a unit between train and validation', () => {
    for (const options of [undefined, { shuffle: true, seed: 3 }]) {
      const folds = groupKFold(dataset, windows.groups, 4, options);
      expect(folds.length).toBe(4);
      const count = new Int32Array(dataset.length);
      for (const { train, validation } of folds) {
        for (const i of validation.indices) count[i]!++;
        const a = ids(train), b = ids(validation);
        expect([...a].filter((id) => b.has(id))).toEqual([]);
        expect(sorted([...train.indices, ...validation.indices])).toEqual(range(dataset.length));
        expect(Array.from(validation.indices)).toEqual(sorted(validation.indices)); // dataset order
      }
      expect(Array.from(count)).toEqual(new Array(dataset.length).fill(1));
    }
  });

  it("balances samples as sklearn: largest group first, each to the fold with the fewest samples (ties: lowest fold)", () => {
    // Groups by first appearance: a (5), b (3), c (3), d (2), e (1).
    const groups = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'e'];
    const ds = new TensorDataset(new Tensor(new Float32Array(groups.length), [groups.length]));
    // a → 0 (5, 0); b → 1 (5, 3); c → 1 (5, 6); d → 0 (7, 6); e → 1 (7, 7).
    const folds = groupKFold(ds, groups, 2);
    expect(Array.from(folds[0]!.validation.indices)).toEqual([0, 1, 2, 3, 4, 11, 12]);
    expect(Array.from(folds[1]!.validation.indices)).toEqual([5, 6, 7, 8, 9, 10, 13]);
    expect(Array.from(folds[1]!.train.indices)).toEqual([0, 1, 2, 3, 4, 11, 12]);
    // Equal sizes: first appearance first, ties to the lowest fold: g0 → 0, g1 → 1, g2 → 0.
    const tied = groupKFold(new TensorDataset(new Tensor(new Float32Array(6), [6])), [7, 7, 8, 8, 9, 9], 2);
    expect(tied.map((f) => Array.from(f.validation.indices))).toEqual([[0, 1, 4, 5], [2, 3]]);
  });

  it('shuffle: the permuted groups cut into k runs as array_split (first G mod k folds one group more), a pure function of the seed', () => {
    const G = 13, k = 4;
    const order = referencePermutation(9, 2 ** 51, G);
    const folds = groupKFold(dataset, windows.groups, k, { shuffle: true, seed: 9 });
    const sizes = [4, 3, 3, 3];
    let pos = 0;
    folds.forEach((f, i) => {
      const units = sorted(new Set(Array.from(f.validation.indices, (n) => windows.groups[n]!)));
      expect(units).toEqual(sorted(order.slice(pos, (pos += sizes[i]!))));
    });
    const again = groupKFold(dataset, windows.groups, k, { shuffle: true, seed: 9 });
    expect(again.map((f) => Array.from(f.validation.indices))).toEqual(folds.map((f) => Array.from(f.validation.indices)));
    const other = groupKFold(dataset, windows.groups, k, { shuffle: true, seed: 10 });
    expect(other.map((f) => Array.from(f.validation.indices))).not.toEqual(folds.map((f) => Array.from(f.validation.indices)));
  });

  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['k above the number of groups', () => groupKFold(dataset, windows.groups, 14), 'groupKFold: k (14) must not exceed the number of groups (13)'],
    ['k = 1', () => groupKFold(dataset, windows.groups, 1), 'groupKFold: k must be at least 2, got 1'],
    ['k = 2.5', () => groupKFold(dataset, windows.groups, 2.5), 'groupKFold: k must be a positive integer, got 2.5'],
    ['seed without shuffle', () => groupKFold(dataset, windows.groups, 3, { seed: 1 }), 'groupKFold: seed has no effect without shuffle: true, got seed 1'],
    ['unknown option', () => groupKFold(dataset, windows.groups, 3, { shufle: true } as never), /groupKFold: unknown option "shufle"/],
  ];
  for (const [name, fn, message] of cases) it(`error: ${name}`, () => expect(fn).toThrow(message));
});
