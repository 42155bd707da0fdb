// The kernel-backed functional ops through the Tensor API: batch-norm statistics and running-stat
// updates by mode, dropout's identity in eval and its regenerated mask in backward, conv1d's
// unbatched form and 'same' padding, linear over leading dimensions, and their shape errors.
import { describe, expect, it } from 'vitest';
import { batchNorm1d } from '../../src/functional/batchnorm1d.js';
import { conv1d } from '../../src/functional/conv1d.js';
import { dropout, dropout1d } from '../../src/functional/dropout.js';
import { linear } from '../../src/functional/linear.js';
import { ones, randn, tensor, zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';

describe('batchNorm1d', () => {
  const x = () => tensor([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);

  it('training normalises with batch statistics and updates running stats (unbiased var)', () => {
    const rm = zeros([2]), rv = ones([2]);
    const y = batchNorm1d(x(), rm, rv, null, null, { training: true, momentum: 0.5 });
    // channel 0: 1, 3, 5, 7 → mean 4, biased var 5, unbiased 20/3
    expect(y.data[0]).toBeCloseTo(-3 / Math.sqrt(5 + 1e-5), 6);
    expect(rm.toArray()).toEqual([2, 2.5]);
    expect(rv.data[0]).toBeCloseTo(0.5 + 0.5 * (20 / 3), 5);
  });

  it('eval normalises with running stats and changes nothing', () => {
    const rm = tensor([1, 2]), rv = tensor([4, 9]);
    const y = batchNorm1d(x(), rm, rv, null, null, { training: false, eps: 0 });
    expect(y.data[0]).toBe(0);
    expect(y.data[1]).toBe(0);
    expect(rm.toArray()).toEqual([1, 2]);
    expect(rv.toArray()).toEqual([4, 9]);
  });

  it('without running stats uses batch statistics even in eval', () => {
    const a = batchNorm1d(x(), null, null, null, null, { training: false });
    const b = batchNorm1d(x(), null, null, null, null, { training: true });
    expect(a.toArray()).toEqual(b.toArray());
  });

  it('rejects one value per channel in training, as PyTorch', () => {
    expect(() => batchNorm1d(tensor([1, 2], [1, 2]), zeros([2]), ones([2]), null, null, { training: true })).toThrow(
      'batchNorm1d: expected more than 1 value per channel when training, got input size (1, 2)',
    );
  });
});

describe('dropout', () => {
  it('is the identity in eval and with p = 0; backward reuses the forward mask', () => {
    const x = randn([4, 8], { requiresGrad: true });
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    manualSeed(5);
    const y = dropout(x, 0.25);
    y.backward(ones([4, 8]));
    const scale = Math.fround(1 / 0.75);
    y.data.forEach((v, i) => expect(x.grad!.data[i]).toBe(v === 0 && x.data[i] !== 0 ? 0 : scale));
  });

  it('dropout1d zeroes whole channels', () => {
    manualSeed(6);
    const y = dropout1d(ones([3, 4, 5]), 0.5);
    for (let r = 0; r < 12; r++) {
      const row = y.data.subarray(r * 5, r * 5 + 5);
      expect(row.every((v) => v === row[0])).toBe(true);
    }
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(ones([2]), 1.5)).toThrow('dropout: dropout probability has to be between 0 and 1, but got 1.5');
  });
});

describe('conv1d and linear shapes', () => {
  it("conv1d accepts unbatched (C, L) input and 'same' padding keeps the length", () => {
    const w = randn([4, 3, 4]);
    const batched = conv1d(randn([1, 3, 10]), w, null, { padding: 'same' });
    expect(batched.shape).toEqual([1, 4, 10]);
    expect(conv1d(randn([3, 10]), w, null, { padding: 'same' }).shape).toEqual([4, 10]);
  });

  it('conv1d names the mismatch', () => {
    expect(() => conv1d(randn([2, 5, 10]), randn([4, 3, 3]))).toThrow('conv1d: weight (4, 3, 3) with groups=1 expects 3 input channels, got input (2, 5, 10)');
  });

  it('linear flattens leading dimensions and names the mismatch', () => {
    expect(linear(randn([2, 3, 5]), randn([4, 5])).shape).toEqual([2, 3, 4]);
    expect(() => linear(randn([2, 6]), randn([4, 5]))).toThrow('linear: expected input (*, 5) for weight (4, 5), got (2, 6)');
  });
});
