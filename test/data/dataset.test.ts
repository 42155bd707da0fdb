// The Dataset protocol: TensorDataset gathers the right rows, Subset maps indices, getBatch agrees with get.
import { describe, expect, it } from 'vitest';
import { isDataset, Subset, TensorDataset, type Dataset } from '../../src/data/index.js';
import { OptionError, ShapeError } from '../../src/errors.js';
import { tensor } from '../../src/tensor/create.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A tensor of the given shape whose element at flat position p is offset + p (rows identify themselves). */
function ramp(shape: number[], offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, (_, p) => offset + p), shape);
}

/** Row i of a (N, a, b) ramp, computed by hand: offset + i·a·b + q for q in [0, a·b). */
const rampRow = (i: number, rowSize: number, offset = 0) => Array.from({ length: rowSize }, (_, q) => offset + i * rowSize + q);

/** A dataset implementing only get(): sample i is [x_i, y_i] built from plain numbers. */
function plainDataset(n: number): Dataset {
  return {
    length: n,
    get: (i: number) => [tensor(rampRow(i, 6), [2, 3]), tensor([1000 + i], [])],
  };
}

describe('TensorDataset', () => {
  const x = ramp([5, 2, 3]), y = ramp([5], 1000), w = ramp([5, 1], 2000);
  const ds = new TensorDataset(x, y, w);

  it('has the first dimension as length and keeps the tensors', () => {
    expect(ds.length).toBe(5);
    expect(ds.tensors).toHaveLength(3);
    expect(ds.tensors[0]).toBe(x);
    expect(isDataset(ds)).toBe(true);
  });

  it('get(i) returns row i of every tensor without the first dimension (0-dim for a 1-D tensor)', () => {
    for (let i = 0; i < 5; i++) {
      const [xi, yi, wi] = ds.get(i);
      expect(xi!.shape).toEqual([2, 3]);
      expect(xi!.toArray()).toEqual(rampRow(i, 6));
      expect(yi!.shape).toEqual([]);
      expect(yi!.item()).toBe(1000 + i);
      expect(wi!.shape).toEqual([1]);
      expect(wi!.toArray()).toEqual([2000 + i]);
    }
  });

  it('get copies: writing into a sample leaves the dataset unchanged', () => {
    ds.get(2)[0]!.data[0] = -1;
    expect(x.data[12]).toBe(12);
  });

  it('getBatch gathers the rows at the indices (shuffled, repeated, consecutive runs) into (B, ...) tensors', () => {
    for (const order of [[4, 0, 2, 2], [1, 2, 3], [3, 4, 0, 1, 2], [0]]) {
      const [xb, yb, wb] = ds.getBatch(Int32Array.from(order));
      expect(xb!.shape).toEqual([order.length, 2, 3]);
      expect(yb!.shape).toEqual([order.length]);
      expect(wb!.shape).toEqual([order.length, 1]);
      expect(xb!.toArray()).toEqual(order.flatMap((i) => rampRow(i, 6)));
      expect(yb!.toArray()).toEqual(order.map((i) => 1000 + i));
      expect(wb!.toArray()).toEqual(order.map((i) => 2000 + i));
      // getBatch agrees with get row by row
      order.forEach((i, k) => {
        const [xi, yi] = ds.get(i);
        expect(Array.from(xb!.data.subarray(k * 6, (k + 1) * 6))).toEqual(xi!.toArray());
        expect(yb!.data[k]).toBe(yi!.item());
      });
    }
  });

  it('getBatch allocates new arrays (no aliasing of the dataset or of earlier batches)', () => {
    const idx = Int32Array.from([0, 1, 2, 3, 4]);
    const [a] = ds.getBatch(idx), [b] = ds.getBatch(idx);
    expect(a!.data).not.toBe(x.data);
    expect(a!.data.buffer).not.toBe(x.data.buffer);
    a!.data[0] = -5;
    expect(b!.data[0]).toBe(0);
    expect(x.data[0]).toBe(0);
  });

  it('handles the backbone-shaped case: x (N, 14, 30), y (N)', () => {
    const xs = ramp([7, 14, 30]), ys = ramp([7], 50);
    const d = new TensorDataset(xs, ys);
    const [xi, yi] = d.get(6);
    expect(xi!.shape).toEqual([14, 30]);
    expect(yi!.shape).toEqual([]);
    expect(xi!.data[419]).toBe(6 * 420 + 419);
    expect(yi!.item()).toBe(56);
    const [xb, yb] = d.getBatch(Int32Array.from([6, 0, 3]));
    expect(xb!.shape).toEqual([3, 14, 30]);
    expect(yb!.shape).toEqual([3]);
    expect([xb!.data[0], xb!.data[420], xb!.data[840]]).toEqual([6 * 420, 0, 3 * 420]);
    expect(yb!.toArray()).toEqual([56, 50, 53]);
  });

  it('getBatch of no indices gives empty batches with the field shapes', () => {
    const [xb, yb] = ds.getBatch(new Int32Array(0));
    expect(xb!.shape).toEqual([0, 2, 3]);
    expect(yb!.shape).toEqual([0]);
  });
});

describe('Subset', () => {
  const x = ramp([6, 2]), y = ramp([6], 100);
  const ds = new TensorDataset(x, y);

  it('maps get and getBatch through its indices', () => {
    const sub = new Subset(ds, [5, 1, 3]);
    expect(sub.length).toBe(3);
    expect(sub.indices).toEqual(Int32Array.from([5, 1, 3]));
    expect(sub.get(0).map((t) => t.toArray())).toEqual([[10, 11], [105]]);
    expect(sub.get(2).map((t) => t.toArray())).toEqual([[6, 7], [103]]);
    const [xb, yb] = sub.getBatch(Int32Array.from([2, 0, 0]));
    expect(xb!.shape).toEqual([3, 2]);
    expect(xb!.toArray()).toEqual([6, 7, 10, 11, 10, 11]);
    expect(yb!.toArray()).toEqual([103, 105, 105]);
  });

  it('copies its indices (later changes to the array do not move it)', () => {
    const idx = [0, 1];
    const sub = new Subset(ds, idx);
    idx[0] = 5;
    expect(sub.get(0)[1]!.item()).toBe(100);
  });

  it('nests: a Subset of a Subset maps twice', () => {
    const inner = new Subset(ds, [5, 4, 3, 2]);
    const outer = new Subset(inner, [3, 0]);
    expect(outer.get(0)[1]!.item()).toBe(102);
    expect(outer.getBatch(Int32Array.from([0, 1]))[1]!.toArray()).toEqual([102, 105]);
  });

  it('over a dataset with only get(), getBatch stacks the samples and agrees with get', () => {
    const plain = plainDataset(5);
    const sub = new Subset(plain, [4, 2]);
    const [xb, yb] = sub.getBatch(Int32Array.from([0, 1, 0]));
    expect(xb!.shape).toEqual([3, 2, 3]);
    expect(yb!.shape).toEqual([3]);
    expect(xb!.toArray()).toEqual([...rampRow(4, 6), ...rampRow(2, 6), ...rampRow(4, 6)]);
    expect(yb!.toArray()).toEqual([1004, 1002, 1004]);
    expect(sub.get(1).map((t) => t.toArray())).toEqual([rampRow(2, 6), [1002]]);
  });

  it('an empty Subset has length 0', () => {
    expect(new Subset(ds, []).length).toBe(0);
  });
});

describe('isDataset', () => {
  it('accepts objects with a non-negative integer length and get(); rejects the rest', () => {
    expect(isDataset(plainDataset(3))).toBe(true);
    expect(isDataset(new Subset(plainDataset(3), [1]))).toBe(true);
    expect(isDataset({ length: 0, get: () => [] })).toBe(true);
    expect(isDataset(null)).toBe(false);
    expect(isDataset([1, 2, 3])).toBe(false);
    expect(isDataset({ length: 3 })).toBe(false);
    expect(isDataset({ length: -1, get: () => [] })).toBe(false);
    expect(isDataset({ length: 1.5, get: () => [] })).toBe(false);
    expect(isDataset({ length: 2, get: () => [], getBatch: 5 })).toBe(false);
    expect(isDataset(ramp([3]))).toBe(false);
  });
});

describe('errors', () => {
  const ds = new TensorDataset(ramp([4, 3]), ramp([4]));
  const bad = (v: unknown) => v as never;
  const cases: Array<[string, () => unknown, string | RegExp]> = [
    ['no tensors', () => new TensorDataset(), 'TensorDataset: expected at least one tensor, got none'],
    ['not a Tensor', () => new TensorDataset(ramp([4, 3]), bad([1, 2, 3, 4])), 'TensorDataset: tensors[1] must be a Tensor, got [1, 2, 3, 4]'],
    [
      'a plain state entry (as load() returns) instead of a Tensor',
      () => new TensorDataset(bad({ dtype: 'F32', shape: [4], data: new Float32Array(4) })),
      /TensorDataset: tensors\[0\] must be a Tensor, got a plain object with dtype\/shape\/data \(F32 \(4\)\)/,
    ],
    ['0-dim tensor', () => new TensorDataset(ramp([4]), tensor(3, [])), /TensorDataset: tensors\[1\] is 0-dimensional \(shape \(\)\)/],
    [
      'first dimensions differ',
      () => new TensorDataset(ramp([129, 14, 30]), ramp([128])),
      'TensorDataset: size mismatch between tensors: tensors[0] has 129 samples (shape (129, 14, 30)) but tensors[1] has 128 (shape (128))',
    ],
    ['get past the end', () => ds.get(4), 'TensorDataset.get: index 4 is out of range for a dataset of length 4'],
    ['get negative', () => ds.get(-1), 'TensorDataset.get: index -1 is out of range for a dataset of length 4'],
    ['get non-integer', () => ds.get(1.5), 'TensorDataset.get: index must be an integer, got 1.5 (dataset length 4)'],
    ['get string', () => ds.get(bad('1')), 'TensorDataset.get: index must be an integer, got "1" (dataset length 4)'],
    ['getBatch plain array', () => ds.getBatch(bad([0, 1])), 'TensorDataset.getBatch: indices must be an Int32Array, got [0, 1]'],
    ['getBatch Float64Array', () => ds.getBatch(bad(new Float64Array(2))), 'TensorDataset.getBatch: indices must be an Int32Array, got a Float64Array'],
    ['getBatch past the end', () => ds.getBatch(Int32Array.from([0, 4])), 'TensorDataset.getBatch: indices[1] = 4 is out of range for a dataset of length 4'],
    ['getBatch negative', () => ds.getBatch(Int32Array.from([-2])), 'TensorDataset.getBatch: indices[0] = -2 is out of range for a dataset of length 4'],
    ['Subset of a non-dataset', () => new Subset(bad({ length: 3 }), [0]), /Subset: dataset must be a Dataset .*got an object with keys length/],
    ['Subset indices not an array', () => new Subset(ds, bad(3)), 'Subset: indices must be an array or Int32Array of integers, got 3'],
    ['Subset index out of range', () => new Subset(ds, [0, 4]), 'Subset: indices[1] = 4 is out of range for a dataset of length 4'],
    ['Subset index negative', () => new Subset(ds, [-1]), 'Subset: indices[0] = -1 is out of range for a dataset of length 4'],
    ['Subset index non-integer', () => new Subset(ds, [0.5]), 'Subset: indices[0] must be an integer, got 0.5'],
    ['Subset.get out of range', () => new Subset(ds, [1, 2]).get(2), 'Subset.get: index 2 is out of range for a dataset of length 2'],
    ['Subset.getBatch out of range', () => new Subset(ds, [1, 2]).getBatch(Int32Array.from([2])), 'Subset.getBatch: indices[0] = 2 is out of range for a dataset of length 2'],
    [
      'Subset.getBatch over get() with mismatched shapes',
      () => new Subset({ length: 2, get: (i: number) => [ramp(i === 0 ? [3] : [4])] }, [0, 1]).getBatch(Int32Array.from([0, 1])),
      'Subset.getBatch: field 0 of sample 1 has shape (4) but sample 0 (the first of its batch) has (3)',
    ],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(message);
    });
  }

  it('uses OptionError for wrong arguments and ShapeError for tensors that do not line up', () => {
    expect(() => new TensorDataset()).toThrow(OptionError);
    expect(() => ds.get(1.5)).toThrow(OptionError);
    expect(() => ds.get(9)).toThrow(OptionError);
    expect(() => new TensorDataset(ramp([2]), ramp([3]))).toThrow(ShapeError);
  });
});
