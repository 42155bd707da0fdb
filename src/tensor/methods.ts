/**
 * PyTorch's tensor methods (`x.sum()`, `a.mul(b)`, `logits.softmax(1)`), delegating to the F ops.
 * Attached to Tensor.prototype here, not in tensor.ts, so that the core does not import the op
 * layer; the package entry point imports this module once for its effect, and the declarations
 * below give the methods their types.
 */
import * as A from '../functional/arithmetic.js';
import type { AddOptions, Dims, Operand, ReduceOptions } from '../functional/arithmetic.js';
import { relu } from '../functional/relu.js';
import { sigmoid, tanh } from '../functional/activation.js';
import { logSoftmax, softmax } from '../functional/softmax.js';
import { permute, transpose } from '../functional/permute.js';
import { indexSelect, narrow, slice, type IndexLike } from '../functional/indexing.js';
import * as X from '../functional/extremes.js';
import type { ExtremeOptions, ValuesIndices } from '../functional/extremes.js';
import * as C from '../functional/compare.js';
import { clamp, type ClampOptions } from '../functional/clamp.js';
import { matmul } from '../functional/matmul.js';
import { Tensor } from './tensor.js';
import { ShapeError } from '../errors.js';

declare module './tensor.js' {
  interface Tensor {
    /** this + alpha·other, broadcasting (torch.add; F.add). */
    add(other: Operand, options?: AddOptions): Tensor;
    /** this − alpha·other, broadcasting (torch.sub; F.sub). */
    sub(other: Operand, options?: AddOptions): Tensor;
    /** Elementwise product, broadcasting (torch.mul). */
    mul(other: Operand): Tensor;
    /** Elementwise quotient, broadcasting (torch.div). */
    div(other: Operand): Tensor;
    /** −x elementwise. */
    neg(): Tensor;
    /** x^exponent elementwise, for a number exponent (torch.pow). */
    pow(exponent: number): Tensor;
    /** x² elementwise. */
    square(): Tensor;
    /** |x| elementwise (gradient 0 at 0, as PyTorch's sign). */
    abs(): Tensor;
    /** eˣ elementwise. */
    exp(): Tensor;
    /** Natural logarithm elementwise (−Infinity at 0, NaN below, as PyTorch). */
    log(): Tensor;
    /** √x elementwise (NaN below 0). */
    sqrt(): Tensor;
    /** Sum over `dim` (a dimension, a list, or all when omitted or null); keepdim keeps them as size 1 (torch.sum). */
    sum(dim?: Dims, options?: ReduceOptions): Tensor;
    /** Mean over `dim` (a dimension, a list, or all when omitted or null); keepdim keeps them as size 1 (torch.mean). */
    mean(dim?: Dims, options?: ReduceOptions): Tensor;
    /** max(0, x) elementwise. */
    relu(): Tensor;
    /** 1/(1 + e⁻ˣ) elementwise. */
    sigmoid(): Tensor;
    /** tanh(x) elementwise. */
    tanh(): Tensor;
    /** exp(x)/Σ exp(x) along `dim`, computed stably (torch.softmax). */
    softmax(dim: number): Tensor;
    /** log(softmax(x)) along `dim`, computed stably (torch.log_softmax). */
    logSoftmax(dim: number): Tensor;
    /** The dimensions reordered: x.permute(2, 0, 1) or x.permute([2, 0, 1]); copies (tensors are contiguous). */
    permute(...dims: number[] | [readonly number[]]): Tensor;
    /** Dimensions dim0 and dim1 swapped; copies. */
    transpose(dim0: number, dim1: number): Tensor;
    /** The transpose of a matrix (copies); a 0-d or 1-D tensor comes back as is (same data and shape), as in PyTorch. */
    t(): Tensor;
    /** The entries at positions `index` along `dim` (torch.index_select); copies. */
    indexSelect(dim: number, index: IndexLike): Tensor;
    /** `length` entries along `dim` from `start` (negative counts from the end); copies (torch.narrow). */
    narrow(dim: number, start: number, length: number): Tensor;
    /** x[…, start:end:step, …] along `dim` with Python's slice rules; copies. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    /** Index of the largest entry along `dim` (of the flattened tensor without one), as float32 values (torch.argmax). */
    argmax(dim?: number | null, options?: ExtremeOptions): Tensor;
    /** Index of the smallest entry along `dim` (of the flattened tensor without one), as float32 values (torch.argmin). */
    argmin(dim?: number | null, options?: ExtremeOptions): Tensor;
    /** The largest element, as a 0-d tensor (NaN if any element is NaN). */
    max(): Tensor;
    /** The largest entries along `dim` and their indices (torch.max(x, dim)). */
    max(dim: number, options?: ExtremeOptions): ValuesIndices;
    /** The smallest element, as a 0-d tensor (NaN if any element is NaN). */
    min(): Tensor;
    /** The smallest entries along `dim` and their indices (torch.min(x, dim)). */
    min(dim: number, options?: ExtremeOptions): ValuesIndices;
    /** 1 where this = other, else 0 (float32 mask, broadcasting, no gradient). */
    eq(other: Operand): Tensor;
    /** 1 where this ≠ other (NaN included), else 0 (float32 mask, broadcasting). */
    ne(other: Operand): Tensor;
    /** 1 where this < other, else 0 (float32 mask, broadcasting). */
    lt(other: Operand): Tensor;
    /** 1 where this ≤ other, else 0 (float32 mask, broadcasting). */
    le(other: Operand): Tensor;
    /** 1 where this > other, else 0 (float32 mask, broadcasting). */
    gt(other: Operand): Tensor;
    /** 1 where this ≥ other, else 0 (float32 mask, broadcasting). */
    ge(other: Operand): Tensor;
    /** torch's x.where(condition, other): x where condition is 1, other where it is 0. */
    where(condition: Tensor, other: Operand): Tensor;
    /** Each element limited to [min, max] (either bound may be omitted) (torch.clamp). */
    clamp(options: ClampOptions): Tensor;
    /** Matrix product with PyTorch's rules for 1-D and batched operands (torch.matmul). */
    matmul(other: Tensor): Tensor;
  }
}

type MethodName = 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'pow' | 'square' | 'abs' | 'exp' | 'log' | 'sqrt' | 'sum' | 'mean' |
  'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'logSoftmax' | 'permute' | 'transpose' | 't' | 'indexSelect' | 'narrow' | 'slice' |
  'argmax' | 'argmin' | 'max' | 'min' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'where' | 'clamp' | 'matmul';

/** x.max() / x.max(dim, options) from F.max's two overloads (likewise min). */
function extreme(fn: typeof X.max): Tensor['max'] {
  return function (this: Tensor, dim?: number, options?: ExtremeOptions) {
    return dim === undefined && options === undefined ? fn(this) : fn(this, dim as number, options);
  } as Tensor['max'];
}

const methods: Pick<Tensor, MethodName> & ThisType<Tensor> = {
  add(other, options) { return A.add(this, other, options); },
  sub(other, options) { return A.sub(this, other, options); },
  mul(other) { return A.mul(this, other); },
  div(other) { return A.div(this, other); },
  neg() { return A.neg(this); },
  pow(exponent) { return A.pow(this, exponent); },
  square() { return A.square(this); },
  abs() { return A.abs(this); },
  exp() { return A.exp(this); },
  log() { return A.log(this); },
  sqrt() { return A.sqrt(this); },
  sum(dim, options) { return A.sum(this, dim, options); },
  mean(dim, options) { return A.mean(this, dim, options); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  softmax(dim) { return softmax(this, dim); },
  logSoftmax(dim) { return logSoftmax(this, dim); },
  permute(...dims) { return permute(this, (Array.isArray(dims[0]) ? dims[0] : dims) as readonly number[]); },
  transpose(dim0, dim1) { return transpose(this, dim0, dim1); },
  t() {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor with at most 2 dimensions, got shape (${this.shape.join(', ')}); use transpose(dim0, dim1)`);
    return this.ndim < 2 ? this.reshape(...this.shape) : transpose(this, 0, 1);
  },
  indexSelect(dim, index) { return indexSelect(this, dim, index); },
  narrow(dim, start, length) { return narrow(this, dim, start, length); },
  slice(dim, start, end, step) { return slice(this, dim, start, end, step); },
  argmax(dim, options) { return X.argmax(this, dim, options); },
  argmin(dim, options) { return X.argmin(this, dim, options); },
  max: extreme(X.max),
  min: extreme(X.min),
  eq(other) { return C.eq(this, other); },
  ne(other) { return C.ne(this, other); },
  lt(other) { return C.lt(this, other); },
  le(other) { return C.le(this, other); },
  gt(other) { return C.gt(this, other); },
  ge(other) { return C.ge(this, other); },
  where(condition, other) { return C.where(condition, this, other); },
  clamp(options) { return clamp(this, options); },
  matmul(other) { return matmul(this, other); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
