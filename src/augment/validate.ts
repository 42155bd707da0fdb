/**
 * Checks and small helpers shared by the augmentations (internal): the input shapes, the option
 * checks the functional layer lacks (a strictly positive number, a ratio in (0, 1]), and the
 * per-sample coin flips of the `p` option. Every failure names the transform, the argument, what was
 * expected and what it got; nothing is clamped.
 */
import { OptionError, ShapeError } from '../errors.js';
import { checkTensor, numberIn, positiveInt, show } from '../functional/validate.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniforms } from '../tensor/random.js';

/** x as a batch of multichannel series: exactly (N, C, L), time last (conv1d's layout). */
export function checkSeries(op: string, x: unknown): [n: number, c: number, l: number] {
  const t = checkTensor(op, 'x', x);
  if (t.ndim !== 3) throw new ShapeError(`${op}: x must be a batch of series of shape (N, C, L), got shape ${formatShape(t.shape)}`);
  return [t.shape[0]!, t.shape[1]!, t.shape[2]!];
}

/** x as a batch of samples of any shape: (N, ...), at least one dimension. Returns N. */
export function checkBatch(op: string, x: unknown): number {
  const t = checkTensor(op, 'x', x);
  if (t.ndim < 1) throw new ShapeError(`${op}: x must be a batch of shape (N, ...), got a 0-d tensor`);
  return t.shape[0]!;
}

/** Targets of a batch of n samples: a Tensor whose first dimension is n. */
export function checkTargets(op: string, y: unknown, n: number): Tensor {
  if (y === undefined) throw new OptionError(`${op}: y is required (this transform mixes the targets with the inputs)`);
  const t = checkTensor(op, 'y', y);
  if (t.ndim < 1 || t.shape[0] !== n) throw new ShapeError(`${op}: y must have ${n} rows (one per sample of x), got shape ${formatShape(t.shape)}`);
  return t;
}

/** A finite number > 0. */
export function positiveNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(`${op}: ${name} must be a finite number > 0, got ${show(v)}`);
  return v;
}

/**
 * The most interior knots a warp curve takes. The warps draw a slow drift over the window (the papers
 * use 4 knots); far more knots make it noise, which jitter gives, while the (L × knots) spline basis and
 * the draws per sample grow with them — up to allocations that fail with a bare RangeError.
 */
export const MAX_KNOTS = 100;

/** The `knots` option of the warps: an integer in [1, MAX_KNOTS]. */
export function knotCount(op: string, v: unknown): number {
  const k = positiveInt(op, 'knots', v);
  if (k > MAX_KNOTS) throw new OptionError(`${op}: knots must be an integer in [1, ${MAX_KNOTS}] (a smooth curve over the window), got ${show(v)}`);
  return k;
}

/** A fraction in (0, 1]. */
export function ratioIn01(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new OptionError(`${op}: ${name} must be a number in (0, 1], got ${show(v)}`);
  return v;
}

/**
 * Which of n samples a transform with apply-probability p changes: null for all (p = 1, no draw), else
 * sample i is changed iff u_i < p with u = uniforms(n).
 */
export function chooseSamples(p: number, n: number): boolean[] | null {
  if (p === 1) return null;
  return Array.from(uniforms(n), (u) => u < p);
}

/** The `p` option of the per-sample transforms: the probability of changing each sample, in [0, 1], default 1. */
export function applyProbability(op: string, v: unknown): number {
  return v === undefined ? 1 : numberIn(op, 'p', v, 0, 1);
}
