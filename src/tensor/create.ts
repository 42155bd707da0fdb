/**
 * Tensor constructors. Random ones draw from the global generator (manualSeed). Every argument is
 * checked before anything is allocated: data that is not numbers (strings, BigInts, holes, objects),
 * ragged nesting, detached buffers, bad or unallocatable shapes, option typos — each a typed error
 * naming the constructor, the argument and, for data, the index of the first bad element.
 */
import { normals, uniforms } from './random.js';
import { checkShape, formatShape, numel, showValue, type Shape } from './shape.js';
import { emptyFloat32 } from './storage.js';
import { requiresGradOption, Tensor, type TensorOptions } from './tensor.js';
import { isDetached } from '../data/validate.js';
import { checkTensor } from '../functional/validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** A number or arbitrarily nested arrays of numbers, rectangular: what tensor() accepts, as torch.tensor's nested lists. */
type Nested = number | readonly Nested[];

/** Deepest nesting tensor() reads (PyTorch's limit on dimensions); also stops a self-containing array. */
const MAX_DIMS = 64;

const WHAT = 'a number, an array of numbers (nested for more dimensions) or a typed array';
const DETACHED = 'tensor: data is a typed array whose buffer was detached (transferred away, e.g. by postMessage); keep a copy before transferring it';

/** "data[1][0]": where an element sits, for error messages. */
const at = (path: readonly number[]) => `data${path.map((i) => `[${i}]`).join('')}`;

/** The element at `path` is not a number: an OptionError naming it. */
function notANumber(path: readonly number[], parent: readonly unknown[]): never {
  const i = path[path.length - 1]!;
  const got = i in parent ? showValue(parent[i]) : 'a hole (a sparse array)';
  throw new OptionError(`tensor: data must hold only numbers, got ${got} at ${at(path)}`);
}

/**
 * The shape of nested arrays, read down the first elements: [[1, 2], [3, 4]] → [2, 2]. The rest is
 * checked against it by flattenNested.
 */
function nestedShape(data: readonly unknown[]): number[] {
  const shape: number[] = [];
  let d: unknown = data;
  while (Array.isArray(d)) {
    if (shape.length === MAX_DIMS) throw new ShapeError(`tensor: data is nested deeper than ${MAX_DIMS} levels (or contains itself)`);
    shape.push(d.length);
    d = d[0];
  }
  return shape;
}

/** Copies the numbers of `data` (nested to `shape`) into `out` from `offset`; returns the next offset. */
function flattenNested(data: readonly unknown[], shape: readonly number[], depth: number, path: number[], out: Float32Array, offset: number): number {
  if (data.length !== shape[depth]) {
    throw new ShapeError(`tensor: ragged nested array: ${at(path)} has ${data.length} elements where the first path through the data gave ${shape[depth]} (shape ${formatShape(shape)})`);
  }
  const leaf = depth === shape.length - 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    path.push(i);
    if (leaf) {
      if (typeof v !== 'number') {
        if (Array.isArray(v)) throw new ShapeError(`tensor: ragged nested array: ${at(path)} is an array where the first path through the data has a number`);
        notANumber(path, data);
      }
      out[offset++] = v;
    } else {
      if (!Array.isArray(v)) {
        if (typeof v === 'number') throw new ShapeError(`tensor: ragged nested array: ${at(path)} is a number where the first path through the data has an array`);
        notANumber(path, data);
      }
      offset = flattenNested(v, shape, depth + 1, path, out, offset);
    }
    path.pop();
  }
  return offset;
}

/** The values of a flat array or numeric typed array, as float32; anything else throws naming the first bad element. */
function flatValues(data: unknown): Float32Array {
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new OptionError(`tensor: data must be ${WHAT} of numbers, got ${showValue(data)}${data instanceof DataView ? '' : ' (BigInt elements: convert them, e.g. Array.from(data, Number))'}`);
    }
    return Float32Array.from(data as unknown as ArrayLike<number>);
  }
  const a = data as readonly unknown[], out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number') {
      if (Array.isArray(v)) throw new OptionError(`tensor: with an explicit shape, data must be flat, got an array at ${at([i])}`);
      notANumber([i], a);
    }
    out[i] = v;
  }
  return out;
}

/**
 * A tensor from values: a flat array or typed array with an explicit shape, or nested arrays whose
 * nesting gives the shape (a number alone is a 0-d tensor). The values are copied into a new
 * Float32Array; NaN and ±Infinity are kept.
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: Shape, options?: TensorOptions): Tensor {
  const requiresGrad = requiresGradOption('tensor', options);
  if (typeof data !== 'number' && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
    throw new OptionError(`tensor: data must be ${WHAT}, got ${showValue(data)}`);
  }
  const detached = ArrayBuffer.isView(data) && isDetached(data.buffer);
  let values: Float32Array, s: number[];
  if (shape !== undefined) {
    s = checkShape('tensor', shape);
    // A detached view reads as 0 values: a shape that needs some is not filled (ShapeError); () or (0) is still refused.
    values = detached ? new Float32Array(0) : typeof data === 'number' ? Float32Array.of(data) : flatValues(data);
    if (values.length !== numel(s)) {
      throw new ShapeError(`tensor: ${values.length} values do not fill shape ${formatShape(s)} (${numel(s)} elements)${detached ? ' (data is a typed array whose buffer was detached)' : ''}`);
    }
    if (detached) throw new OptionError(DETACHED);
  } else if (typeof data === 'number') {
    s = [];
    values = Float32Array.of(data);
  } else if (ArrayBuffer.isView(data)) {
    if (detached) throw new OptionError(DETACHED);
    values = flatValues(data);
    s = [values.length];
  } else {
    s = checkShape('tensor', nestedShape(data as readonly unknown[]), 'data shape');
    values = new Float32Array(numel(s));
    if (s.length > 0) flattenNested(data as readonly unknown[], s, 0, [], values, 0);
  }
  return new Tensor(values, s, { requiresGrad });
}

/** A tensor of `shape` filled with `value`, for the constructor `where`. */
function filled(where: string, shape: Shape, value: number, options: TensorOptions | undefined): Tensor {
  const s = checkShape(where, shape);
  const requiresGrad = requiresGradOption(where, options);
  return new Tensor(emptyFloat32(numel(s)).fill(value), s, { requiresGrad });
}

/** A new tensor of `shape` filled with `value` (torch.full); NaN and ±Infinity are allowed values. */
export function full(shape: Shape, value: number, options?: TensorOptions): Tensor {
  if (typeof value !== 'number') throw new OptionError(`full: fill value must be a number, got ${showValue(value)}`);
  return filled('full', shape, value, options);
}

/** A new tensor of `shape` filled with 0 (torch.zeros). */
export function zeros(shape: Shape, options?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A new tensor of `shape` filled with 1 (torch.ones). */
export function ones(shape: Shape, options?: TensorOptions): Tensor {
  return filled('ones', shape, 1, options);
}

/** A tensor of `shape` holding `draw(n)`'s values (cache-line aligned storage when large). */
function drawn(where: string, shape: Shape, draw: (n: number) => Float64Array, options: TensorOptions | undefined): Tensor {
  const s = checkShape(where, shape);
  const requiresGrad = requiresGradOption(where, options);
  const a = emptyFloat32(numel(s));
  a.set(draw(a.length));
  return new Tensor(a, s, { requiresGrad });
}

/** Standard normal values (seeded by manualSeed). */
export function randn(shape: Shape, options?: TensorOptions): Tensor {
  return drawn('randn', shape, normals, options);
}

/** Uniform values in [0, 1) (seeded by manualSeed). */
export function rand(shape: Shape, options?: TensorOptions): Tensor {
  return drawn('rand', shape, uniforms, options);
}

/** Zeros with t's shape (torch.zeros_like); requiresGrad is not copied. */
export function zerosLike(t: Tensor, options?: TensorOptions): Tensor {
  return filled('zerosLike', checkTensor('zerosLike', 'input', t).shape, 0, options);
}

/** Ones with t's shape (torch.ones_like); requiresGrad is not copied. */
export function onesLike(t: Tensor, options?: TensorOptions): Tensor {
  return filled('onesLike', checkTensor('onesLike', 'input', t).shape, 1, options);
}
