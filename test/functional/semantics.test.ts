/**
 * Behaviour that the gradient checks and golden fixtures do not pin down on their own: the gradcheck
 * helper itself, broadcasting and reduction shapes, autograd integration (grad mode, inputs that do
 * not require grad, arguments that take no gradient), PyTorch's pooling output lengths, argument
 * forms, and numerical edge cases.
 */
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { fromOp, Tensor } from '../../src/tensor/tensor.js';
import { gradcheckOp, rnd } from './helpers.js';

const leaf = (values: number[], shape: number[], requiresGrad = false): Tensor => new Tensor(Float32Array.from(values), shape, { requiresGrad });

describe('gradcheck helper', () => {
  /** x² with a backward scaled by `factor`. */
  const square = (factor: number) => (x: Tensor): Tensor =>
    fromOp('sq', x.data.map((v) => v * v), x.shape, [x], (g) => [g.map((gi, i) => factor * 2 * x.data[i]! * gi)]);
  it('passes a correct backward', () => {
    gradcheckOp({ name: 'square', inputs: [rnd([3, 4], 1)], fn: (x) => square(1)(x!) });
  });
  it('rejects a backward that is 1% off', () => {
    expect(() => gradcheckOp({ name: 'square', inputs: [rnd([3, 4], 1)], fn: (x) => square(1.01)(x!) })).toThrow(/gradcheck square: d\(input 0\)\[\d+\] numeric/);
  });
  it('rejects a broadcast gradient that is not summed back', () => {
    const badAdd = (a: Tensor, b: Tensor): Tensor => {
      const y = F.add(a, b).detach();
      // b (3) broadcast over (2, 3), but its gradient is only the first row's
      return fromOp('badAdd', y.data, y.shape, [a, b], (g) => [g, g.slice(0, 3)]);
    };
    expect(() => gradcheckOp({ name: 'badAdd', inputs: [rnd([2, 3], 1), rnd([3], 2)], fn: (a, b) => badAdd(a!, b!) })).toThrow(/d\(input 1\)/);
  });
  it('rejects an op that modifies its input', () => {
    const inPlace = (x: Tensor): Tensor => {
      x.data[0] = 0;
      return F.mul(x, 1);
    };
    expect(() => gradcheckOp({ name: 'inPlace', inputs: [rnd([3], 1)], fn: (x) => inPlace(x!) })).toThrow(/input 0 was modified/);
  });
});

describe('broadcasting and reductions', () => {
  it('broadcast result shapes', () => {
    expect(F.add(rnd([2, 1, 4], 1), rnd([3, 1], 2)).shape).toEqual([2, 3, 4]);
    expect(F.mul(rnd([], 1), rnd([5], 2)).shape).toEqual([5]);
    expect(F.sub(3, rnd([2, 2], 2)).shape).toEqual([2, 2]);
    expect(F.broadcastShapes([2, 1], [1, 3], [3])).toEqual([2, 3]);
    expect(() => F.broadcastShapes([2], [3])).toThrow('broadcastShapes: (2) and (3) cannot be broadcast together');
  });
  it('two numbers give a 0-d tensor with float32 arithmetic', () => {
    const y = F.add(0.1, 0.2);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(y.requiresGrad).toBe(false);
  });
  it('number operands are rounded to float32 first, as PyTorch', () => {
    expect(F.mul(leaf([3], [1]), 0.1).item()).toBe(Math.fround(3 * Math.fround(0.1)));
    expect(F.div(leaf([1], [1]), 3).item()).toBe(Math.fround(1 / 3));
  });
  it('sum / mean shapes with and without keepdim', () => {
    const x = rnd([2, 3, 4], 1);
    expect(F.sum(x).shape).toEqual([]);
    expect(F.sum(x, null, { keepdim: true }).shape).toEqual([1, 1, 1]);
    expect(F.sum(x, []).shape).toEqual([]);
    expect(F.mean(x, 1).shape).toEqual([2, 4]);
    expect(F.mean(x, -1, { keepdim: true }).shape).toEqual([2, 3, 1]);
    expect(F.sum(x, [0, 2]).shape).toEqual([3]);
    expect(F.sum(rnd([], 1), 0).shape).toEqual([]);
    expect(F.sum(rnd([], 1), -1, { keepdim: true }).shape).toEqual([]);
  });
  it('sum / mean values; empty reductions give 0 and NaN', () => {
    const x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(F.sum(x, 0).toArray()).toEqual([5, 7, 9]);
    expect(F.mean(x, 1).toArray()).toEqual([2, 5]);
    expect(F.sum(x).item()).toBe(21);
    expect(F.sum(leaf([], [0])).item()).toBe(0);
    expect(F.mean(leaf([], [0])).item()).toBeNaN();
    expect(F.mean(leaf([], [2, 0]), 1).toArray()).toEqual([NaN, NaN]);
  });
  it('sum accumulates in double: 2^24 + many ones does not stall', () => {
    const n = 1000;
    const x = new Float32Array(n + 1).fill(1);
    x[0] = 2 ** 24;
    expect(F.sum(new Tensor(x, [n + 1])).item()).toBe(2 ** 24 + n);
  });
});

describe('autograd integration', () => {
  it('outputs of inputs that need no grad do not require grad', () => {
    const x = rnd([2, 3], 1, { requiresGrad: false });
    for (const y of [F.exp(x), F.add(x, 1), F.softmax(x, 1), F.layerNorm(x, 3), F.maxPool1d(x, 2), F.mseLoss(x, x)]) {
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBe(null);
    }
  });
  it('noGrad records nothing', () => {
    const x = rnd([2, 3], 1);
    const y = noGrad(() => F.sum(F.mul(x, x)));
    expect(y.requiresGrad).toBe(false);
  });
  it('a tensor used twice accumulates both gradients', () => {
    const x = leaf([1, -2, 3], [3], true);
    F.sum(F.mul(x, x)).backward();
    expect(x.grad!.toArray()).toEqual([2, -4, 6]);
  });
  it('L1 + L2 penalty gradient: sign(w)·λ1 + 2w·λ2', () => {
    const w = leaf([0.5, -1, 0, 2], [4], true);
    F.add(F.mul(F.sum(F.abs(w)), 0.25), F.mul(F.sum(F.square(w)), 0.5)).backward();
    expect(w.grad!.toArray()).toEqual([0.25 + 0.5, -0.25 - 1, 0, 0.25 + 2]);
  });
  it('class weights and posWeight are not differentiable: requiring grad throws (as PyTorch), detached or under noGrad they work', () => {
    const x = rnd([3, 4], 1);
    const weight = rnd([4], 2, { shift: 2 });
    const t = rnd([3, 4], 4, { requiresGrad: false, scale: 0.5, shift: 0.5 });
    expect(() => F.crossEntropy(x, [0, 1, 3], { weight })).toThrow('crossEntropy: not differentiable with respect to weight, which must not require grad (pass weight.detach())');
    expect(() => F.binaryCrossEntropyWithLogits(x, t, { weight })).toThrow('binaryCrossEntropyWithLogits: not differentiable with respect to weight');
    expect(() => F.binaryCrossEntropyWithLogits(x, t, { posWeight: weight })).toThrow('binaryCrossEntropyWithLogits: not differentiable with respect to posWeight');
    expect(noGrad(() => F.crossEntropy(x, [0, 1, 3], { weight })).item()).toBe(F.crossEntropy(x, [0, 1, 3], { weight: weight.detach() }).item());
    F.binaryCrossEntropyWithLogits(x, t, { posWeight: weight.detach(), weight: weight.detach() }).backward();
    expect(x.grad).not.toBe(null);
    expect(t.grad).toBe(null);
  });
  it('crossEntropy with an index Tensor target that requires grad gives it no gradient', () => {
    const t = leaf([0, 2], [2], true);
    const x = rnd([2, 3], 1);
    F.crossEntropy(x, t).backward();
    expect(t.grad).toBe(null);
  });
});

describe('pooling output lengths', () => {
  // [L, kernelSize, stride, padding, dilation, ceilMode, torch max_pool1d length, torch avg_pool1d length]
  // from PyTorch 1.13 (F.max_pool1d / F.avg_pool1d output shapes).
  const TORCH: Array<[number, number, number, number, number, boolean, number, number | null]> = [
    [5, 2, 2, 1, 1, true, 3, 3], [6, 2, 2, 1, 1, true, 4, 4], [10, 3, 3, 1, 1, true, 4, 4], [10, 3, 3, 1, 1, false, 4, 4],
    [7, 4, 3, 2, 1, true, 3, 3], [9, 3, 2, 1, 1, true, 5, 5], [11, 4, 3, 1, 2, true, 3, null], [8, 3, 4, 1, 1, true, 3, 3],
    [4, 3, 2, 1, 2, true, 2, null], [13, 5, 4, 2, 1, true, 4, 4], [13, 5, 4, 2, 1, false, 4, 4], [1, 1, 1, 0, 1, true, 1, 1],
    [3, 3, 5, 1, 1, true, 1, 1], [2, 2, 3, 1, 1, true, 1, 1],
  ];
  for (const [L, k, s, p, d, c, mx, av] of TORCH) {
    it(`L=${L} k=${k} s=${s} p=${p} d=${d} ceil=${c}`, () => {
      expect(F.pool1dOutLength(L, k, s, p, d, c)).toBe(mx);
      expect(F.maxPool1d(rnd([1, 1, L], 1), k, { stride: s, padding: p, dilation: d, ceilMode: c }).shape).toEqual([1, 1, mx]);
      if (av !== null) expect(F.avgPool1d(rnd([1, 1, L], 1), k, { stride: s, padding: p, ceilMode: c }).shape).toEqual([1, 1, av]);
    });
  }
  it('stride defaults to kernelSize (null too); unbatched input keeps its rank', () => {
    expect(F.maxPool1d(rnd([2, 3, 9], 1), 3).shape).toEqual([2, 3, 3]);
    expect(F.avgPool1d(rnd([3, 9], 1), 3, { stride: null }).shape).toEqual([3, 3]);
    expect(F.adaptiveAvgPool1d(rnd([3, 9], 1), 4).shape).toEqual([3, 4]);
    expect(F.adaptiveAvgPool1d(rnd([2, 3, 9], 1), 0).shape).toEqual([2, 3, 0]);
  });
  it('adaptiveAvgPool1d windows are PyTorch\'s [floor(iL/out), ceil((i+1)L/out))', () => {
    const x = leaf([1, 2, 3, 4, 5, 6, 7], [1, 7]);
    // out = 3: [0, 3), [2, 5), [4, 7)
    expect(F.adaptiveAvgPool1d(x, 3).toArray()).toEqual([2, 4, 6]);
  });
  it('avgPool1d divisor with and without the padding', () => {
    const x = leaf([3, 6, 9], [1, 3]);
    expect(F.avgPool1d(x, 2, { stride: 2, padding: 1 }).toArray()).toEqual([1.5, 7.5]);
    expect(F.avgPool1d(x, 2, { stride: 2, padding: 1, countIncludePad: false }).toArray()).toEqual([3, 7.5]);
  });
});

describe('argument forms and numerical edge cases', () => {
  it('gelu takes the approximation as a string or an option; layerNorm takes eps as a number or an option', () => {
    const x = rnd([2, 5], 1, { scale: 3 });
    expect(F.gelu(x, 'tanh').toArray()).toEqual(F.gelu(x, { approximate: 'tanh' }).toArray());
    expect(F.gelu(x).toArray()).toEqual(F.gelu(x, 'none').toArray());
    expect(F.layerNorm(x, 5, null, null, 0.1).toArray()).toEqual(F.layerNorm(x, [5], null, null, { eps: 0.1 }).toArray());
  });
  it('crossEntropy takes a Tensor, an Int32Array or a number[] target', () => {
    const x = rnd([3, 4], 1, { requiresGrad: false });
    const a = F.crossEntropy(x, leaf([0, 3, 1], [3])).item();
    expect(F.crossEntropy(x, Int32Array.from([0, 3, 1])).item()).toBe(a);
    expect(F.crossEntropy(x, [0, 3, 1]).item()).toBe(a);
  });
  it('crossEntropy equals nll of logSoftmax, and mean = sum / Σ weights of the kept targets', () => {
    const x = rnd([4, 3], 1, { requiresGrad: false });
    const lp = F.logSoftmax(x, 1).data;
    const w = [0.5, 2, 1], target = [2, 0, -100, 1];
    let s = 0, W = 0;
    target.forEach((t, n) => {
      if (t === -100) return;
      s -= w[t]! * lp[n * 3 + t]!;
      W += w[t]!;
    });
    const weight = leaf(w, [3]);
    expect(F.crossEntropy(x, target, { weight, reduction: 'sum' }).item()).toBeCloseTo(s, 5);
    expect(F.crossEntropy(x, target, { weight }).item()).toBeCloseTo(s / W, 5);
    expect(F.crossEntropy(x, target, { weight, reduction: 'none' }).shape).toEqual([4]);
  });
  it('all-ignored crossEntropy: mean is NaN with zero gradient, sum is 0', () => {
    const x = rnd([2, 3], 1);
    const y = F.crossEntropy(x, [-100, -100]);
    expect(y.item()).toBeNaN();
    y.backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(F.crossEntropy(x, [-100, -100], { reduction: 'sum' }).item()).toBe(0);
  });
  it('binaryCrossEntropyWithLogits is finite for huge logits', () => {
    const x = leaf([1000, -1000, 200, -200], [4], true);
    const t = leaf([0, 1, 1, 0], [4]);
    const y = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    expect(y.toArray()).toEqual([1000, 1000, 0, 0]);
    F.sum(y).backward();
    expect(x.grad!.toArray()).toEqual([1, -1, 0, 0]);
  });
  it('softmax / logSoftmax are stable for large logits', () => {
    const x = leaf([1000, 1000, -1000], [3]);
    expect(F.softmax(x, 0).toArray()).toEqual([0.5, 0.5, 0]);
    expect(F.logSoftmax(x, 0).data[0]).toBeCloseTo(-Math.LN2, 6);
  });
  it('sigmoid saturates without NaN; gelu(−10) keeps its tiny negative tail', () => {
    expect(F.sigmoid(leaf([-1000, 1000], [2])).toArray()).toEqual([0, 1]);
    const g = F.gelu(leaf([-10], [1])).item();
    expect(g).toBeLessThan(0);
    expect(g).toBeCloseTo(-7.619853e-23, 28);
  });
  it('loss reductions agree: mean = sum / n and none sums to sum', () => {
    const x = rnd([3, 4], 1, { requiresGrad: false }), t = rnd([3, 4], 2, { requiresGrad: false });
    for (const loss of [F.mseLoss, F.l1Loss, F.smoothL1Loss, F.huberLoss, F.binaryCrossEntropyWithLogits]) {
      const s = loss(x, t, { reduction: 'sum' }).item();
      expect(loss(x, t).item()).toBeCloseTo(s / 12, 6);
      expect(F.sum(loss(x, t, { reduction: 'none' })).item()).toBeCloseTo(s, 5);
    }
  });
  it('huberLoss = delta · smoothL1Loss(beta = delta)', () => {
    const x = rnd([3, 4], 1, { requiresGrad: false, scale: 3 }), t = rnd([3, 4], 2, { requiresGrad: false });
    expect(F.huberLoss(x, t, { delta: 0.7 }).item()).toBeCloseTo(0.7 * F.smoothL1Loss(x, t, { beta: 0.7 }).item(), 6);
  });
  it('a NaN difference: the gradients PyTorch gives (huber and smoothL1 NaN, l1 0, mse NaN)', () => {
    const grads = (loss: typeof F.l1Loss) => {
      const x = leaf([NaN, 1, 5], [3], true);
      loss(x, new Tensor(new Float32Array(3), [3]), { reduction: 'sum' }).backward();
      return Array.from(x.grad!.data);
    };
    expect(grads(F.huberLoss)).toEqual([NaN, 1, 1]);
    expect(grads(F.smoothL1Loss)).toEqual([NaN, 1, 1]);
    expect(grads(F.l1Loss)).toEqual([0, 1, 1]);
    expect(grads(F.mseLoss)).toEqual([NaN, 2, 10]);
  });
  it('F holds the kernel-backed ops too', () => {
    for (const name of ['conv1d', 'batchNorm1d', 'dropout', 'dropout1d', 'relu', 'linear'] as const) expect(typeof F[name]).toBe('function');
  });
});
