/**
 * Argument checks shared by the data layer (internal). Every failure throws naming the function, the
 * argument, what was expected and what it got; indices are never wrapped (no negative indexing) and
 * never clamped. Values print briefly: a dataset or a long array is described, not dumped.
 */
import { OptionError } from '../errors.js';
import { aClass, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** How a value prints in an error message (short even for datasets and large arrays). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(describe).join(', ')}]` : `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return aClass(v.constructor.name);
  if (typeof v === 'object') {
    const name = v.constructor?.name;
    if (name && name !== 'Object') return aClass(name);
    const keys = Object.keys(v);
    return keys.length ? `an object with keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}` : 'an empty object';
  }
  return typeof v;
}

/** Whether `b` was transferred away (Node 20 has no ArrayBuffer.prototype.detached; a view on it cannot be made). */
export function isDetached(b: ArrayBufferLike): boolean {
  if (b.byteLength !== 0) return false;
  try {
    new Uint8Array(b);
    return false;
  } catch {
    return true;
  }
}

/** A sample index: an integer in [0, length). */
export function checkIndex(where: string, index: unknown, length: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new OptionError(`${where}: index must be an integer, got ${describe(index)} (dataset length ${length})`);
  }
  if (index < 0 || index >= length) throw new OptionError(`${where}: index ${index} is out of range for a dataset of length ${length}`);
  return index;
}

/** A batch's index list: an Int32Array whose every entry is in [0, length). */
export function checkIndices(where: string, indices: unknown, length: number): Int32Array {
  if (!(indices instanceof Int32Array)) throw new OptionError(`${where}: indices must be an Int32Array, got ${describe(indices)}`);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (i < 0 || i >= length) throw new OptionError(`${where}: indices[${k}] = ${i} is out of range for a dataset of length ${length}`);
  }
  return indices;
}
