/**
 * The tensor operations (permute … matmul) beyond what the golden fixtures and gradient checks pin
 * down: the Tensor methods and their argument forms, the three forms of an index, copies rather than
 * views, outputs that take no gradient, batched matmul on shapes that reach the GEMM kernels' SIMD
 * tails against a plain double-precision product, and the data idioms the ops exist for.
 */
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import '../../src/tensor/methods.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { firstMismatch } from '../helpers/compare.js';
import { rnd } from './helpers.js';

const vals = (values: number[], shape = [values.length]): Tensor => new Tensor(Float32Array.from(values), shape);
const arange = (...shape: number[]): Tensor => vals(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape);

describe('tensor methods', () => {
  const x = arange(2, 3, 4);
  it('permute takes dims spread or as one array, and matches F.permute', () => {
    expect(x.permute(2, 0, 1).toArray()).toEqual(F.permute(x, [2, 0, 1]).toArray());
    expect(x.permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
  });
  it('transpose and t', () => {
    expect(x.transpose(0, 2).toArray()).toEqual(F.permute(x, [2, 1, 0]).toArray());
    expect(arange(2, 3).t().toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(arange(3).t().toArray()).toEqual([0, 1, 2]);
    expect(() => x.t()).toThrow('t: expects a tensor with at most 2 dimensions, got shape (2, 3, 4)');
  });
  it('indexing, extremes, comparisons, where, clamp, matmul', () => {
    expect(x.indexSelect(1, [2, 0]).toArray()).toEqual(F.indexSelect(x, 1, [2, 0]).toArray());
    expect(x.narrow(2, 1, 2).toArray()).toEqual(x.slice(2, 1, 3).toArray());
    expect(x.argmax(1).toArray()).toEqual(F.argmax(x, 1).toArray());
    expect(x.argmin().item()).toBe(0);
    expect(x.max().item()).toBe(23);
    expect(x.min(2).indices.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(x.max(2, { keepdim: true }).values.shape).toEqual([2, 3, 1]);
    expect(x.gt(11.5).sum().item()).toBe(12);
    expect(x.where(x.lt(12), -1).toArray()).toEqual([...Array(12).keys(), ...Array(12).fill(-1)]);
    expect(x.clamp({ min: 3, max: 5 }).max().item()).toBe(5);
    expect(arange(2, 3).matmul(arange(3)).toArray()).toEqual([5, 14]);
  });
});

describe('argument forms and copies', () => {
  it('an index as number[], Int32Array or Tensor gives the same result', () => {
    const x = arange(4, 3);
    const want = [9, 10, 11, 0, 1, 2, 9, 10, 11];
    expect(F.indexSelect(x, 0, [3, 0, 3]).toArray()).toEqual(want);
    expect(F.indexSelect(x, 0, new Int32Array([3, 0, 3])).toArray()).toEqual(want);
    expect(F.indexSelect(x, 0, vals([3, 0, 3])).toArray()).toEqual(want);
  });
  it('argmax indices index the values they point to (argmax feeds indexSelect)', () => {
    const x = rnd([5, 7], 3, { requiresGrad: false });
    const i = F.argmax(x, 1);
    for (let r = 0; r < 5; r++) expect(F.indexSelect(x.narrow(0, r, 1), 1, i.narrow(0, r, 1)).item()).toBe(F.max(x, 1).values.data[r]);
  });
  it('permute, transpose, narrow, slice and cat copy: writing the result leaves the input alone', () => {
    const x = arange(2, 3);
    for (const y of [x.permute(1, 0), x.transpose(0, 1), x.narrow(1, 0, 2), x.slice(0), F.cat([x]), F.stack([x]), x.indexSelect(0, [0, 1])]) {
      y.data.fill(-7);
      expect(x.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });
  it('indices and comparisons are float32 data without gradient, even from inputs that require grad', () => {
    const x = rnd([3, 4], 4);
    for (const y of [F.argmax(x, 1), F.argmin(x), F.max(x, 0).indices, F.eq(x, x), F.ge(x, 0)]) {
      expect(y.requiresGrad).toBe(false);
      expect(y.dtype).toBe('F32');
      expect(y.data.every((v) => Number.isInteger(v))).toBe(true);
    }
    expect(F.max(x, 0).values.requiresGrad).toBe(true);
  });
  it('comparisons are exact 0/1 with NaN false (ne true)', () => {
    const a = vals([NaN, 1, 2]), b = vals([NaN, 2, 2]);
    expect(F.eq(a, b).toArray()).toEqual([0, 0, 1]);
    expect(F.ne(a, b).toArray()).toEqual([1, 1, 0]);
    expect(F.le(a, b).toArray()).toEqual([0, 1, 1]);
  });
});

describe('matmul on the GEMM kernels', () => {
  /** The product in double, with torch.matmul's batch broadcasting, written out for shapes (B1, 1, M, K)·(B2, K, N). */
  function reference(a: Tensor, b: Tensor): Float64Array {
    const [B1, , M, K] = a.shape as number[], [B2, , N] = b.shape as number[];
    const out = new Float64Array(B1! * B2! * M! * N!);
    for (let i = 0; i < B1!; i++) for (let j = 0; j < B2!; j++) for (let m = 0; m < M!; m++) for (let n = 0; n < N!; n++) {
      let s = 0;
      for (let k = 0; k < K!; k++) s += a.data[(i * M! + m) * K! + k]! * b.data[(j * K! + k) * N! + n]!;
      out[((i * B2! + j) * M! + m) * N! + n] = s;
    }
    return out;
  }
  for (const [M, K, N] of [[7, 13, 9], [1, 33, 17], [16, 16, 16], [5, 1, 31]] as const) {
    it(`(3,1,${M},${K})·(2,${K},${N}) matches the double-precision product`, () => {
      const a = rnd([3, 1, M, K], 5), b = rnd([2, K, N], 6);
      const y = F.matmul(a, b);
      expect(y.shape).toEqual([3, 2, M, N]);
      expect(firstMismatch(y.data, reference(a, b), { atol: 1e-5, rtol: 1e-5 })).toBe(-1);
      // Each operand's gradient sums over the batch entries that used it: for dy = 1, dA[i] = Σ_j 1·B[j]ᵀ.
      y.sum().backward();
      const colSums = new Float64Array(K);
      for (let j = 0; j < 2; j++) for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) colSums[k]! += b.data[(j * K + k) * N + n]!;
      expect(firstMismatch(a.grad!.data.subarray(0, K), colSums, { atol: 1e-5, rtol: 1e-5 })).toBe(-1);
    });
  }
});

describe('data idioms', () => {
  it('accuracy: mean of eq(argmax(logits, 1), labels)', () => {
    const logits = vals([0.1, 2, -1, 3, 0, 0, 0.5, 0.2, 0.9, -2, -1, -3], [4, 3]);
    const labels = vals([1, 2, 2, 0]); // predictions 1, 0, 2, 1: two right
    expect(F.mean(F.eq(F.argmax(logits, 1), labels)).item()).toBe(0.5);
  });
  it('(N, L, C) ↔ (N, C, L) round trip', () => {
    const nlc = arange(2, 5, 3);
    const ncl = nlc.permute(0, 2, 1);
    expect(ncl.shape).toEqual([2, 3, 5]);
    expect(ncl.data[1 * 5 + 4]).toBe(nlc.data[4 * 3 + 1]); // channel 1 at time 4 of sample 0
    expect(ncl.transpose(1, 2).toArray()).toEqual(nlc.toArray());
  });
  it('batching rows with stack and growing a buffer from an empty cat', () => {
    const rows = [arange(3), arange(3), arange(3)];
    expect(F.stack(rows).shape).toEqual([3, 3]);
    let acc = vals([]);
    for (const r of rows) acc = F.cat([acc, r.reshape(1, 3)]);
    expect(acc.shape).toEqual([3, 3]);
  });
});
