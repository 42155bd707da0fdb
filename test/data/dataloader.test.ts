// DataLoader: batching, seeded per-epoch shuffles, dropLast / minBatchSize, gathering, and bad arguments.
import { describe, expect, it } from 'vitest';
import { DataLoader, TensorDataset, type Dataset } from '../../src/data/index.js';
import { OptionError } from '../../src/errors.js';
import { PhiloxDraws } from '../../src/ref/philox.js';
import { tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { range, referencePermutation } from './helpers.js';

/** x (n, 2, 3) with x[i] = 6i .. 6i + 5, y (n) with y[i] = 1000 + i. */
function data(n: number): { x: Tensor; y: Tensor } {
  return {
    x: new Tensor(Float32Array.from({ length: n * 6 }, (_, p) => p), [n, 2, 3]),
    y: new Tensor(Float32Array.from({ length: n }, (_, i) => 1000 + i), [n]),
  };
}

/** The same samples as data(n), through get() only (no getBatch). */
function plain(n: number): Dataset {
  return {
    length: n,
    get: (i: number) => [tensor(Array.from({ length: 6 }, (_, q) => 6 * i + q), [2, 3]), tensor([1000 + i], [])],
  };
}

const sizes = (lists: Int32Array[]) => lists.map((l) => l.length);
const flat = (lists: Int32Array[]) => lists.flatMap((l) => Array.from(l));

describe('order', () => {
  const { x, y } = data(10);
  const ds = new TensorDataset(x, y);

  it('without shuffle: 0..N-1 in batches of batchSize, the same every epoch', () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(loader.batchIndices(0).map((l) => Array.from(l))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(loader.batchIndices(7).map((l) => Array.from(l))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('defaults: batchSize 1, no shuffle, no dropLast, minBatchSize 1', () => {
    const loader = new DataLoader(ds);
    expect([loader.batchSize, loader.shuffle, loader.dropLast, loader.minBatchSize]).toEqual([1, false, false, 1]);
    expect(loader.length).toBe(10);
    expect(flat(loader.batchIndices(0))).toEqual(range(10));
  });

  it('with shuffle: every sample exactly once per epoch, in the documented Philox/Fisher–Yates order (stream 2^52 + epoch)', () => {
    const big = new TensorDataset(data(257).x, data(257).y);
    const loader = new DataLoader(big, { batchSize: 32, shuffle: true, seed: 12345 });
    for (let e = 0; e < 4; e++) {
      const order = flat(loader.batchIndices(e));
      expect([...order].sort((a, b) => a - b)).toEqual(range(257));
      expect(order).toEqual(referencePermutation(12345, 2 ** 52 + e, 257));
    }
  });

  it('shuffles differ between epochs and seeds, and are identical for the same (seed, epoch) across loaders', () => {
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const c = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 8 });
    const e0 = flat(a.batchIndices(0)), e1 = flat(a.batchIndices(1));
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(range(10));
    expect(flat(b.batchIndices(0))).toEqual(e0);
    expect(flat(b.batchIndices(1))).toEqual(e1);
    expect(flat(c.batchIndices(0))).not.toEqual(e0);
  });

  it('an epoch is a pure function of (seed, epoch): resuming at epoch 3 needs no replay; iteration counts epochs from 0', () => {
    const a = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 99 });
    const iterated: number[][] = [];
    for (let e = 0; e < 4; e++) {
      const ys: number[] = [];
      for (const [, yb] of a) ys.push(...yb!.toArray());
      iterated.push(ys);
    }
    const fresh = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 99 });
    expect(iterated[3]).toEqual(flat(fresh.batchIndices(3)).map((i) => 1000 + i));
    expect(iterated[0]).toEqual(flat(fresh.batchIndices(0)).map((i) => 1000 + i));
    expect(iterated[1]).not.toEqual(iterated[0]);
  });

  it('the default seed is drawn from the global generator (manualSeed) when shuffling, and nothing is drawn otherwise', () => {
    const draws = new PhiloxDraws(5, 0); // manualSeed(5): the first stream handed out is 0
    const expected = (draws.draw(0) & 0x1fffff) * 2 ** 32 + draws.draw(1);
    manualSeed(5);
    const quiet = new DataLoader(ds, { batchSize: 2 });
    const first = new DataLoader(ds, { batchSize: 2, shuffle: true });
    const second = new DataLoader(ds, { batchSize: 2, shuffle: true });
    expect(quiet.seed).toBe(0);
    expect(first.seed).toBe(expected);
    expect(second.seed).not.toBe(first.seed);
    manualSeed(5);
    expect(flat(new DataLoader(ds, { batchSize: 2, shuffle: true }).batchIndices(2))).toEqual(flat(first.batchIndices(2)));
  });
});

describe('dropLast and minBatchSize', () => {
  const loader = (n: number, o: object) => new DataLoader(new TensorDataset(data(n).x, data(n).y), { batchSize: 64, ...o });

  it('N=129, batchSize 64: [64, 64, 1] by default, [64, 65] with minBatchSize 2, [64, 64] with dropLast', () => {
    expect(sizes(loader(129, {}).batchIndices(0))).toEqual([64, 64, 1]);
    expect(loader(129, {}).length).toBe(3);
    const merged = loader(129, { minBatchSize: 2, shuffle: true, seed: 3 });
    expect(sizes(merged.batchIndices(0))).toEqual([64, 65]);
    expect(merged.length).toBe(2);
    expect([...flat(merged.batchIndices(0))].sort((a, b) => a - b)).toEqual(range(129));
    expect(flat(merged.batchIndices(0))).toEqual(referencePermutation(3, 2 ** 52, 129));
    const dropped = loader(129, { dropLast: true });
    expect(sizes(dropped.batchIndices(0))).toEqual([64, 64]);
    expect(flat(dropped.batchIndices(0))).toEqual(range(128));
    expect(dropped.length).toBe(2);
  });

  it('N=128: [64, 64] whatever minBatchSize or dropLast', () => {
    for (const o of [{}, { minBatchSize: 2 }, { dropLast: true }]) {
      expect(sizes(loader(128, o).batchIndices(0))).toEqual([64, 64]);
      expect(loader(128, o).length).toBe(2);
    }
  });

  it('merges a last batch below minBatchSize only: N=140, minBatchSize 12 keeps 12; N=139 merges 11', () => {
    expect(sizes(loader(140, { minBatchSize: 12 }).batchIndices(0))).toEqual([64, 64, 12]);
    expect(sizes(loader(139, { minBatchSize: 12 }).batchIndices(0))).toEqual([64, 75]);
  });

  it('minBatchSize is ignored with dropLast; a dataset smaller than minBatchSize keeps its one batch; dropLast can leave none', () => {
    expect(sizes(loader(129, { minBatchSize: 2, dropLast: true }).batchIndices(0))).toEqual([64, 64]);
    expect(sizes(loader(1, { minBatchSize: 2 }).batchIndices(0))).toEqual([1]);
    expect(loader(63, { dropLast: true }).length).toBe(0);
    expect([...loader(63, { dropLast: true }).batches(0)]).toEqual([]);
  });
});

describe('batches', () => {
  it('each batch holds the rows of its indices: x (B, 2, 3), y (B) for a 0-dim field', () => {
    const { x, y } = data(11);
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 4, shuffle: true, seed: 1, minBatchSize: 4 });
    const lists = loader.batchIndices(2);
    const batches = [...loader.batches(2)];
    expect(batches.map((b) => b.map((t) => t.shape))).toEqual([
      [[4, 2, 3], [4]],
      [[7, 2, 3], [7]],
    ]);
    batches.forEach(([xb, yb], k) => {
      const idx = Array.from(lists[k]!);
      expect(yb!.toArray()).toEqual(idx.map((i) => 1000 + i));
      expect(xb!.toArray()).toEqual(idx.flatMap((i) => Array.from({ length: 6 }, (_, q) => 6 * i + q)));
    });
  });

  it('a dataset with only get() gives the same batches as a TensorDataset of the same data', () => {
    const { x, y } = data(23);
    const o = { batchSize: 5, shuffle: true, seed: 42, minBatchSize: 4 };
    const fromTensors = new DataLoader(new TensorDataset(x, y), o);
    const fromGet = new DataLoader(plain(23), o);
    for (const e of [0, 1]) {
      const a = [...fromTensors.batches(e)], b = [...fromGet.batches(e)];
      expect(b.map((f) => f.map((t) => t.shape))).toEqual(a.map((f) => f.map((t) => t.shape)));
      expect(b.map((f) => f.map((t) => t.toArray()))).toEqual(a.map((f) => f.map((t) => t.toArray())));
    }
    expect([...fromGet.batches(0)][0]![1]!.shape).toEqual([5]);
  });

  it('uses getBatch once per batch when the dataset has it, get() otherwise', () => {
    const { x, y } = data(10);
    const inner = new TensorDataset(x, y);
    let batchCalls = 0, getCalls = 0;
    const withBatch: Dataset = {
      length: 10,
      get: (i) => { getCalls++; return inner.get(i); },
      getBatch: (idx) => { batchCalls++; return inner.getBatch(idx); },
    };
    expect([...new DataLoader(withBatch, { batchSize: 4 }).batches(0)]).toHaveLength(3);
    expect([batchCalls, getCalls]).toEqual([3, 0]);
    const withoutBatch: Dataset = { length: 10, get: withBatch.get };
    expect([...new DataLoader(withoutBatch, { batchSize: 4 }).batches(0)]).toHaveLength(3);
    expect(getCalls).toBe(10);
  });
});

describe('errors', () => {
  const { x, y } = data(6);
  const ds = new TensorDataset(x, y);
  const bad = (v: unknown) => v as never;
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['not a dataset', () => new DataLoader(bad([1, 2, 3])), /DataLoader: dataset must be a Dataset \(an object with a non-negative integer length and a get\(index\) method\), got \[1, 2, 3\]/],
    ['a Tensor as dataset', () => new DataLoader(bad(x)), /DataLoader: dataset must be a Dataset .*got a Tensor of shape \(6, 2, 3\)/],
    ['options not an object', () => new DataLoader(ds, bad(64)), 'DataLoader: options must be an object, got 64'],
    ['unknown option', () => new DataLoader(ds, bad({ batchsize: 64 })), /DataLoader: unknown option "batchsize" \(known options: batchSize, shuffle, dropLast, minBatchSize, seed\)/],
    ['batchSize 0', () => new DataLoader(ds, { batchSize: 0 }), 'DataLoader: batchSize must be a positive integer, got 0'],
    ['batchSize 2.5', () => new DataLoader(ds, { batchSize: 2.5 }), 'DataLoader: batchSize must be a positive integer, got 2.5'],
    ['shuffle "yes"', () => new DataLoader(ds, { shuffle: bad('yes') }), 'DataLoader: shuffle must be true or false, got "yes"'],
    ['dropLast 1', () => new DataLoader(ds, { dropLast: bad(1) }), 'DataLoader: dropLast must be true or false, got 1'],
    ['minBatchSize 0', () => new DataLoader(ds, { minBatchSize: 0 }), 'DataLoader: minBatchSize must be a positive integer, got 0'],
    ['minBatchSize above batchSize', () => new DataLoader(ds, { batchSize: 1, minBatchSize: 2 }), 'DataLoader: minBatchSize must be at most batchSize (1), got 2'],
    ['seed -1', () => new DataLoader(ds, { seed: -1 }), 'DataLoader: seed must be a non-negative integer, got -1'],
    ['seed 0.5', () => new DataLoader(ds, { shuffle: true, seed: 0.5 }), 'DataLoader: seed must be a non-negative integer, got 0.5'],
    ['epoch -1', () => new DataLoader(ds).batchIndices(-1), 'DataLoader.batchIndices: epoch must be a non-negative integer, got -1'],
    ['epoch 1.5', () => new DataLoader(ds).batches(1.5), 'DataLoader.batchIndices: epoch must be a non-negative integer, got 1.5'],
    ['epoch 2^52', () => new DataLoader(ds).batchIndices(2 ** 52), 'DataLoader.batchIndices: epoch must be at most 2^52 - 1, got 4503599627370496'],
    [
      'get() samples with different shapes',
      () => [...new DataLoader({ length: 3, get: (i: number) => [tensor(i === 2 ? [1, 2, 3] : [1, 2])] }, { batchSize: 3 }).batches(0)],
      'DataLoader: field 0 of sample 2 has shape (3) but sample 0 (the first of its batch) has (2)',
    ],
    [
      'get() samples with different field counts',
      () => [...new DataLoader({ length: 2, get: (i: number) => (i === 0 ? [tensor([1])] : [tensor([1]), tensor([2])]) }, { batchSize: 2 }).batches(0)],
      'DataLoader: sample 1 has 2 fields but sample 0 (the first of its batch) has 1',
    ],
    [
      'get() returning a Tensor instead of a list',
      () => [...new DataLoader(bad({ length: 2, get: () => tensor([1]) })).batches(0)],
      'DataLoader: dataset.get(0) must return a non-empty array of Tensors (one per field), got a Tensor of shape (1)',
    ],
    [
      'getBatch returning the wrong batch size',
      () => [...new DataLoader({ length: 4, get: () => [tensor([1])], getBatch: () => [tensor([1, 2, 3])] }, { batchSize: 2 }).batches(0)],
      "DataLoader: field 0 of dataset.getBatch's result has shape (3), expected first dimension 2 (the batch size)",
    ],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(message);
    });
  }

  it('bad epochs throw when batches() is called, before any batch is consumed', () => {
    const loader = new DataLoader(ds);
    expect(() => loader.batches(-1)).toThrow(OptionError);
  });
});
