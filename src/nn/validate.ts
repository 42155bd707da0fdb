/**
 * Option checks shared by the layer constructors, and the input check of every layer's forward.
 * Every failure throws naming the layer and the option or argument, with the value it got; nothing
 * is ever clamped or silently corrected.
 */
import { checkTensor, show } from '../functional/validate.js';
import type { Tensor } from '../tensor/tensor.js';
import { OptionError } from '../errors.js';

// The checks a layer shares with the functional ops, with the same messages.
export { boolean, checkOptions, integer, nonNegativeInt, oneOf, positiveInt, show } from '../functional/validate.js';

/**
 * A forward's tensor argument (`input` unless named): anything else throws an OptionError naming the
 * layer and the argument, described as the functional ops describe it (a plain state entry says so
 * and how to wrap it; src/functional/validate.ts describeNonTensor). Checked before any `.shape` is
 * read, so the message is never a shape complaint about something that is not a Tensor.
 */
export function checkInput(layer: string, v: unknown, name = 'input'): Tensor {
  return checkTensor(layer, name, v);
}

/**
 * A finite number in [min, max]. Unlike the functional ops' numberIn, which takes ±Infinity where an op
 * allows it, a layer's stored option is always finite.
 */
export function numberIn(layer: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw new OptionError(`${layer}: ${name} must be ${range}, got ${show(v)}`);
  }
  return v;
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
