// randomSplit: counts and fractions (PyTorch's remainder rule), disjoint covering subsets, determinism, bad arguments.
import { describe, expect, it } from 'vitest';
import { randomSplit, Subset, TensorDataset, type Dataset } from '../../src/data/index.js';
import { PhiloxDraws } from '../../src/ref/philox.js';
import { tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { range, referencePermutation } from './helpers.js';

/** A dataset of n samples whose only field is its own index (a 0-dim tensor). */
function indexed(n: number): TensorDataset {
  return new TensorDataset(new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]));
}

const lengths = (s: Subset[]) => s.map((x) => x.length);
const members = (s: Subset) => Array.from(s.indices);

describe('randomSplit', () => {
  it('counts: subsets of those sizes, disjoint, covering the dataset, in the documented order (stream 2^51)', () => {
    const parts = randomSplit(indexed(10), [6, 3, 1], 17);
    expect(lengths(parts)).toEqual([6, 3, 1]);
    const all = parts.flatMap(members);
    expect([...all].sort((a, b) => a - b)).toEqual(range(10));
    expect(all).toEqual(referencePermutation(17, 2 ** 51, 10));
  });

  it('fractions use PyTorch’s rule: floor each, then the remainder round-robin from the first split', () => {
    // 129·0.8 = 103.2 → 103, 129·0.2 = 25.8 → 25; remainder 1 → the first split.
    expect(lengths(randomSplit(indexed(129), [0.8, 0.2], 0))).toEqual([104, 25]);
    expect(lengths(randomSplit(indexed(10), [0.8, 0.2], 0))).toEqual([8, 2]);
    // 10/3 → 3, 3, 3; remainder 1.
    expect(lengths(randomSplit(indexed(10), [1 / 3, 1 / 3, 1 / 3], 0))).toEqual([4, 3, 3]);
    // 11: 5, 2, 2; remainder 2 → splits 0 and 1.
    expect(lengths(randomSplit(indexed(11), [0.5, 0.25, 0.25], 0))).toEqual([6, 3, 2]);
    // 7 · 0.1 = 0.7 → 0 ... remainder 7 − 6 = 1 → split 0: [1, 6].
    expect(lengths(randomSplit(indexed(7), [0.1, 0.9], 0))).toEqual([1, 6]);
    // A sum off by float rounding (0.7 + 0.2 + 0.1 = 0.9999999999999999) is still fractions.
    expect(lengths(randomSplit(indexed(20), [0.7, 0.2, 0.1], 0))).toEqual([14, 4, 2]);
  });

  it('fraction subsets are disjoint and cover the dataset', () => {
    const parts = randomSplit(indexed(129), [0.5, 0.3, 0.2], 5);
    const all = parts.flatMap(members);
    expect(new Set(all).size).toBe(129);
    expect([...all].sort((a, b) => a - b)).toEqual(range(129));
  });

  it('subsets read the dataset through their indices', () => {
    const ds = indexed(12);
    for (const part of randomSplit(ds, [0.75, 0.25], 3)) {
      for (let k = 0; k < part.length; k++) expect(part.get(k)[0]!.item()).toBe(part.indices[k]);
      expect(part.getBatch(Int32Array.from(range(part.length)))[0]!.toArray()).toEqual(members(part));
    }
  });

  it('is a pure function of (seed, length, lengths); different seeds give different splits', () => {
    const a = randomSplit(indexed(50), [40, 10], 9).map(members);
    const b = randomSplit(indexed(50), [40, 10], 9).map(members);
    const c = randomSplit(indexed(50), [40, 10], 10).map(members);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a[0]).not.toEqual(range(40));
  });

  it('without a seed, follows manualSeed', () => {
    manualSeed(21);
    const a = randomSplit(indexed(30), [0.5, 0.5]).map(members);
    const next = randomSplit(indexed(30), [0.5, 0.5]).map(members);
    manualSeed(21);
    expect(randomSplit(indexed(30), [0.5, 0.5]).map(members)).toEqual(a);
    expect(next).not.toEqual(a);
    const draws = new PhiloxDraws(21, 0);
    const seed = (draws.draw(0) & 0x1fffff) * 2 ** 32 + draws.draw(1);
    expect(a.flat()).toEqual(referencePermutation(seed, 2 ** 51, 30));
  });

  it('works on any Dataset (a plain object with get) and allows empty splits', () => {
    const plain: Dataset = { length: 4, get: (i) => [tensor([i])] };
    const parts = randomSplit(plain, [4, 0], 1);
    expect(lengths(parts)).toEqual([4, 0]);
    expect(parts[0]!.dataset).toBe(plain);
    expect([...members(parts[0]!)].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('errors', () => {
  const ds = indexed(10);
  const bad = (v: unknown) => v as never;
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['counts not summing to the length', () => randomSplit(ds, [3, 4], 0), "randomSplit: lengths must be counts summing to the dataset's length (10) or fractions summing to 1, got [3, 4] (sum 7)"],
    ['counts over the length', () => randomSplit(ds, [8, 4], 0), /got \[8, 4\] \(sum 12\)/],
    ['fractions not summing to 1', () => randomSplit(ds, [0.5, 0.4], 0), /got \[0.5, 0.4\] \(sum 0.9\)/],
    ['fractions off by more than 1e-9', () => randomSplit(ds, [0.5, 0.5 + 1e-8], 0), /or fractions summing to 1, got \[0.5, 0.50000001\]/],
    ['mixed fraction and count', () => randomSplit(ds, [0.5, 9.5], 0), /got \[0.5, 9.5\] \(sum 10\)/],
    ['negative length', () => randomSplit(ds, [11, -1], 0), 'randomSplit: lengths[1] must be a non-negative finite number, got -1'],
    ['NaN length', () => randomSplit(ds, [NaN, 1], 0), 'randomSplit: lengths[0] must be a non-negative finite number, got NaN'],
    ['string length', () => randomSplit(ds, bad(['5', 5]), 0), 'randomSplit: lengths[0] must be a non-negative finite number, got "5"'],
    ['empty lengths', () => randomSplit(ds, [], 0), 'randomSplit: lengths must be a non-empty array of counts or fractions, got []'],
    ['lengths not an array', () => randomSplit(ds, bad(0.8), 0), 'randomSplit: lengths must be a non-empty array of counts or fractions, got 0.8'],
    ['seed negative', () => randomSplit(ds, [5, 5], -3), 'randomSplit: seed must be a non-negative integer, got -3'],
    ['seed non-integer', () => randomSplit(ds, [5, 5], 0.5), 'randomSplit: seed must be a non-negative integer, got 0.5'],
    ['not a dataset', () => randomSplit(bad({ get: () => [] }), [1], 0), /randomSplit: dataset must be a Dataset .*got an object with keys get/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(message);
    });
  }
});
