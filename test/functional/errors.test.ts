/**
 * Bad arguments to the functional ops: each throws the documented error (class and message naming
 * the op, and the expected and actual shape or value), never clamps or computes garbage.
 */
import { describe, expect, it } from 'vitest';
import { DataError, OptionError, ShapeError, KeelError } from '../../src/errors.js';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const t = (...shape: number[]): Tensor => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape);
const idx = (values: number[], shape = [values.length]): Tensor => new Tensor(Float32Array.from(values), shape);
/** A deliberately ill-typed argument (the type checker would reject it; a JS caller might not). */
const bad = (v: unknown): any => v;

type Case = [string, () => unknown, typeof KeelError, string | RegExp];

function table(cases: Case[]): void {
  for (const [name, fn, cls, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(KeelError); // every class keel throws on purpose is one
      expect(fn).toThrow(msg);
    });
  }
}

describe('errors: arithmetic', () => {
  table([
    ['add: shapes that do not broadcast', () => F.add(t(2, 3), t(4)), ShapeError,
      'add: input (2, 3) and other (4) cannot be broadcast together: sizes 3 and 4 at dimension 1 of the result differ and neither is 1'],
    ['mul: shapes that do not broadcast', () => F.mul(t(2, 3, 4), t(3, 1, 5)), ShapeError, 'mul: input (2, 3, 4) and other (3, 1, 5) cannot be broadcast together'],
    ['div: operand of the wrong type', () => F.div(t(2), bad('2')), OptionError, 'div: other must be a Tensor or a number, got "2"'],
    ['sub: first operand of the wrong type', () => F.sub(bad(null), t(2)), OptionError, 'sub: input must be a Tensor or a number, got null'],
    ['add: NaN alpha', () => F.add(t(2), t(2), { alpha: NaN }), OptionError, 'add: alpha must be a number, got NaN'],
    ['add: unknown option', () => F.add(t(2), t(2), bad({ scale: 2 })), OptionError, 'add: unknown option "scale" (known options: alpha)'],
    ['pow: exponent not a number', () => F.pow(t(2), bad(t(1))), OptionError, 'pow: exponent must be a number, got a Tensor of shape (1)'],
    ['exp: input not a Tensor', () => F.exp(bad([1, 2])), OptionError, 'exp: input must be a Tensor, got [1, 2]'],
    ['sum: dim out of range', () => F.sum(t(2, 3), 2), OptionError, 'sum: dim 2 out of range for input (2, 3) (expected an integer in [-2, 1])'],
    ['sum: negative dim out of range', () => F.sum(t(2, 3), [-3]), OptionError, 'sum: dim -3 out of range for input (2, 3)'],
    ['mean: repeated dim', () => F.mean(t(2, 3), [1, -1]), OptionError, 'mean: dim 1 appears multiple times in the list of dims [1, -1]'],
    ['mean: non-integer dim', () => F.mean(t(2, 3), 0.5), OptionError, 'mean: dim 0.5 out of range'],
    ['sum: keepdim not a boolean', () => F.sum(t(2, 3), 0, bad({ keepdim: 1 })), OptionError, 'sum: keepdim must be true or false, got 1'],
    ['sum: misspelt option', () => F.sum(t(2, 3), 0, bad({ keepDim: true })), OptionError, 'sum: unknown option "keepDim" (known options: keepdim)'],
    ['sum: dim 1 of a 0-d tensor', () => F.sum(t(), 1), OptionError, 'sum: dim 1 out of range for input () (expected an integer in [-1, 0])'],
  ]);
});

describe('errors: activations, layerNorm, shape, softmax', () => {
  table([
    ['leakyRelu: negativeSlope not a number', () => F.leakyRelu(t(2), bad('0.1')), OptionError, 'leakyRelu: negativeSlope must be a number, got "0.1"'],
    ['gelu: unknown approximation', () => F.gelu(t(2), bad('fast')), OptionError, "gelu: approximate must be one of 'none', 'tanh', got \"fast\""],
    ['gelu: unknown option', () => F.gelu(t(2), bad({ approx: 'tanh' })), OptionError, 'gelu: unknown option "approx"'],
    ['sigmoid: input not a Tensor', () => F.sigmoid(bad(1)), OptionError, 'sigmoid: input must be a Tensor, got 1'],
    ['layerNorm: normalizedShape does not match the input', () => F.layerNorm(t(3, 4), [5]), ShapeError, 'layerNorm: normalizedShape (5) expects input (*, 5), got (3, 4)'],
    ['layerNorm: more normalized dims than the input has', () => F.layerNorm(t(4), [1, 4]), ShapeError, 'layerNorm: normalizedShape (1, 4) expects input (*, 1, 4), got (4)'],
    ['layerNorm: empty normalizedShape', () => F.layerNorm(t(3, 4), []), OptionError, 'layerNorm: normalizedShape must have at least one dimension, got []'],
    ['layerNorm: bad normalizedShape', () => F.layerNorm(t(3, 4), bad([4.5])), OptionError, 'layerNorm: normalizedShape must be a non-negative integer or an array of them, got [4.5]'],
    ['layerNorm: weight of the wrong shape', () => F.layerNorm(t(3, 4), 4, t(3)), ShapeError, 'layerNorm: expected weight of shape (4) (normalizedShape), got (3)'],
    ['layerNorm: bias of the wrong shape', () => F.layerNorm(t(2, 3, 4), [3, 4], null, t(4)), ShapeError, 'layerNorm: expected bias of shape (3, 4) (normalizedShape), got (4)'],
    ['layerNorm: negative eps', () => F.layerNorm(t(3, 4), 4, null, null, { eps: -1 }), OptionError, 'layerNorm: eps must be a finite number >= 0, got -1'],
    ['layerNorm: weight not a Tensor', () => F.layerNorm(t(3, 4), 4, bad([1, 1, 1, 1])), OptionError, 'layerNorm: weight must be a Tensor, got [1, 1, 1, 1]'],
    ['flatten: startDim after endDim', () => F.flatten(t(2, 3, 4), 2, 1), OptionError, 'flatten: startDim 2 / endDim 1 out of range for shape (2, 3, 4)'],
    ['flatten: dim out of range', () => F.flatten(t(2, 3), 0, 5), OptionError, 'flatten: startDim 0 / endDim 5 out of range for shape (2, 3)'],
    ['reshape: wrong element count', () => F.reshape(t(2, 3), [4, 2]), ShapeError, 'reshape: cannot reshape 6 elements into (4, 2)'],
    ['reshape: shape not an array', () => F.reshape(t(2, 3), bad(6)), OptionError, 'reshape: shape must be an array of integers, got 6'],
    ['softmax: dim out of range', () => F.softmax(t(2, 3), 2), OptionError, 'softmax: dim 2 out of range for input (2, 3) (expected an integer in [-2, 1])'],
    ['logSoftmax: dim missing', () => F.logSoftmax(t(2, 3), bad(undefined)), OptionError, 'logSoftmax: dim undefined out of range for input (2, 3)'],
  ]);
});

describe('errors: pooling', () => {
  table([
    ['maxPool1d: 1-D input', () => F.maxPool1d(t(8), 2), ShapeError, 'maxPool1d: expected input (N, C, L) or (C, L), got (8)'],
    ['avgPool1d: 4-D input', () => F.avgPool1d(t(1, 2, 3, 8), 2), ShapeError, 'avgPool1d: expected input (N, C, L) or (C, L), got (1, 2, 3, 8)'],
    ['maxPool1d: kernelSize 0', () => F.maxPool1d(t(1, 2, 8), 0), OptionError, 'maxPool1d: kernelSize must be a positive integer, got 0'],
    ['maxPool1d: stride 0', () => F.maxPool1d(t(1, 2, 8), 2, { stride: 0 }), OptionError, 'maxPool1d: stride must be a positive integer, got 0'],
    ['maxPool1d: negative padding', () => F.maxPool1d(t(1, 2, 8), 2, { padding: -1 }), OptionError, 'maxPool1d: padding must be a non-negative integer, got -1'],
    ['maxPool1d: padding over half the kernel', () => F.maxPool1d(t(1, 2, 8), 3, { padding: 2 }), OptionError,
      'maxPool1d: padding should be at most half of kernelSize, but got padding=2 and kernelSize=3'],
    ['maxPool1d: dilation 0', () => F.maxPool1d(t(1, 2, 8), 2, { dilation: 0 }), OptionError, 'maxPool1d: dilation must be a positive integer, got 0'],
    ['maxPool1d: ceilMode not a boolean', () => F.maxPool1d(t(1, 2, 8), 2, bad({ ceilMode: 'yes' })), OptionError, 'maxPool1d: ceilMode must be true or false, got "yes"'],
    ['maxPool1d: PyTorch spelling of an option', () => F.maxPool1d(t(1, 2, 8), 2, bad({ ceil_mode: true })), OptionError,
      'maxPool1d: unknown option "ceil_mode" (known options: stride, padding, dilation, ceilMode)'],
    ['maxPool1d: output too small', () => F.maxPool1d(t(1, 1, 4), 5, { stride: 1 }), ShapeError,
      'maxPool1d: input (1, 1, 4) with kernelSize=5, stride=1, padding=0, dilation=1, ceilMode=false gives output length 0; output size is too small'],
    ['maxPool1d: output too small through dilation', () => F.maxPool1d(t(2, 5), 3, { dilation: 3 }), ShapeError, 'gives output length 0; output size is too small'],
    ['avgPool1d: dilation is not an avgPool1d option', () => F.avgPool1d(t(1, 2, 8), 2, bad({ dilation: 2 })), OptionError, 'avgPool1d: unknown option "dilation"'],
    ['avgPool1d: countIncludePad not a boolean', () => F.avgPool1d(t(1, 2, 8), 2, bad({ countIncludePad: 0 })), OptionError, 'avgPool1d: countIncludePad must be true or false, got 0'],
    ['avgPool1d: output too small', () => F.avgPool1d(t(1, 1, 4), 5), ShapeError, 'avgPool1d: input (1, 1, 4) with kernelSize=5'],
    ['avgPool1d: padding over half the kernel', () => F.avgPool1d(t(1, 2, 8), 2, { padding: 2 }), OptionError, 'avgPool1d: padding should be at most half of kernelSize, but got padding=2 and kernelSize=2'],
    ['adaptiveAvgPool1d: negative outputSize', () => F.adaptiveAvgPool1d(t(1, 2, 8), -1), OptionError, 'adaptiveAvgPool1d: outputSize must be a non-negative integer, got -1'],
    ['adaptiveAvgPool1d: empty length', () => F.adaptiveAvgPool1d(t(1, 2, 0), 2), ShapeError, 'adaptiveAvgPool1d: expected input with non-zero channels and length, got (1, 2, 0)'],
  ]);
});

describe('errors: losses', () => {
  const losses = {
    mseLoss: F.mseLoss,
    l1Loss: F.l1Loss,
    smoothL1Loss: F.smoothL1Loss,
    huberLoss: F.huberLoss,
    binaryCrossEntropyWithLogits: F.binaryCrossEntropyWithLogits,
  } as const;
  for (const [name, fn] of Object.entries(losses)) {
    table([
      [`${name}: input and target of different shapes`, () => fn(t(4, 3), t(4, 2)), ShapeError, `${name}: input (4, 3) and target (4, 2) must have the same shape`],
      [`${name}: bad reduction`, () => fn(t(4, 3), t(4, 3), bad({ reduction: 'avg' })), OptionError, `${name}: "avg" is not a valid value for reduction (expected 'mean', 'sum' or 'none')`],
      [`${name}: reduction null`, () => fn(t(4, 3), t(4, 3), bad({ reduction: null })), OptionError, `${name}: null is not a valid value for reduction`],
      [`${name}: target not a Tensor`, () => fn(t(4, 3), bad([1, 2])), OptionError, `${name}: target must be a Tensor, got [1, 2]`],
      [`${name}: options not an object`, () => fn(t(4, 3), t(4, 3), bad('sum')), OptionError, `${name}: options must be an object, got "sum"`],
    ]);
  }
  table([
    ['mseLoss: broadcastable shapes are still an error', () => F.mseLoss(t(4, 3), t(3)), ShapeError, 'mseLoss: input (4, 3) and target (3) must have the same shape'],
    ['smoothL1Loss: negative beta', () => F.smoothL1Loss(t(2), t(2), { beta: -1 }), OptionError, 'smoothL1Loss: beta must be a finite number >= 0, got -1'],
    ['huberLoss: delta 0', () => F.huberLoss(t(2), t(2), { delta: 0 }), OptionError, 'huberLoss: delta must be a finite number > 0, got 0'],
    ['huberLoss: negative delta', () => F.huberLoss(t(2), t(2), { delta: -2 }), OptionError, 'huberLoss: delta must be a finite number > 0, got -2'],
    ['crossEntropy: bad reduction', () => F.crossEntropy(t(3, 4), [0, 1, 2], bad({ reduction: 'mean ' })), OptionError,
      `crossEntropy: "mean " is not a valid value for reduction (expected 'mean', 'sum' or 'none')`],
    ['crossEntropy: target of the wrong shape', () => F.crossEntropy(t(3, 4), idx([0, 1])), ShapeError,
      'crossEntropy: expected target (3) of class indices (or (3, 4) of class probabilities) for input (3, 4), got (2)'],
    ['crossEntropy: (N, C, L) target of the wrong shape', () => F.crossEntropy(t(2, 3, 4), idx([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 5])), ShapeError,
      'crossEntropy: expected target (2, 4) of class indices (or (2, 3, 4) of class probabilities) for input (2, 3, 4), got (2, 5)'],
    ['crossEntropy: array target of the wrong length', () => F.crossEntropy(t(2, 3, 4), [0, 1, 2]), ShapeError,
      'crossEntropy: expected 8 class indices (target (2, 4)) for input (2, 3, 4), got 3'],
    ['crossEntropy: target out of bounds', () => F.crossEntropy(t(3, 4), [0, 4, 1]), DataError, 'crossEntropy: target 4 at index 1 is out of bounds for 4 classes'],
    ['crossEntropy: negative target that is not ignoreIndex', () => F.crossEntropy(t(3, 4), Int32Array.from([0, -1, 1])), DataError,
      'crossEntropy: target -1 at index 1 is out of bounds for 4 classes'],
    ['crossEntropy: non-integer target', () => F.crossEntropy(t(3, 4), idx([0, 1.5, 1])), DataError, 'crossEntropy: target values must be integer class indices, got 1.5 at index 1'],
    ['crossEntropy: target of the wrong type', () => F.crossEntropy(t(3, 4), bad('0,1,2')), OptionError,
      'crossEntropy: target must be a Tensor, an Int32Array or an array of class indices, got "0,1,2"'],
    ['crossEntropy: weight of the wrong shape', () => F.crossEntropy(t(3, 4), [0, 1, 2], { weight: t(3) }), ShapeError,
      'crossEntropy: expected weight (4) (one per class) for input (3, 4), got (3)'],
    ['crossEntropy: labelSmoothing above 1', () => F.crossEntropy(t(3, 4), [0, 1, 2], { labelSmoothing: 1.5 }), OptionError, 'crossEntropy: labelSmoothing must be a number in [0, 1], got 1.5'],
    ['crossEntropy: negative labelSmoothing (PyTorch ignores it; keel throws)', () => F.crossEntropy(t(3, 4), [0, 1, 2], { labelSmoothing: -0.1 }), OptionError,
      'crossEntropy: labelSmoothing must be a number in [0, 1], got -0.1'],
    ['crossEntropy: non-integer ignoreIndex', () => F.crossEntropy(t(3, 4), [0, 1, 2], { ignoreIndex: 0.5 }), OptionError, 'crossEntropy: ignoreIndex must be an integer, got 0.5'],
    ['crossEntropy: ignoreIndex with probability targets', () => F.crossEntropy(t(3, 4), t(3, 4), { ignoreIndex: 1 }), OptionError,
      'crossEntropy: ignoreIndex is not supported with class-probability targets, got ignoreIndex=1'],
    ['crossEntropy: 0-d input', () => F.crossEntropy(t(), [0]), ShapeError, 'crossEntropy: expected input (C), (N, C) or (N, C, d1, ...), got ()'],
    ['crossEntropy: unbatched input with a (1) target tensor', () => F.crossEntropy(t(4), idx([1])), ShapeError, 'crossEntropy: expected target () of class indices'],
    ['crossEntropy: misspelt option', () => F.crossEntropy(t(3, 4), [0, 1, 2], bad({ ignore_index: 1 })), OptionError, 'crossEntropy: unknown option "ignore_index"'],
    ['binaryCrossEntropyWithLogits: weight that does not broadcast to the input', () => F.binaryCrossEntropyWithLogits(t(2, 4), t(2, 4), { weight: t(3) }), ShapeError,
      'binaryCrossEntropyWithLogits: weight (3) must broadcast to input (2, 4)'],
    ['binaryCrossEntropyWithLogits: weight that would grow the output', () => F.binaryCrossEntropyWithLogits(t(2, 4), t(2, 4), { weight: t(3, 2, 4) }), ShapeError,
      'binaryCrossEntropyWithLogits: weight (3, 2, 4) must broadcast to input (2, 4)'],
    ['binaryCrossEntropyWithLogits: posWeight that does not broadcast', () => F.binaryCrossEntropyWithLogits(t(2, 4), t(2, 4), { posWeight: t(2) }), ShapeError,
      'binaryCrossEntropyWithLogits: posWeight (2) must broadcast to input (2, 4)'],
  ]);
});
