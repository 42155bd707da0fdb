/**
 * Argument checks shared by the functional ops (internal). Every failure throws naming the op and
 * the argument, with the value it got; nothing is ever clamped or silently corrected. Shapes print
 * as "(4, 3)", like every other keel message.
 */
import { aClass, formatShape, type Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { OptionError, ShapeError } from '../errors.js';

/**
 * How a value prints in an error message: short whatever the value (typed arrays, long arrays and
 * big objects are summarised, so a megabyte of weights passed by mistake does not become a megabyte
 * of message), and it never throws (a BigInt or a cycle cannot break the message that reports it).
 */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined || typeof v === 'bigint') return String(v);
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (ArrayBuffer.isView(v)) return v instanceof DataView ? 'a DataView' : `${aClass(v.constructor.name)} of length ${(v as unknown as ArrayLike<unknown>).length}`;
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(show).join(', ')}]` : `[${v.slice(0, 8).map(show).join(', ')}, … (${v.length} items)]`;
  try {
    const json = JSON.stringify(v);
    if (json === undefined) return typeof v;
    return json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return typeof v;
  }
}

/** The dtype of a state entry's typed array, as safetensors names it (undefined for other arrays). */
function dtypeOfData(data: unknown): string | undefined {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint8Array) return 'U8';
  return undefined;
}

/**
 * A non-Tensor value, described for "<op>: <argument> must be a Tensor, got …" — the one place every
 * op (checkTensor) and every layer (src/nn/validate.ts checkInput) takes it from. Values that are
 * almost a Tensor say what they are and how to make one:
 * - a plain state entry {dtype, shape, data} (what load() returns for F64 and integer tensors, and
 *   what a Tensor becomes after a structured clone such as postMessage): its dtype and shape, and
 *   `new Tensor(entry.data, entry.shape)` for F32 data (no copy), `tensor(...)` (converting) otherwise;
 * - a Tensor of another copy of keel (two copies of the package loaded: instanceof fails);
 * - a typed array or an array of numbers: `tensor(values, shape)`.
 * Anything else prints as show() prints it.
 */
export function describeNonTensor(v: unknown): string {
  if (typeof v !== 'object' || v === null) return show(v);
  const o = v as { dtype?: unknown; shape?: unknown; data?: unknown; constructor?: { name?: unknown } };
  const isShape = Array.isArray(o.shape) && o.shape.every((d) => typeof d === 'number');
  const dataType = dtypeOfData(o.data);
  if (isShape && dataType !== undefined) {
    const shape = formatShape(o.shape as number[]);
    if (o.constructor?.name === 'Tensor') {
      return `a Tensor of shape ${shape} from another copy of keel (two copies of the package are loaded, so instanceof fails) — import Tensor from one place, or copy it: new Tensor(new Float32Array(x.data), x.shape)`;
    }
    const dtype = typeof o.dtype === 'string' ? o.dtype : dataType;
    const fields = typeof o.dtype === 'string' ? 'dtype/shape/data' : 'shape/data';
    let fix: string;
    if (dataType === 'F32') fix = 'wrap it: new Tensor(entry.data, entry.shape), or tensor(entry.data, entry.shape)';
    else if (dataType === 'I64') fix = 'convert it: tensor(Array.from(entry.data, Number), entry.shape)';
    else fix = `convert it to float32: tensor(entry.data, entry.shape)`;
    return `a plain object with ${fields} (${dtype} ${shape}) — ${fix}`;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return `${show(v)} — make a Tensor of it: tensor(values, shape)`;
  }
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || Array.isArray(x))) {
    return `${show(v)} — an array; make a Tensor of it: tensor(values) or tensor(values, shape)`;
  }
  return show(v);
}

/**
 * The options object itself: undefined means {}; anything but a plain object, or a key the op or
 * layer does not know (a typo such as `keepDim` or `biass`), throws.
 */
export function checkOptions<T extends object>(op: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Tensor) {
    throw new OptionError(`${op}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError(`${op}: unknown option "${key}"${known.length ? ` (known options: ${known.join(', ')})` : ' (it takes no options)'}`);
    }
  }
  return options;
}

/**
 * A tensor argument: anything else throws an OptionError naming the op and the argument (see
 * describeNonTensor); a Tensor whose data no longer holds numel elements (its buffer was transferred
 * away after creation) throws a ShapeError, before any kernel reads past the end. One compare.
 */
export function checkTensor(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new OptionError(`${op}: ${name} must be a Tensor, got ${describeNonTensor(v)}`);
  if (v.data.length !== v.numel) {
    throw new ShapeError(`${op}: ${name} of shape ${formatShape(v.shape)} needs ${v.numel} elements but its data now has ${v.data.length} (its buffer was detached, e.g. transferred by postMessage, after the tensor was made)`);
  }
  return v;
}

/** An optional tensor argument: undefined and null mean absent. */
export function optionalTensor(op: string, name: string, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : checkTensor(op, name, v);
}

export function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new OptionError(`${op}: ${name} must be a positive integer, got ${show(v)}`);
  return v;
}

export function nonNegativeInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OptionError(`${op}: ${name} must be a non-negative integer, got ${show(v)}`);
  return v;
}

export function integer(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new OptionError(`${op}: ${name} must be an integer, got ${show(v)}`);
  return v;
}

export function boolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new OptionError(`${op}: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/** Any number (NaN excluded); with bounds, a finite number in [min, max]. */
export function numberIn(op: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  const bounded = min !== -Infinity || max !== Infinity;
  if (typeof v !== 'number' || Number.isNaN(v) || (bounded && (!Number.isFinite(v) || v < min || v > max))) {
    const range = !bounded ? 'a number' : max === Infinity ? `a finite number >= ${min}` : min === -Infinity ? `a finite number <= ${max}` : `a number in [${min}, ${max}]`;
    throw new OptionError(`${op}: ${name} must be ${range}, got ${show(v)}`);
  }
  return v;
}

export function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new OptionError(`${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** How a loss reduces its per-element values: their mean (default), their sum, or not at all. */
export type Reduction = 'mean' | 'sum' | 'none';

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

export function checkReduction(op: string, v: unknown): Reduction {
  if (v === undefined) return 'mean';
  if (typeof v !== 'string' || !REDUCTIONS.includes(v as Reduction)) {
    throw new OptionError(`${op}: ${show(v)} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
  }
  return v as Reduction;
}

/**
 * A dimension index in [-ndim, ndim - 1] as a non-negative index. A 0-d tensor accepts 0 and -1, as
 * in PyTorch (it is treated as having one dimension of size 1).
 */
export function normalizeDim(op: string, dim: unknown, shape: Shape): number {
  const n = Math.max(shape.length, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new OptionError(`${op}: dim ${show(dim)} out of range for input ${formatShape(shape)} (expected an integer in [${-n}, ${n - 1}])`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * The dimensions a reduction runs over, as a mask over `shape`: a number, a list (negative allowed,
 * no repeats), or undefined / null / [] for all dimensions (PyTorch 1.13 reads an empty list as all).
 */
export function reductionDims(op: string, dim: unknown, shape: Shape): boolean[] {
  if (dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0)) return shape.map(() => true);
  const list: unknown[] = Array.isArray(dim) ? dim : [dim];
  const mask = shape.map(() => false);
  const seen = new Set<number>();
  for (const d of list) {
    const k = normalizeDim(op, d, shape);
    if (seen.has(k)) throw new OptionError(`${op}: dim ${k} appears multiple times in the list of dims ${show(dim)}`);
    seen.add(k);
    if (shape.length > 0) mask[k] = true;
  }
  return mask;
}
