/**
 * Elementwise arithmetic and reductions, as torch.add / sub / mul / div / neg / pow / square / abs /
 * exp / log / sqrt / sum / mean.
 *
 * Binary ops take Tensor or number operands and broadcast (./broadcast.ts); a number acts as a 0-d
 * float32 tensor (PyTorch converts a Python scalar to the tensor's dtype, float32, before the op), and
 * never requires grad. Each result is computed in double from the float32 operands and rounded once,
 * which is exactly the float32 result for + − × ÷.
 *
 *   add(a, b, alpha):  y = a + alpha·b      da = g            db = alpha·g
 *   sub(a, b, alpha):  y = a − alpha·b      da = g            db = −alpha·g
 *   mul(a, b):         y = a·b              da = g·b          db = g·a
 *   div(a, b):         y = a / b            da = g / b        db = −g·a / b²
 *
 * where each gradient is then summed over the dimensions its operand was broadcast along, back to the
 * operand's shape. Unary ops (d/dx of y = f(x), times g):
 *
 *   neg: −1    pow(x, p): p·x^(p−1) (0 when p = 0, as PyTorch)    square: 2x    abs: sign(x) (0 at 0)
 *   exp: y     log: 1/x     sqrt: 1/(2y)
 *
 * Reductions over all elements, or over `dim` (a number or a list, negative counting from the end)
 * with `keepdim` keeping the reduced dimensions as size 1; accumulated in double:
 *
 *   sum:   y = Σ x        dx = g (broadcast back)
 *   mean:  y = Σ x / n    dx = g / n               (n = number of elements reduced; n = 0 gives NaN)
 */
import { numel, sameShape, type Shape } from '../tensor/shape.js';
import { fromOp, INTERNAL, Tensor } from '../tensor/tensor.js';
import { broadcastIndex, broadcastPair, reduceTo } from './broadcast.js';
import { checkOptions, checkTensor, boolean, describeNonTensor, numberIn, reductionDims } from './validate.js';
import { OptionError } from '../errors.js';

/** A tensor, or a number that acts as a 0-d float32 tensor. */
export type Operand = Tensor | number;

/** Options of add and sub (torch.add / torch.sub's keyword arguments). */
export interface AddOptions {
  /** Multiplier of the second operand: a + alpha·b (a − alpha·b for sub). Default 1. */
  alpha?: number;
}

/** Options of sum and mean over dimensions. */
export interface ReduceOptions {
  /** Keep each reduced dimension as a dimension of size 1. Default false. */
  keepdim?: boolean;
}

/** An Operand as a Tensor (a number as a 0-d float32 tensor); anything else throws naming op and argument. */
export function operand(op: string, name: string, v: unknown): Tensor {
  if (v instanceof Tensor) return checkTensor(op, name, v);
  if (typeof v === 'number') return new Tensor(new Float32Array([v]), [], INTERNAL);
  throw new OptionError(`${op}: ${name} must be a Tensor or a number, got ${describeNonTensor(v)}`);
}

type Partial = (a: number, b: number, y: number) => number;

/**
 * y = f(a, b) elementwise with broadcasting; da = g·∂f/∂a and db = g·∂f/∂b summed back to each
 * operand's shape.
 */
function binary(op: string, aIn: Operand, bIn: Operand, f: (a: number, b: number) => number, dfa: Partial, dfb: Partial): Tensor {
  const a = operand(op, 'input', aIn), b = operand(op, 'other', bIn);
  const shape = broadcastPair(op, a.shape, b.shape, ['input', 'other']);
  const n = numel(shape);
  const ia = sameShape(a.shape, shape) ? null : broadcastIndex(a.shape, shape);
  const ib = sameShape(b.shape, shape) ? null : broadcastIndex(b.shape, shape);
  const xa = a.data, xb = b.data;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = f(xa[ia ? ia[i]! : i]!, xb[ib ? ib[i]! : i]!);
  return fromOp(op, y, shape, [a, b], (g, needs) => {
    const grad = (df: Partial, index: Int32Array | null, size: number): Float32Array => {
      const v = index ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = g[i]! * df(xa[ia ? ia[i]! : i]!, xb[ib ? ib[i]! : i]!, y[i]!);
      return index ? reduceTo(v, index, size) : (v as Float32Array);
    };
    return [needs[0] ? grad(dfa, ia, a.numel) : null, needs[1] ? grad(dfb, ib, b.numel) : null];
  });
}

function alphaOf(op: string, options: AddOptions | undefined): number {
  const { alpha = 1 } = checkOptions(op, options, ['alpha']);
  return Math.fround(numberIn(op, 'alpha', alpha));
}

/** input + alpha·other, broadcasting. */
export function add(input: Operand, other: Operand, options?: AddOptions): Tensor {
  const alpha = alphaOf('add', options);
  const one = (): number => 1, al = (): number => alpha;
  return binary('add', input, other, (a, b) => a + alpha * b, one, al);
}

/** input − alpha·other, broadcasting. */
export function sub(input: Operand, other: Operand, options?: AddOptions): Tensor {
  const alpha = alphaOf('sub', options);
  const one = (): number => 1, al = (): number => -alpha;
  return binary('sub', input, other, (a, b) => a - alpha * b, one, al);
}

/** input · other, broadcasting. */
export function mul(input: Operand, other: Operand): Tensor {
  return binary('mul', input, other, (a, b) => a * b, (_a, b) => b, (a) => a);
}

/** input / other (true division), broadcasting. */
export function div(input: Operand, other: Operand): Tensor {
  return binary('div', input, other, (a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b));
}

/** y = f(x) elementwise, computed in double and rounded once; dx = g·f'(x, y) (internal building block). */
export function unary(op: string, input: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  checkTensor(op, 'input', input);
  const x = input.data, n = x.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = f(x[i]!);
  return fromOp(op, y, input.shape, [input], (g) => {
    const dx = new Float32Array(n);
    for (let i = 0; i < n; i++) dx[i] = g[i]! * df(x[i]!, y[i]!);
    return [dx];
  });
}

/** −input. */
export function neg(input: Tensor): Tensor {
  return unary('neg', input, (x) => -x, () => -1);
}

/** input^exponent elementwise, for a number exponent (torch.pow(tensor, scalar)). */
export function pow(input: Tensor, exponent: number): Tensor {
  const p = Math.fround(numberIn('pow', 'exponent', exponent));
  if (p === 0) return unary('pow', input, () => 1, () => 0);
  return unary('pow', input, (x) => Math.pow(x, p), (x) => p * Math.pow(x, p - 1));
}

/** input² elementwise. */
export function square(input: Tensor): Tensor {
  return unary('square', input, (x) => x * x, (x) => 2 * x);
}

/** |input| elementwise; the gradient at 0 is 0 (PyTorch's sign). */
export function abs(input: Tensor): Tensor {
  return unary('abs', input, Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
}

/** e^input elementwise. */
export function exp(input: Tensor): Tensor {
  return unary('exp', input, Math.exp, (_x, y) => y);
}

/** Natural logarithm elementwise (−inf at 0, NaN below). */
export function log(input: Tensor): Tensor {
  return unary('log', input, Math.log, (x) => 1 / x);
}

/** √input elementwise (NaN below 0; the gradient at 0 is inf, as PyTorch). */
export function sqrt(input: Tensor): Tensor {
  return unary('sqrt', input, Math.sqrt, (_x, y) => 1 / (2 * y));
}

/** Dimensions to reduce over: one, several (negative allowed), or all (omitted, null or []). */
export type Dims = number | readonly number[] | null;

function reduce(op: 'sum' | 'mean', input: Tensor, dim: Dims | undefined, options: ReduceOptions | undefined): Tensor {
  checkTensor(op, 'input', input);
  const { keepdim = false } = checkOptions(op, options, ['keepdim']);
  boolean(op, 'keepdim', keepdim);
  const shape = input.shape;
  const mask = reductionDims(op, dim, shape);
  const keepShape = shape.map((s, i) => (mask[i] ? 1 : s));
  const outShape: Shape = keepdim ? keepShape : shape.filter((_, i) => !mask[i]);
  const count = shape.reduce((c, s, i) => (mask[i] ? c * s : c), 1);
  const scale = op === 'mean' ? 1 / count : 1;
  const x = input.data, n = x.length, outN = numel(keepShape);
  const all = outN === 1;
  const index = all ? null : broadcastIndex(keepShape, shape);
  const acc = new Float64Array(outN);
  if (index) for (let i = 0; i < n; i++) acc[index[i]!]! += x[i]!;
  else {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]!;
    acc[0] = s;
  }
  const y = new Float32Array(outN);
  for (let j = 0; j < outN; j++) y[j] = op === 'mean' ? acc[j]! / count : acc[j]!;
  return fromOp(op, y, outShape, [input], (g) => {
    const dx = new Float32Array(n);
    if (index) for (let i = 0; i < n; i++) dx[i] = g[index[i]!]! * scale;
    else dx.fill(g[0]! * scale);
    return [dx];
  });
}

/** Sum of all elements, or over `dim` (keepdim keeps them as size 1). */
export function sum(input: Tensor, dim?: Dims, options?: ReduceOptions): Tensor {
  return reduce('sum', input, dim, options);
}

/** Mean of all elements, or over `dim` (keepdim keeps them as size 1); NaN over zero elements. */
export function mean(input: Tensor, dim?: Dims, options?: ReduceOptions): Tensor {
  return reduce('mean', input, dim, options);
}
