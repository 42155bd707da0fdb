/**
 * Picking entries along one dimension, as torch.index_select, torch.narrow and Python slicing
 * (x[:, a:b:step]): rows of a batch by index, a time range of a (N, C, L) window. All three gather
 *
 *   y[o, k, i] = x[o, index[k], i]      (o over the dimensions before dim, i over those after)
 *
 * for a list of positions along dim, and copy (PyTorch's narrow and slices are views; keel tensors
 * are always contiguous). The gradient scatters back and adds: dx[o, index[k], i] += g[o, k, i], so
 * an index repeated in indexSelect accumulates (in double), and positions not picked get 0.
 *
 * - indexSelect(x, dim, index): index an Int32Array, an array of numbers, or a 0-d / 1-D Tensor.
 *   keel tensors are float32 only, so an index Tensor holds integer values as float32 (exact below
 *   2^24, the one deviation from PyTorch's int64 indices); every value must be an integer in
 *   [0, size) — no negative indices, as in torch.index_select — or an OptionError names it.
 * - narrow(x, dim, start, length): positions start … start + length − 1; start may be negative
 *   (counting from the end, start ≥ −size); the range must lie inside the dimension (strict).
 * - slice(x, dim, start, end, step): x[…, start:end:step] with Python's rules: an omitted (undefined
 *   or null) start is 0 and end is the size; negative bounds count from the end; bounds past either
 *   end are cut to the dimension, as Python and PyTorch do (so slice(x, 0, 0, 100) of 5 rows is all 5
 *   and slice(x, 0, 3, 1) is empty); step must be a positive integer (PyTorch has no negative steps).
 *   Use narrow when an out-of-range window is a bug.
 * Dimensions may be negative. narrow and slice need at least one dimension, as in PyTorch;
 * indexSelect of a 0-d tensor takes one index, 0.
 */
import { formatShape, numel } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, Tensor } from '../tensor/tensor.js';
import { checkTensor, describeNonTensor, integer, nonNegativeInt, normalizeDim, positiveInt } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Positions along a dimension: an Int32Array, an array of numbers, or a 0-d / 1-D Tensor of integer values. */
export type IndexLike = Int32Array | readonly number[] | Tensor;

/** `index` as an Int32Array, each entry checked to be an integer in [0, size) of dimension `dim`. */
function toIndex(op: string, index: unknown, dim: number, size: number): Int32Array {
  let values: ArrayLike<number>;
  if (index instanceof Tensor) {
    checkTensor(op, 'index', index);
    if (index.ndim > 1) throw new ShapeError(`${op}: index must be a 0-d or 1-D Tensor, got shape ${formatShape(index.shape)}`);
    values = index.data;
  } else if (index instanceof Int32Array || (Array.isArray(index) && index.every((v) => typeof v === 'number'))) {
    values = index as ArrayLike<number>;
  } else {
    throw new OptionError(`${op}: index must be an Int32Array, an array of numbers or a Tensor of integer values, got ${describeNonTensor(index)}`);
  }
  const out = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw new OptionError(`${op}: index[${k}] = ${v} is out of range for dimension ${dim} of size ${size} (expected an integer in [0, ${size - 1}])`);
    }
    out[k] = v;
  }
  return out;
}

/** Gathers positions `index` of dimension d (rule in the header); `distinct` when no position repeats. */
function gather(op: string, input: Tensor, d: number, index: Int32Array, distinct: boolean): Tensor {
  const shape = input.shape;
  const size = shape.length === 0 ? 1 : shape[d]!, inner = numel(shape.slice(d + 1)), outer = numel(shape.slice(0, d));
  const count = index.length;
  const outShape = shape.length === 0 ? [] : shape.map((s, j) => (j === d ? count : s));
  const x = input.data;
  const y = emptyFloat32(outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < count; k++) {
      const from = (o * size + index[k]!) * inner;
      y.set(x.subarray(from, from + inner), (o * count + k) * inner);
    }
  }
  return fromOp(op, y, outShape, [input], (g) => {
    const acc = distinct ? new Float32Array(x.length) : new Float64Array(x.length);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < count; k++) {
        const to = (o * size + index[k]!) * inner, from = (o * count + k) * inner;
        for (let i = 0; i < inner; i++) acc[to + i]! += g[from + i]!;
      }
    }
    return [distinct ? (acc as Float32Array) : Float32Array.from(acc)];
  });
}

/** The entries of input at positions `index` along `dim` (torch.index_select). */
export function indexSelect(input: Tensor, dim: number, index: IndexLike): Tensor {
  checkTensor('indexSelect', 'input', input);
  const d = normalizeDim('indexSelect', dim, input.shape);
  const size = input.ndim === 0 ? 1 : input.shape[d]!;
  const idx = toIndex('indexSelect', index, d, size);
  if (input.ndim === 0 && idx.length !== 1) throw new ShapeError(`indexSelect: a 0-d input takes exactly one index, got ${idx.length}`);
  return gather('indexSelect', input, d, idx, new Set(idx).size === idx.length);
}

function dimOf(op: string, input: Tensor, dim: number): number {
  checkTensor(op, 'input', input);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have at least one dimension, got a 0-d tensor`);
  return normalizeDim(op, dim, input.shape);
}

const range = (start: number, count: number, step: number): Int32Array => Int32Array.from({ length: count }, (_, k) => start + k * step);

/** `length` entries of input along `dim` from `start` (negative counts from the end); strict bounds. */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  const d = dimOf('narrow', input, dim);
  const size = input.shape[d]!;
  integer('narrow', 'start', start);
  nonNegativeInt('narrow', 'length', length);
  if (start < -size || start > size) throw new OptionError(`narrow: start ${start} is out of range for dimension ${d} of size ${size} (expected an integer in [${-size}, ${size}])`);
  const s = start < 0 ? start + size : start;
  if (s + length > size) throw new OptionError(`narrow: start (${s}) + length (${length}) exceeds dimension ${d} of size ${size}`);
  return gather('narrow', input, d, range(s, length, 1), true);
}

/** Python's slice bound: negative counts from the end, then cut to [0, size]; omitted means `fallback`. */
function bound(name: string, v: unknown, size: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const b = integer('slice', name, v);
  return Math.min(Math.max(b < 0 ? b + size : b, 0), size);
}

/** input[…, start:end:step, …] along `dim`, with Python's slice rules (see the header). */
export function slice(input: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = dimOf('slice', input, dim);
  const size = input.shape[d]!;
  const s = bound('start', start, size, 0), e = bound('end', end, size, size);
  positiveInt('slice', 'step', step);
  return gather('slice', input, d, range(s, Math.max(0, Math.ceil((e - s) / step)), step), true);
}
