/** Tensor constructors. Random ones draw from the global generator (manualSeed). */
import { normals, uniforms } from './random.js';
import { checkShape, formatShape, numel, type Shape } from './shape.js';
import { emptyFloat32 } from './storage.js';
import { Tensor, type TensorOptions } from './tensor.js';

/** A number or arbitrarily nested arrays of numbers, rectangular: what tensor() accepts, as torch.tensor's nested lists. */
type Nested = number | readonly Nested[];

function flattenNested(data: Nested, out: number[], shape: number[], depth: number): void {
  if (typeof data === 'number') {
    if (depth !== shape.length) throw new RangeError('tensor: ragged nested array');
    out.push(data);
    return;
  }
  if (depth === shape.length) shape.push(data.length);
  else if (shape[depth] !== data.length) throw new RangeError('tensor: ragged nested array');
  for (const d of data) flattenNested(d, out, shape, depth + 1);
}

/**
 * A tensor from values: a flat array or typed array with an explicit shape, or nested arrays whose
 * nesting gives the shape. The values are copied into a new Float32Array.
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: Shape, options: TensorOptions = {}): Tensor {
  if (shape !== undefined) {
    const s = checkShape('tensor', shape);
    const flat = typeof data === 'number' ? [data] : Array.isArray(data) && data.some(Array.isArray) ? null : (data as ArrayLike<number>);
    if (!flat) throw new TypeError('tensor: with an explicit shape, data must be flat');
    if (flat.length !== numel(s)) throw new RangeError(`tensor: ${flat.length} values do not fill shape ${formatShape(s)} (${numel(s)} elements)`);
    return new Tensor(Float32Array.from(flat), s, options);
  }
  if (ArrayBuffer.isView(data)) return new Tensor(Float32Array.from(data as ArrayLike<number>), [(data as ArrayLike<number>).length], options);
  const values: number[] = [], s: number[] = [];
  flattenNested(data as Nested, values, s, 0);
  return new Tensor(Float32Array.from(values), s, options);
}

/** A new tensor of `shape` filled with `value` (torch.full). */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape('full', shape);
  return new Tensor(emptyFloat32(numel(s)).fill(value), s, options);
}

/** A new tensor of `shape` filled with 0 (torch.zeros). */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A new tensor of `shape` filled with 1 (torch.ones). */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Tensor storage (cache-line aligned when large) holding `values`. */
function filled(values: ArrayLike<number>): Float32Array {
  const a = emptyFloat32(values.length);
  a.set(values);
  return a;
}

/** Standard normal values (seeded by manualSeed). */
export function randn(shape: Shape, options: TensorOptions = {}): Tensor {
  const s = checkShape('randn', shape);
  return new Tensor(filled(normals(numel(s))), s, options);
}

/** Uniform values in [0, 1) (seeded by manualSeed). */
export function rand(shape: Shape, options: TensorOptions = {}): Tensor {
  const s = checkShape('rand', shape);
  return new Tensor(filled(uniforms(numel(s))), s, options);
}

/** Zeros with t's shape (torch.zeros_like); requiresGrad is not copied. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return zeros(t.shape, options);
}

/** Ones with t's shape (torch.ones_like); requiresGrad is not copied. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return ones(t.shape, options);
}
