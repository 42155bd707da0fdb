/**
 * Argument checks for kernel entry points. The native binding (native/binding/args.h) performs the
 * same checks in the same order with the same messages and throws the same classes (src/errors.ts,
 * handed to the addon by setErrorClasses), so a bad call fails identically on either backend:
 *
 *   conv1dForward: params.stride must be an integer in [1, 2^53 - 1], got 0        (OptionError)
 *   conv1dForward: y must be a Float32Array, got Float64Array                      (OptionError)
 *   conv1dForward: y must have length 2048 (batch*outChannels*outLength = 2*16*64), got 2000
 *                                                                                  (ShapeError)
 *   conv1dForward: y and x share memory; outputs must not overlap other arguments  (OptionError)
 *
 * Sizes are limited to 2^53 - 1 on both sides (past it: ShapeError), so that shape arithmetic is
 * exact in a JS number and cannot overflow int64 in C++.
 */
import { OptionError, ShapeError } from '../errors.js';

/** The float arrays a reference kernel accepts: Float32Array, or Float64Array for float64 gradient checks. */
export type FloatArray = Float32Array | Float64Array;

export const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** A short description of a value for error messages: its number, type name or constructor. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'Array';
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return String(v);
    case 'string':
      return `"${v}"`;
    case 'bigint':
      return `${v}n`;
    case 'object':
      return 'object';
    default:
      return typeof v;
  }
}

/** Checks one kernel call's arguments; every message starts with the kernel's name. */
export class KernelArgs {
  private readonly p: Record<string, unknown>;

  /** prefix goes before every name in messages: '' for a kernel's own arguments, 'tensors[2].' for one entry of a list argument. */
  constructor(
    readonly kernel: string,
    params: unknown,
    private readonly prefix = '',
  ) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new OptionError(`${kernel}: ${prefix}params must be an object, got ${describe(params)}`);
    }
    this.p = params as Record<string, unknown>;
  }

  /** An integer field in [min, 2^53 - 1]. */
  int(field: string, min: number): number {
    const v = this.p[field];
    const msg = `${this.kernel}: ${this.prefix}params.${field} must be an integer in [${min}, 2^53 - 1], got ${describe(v)}`;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_SIZE) throw new OptionError(msg);
    return v;
  }

  /** A number field in [lo, hi] (hi = Infinity: any finite number >= lo). */
  number(field: string, lo: number, hi: number): number {
    const v = this.p[field];
    const range = lo === -Infinity ? 'a finite number' : hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    const msg = `${this.kernel}: ${this.prefix}params.${field} must be ${range}, got ${describe(v)}`;
    if (typeof v !== 'number' || !(v >= lo && v <= hi) || !Number.isFinite(v)) throw new OptionError(msg);
    return v;
  }

  bool(field: string): boolean {
    const v = this.p[field];
    if (typeof v !== 'boolean') {
      throw new OptionError(`${this.kernel}: ${this.prefix}params.${field} must be a boolean, got ${describe(v)}`);
    }
    return v;
  }

  /** Throws unless `value` (a size or index computed from params) is at most 2^53 - 1. */
  limit(formula: string, value: number): number {
    if (!(value <= MAX_SIZE)) throw new ShapeError(`${this.kernel}: ${formula} exceeds 2^53 - 1`);
    return value;
  }

  /** The product of named factors, e.g. size([['batch', 2], ['outChannels', 16]]), checked against 2^53 - 1. */
  size(factors: ReadonlyArray<readonly [string, number]>): Size {
    const formula = factors.map(([name]) => name).join('*');
    const value = this.limit(formula, factors.reduce((acc, [, v]) => acc * v, 1));
    return { value, formula: `${formula} = ${factors.map(([, v]) => v).join('*')}` };
  }

  /** A required float array of exactly `size.value` elements. */
  floats(name: string, a: unknown, size: Size): FloatArray {
    if (!(a instanceof Float32Array || a instanceof Float64Array)) {
      throw new OptionError(`${this.kernel}: ${this.prefix}${name} must be a Float32Array, got ${describe(a)}`);
    }
    return checkLength(this.kernel, this.prefix + name, a, size);
  }

  /** An optional float array: null or undefined means absent. */
  optionalFloats(name: string, a: unknown, size: Size): FloatArray | null {
    return a === null || a === undefined ? null : this.floats(name, a, size);
  }

  /** A required Float64Array of exactly `size.value` elements (statistics kept in double). */
  doubles(name: string, a: unknown, size: Size): Float64Array {
    if (!(a instanceof Float64Array)) {
      throw new OptionError(`${this.kernel}: ${this.prefix}${name} must be a Float64Array, got ${describe(a)}`);
    }
    return checkLength(this.kernel, this.prefix + name, a, size);
  }

  /** A required Int32Array of exactly `size.value` elements, each an index in [0, bound) (gatherRows' rows). */
  indices(name: string, a: unknown, size: Size, bound: number, boundName: string): Int32Array {
    if (!(a instanceof Int32Array)) {
      throw new OptionError(`${this.kernel}: ${this.prefix}${name} must be an Int32Array, got ${describe(a)}`);
    }
    checkLength(this.kernel, this.prefix + name, a, size);
    for (let k = 0; k < a.length; k++) {
      const i = a[k]!;
      if (i < 0 || i >= bound) throw new OptionError(`${this.kernel}: ${this.prefix}${name}[${k}] = ${i} is out of range [0, ${boundName} = ${bound})`);
    }
    return a;
  }

  bytes(name: string, a: unknown, size: Size): Uint8Array {
    if (!(a instanceof Uint8Array)) {
      throw new OptionError(`${this.kernel}: ${this.prefix}${name} must be a Uint8Array, got ${describe(a)}`);
    }
    return checkLength(this.kernel, this.prefix + name, a, size);
  }

  /**
   * Outputs of kernels that are not elementwise must not share memory with each other or with any
   * input: the kernel would read values it has already overwritten.
   */
  disjoint(outputs: Record<string, ArrayBufferView | null>, inputs: Record<string, ArrayBufferView | null>): void {
    checkDisjoint(this.kernel, outputs, inputs);
  }
}

/**
 * KernelArgs.disjoint for arrays that are not all one call's own arguments (the entries of a list of
 * tensors): the first overlapping pair in the records' order (outputs, then inputs) is reported.
 */
export function checkDisjoint(
  kernel: string, outputs: Record<string, ArrayBufferView | null>, inputs: Record<string, ArrayBufferView | null>,
): void {
  const outs = Object.entries(outputs);
  const all = [...outs, ...Object.entries(inputs)];
  outs.forEach(([oName, o], i) => {
    for (const [name, a] of all.slice(i + 1)) {
      if (o && a && overlaps(o, a)) {
        throw new OptionError(`${kernel}: ${oName} and ${name} share memory; outputs must not overlap other arguments`);
      }
    }
  });
}

export interface Size {
  value: number;
  formula: string;
}

export function checkLength<T extends ArrayBufferView & { length: number }>(kernel: string, name: string, a: T, size: Size): T {
  if (a.length !== size.value) {
    throw new ShapeError(`${kernel}: ${name} must have length ${size.value} (${size.formula}), got ${a.length}`);
  }
  return a;
}

/** The same elements of the same memory (an in-place call), as opposed to a partial overlap. */
export function sameView(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
