/**
 * Shape helpers shared by tensors, ops and layers, and the one check every shape a user gives goes
 * through (checkShape): whole, non-negative, safe-integer dimensions whose product this engine can
 * allocate as one Float32Array — so a bad or huge shape is a ShapeError naming the call, never a
 * RangeError from the allocator or a gigabyte fill.
 */
import { constants } from 'node:buffer';
import { ShapeError } from '../errors.js';

/** A tensor's size in each dimension, outermost first: [N, C, L] for a batch of sequences, [] for a 0-d scalar. */
export type Shape = readonly number[];

/**
 * The most elements a tensor may hold: the largest Float32Array this engine allocates. Large tensor
 * storage comes from Buffer.allocUnsafeSlow (./storage.ts), capped at buffer.constants.MAX_LENGTH
 * bytes, so MAX_LENGTH / 4 elements, less the 15 elements of slack storage.ts adds to start a large
 * array on a 64-byte line; and V8 caps any typed array at 2^32 elements (Node 20: 2^32 bytes, so
 * 2^30 − 16 elements).
 */
export const MAX_ELEMENTS = Math.min(Math.floor(constants.MAX_LENGTH / Float32Array.BYTES_PER_ELEMENT), 2 ** 32) - 16;

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** "(32, 14, 30)", as error messages print shapes. */
export function formatShape(shape: Shape): string {
  return `(${shape.join(', ')})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A class name with its article: "a Float32Array", "an Int32Array", "a Uint8Array" (a "you"). */
export function aClass(name: string): string {
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * How a value prints in a tensor-level error message; never throws (a BigInt, a cycle or a hostile
 * object cannot break the message that reports it). Long arrays print their length only.
 */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) {
    if (v.length > 8) return `an array of length ${v.length}`;
    return `[${Array.from({ length: v.length }, (_, i) => (i in v ? showShallow(v[i]) : '<hole>')).join(', ')}]`;
  }
  return showShallow(v);
}

/** showValue without descending into arrays (nested arrays print as "[…]"). */
function showShallow(v: unknown): string {
  if (Array.isArray(v)) return `[… ${v.length}]`;
  if (typeof v !== 'object' || v === null) return showValue(v);
  if (ArrayBuffer.isView(v)) return aClass(v.constructor.name);
  try {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== 'Object' ? aClass(name) : 'an object';
  } catch {
    return 'an object'; // a Proxy whose traps throw
  }
}

/**
 * A shape a caller gave, as a fresh array: every dimension a non-negative safe integer (a hole, a
 * BigInt or a string is refused) and their product at most MAX_ELEMENTS, else a ShapeError naming
 * `where`, `what` (default "shape") and the value. O(ndim), no allocation beyond the copy.
 */
export function checkShape(where: string, shape: unknown, what = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: ${what} must be an array of non-negative integers, got ${showValue(shape)}`);
  const out: number[] = []; // pushed, so V8 keeps it a packed array (shapes are read on every op)
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      const why = !(i in shape) ? 'a hole' : Number.isInteger(d) && (d as number) > 0 ? `${d}, past 2^53 - 1` : showValue(d);
      throw new ShapeError(`${where}: ${what} must be an array of non-negative integers, got ${showValue(shape)} (dimension ${i} is ${why})`);
    }
    out.push(d);
    count *= d;
  }
  checkCount(where, out, count, what);
  return out;
}

/** Throws unless `count` (the product of `shape`) elements fit in one Float32Array here. */
function checkCount(where: string, shape: Shape, count: number, what: string): void {
  if (count > MAX_ELEMENTS) {
    throw new ShapeError(`${where}: ${what} ${formatShape(shape)} has ${count} elements, more than the ${MAX_ELEMENTS} a tensor can hold (the largest Float32Array this engine allocates)`);
  }
}

/** An op's output shape (computed from valid inputs, so only its size can be wrong): a ShapeError when too large to allocate. */
export function checkAllocatable(where: string, shape: Shape, what = 'output shape'): void {
  checkCount(where, shape, numel(shape), what);
}

/** Resolves one -1 in a reshape target against `count` elements. */
export function inferShape(where: string, count: number, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 0))) {
    throw new ShapeError(`${where}: invalid shape ${formatShape(shape)}: dimensions must be non-negative integers with at most one -1`);
  }
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : count / known) : d));
  if (numel(out) !== count || !out.every(Number.isInteger)) {
    throw new ShapeError(`${where}: cannot reshape ${count} elements into ${formatShape(shape)}`);
  }
  return out;
}
