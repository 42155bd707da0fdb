/**
 * The option checks of the classes and calls above the layers (optimisers, schedulers, fit and its
 * callbacks, predict/evaluate, model folders): each failure throws an OptionError naming the call,
 * the option and the value it got. Nothing is clamped or silently corrected. (The layers and the
 * functional ops have their own, shorter set: src/functional/validate.ts.)
 */
import { OptionError } from './errors.js';
import { Tensor } from './tensor/tensor.js';

/**
 * A value as these messages print it: numbers as JS prints them (PyTorch prints Python floats; NaN and
 * Infinity as JS does), objects by their class, arrays of more than 8 items cut short.
 */
export function fmt(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(fmt).join(', ')}]` : `[${v.slice(0, 8).map(fmt).join(', ')}, … (${v.length} items)]`;
  if (v instanceof Tensor) return `Tensor${JSON.stringify(v.shape)}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return String(v);
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

export function optionsObject<T>(where: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (!isObject(options)) throw new OptionError(`${where}: options must be an object, got ${fmt(options)}`);
  return options;
}

/** Throws unless every key of options is one of `known`. */
export function checkKnown(where: string, options: object, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new OptionError(`${where}: unknown option "${k}" (options are ${known.join(', ')})`);
  }
}

export function checkNumber(where: string, name: string, v: unknown, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`${where}: ${name} must be a finite number, got ${fmt(v)}`);
  const { min, max, minExclusive, maxExclusive } = range;
  const lowOk = min === undefined || (minExclusive ? v > min : v >= min);
  const highOk = max === undefined || (maxExclusive ? v < max : v <= max);
  if (!lowOk || !highOk) {
    const lo = min === undefined ? '' : `${minExclusive ? '>' : '>='} ${min}`;
    const hi = max === undefined ? '' : `${maxExclusive ? '<' : '<='} ${max}`;
    throw new OptionError(`${where}: invalid ${name}: ${fmt(v)} (must be ${[lo, hi].filter(Boolean).join(' and ')})`);
  }
  return v;
}

export function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new OptionError(`${where}: ${name} must be an integer, got ${fmt(v)}`);
  if (v < min) throw new OptionError(`${where}: invalid ${name}: ${v} (must be >= ${min})`);
  return v;
}

export function checkChoice<T extends string>(where: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new OptionError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${fmt(v)}`);
  }
  return v as T;
}

export function checkBoolean(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new OptionError(`${where}: ${name} must be a boolean, got ${fmt(v)}`);
  return v;
}

