/**
 * Bad arguments to the tensor operations (permute … matmul): each throws the documented error class
 * with a message naming the op, the argument, and the expected and actual value; indices are checked
 * to be integers in range, never wrapped or clamped.
 */
import { describe, expect, it } from 'vitest';
import { DataError, OptionError, ShapeError, KeelError } from '../../src/errors.js';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const t = (...shape: number[]): Tensor => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape);
const vals = (values: number[], shape = [values.length]): Tensor => new Tensor(Float32Array.from(values), shape);
/** A deliberately ill-typed argument (the type checker would reject it; a JS caller might not). */
const bad = (v: unknown): any => v;

type Case = [string, () => unknown, typeof KeelError, string];

function table(cases: Case[]): void {
  for (const [name, fn, cls, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(KeelError); // every class keel throws on purpose is one
      expect(fn).toThrow(msg);
    });
  }
}

describe('errors: permute, transpose, cat, stack', () => {
  table([
    ['permute: too few dims', () => F.permute(t(2, 3, 4), [1, 0]), OptionError, 'permute: dims [1, 0] must list each of the 3 dimensions of input (2, 3, 4) once, got 2'],
    ['permute: repeated dim', () => F.permute(t(2, 3, 4), [0, 2, -1]), OptionError, 'permute: dim 2 appears more than once in dims [0, 2, -1]'],
    ['permute: dim out of range', () => F.permute(t(2, 3), [0, 2]), OptionError, 'permute: dim 2 out of range for input (2, 3) (expected an integer in [-2, 1])'],
    ['permute: dims not an array', () => F.permute(t(2, 3), bad(1)), OptionError, 'permute: dims must be an array of dimension indices, got 1'],
    ['transpose: dim out of range', () => F.transpose(t(2, 3), 0, -3), OptionError, 'transpose: dim -3 out of range for input (2, 3)'],
    ['transpose: input not a Tensor', () => F.transpose(bad([[1, 2]]), 0, 1), OptionError, 'transpose: input must be a Tensor, got'],
    ['cat: empty list', () => F.cat([]), OptionError, 'cat: tensors must be a non-empty array of Tensors, got []'],
    ['cat: element not a Tensor', () => F.cat([t(2), bad([1, 2])]), OptionError, 'cat: tensors[1] must be a Tensor, got [1, 2]'],
    ['cat: 0-d tensor', () => F.cat([t(1), t()]), ShapeError, 'cat: zero-dimensional tensor (tensors[1]) cannot be concatenated'],
    ['cat: sizes differ off the cat dim', () => F.cat([t(2, 3), t(2, 4)], 0), ShapeError,
      'cat: tensors[1] has shape (2, 4), expected (*, 3) (sizes must match tensors[0] (2, 3) except in dimension 0)'],
    ['cat: ranks differ', () => F.cat([t(2, 3), t(2, 3, 1)], 1), ShapeError, 'cat: tensors[1] has shape (2, 3, 1), expected (2, *)'],
    ['cat: dim out of range', () => F.cat([t(2, 3), t(2, 3)], 2), OptionError, 'cat: dim 2 out of range for input (2, 3)'],
    ['stack: shapes differ', () => F.stack([t(2, 3), t(3, 2)]), ShapeError, 'stack: tensors[1] has shape (3, 2), expected (2, 3) (the shape of tensors[0])'],
    ['stack: dim out of range', () => F.stack([t(2, 3), t(2, 3)], 3), OptionError,
      'stack: dim 3 out of range for stacking tensors of shape (2, 3) (expected an integer in [-3, 2])'],
  ]);
});

describe('errors: indexSelect, narrow, slice', () => {
  table([
    ['indexSelect: index past the end', () => F.indexSelect(t(2, 4), 1, vals([0, 4])), OptionError,
      'indexSelect: index[1] = 4 is out of range for dimension 1 of size 4 (expected an integer in [0, 3])'],
    ['indexSelect: negative index', () => F.indexSelect(t(3, 2), 0, [-1]), OptionError, 'indexSelect: index[0] = -1 is out of range for dimension 0 of size 3'],
    ['indexSelect: non-integer index value', () => F.indexSelect(t(3, 2), -2, vals([1, 0.5])), OptionError, 'indexSelect: index[1] = 0.5 is out of range'],
    ['indexSelect: NaN index', () => F.indexSelect(t(3, 2), 0, vals([NaN])), OptionError, 'indexSelect: index[0] = NaN is out of range'],
    ['indexSelect: 2-D index tensor', () => F.indexSelect(t(3, 2), 0, vals([0, 1], [1, 2])), ShapeError, 'indexSelect: index must be a 0-d or 1-D Tensor, got shape (1, 2)'],
    ['indexSelect: index of the wrong type', () => F.indexSelect(t(3, 2), 0, bad('0')), OptionError,
      'indexSelect: index must be an Int32Array, an array of numbers or a Tensor of integer values, got "0"'],
    ['indexSelect: two indices into a 0-d tensor', () => F.indexSelect(t(), 0, [0, 0]), ShapeError, 'indexSelect: a 0-d input takes exactly one index, got 2'],
    ['indexSelect: dim out of range', () => F.indexSelect(t(3, 2), 2, [0]), OptionError, 'indexSelect: dim 2 out of range for input (3, 2)'],
    ['narrow: window past the end', () => F.narrow(t(3, 6), 1, 4, 3), OptionError, 'narrow: start (4) + length (3) exceeds dimension 1 of size 6'],
    ['narrow: start before the beginning', () => F.narrow(t(3, 6), 1, -7, 1), OptionError, 'narrow: start -7 is out of range for dimension 1 of size 6 (expected an integer in [-6, 6])'],
    ['narrow: negative length', () => F.narrow(t(3, 6), 0, 0, -1), OptionError, 'narrow: length must be a non-negative integer, got -1'],
    ['narrow: 0-d input', () => F.narrow(t(), 0, 0, 1), ShapeError, 'narrow: input must have at least one dimension, got a 0-d tensor'],
    ['slice: step 0', () => F.slice(t(3, 6), 1, 0, 4, 0), OptionError, 'slice: step must be a positive integer, got 0'],
    ['slice: negative step', () => F.slice(t(3, 6), 1, null, null, -1), OptionError, 'slice: step must be a positive integer, got -1'],
    ['slice: non-integer bound', () => F.slice(t(3, 6), 1, 1.5), OptionError, 'slice: start must be an integer, got 1.5'],
    ['slice: dim out of range', () => F.slice(t(3, 6), -3, 0, 1), OptionError, 'slice: dim -3 out of range for input (3, 6)'],
  ]);
});

describe('errors: argmax, max, min', () => {
  table([
    ['argmax: empty input over all elements', () => F.argmax(t(0, 3)), ShapeError, 'argmax: input (0, 3) is empty: reduce over a dimension (pass dim) instead of all elements'],
    ['max: empty input over all elements', () => F.max(t(0)), ShapeError, 'max: input (0) is empty'],
    ['min: reducing an empty dimension', () => F.min(t(2, 0), 1), ShapeError, 'min: dimension 1 of input (2, 0) has size 0: there is nothing to reduce'],
    ['argmin: dim out of range', () => F.argmin(t(2, 3), 2), OptionError, 'argmin: dim 2 out of range for input (2, 3) (expected an integer in [-2, 1])'],
    ['argmax: keepdim not a boolean', () => F.argmax(t(2, 3), 1, bad({ keepdim: 1 })), OptionError, 'argmax: keepdim must be true or false, got 1'],
    ['max: misspelt option', () => F.max(t(2, 3), 1, bad({ keepDim: true })), OptionError, 'max: unknown option "keepDim" (known options: keepdim)'],
    ['max: options without dim', () => F.max(t(2, 3), bad(undefined), { keepdim: true }), OptionError, 'max: options (keepdim) need a dim'],
    ['max: dim a Tensor (torch.max(a, b) is maximum)', () => F.max(t(2, 3), bad(t(2, 3))), OptionError, 'max: dim a Tensor of shape (2, 3) out of range'],
  ]);
});

describe('errors: comparisons, where, clamp, matmul', () => {
  table([
    ['lt: shapes that do not broadcast', () => F.lt(t(2, 3), t(2)), ShapeError, 'lt: input (2, 3) and other (2) cannot be broadcast together'],
    ['eq: other of the wrong type', () => F.eq(t(2), bad('1')), OptionError, 'eq: other must be a Tensor or a number, got "1"'],
    ['ge: input a number', () => F.ge(bad(1), t(2)), OptionError, 'ge: input must be a Tensor, got 1'],
    ['where: condition not 0/1', () => F.where(vals([1, 0.5]), t(2), t(2)), DataError,
      'where: condition must hold only 0 and 1 (as comparisons return), got 0.5 at flat index 1 of (2)'],
    ['where: condition NaN', () => F.where(vals([NaN]), t(1), 0), DataError, 'where: condition must hold only 0 and 1 (as comparisons return), got NaN'],
    ['where: condition not a Tensor', () => F.where(bad([1, 0]), t(2), t(2)), OptionError, 'where: condition must be a Tensor, got [1, 0]'],
    ['where: shapes that do not broadcast', () => F.where(vals([1, 0]), t(3), t(2)), ShapeError, 'where: condition (2) and input (3) cannot be broadcast together'],
    ['where: other of the wrong type', () => F.where(vals([1, 0]), t(2), bad(null)), OptionError, 'where: other must be a Tensor or a number, got null'],
    ['clamp: no bound', () => F.clamp(t(2), {}), OptionError, 'clamp: at least one of min and max must be given, got neither'],
    ['clamp: no options', () => F.clamp(t(2), bad(undefined)), OptionError, 'clamp: at least one of min and max must be given'],
    ['clamp: NaN bound', () => F.clamp(t(2), { max: NaN }), OptionError, 'clamp: max must be a number, got NaN'],
    ['clamp: Tensor bound', () => F.clamp(t(2), { min: bad(t(2)) }), OptionError, 'clamp: min must be a number, got a Tensor of shape (2)'],
    ['clamp: unknown option', () => F.clamp(t(2), bad({ lo: 0 })), OptionError, 'clamp: unknown option "lo" (known options: min, max)'],
    ['matmul: 0-d operand', () => F.matmul(t(), t(3)), ShapeError, 'matmul: both arguments need at least one dimension, got input () and other (3)'],
    ['matmul: inner sizes differ', () => F.matmul(t(2, 3), t(4, 5)), ShapeError,
      "matmul: input (2, 3) and other (4, 5) cannot be multiplied: input's last dimension (3) must equal other's second-to-last dimension (4)"],
    ['matmul: vector sizes differ', () => F.matmul(t(3), t(4)), ShapeError, "input's last dimension (3) must equal other's size (4)"],
    ['matmul: batches that do not broadcast', () => F.matmul(t(2, 3, 4), t(3, 4, 5)), ShapeError,
      'matmul: input batch (2) and other batch (3) cannot be broadcast together'],
    ['matmul: other not a Tensor', () => F.matmul(t(2, 3), bad([[1], [2], [3]])), OptionError, 'matmul: other must be a Tensor, got'],
  ]);
});
