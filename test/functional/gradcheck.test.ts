/**
 * Every plain-TypeScript functional op's backward against central finite differences of its forward,
 * through the autograd engine (method, step and error budget in ./helpers.ts). Piecewise ops are
 * evaluated away from their kinks.
 */
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { avoid, distinct, gradcheckOp, rnd } from './helpers.js';

const leaf = (values: number[], shape: number[], requiresGrad = false): Tensor => new Tensor(Float32Array.from(values), shape, { requiresGrad });

/** x = t + d with d kept away from the kinks of a pointwise loss. */
function pair(shape: number[], seed: number, kinks: number[]): [Tensor, Tensor] {
  const t = rnd(shape, seed);
  const d = avoid(rnd(shape, seed + 1, { scale: 2 }), kinks);
  const x = new Tensor(t.data.map((v, i) => v + d.data[i]!), shape, { requiresGrad: true });
  return [x, t];
}

describe('gradcheck: arithmetic', () => {
  const cases: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor]> = [
    ['add same shape', () => [rnd([2, 3], 1), rnd([2, 3], 2)], (a, b) => F.add(a!, b!)],
    ['add (2,3)+(3)', () => [rnd([2, 3], 1), rnd([3], 2)], (a, b) => F.add(a!, b!)],
    ['add (2,1,4)+(3,1)', () => [rnd([2, 1, 4], 1), rnd([3, 1], 2)], (a, b) => F.add(a!, b!)],
    ['add alpha -0.5 (3)+(2,3)', () => [rnd([3], 1), rnd([2, 3], 2)], (a, b) => F.add(a!, b!, { alpha: -0.5 })],
    ['add tensor + number', () => [rnd([2, 3], 1)], (a) => F.add(a!, 2.5)],
    ['add number + tensor', () => [rnd([2, 3], 1)], (a) => F.add(2.5, a!)],
    ['add 0-d + (2,3)', () => [rnd([], 1), rnd([2, 3], 2)], (a, b) => F.add(a!, b!)],
    ['sub (4,1)-(1,5)', () => [rnd([4, 1], 1), rnd([1, 5], 2)], (a, b) => F.sub(a!, b!)],
    ['sub alpha 2', () => [rnd([2, 3], 1), rnd([2, 3], 2)], (a, b) => F.sub(a!, b!, { alpha: 2 })],
    ['sub number - tensor', () => [rnd([5], 1)], (a) => F.sub(1, a!)],
    ['mul (4,1)*(1,5)', () => [rnd([4, 1], 1), rnd([1, 5], 2)], (a, b) => F.mul(a!, b!)],
    ['mul (2,3,4)*(4)', () => [rnd([2, 3, 4], 1), rnd([4], 2)], (a, b) => F.mul(a!, b!)],
    ['mul 0-d * (2,3)', () => [rnd([], 1), rnd([2, 3], 2)], (a, b) => F.mul(a!, b!)],
    ['mul tensor * number', () => [rnd([2, 3], 1)], (a) => F.mul(a!, -0.3)],
    ['mul same tensor twice', () => [rnd([2, 3], 1)], (a) => F.mul(a!, a!)],
    ['div (2,3)/(3)', () => [rnd([2, 3], 1), rnd([3], 2, { scale: 0.5, shift: 1.5 })], (a, b) => F.div(a!, b!)],
    ['div (3,1)/(1,4) negative denominators', () => [rnd([3, 1], 1), rnd([1, 4], 2, { scale: 0.5, shift: -1.5 })], (a, b) => F.div(a!, b!)],
    ['div tensor / number', () => [rnd([2, 3], 1)], (a) => F.div(a!, 3)],
    ['div number / tensor', () => [rnd([2, 3], 1, { scale: 0.5, shift: 1.5 })], (a) => F.div(2, a!)],
    ['neg', () => [rnd([2, 3], 1)], (a) => F.neg(a!)],
    ['pow 2', () => [rnd([2, 3], 1)], (a) => F.pow(a!, 2)],
    ['pow 3', () => [rnd([2, 3], 1)], (a) => F.pow(a!, 3)],
    ['pow 0.5', () => [rnd([2, 3], 1, { scale: 0.5, shift: 1 })], (a) => F.pow(a!, 0.5)],
    ['pow -1.5', () => [rnd([2, 3], 1, { scale: 0.5, shift: 1 })], (a) => F.pow(a!, -1.5)],
    ['pow 0', () => [rnd([2, 3], 1)], (a) => F.pow(a!, 0)],
    ['square', () => [rnd([2, 3], 1)], (a) => F.square(a!)],
    ['abs', () => [avoid(rnd([3, 4], 1), [0])], (a) => F.abs(a!)],
    ['exp', () => [rnd([2, 3], 1)], (a) => F.exp(a!)],
    ['log', () => [rnd([2, 3], 1, { scale: 0.5, shift: 1 })], (a) => F.log(a!)],
    ['sqrt', () => [rnd([2, 3], 1, { scale: 0.5, shift: 1 })], (a) => F.sqrt(a!)],
    ['sum all', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!)],
    ['sum all keepdim', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!, null, { keepdim: true })],
    ['sum dim 1', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!, 1)],
    ['sum dim -1 keepdim', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!, -1, { keepdim: true })],
    ['sum dims [0, 2]', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!, [0, 2])],
    ['sum dims [2, -3] keepdim', () => [rnd([2, 3, 4], 1)], (a) => F.sum(a!, [2, -3], { keepdim: true })],
    ['sum 0-d', () => [rnd([], 1)], (a) => F.sum(a!, 0)],
    ['mean all', () => [rnd([2, 3, 4], 1)], (a) => F.mean(a!)],
    ['mean dim 0', () => [rnd([2, 3, 4], 1)], (a) => F.mean(a!, 0)],
    ['mean dims [-1, 1] keepdim', () => [rnd([2, 3, 4], 1)], (a) => F.mean(a!, [-1, 1], { keepdim: true })],
    ['L2 penalty sum(w*w) + L1 penalty sum(abs(w))', () => [avoid(rnd([3, 4], 1), [0])], (w) => F.add(F.sum(F.mul(w!, w!)), F.mul(F.sum(F.abs(w!)), 0.01))],
  ];
  for (const [name, make, fn] of cases) it(name, () => gradcheckOp({ name, inputs: make(), fn }));
});

describe('gradcheck: activations', () => {
  const wide = (seed: number): Tensor => rnd([4, 6], seed, { scale: 4 });
  it('leakyRelu default', () => gradcheckOp({ name: 'leakyRelu', inputs: [avoid(wide(1), [0])], fn: (x) => F.leakyRelu(x!) }));
  it('leakyRelu 0.2', () => gradcheckOp({ name: 'leakyRelu 0.2', inputs: [avoid(wide(2), [0])], fn: (x) => F.leakyRelu(x!, 0.2) }));
  it('gelu none', () => gradcheckOp({ name: 'gelu', inputs: [wide(3)], fn: (x) => F.gelu(x!) }));
  it('gelu tanh', () => gradcheckOp({ name: 'gelu tanh', inputs: [wide(4)], fn: (x) => F.gelu(x!, { approximate: 'tanh' }) }));
  it('sigmoid', () => gradcheckOp({ name: 'sigmoid', inputs: [wide(5)], fn: (x) => F.sigmoid(x!) }));
  it('tanh', () => gradcheckOp({ name: 'tanh', inputs: [wide(6)], fn: (x) => F.tanh(x!) }));
});

describe('gradcheck: layerNorm', () => {
  it('(4, 6) over 6 with weight and bias', () =>
    gradcheckOp({ name: 'layerNorm', inputs: [rnd([4, 6], 1), rnd([6], 2, { shift: 1 }), rnd([6], 3)], fn: (x, w, b) => F.layerNorm(x!, 6, w, b) }));
  it('(2, 3, 5) over [3, 5] with weight only', () =>
    gradcheckOp({ name: 'layerNorm', inputs: [rnd([2, 3, 5], 1), rnd([3, 5], 2, { shift: 1 })], fn: (x, w) => F.layerNorm(x!, [3, 5], w) }));
  it('(2, 3, 5) over [5] with bias only, eps 0.1', () =>
    gradcheckOp({ name: 'layerNorm', inputs: [rnd([2, 3, 5], 1), rnd([5], 3)], fn: (x, b) => F.layerNorm(x!, [5], null, b, { eps: 0.1 }) }));
  it('(3, 4) without affine', () => gradcheckOp({ name: 'layerNorm', inputs: [rnd([3, 4], 1, { scale: 3, shift: 2 })], fn: (x) => F.layerNorm(x!, [4]) }));
});

describe('gradcheck: pooling', () => {
  const maxCases: Array<[number[], number, F.MaxPool1dOptions]> = [
    [[2, 3, 8], 2, {}],
    [[2, 2, 9], 3, { stride: 2, padding: 1 }],
    [[1, 2, 10], 3, { stride: 1, dilation: 2 }],
    [[2, 2, 10], 3, { stride: 2, padding: 1, dilation: 2 }],
    // ceilMode: floor gives 4 windows, ceil 5 (the last starts at 8 < L + p = 10).
    [[2, 2, 9], 3, { stride: 2, padding: 1, ceilMode: true }],
    // ceilMode where the extra window would start in the right padding (at 6 >= L + p = 6) and is dropped.
    [[1, 2, 5], 2, { stride: 2, padding: 1, ceilMode: true }],
    [[1, 2, 6], 2, { stride: 2, padding: 1, ceilMode: true }],
    [[3, 7], 4, { stride: 3, padding: 2, ceilMode: true }],
  ];
  for (const [shape, k, o] of maxCases) {
    it(`maxPool1d ${JSON.stringify(shape)} k=${k} ${JSON.stringify(o)}`, () =>
      gradcheckOp({ name: 'maxPool1d', inputs: [distinct(shape, shape.length + k)], fn: (x) => F.maxPool1d(x!, k, o) }));
  }
  const avgCases: Array<[number[], number, F.AvgPool1dOptions]> = [
    [[2, 3, 8], 2, {}],
    [[2, 2, 9], 3, { stride: 2, padding: 1 }],
    [[2, 2, 9], 3, { stride: 2, padding: 1, countIncludePad: false }],
    [[2, 2, 10], 4, { stride: 3, padding: 2, ceilMode: true }],
    [[2, 2, 10], 4, { stride: 3, padding: 2, ceilMode: true, countIncludePad: false }],
    [[3, 7], 3, { stride: 2, ceilMode: true }],
    [[1, 2, 5], 2, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ];
  for (const [shape, k, o] of avgCases) {
    it(`avgPool1d ${JSON.stringify(shape)} k=${k} ${JSON.stringify(o)}`, () =>
      gradcheckOp({ name: 'avgPool1d', inputs: [rnd(shape, 7)], fn: (x) => F.avgPool1d(x!, k, o) }));
  }
  for (const [shape, out] of [[[2, 3, 10], 3], [[2, 2, 7], 4], [[1, 2, 5], 5], [[2, 3], 7], [[1, 1, 6], 1]] as Array<[number[], number]>) {
    it(`adaptiveAvgPool1d ${JSON.stringify(shape)} -> ${out}`, () =>
      gradcheckOp({ name: 'adaptiveAvgPool1d', inputs: [rnd(shape, 8)], fn: (x) => F.adaptiveAvgPool1d(x!, out) }));
  }
});

describe('gradcheck: shape, softmax', () => {
  it('flatten', () => gradcheckOp({ name: 'flatten', inputs: [rnd([2, 3, 4], 1)], fn: (x) => F.flatten(x!, 1) }));
  it('reshape', () => gradcheckOp({ name: 'reshape', inputs: [rnd([2, 3, 4], 1)], fn: (x) => F.reshape(x!, [4, -1]) }));
  for (const dim of [0, 1, -1]) {
    it(`softmax dim ${dim}`, () => gradcheckOp({ name: 'softmax', inputs: [rnd([2, 3, 4], 1, { scale: 3 })], fn: (x) => F.softmax(x!, dim) }));
    it(`logSoftmax dim ${dim}`, () => gradcheckOp({ name: 'logSoftmax', inputs: [rnd([2, 3, 4], 1, { scale: 3 })], fn: (x) => F.logSoftmax(x!, dim) }));
  }
});

describe('gradcheck: losses', () => {
  const reductions = ['mean', 'sum', 'none'] as const;
  for (const reduction of reductions) {
    it(`mseLoss ${reduction}`, () => gradcheckOp({ name: 'mseLoss', inputs: [rnd([3, 4], 1), rnd([3, 4], 2)], fn: (x, t) => F.mseLoss(x!, t!, { reduction }) }));
    it(`l1Loss ${reduction}`, () => gradcheckOp({ name: 'l1Loss', inputs: pair([3, 4], 3, [0]), fn: (x, t) => F.l1Loss(x!, t!, { reduction }) }));
    for (const beta of [1, 0.5, 0]) {
      it(`smoothL1Loss beta ${beta} ${reduction}`, () =>
        gradcheckOp({ name: 'smoothL1Loss', inputs: pair([3, 4], 5, [0, beta, -beta]), fn: (x, t) => F.smoothL1Loss(x!, t!, { reduction, beta }) }));
    }
    for (const delta of [1, 0.3]) {
      it(`huberLoss delta ${delta} ${reduction}`, () =>
        gradcheckOp({ name: 'huberLoss', inputs: pair([3, 4], 7, [0, delta, -delta]), fn: (x, t) => F.huberLoss(x!, t!, { reduction, delta }) }));
    }
  }

  const weight = leaf([0.2, 1, 2.5, 0.7], [4]);
  const ceCases: Array<[string, number[], number[], F.CrossEntropyOptions]> = [
    ['(N, C)', [5, 4], [0, 3, 1, 2, 3], {}],
    ['(N, C) weight', [5, 4], [0, 3, 1, 2, 3], { weight }],
    ['(N, C) ignoreIndex default', [5, 4], [0, -100, 1, 2, -100], {}],
    ['(N, C) ignoreIndex 1 + weight', [5, 4], [0, 3, 1, 2, 1], { weight, ignoreIndex: 1 }],
    ['(N, C) labelSmoothing 0.1', [5, 4], [0, 3, 1, 2, 3], { labelSmoothing: 0.1 }],
    ['(N, C) weight + ignoreIndex + labelSmoothing 0.2', [5, 4], [0, -100, 1, 2, 3], { weight, labelSmoothing: 0.2 }],
    ['(N, C, L) weight + ignoreIndex + labelSmoothing', [2, 4, 3], [0, 3, -100, 2, 1, 1], { weight, labelSmoothing: 0.15 }],
    ['(N, C, L1, L2)', [2, 4, 2, 2], [0, 3, 1, 2, 1, 1, 0, 2], { labelSmoothing: 0.1 }],
    ['(C) unbatched', [4], [2], { weight, labelSmoothing: 0.1 }],
  ];
  for (const [name, shape, target, o] of ceCases) {
    for (const reduction of reductions) {
      it(`crossEntropy ${name} ${reduction}`, () => {
        const t = shape.length === 1 ? new Tensor(Float32Array.from(target), []) : leaf(target, [shape[0]!, ...shape.slice(2)]);
        gradcheckOp({ name: `crossEntropy ${name}`, inputs: [rnd(shape, 11, { scale: 2 })], fn: (x) => F.crossEntropy(x!, t, { ...o, reduction }) });
        // the same loss from an Int32Array / number[] target
        const fromArray = F.crossEntropy(rnd(shape, 11, { scale: 2 }), Int32Array.from(target), { ...o, reduction });
        expect(Array.from(fromArray.data)).toEqual(Array.from(F.crossEntropy(rnd(shape, 11, { scale: 2 }), t, { ...o, reduction }).data));
      });
    }
  }
  for (const reduction of reductions) {
    it(`crossEntropy probability target, weight, labelSmoothing ${reduction} (input and target grads)`, () => {
      const p = F.softmax(rnd([3, 4, 2], 13, { scale: 2, requiresGrad: false }), 1).detach();
      p.requiresGrad = true;
      gradcheckOp({ name: 'crossEntropy probs', inputs: [rnd([3, 4, 2], 12, { scale: 2 }), p], fn: (x, t) => F.crossEntropy(x!, t!, { weight, labelSmoothing: 0.1, reduction }) });
    });
    it(`binaryCrossEntropyWithLogits ${reduction}`, () =>
      gradcheckOp({ name: 'bce', inputs: [rnd([3, 4], 14, { scale: 4 }), rnd([3, 4], 15, { scale: 0.5, shift: 0.5 })], fn: (x, t) => F.binaryCrossEntropyWithLogits(x!, t!, { reduction }) }));
    it(`binaryCrossEntropyWithLogits weight (4) + posWeight (4) ${reduction}`, () =>
      gradcheckOp({
        name: 'bce weighted',
        inputs: [rnd([3, 4], 14, { scale: 4 }), rnd([3, 4], 15, { scale: 0.5, shift: 0.5 })],
        fn: (x, t) => F.binaryCrossEntropyWithLogits(x!, t!, { weight: leaf([0.5, 1, 2, 1.5], [4]), posWeight: leaf([3, 0.5, 1, 2], [4]), reduction }),
      }));
    it(`binaryCrossEntropyWithLogits weight (3, 1) ${reduction}`, () =>
      gradcheckOp({
        name: 'bce row weight',
        inputs: [rnd([3, 4], 16, { scale: 4 }), rnd([3, 4], 17, { scale: 0.5, shift: 0.5 })],
        fn: (x, t) => F.binaryCrossEntropyWithLogits(x!, t!, { weight: leaf([0.5, 1, 2], [3, 1]), reduction }),
      }));
  }
});
