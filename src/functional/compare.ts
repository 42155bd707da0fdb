/**
 * Elementwise comparisons and selection, as torch.eq / ne / lt / le / gt / ge and torch.where: masks
 * for "which predictions are right" (eq(argmax(logits, 1), labels)), thresholds, and picking per
 * element from one of two tensors.
 *
 *   eq(a, b) = [a = b]   ne = [a ≠ b]   lt = [a < b]   le = [a ≤ b]   gt = [a > b]   ge = [a ≥ b]
 *   where(c, x, y) = c ? x : y,   dx = g·c,   dy = g·(1 − c)   (each summed back to its operand's shape)
 *
 * Operands broadcast (./broadcast.ts); a number acts as a 0-d float32 tensor (PyTorch converts a
 * Python scalar to the tensor's dtype first, so lt(x, 0.1) compares with fround(0.1)). Comparisons
 * with NaN are false, except ne, which is true. Comparisons have no gradient.
 *
 * keel tensors are float32 only, so booleans are float32 tensors of 0 and 1: the one deviation from
 * PyTorch's bool dtype. where's condition must hold only 0 and 1 (what a comparison returns); any
 * other value is a DataError rather than PyTorch's bool conversion, since a float mask of other
 * values is usually a bug (write ne(c, 0) for "nonzero").
 */
import { formatShape, numel, sameShape } from '../tensor/shape.js';
import { fromOp, INTERNAL, Tensor } from '../tensor/tensor.js';
import { broadcastIndex, broadcastPair, reduceTo } from './broadcast.js';
import { operand, type Operand } from './arithmetic.js';
import { checkTensor } from './validate.js';
import { DataError } from '../errors.js';

/** For each element of `shape`, the element of t it reads (null when t already has that shape). */
const reader = (t: Tensor, shape: readonly number[]): Int32Array | null => (sameShape(t.shape, shape) ? null : broadcastIndex(t.shape, shape));

function compare(op: string, input: Tensor, otherIn: Operand, test: (a: number, b: number) => boolean): Tensor {
  checkTensor(op, 'input', input);
  const other = operand(op, 'other', otherIn);
  const shape = broadcastPair(op, input.shape, other.shape, ['input', 'other']);
  const ia = reader(input, shape), ib = reader(other, shape);
  const a = input.data, b = other.data;
  const y = new Float32Array(numel(shape));
  for (let i = 0; i < y.length; i++) y[i] = test(a[ia ? ia[i]! : i]!, b[ib ? ib[i]! : i]!) ? 1 : 0;
  return new Tensor(y, shape, INTERNAL);
}

/** 1 where input = other, else 0 (float32). */
export function eq(input: Tensor, other: Operand): Tensor {
  return compare('eq', input, other, (a, b) => a === b);
}

/** 1 where input ≠ other (and where either is NaN), else 0 (float32). */
export function ne(input: Tensor, other: Operand): Tensor {
  return compare('ne', input, other, (a, b) => a !== b);
}

/** 1 where input < other, else 0 (float32). */
export function lt(input: Tensor, other: Operand): Tensor {
  return compare('lt', input, other, (a, b) => a < b);
}

/** 1 where input ≤ other, else 0 (float32). */
export function le(input: Tensor, other: Operand): Tensor {
  return compare('le', input, other, (a, b) => a <= b);
}

/** 1 where input > other, else 0 (float32). */
export function gt(input: Tensor, other: Operand): Tensor {
  return compare('gt', input, other, (a, b) => a > b);
}

/** 1 where input ≥ other, else 0 (float32). */
export function ge(input: Tensor, other: Operand): Tensor {
  return compare('ge', input, other, (a, b) => a >= b);
}

/** input where condition is 1, other where it is 0; all three broadcast (torch.where(condition, input, other)). */
export function where(condition: Tensor, input: Operand, other: Operand): Tensor {
  checkTensor('where', 'condition', condition);
  const x = operand('where', 'input', input), y = operand('where', 'other', other);
  const c = condition.data;
  for (let i = 0; i < c.length; i++) {
    if (c[i] !== 0 && c[i] !== 1) {
      throw new DataError(`where: condition must hold only 0 and 1 (as comparisons return), got ${c[i]} at flat index ${i} of ${formatShape(condition.shape)}`);
    }
  }
  const shape = broadcastPair('where', broadcastPair('where', condition.shape, x.shape, ['condition', 'input']), y.shape, ['', 'other']);
  const n = numel(shape);
  const ic = reader(condition, shape), ix = reader(x, shape), iy = reader(y, shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = c[ic ? ic[i]! : i] ? x.data[ix ? ix[i]! : i]! : y.data[iy ? iy[i]! : i]!;
  return fromOp('where', out, shape, [x, y], (g, needs) => {
    /** g where the condition picks this branch, 0 elsewhere, summed back to the branch's shape. */
    const branch = (picked: 0 | 1, index: Int32Array | null, size: number): Float32Array => {
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) if (c[ic ? ic[i]! : i] === picked) v[i] = g[i]!;
      return index ? reduceTo(v, index, size) : v;
    };
    return [needs[0] ? branch(1, ix, x.numel) : null, needs[1] ? branch(0, iy, y.numel) : null];
  });
}
