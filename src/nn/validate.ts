/**
 * Option checks shared by the layer constructors, and the input check of every layer's forward.
 * Every failure throws naming the layer and the option or argument, with the value it got; nothing
 * is ever clamped or silently corrected.
 */
import { checkTensor } from '../functional/validate.js';
import type { Tensor } from '../tensor/tensor.js';
import { OptionError } from '../errors.js';

/**
 * A forward's tensor argument (`input` unless named): anything else throws an OptionError naming the
 * layer and the argument, described as the functional ops describe it (a plain state entry says so
 * and how to wrap it; src/functional/validate.ts describeNonTensor). Checked before any `.shape` is
 * read, so the message is never a shape complaint about something that is not a Tensor.
 */
export function checkInput(layer: string, v: unknown, name = 'input'): Tensor {
  return checkTensor(layer, name, v);
}

/** How a value prints in an error message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

/**
 * The options object itself: undefined means {}; anything but a plain object, or an object with a key
 * the layer does not know (a typo such as `biass`), throws.
 */
export function checkOptions<T extends object>(layer: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError(`${layer}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError(`${layer}: unknown option "${key}"${known.length ? ` (known options: ${known.join(', ')})` : ' (it takes no options)'}`);
    }
  }
  return options;
}

export function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new OptionError(`${layer}: ${name} must be a positive integer, got ${show(v)}`);
  return v;
}

export function nonNegativeInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OptionError(`${layer}: ${name} must be a non-negative integer, got ${show(v)}`);
  return v;
}

export function integer(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new OptionError(`${layer}: ${name} must be an integer, got ${show(v)}`);
  return v;
}

export function boolean(layer: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new OptionError(`${layer}: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/** A finite number in [min, max]. */
export function numberIn(layer: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw new OptionError(`${layer}: ${name} must be ${range}, got ${show(v)}`);
  }
  return v;
}

export function oneOf<T extends string>(layer: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new OptionError(`${layer}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A dropout probability: a number in [0, 1]. */
export function probability(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new OptionError(`${layer}: ${name} has to be between 0 and 1, but got ${show(v)}`);
  }
  return v;
}

/** The option's value, or its default when it is absent (undefined only: null is a value, and is checked). */
export function or<T>(v: T | undefined, d: T): T {
  return v === undefined ? d : v;
}
