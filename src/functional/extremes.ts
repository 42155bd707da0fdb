/**
 * Largest and smallest entries, as torch.argmax / argmin / max / min: predicted classes for accuracy
 * (argmax(logits, 1)), the peak of a signal and where it is.
 *
 *   argmax(x)            flat index of the largest element (0-d; keepdim gives shape (1, …, 1))
 *   argmax(x, dim)       index along dim of the largest entry of each slice
 *   max(x)               the largest element (0-d)
 *   max(x, dim)          { values, indices }: the largest entry of each slice and its index along dim,
 *                        as torch.max(x, dim) returns its named tuple; keepdim keeps dim as size 1
 *   argmin / min         the same with smallest.
 *
 * Ties pick the first occurrence (lowest index), as PyTorch does on CPU. NaN propagates: a slice
 * holding NaN has value NaN and, as index, that of its first NaN (for min and argmin too).
 *
 * Gradients (of values; indices have none): max(x, dim) sends each g to the entry it selected,
 * dx[o, indices[o, i], i] = g[o, i], 0 elsewhere. The full max(x) spreads g evenly over every element
 * equal to the result (over every NaN when the result is NaN), dx = g / count on those, as
 * PyTorch 1.13 does (evenly_distribute_backward).
 *
 * Indices come back as a float32 Tensor holding integer values: keel tensors are float32 only, so
 * this is the one deviation from PyTorch's int64 (exact for indices below 2^24). Reducing over an
 * empty dimension, or an empty input over all elements, throws, as in PyTorch. A 0-d input is one
 * slice of one element (dim 0 or −1).
 */
import { formatShape, numel } from '../tensor/shape.js';
import { fromOp, Tensor } from '../tensor/tensor.js';
import { boolean, checkOptions, checkTensor, normalizeDim } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of argmax/argmin and of max/min over a dimension. */
export interface ExtremeOptions {
  /** Keep the reduced dimension as a dimension of size 1 (all of them for argmax without dim). Default false. */
  keepdim?: boolean;
}

/** What max(x, dim) and min(x, dim) return: the extreme entries and their indices along dim (float32). */
export interface ValuesIndices {
  /** The extreme entries along dim. */
  values: Tensor;
  /** Their positions along dim (first of ties), as float32 values. */
  indices: Tensor;
}

type Op = 'argmax' | 'argmin' | 'max' | 'min';

/** Whether v replaces the current best: strictly better (so the first of ties stays), or the first NaN. */
const beats = {
  max: (v: number, best: number): boolean => v > best || (v !== v && best === best),
  min: (v: number, best: number): boolean => v < best || (v !== v && best === best),
};

/** Index of the extreme of each slice along the reduced dimension of x viewed as (outer, size, inner). */
function scan(x: Float32Array, outer: number, size: number, inner: number, better: (v: number, best: number) => boolean): Int32Array {
  const index = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = x[base]!, at = 0;
      for (let k = 1; k < size; k++) {
        const v = x[base + k * inner]!;
        if (better(v, best)) (best = v), (at = k);
      }
      index[o * inner + i] = at;
    }
  }
  return index;
}

function checkedKeepdim(op: Op, options: ExtremeOptions | undefined): boolean {
  const { keepdim = false } = checkOptions(op, options, ['keepdim']);
  return boolean(op, 'keepdim', keepdim);
}

interface DimScan {
  /** The reduced dimension (normalised). */
  d: number;
  outer: number;
  size: number;
  inner: number;
  /** Index along d of the extreme of each (outer, inner) slice. */
  index: Int32Array;
}

/** The scan along dim (rule in the header); throws on an empty dimension. */
function scanDim(op: Op, input: Tensor, dim: number): DimScan {
  const d = normalizeDim(op, dim, input.shape);
  const shape = input.shape;
  const size = shape.length === 0 ? 1 : shape[d]!;
  if (size === 0) throw new ShapeError(`${op}: dimension ${d} of input ${formatShape(shape)} has size 0: there is nothing to reduce`);
  const inner = numel(shape.slice(d + 1)), outer = numel(shape.slice(0, d));
  return { d, outer, size, inner, index: scan(input.data, outer, size, inner, beats[op === 'argmax' || op === 'max' ? 'max' : 'min']) };
}

function nonEmpty(op: Op, input: Tensor): void {
  if (input.numel === 0) throw new ShapeError(`${op}: input ${formatShape(input.shape)} is empty: reduce over a dimension (pass dim) instead of all elements`);
}

function reducedShape(input: Tensor, d: number, keepdim: boolean): number[] {
  if (input.ndim === 0) return [];
  return keepdim ? input.shape.map((s, j) => (j === d ? 1 : s)) : input.shape.filter((_, j) => j !== d);
}

function argExtreme(op: 'argmax' | 'argmin', input: Tensor, dim: number | null | undefined, options: ExtremeOptions | undefined): Tensor {
  checkTensor(op, 'input', input);
  const keepdim = checkedKeepdim(op, options);
  if (dim === undefined || dim === null) {
    nonEmpty(op, input);
    const index = scan(input.data, 1, input.numel, 1, beats[op === 'argmax' ? 'max' : 'min']);
    return new Tensor(Float32Array.from(index), keepdim ? input.shape.map(() => 1) : []);
  }
  const { d, index } = scanDim(op, input, dim);
  return new Tensor(Float32Array.from(index), reducedShape(input, d, keepdim));
}

/** Index of the largest element (flat, 0-d) or, with dim, along dim (float32 integer values). */
export function argmax(input: Tensor, dim?: number | null, options?: ExtremeOptions): Tensor {
  return argExtreme('argmax', input, dim, options);
}

/** Index of the smallest element (flat, 0-d) or, with dim, along dim (float32 integer values). */
export function argmin(input: Tensor, dim?: number | null, options?: ExtremeOptions): Tensor {
  return argExtreme('argmin', input, dim, options);
}

/** The extreme over all elements; the gradient is shared evenly by the elements equal to it. */
function extremeAll(op: 'max' | 'min', input: Tensor): Tensor {
  nonEmpty(op, input);
  const x = input.data;
  const index = scan(x, 1, x.length, 1, beats[op]);
  const value = x[index[0]!]!;
  return fromOp(op, new Float32Array([value]), [], [input], (g) => {
    const hit = (v: number): boolean => (value !== value ? v !== v : v === value);
    let count = 0;
    for (let i = 0; i < x.length; i++) if (hit(x[i]!)) count++;
    const dx = new Float32Array(x.length), share = g[0]! / count;
    for (let i = 0; i < x.length; i++) if (hit(x[i]!)) dx[i] = share;
    return [dx];
  });
}

/** The extreme along dim and its index; the gradient goes to the selected entries. */
function extremeDim(op: 'max' | 'min', input: Tensor, dim: number, options: ExtremeOptions | undefined): ValuesIndices {
  const keepdim = checkedKeepdim(op, options);
  const { d, outer, size, inner, index } = scanDim(op, input, dim);
  const x = input.data;
  const values = new Float32Array(index.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) values[o * inner + i] = x[(o * size + index[o * inner + i]!) * inner + i]!;
  const shape = reducedShape(input, d, keepdim);
  const valuesT = fromOp(op, values, shape, [input], (g) => {
    const dx = new Float32Array(x.length);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) dx[(o * size + index[o * inner + i]!) * inner + i] = g[o * inner + i]!;
    return [dx];
  });
  return { values: valuesT, indices: new Tensor(Float32Array.from(index), shape) };
}

/** The largest element (0-d). */
export function max(input: Tensor): Tensor;
/** The largest entry along dim and its index (float32 integer values), as torch.max(x, dim). */
export function max(input: Tensor, dim: number, options?: ExtremeOptions): ValuesIndices;
export function max(input: Tensor, dim?: number, options?: ExtremeOptions): Tensor | ValuesIndices {
  checkTensor('max', 'input', input);
  if (dim !== undefined) return extremeDim('max', input, dim, options);
  if (options !== undefined) throw new OptionError(`max: options (keepdim) need a dim; max(input) reduces over all elements to a 0-d tensor`);
  return extremeAll('max', input);
}

/** The smallest element (0-d). */
export function min(input: Tensor): Tensor;
/** The smallest entry along dim and its index (float32 integer values), as torch.min(x, dim). */
export function min(input: Tensor, dim: number, options?: ExtremeOptions): ValuesIndices;
export function min(input: Tensor, dim?: number, options?: ExtremeOptions): Tensor | ValuesIndices {
  checkTensor('min', 'input', input);
  if (dim !== undefined) return extremeDim('min', input, dim, options);
  if (options !== undefined) throw new OptionError(`min: options (keepdim) need a dim; min(input) reduces over all elements to a 0-d tensor`);
  return extremeAll('min', input);
}
