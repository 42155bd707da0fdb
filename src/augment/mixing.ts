/**
 * What MixUp and CutMix share (internal): their options, the checks on the targets, and the target
 * mixing. Both mix sample i with a partner perm[i] (perm = randperm(N)) at one share λ of sample i's
 * own content, and mix its target in the same proportion:
 *   'regression'     y (N, ...):          ỹ_i = λ·y_i + (1 − λ)·y_{perm[i]}
 *   'probabilities'  y (N, K, ...):       the same, row by row (rows stay distributions)
 *   'classes'        y (N) class indices: ỹ_i = λ·onehot(y_i) + (1 − λ)·onehot(y_{perm[i]}), (N, K) —
 *                    probability targets, which F.crossEntropy accepts; rows sum to 1.
 * λ is drawn once per batch (λ ~ Beta(α, α), ./beta.ts), as in both papers' reference code (and
 * timm's default): the α values the literature recommends were tuned that way, and a per-sample λ
 * would change what a given α means. N = 1 mixes a sample with itself.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { checkOptions, oneOf, positiveInt } from '../functional/validate.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { JsonValue } from './base.js';
import { checkTargets, positiveNumber } from './validate.js';

/** How the targets of a batch are read: real values, class indices, or class probabilities. */
export type MixTargets = 'regression' | 'classes' | 'probabilities';

/** Options of MixUp and CutMix. */
export interface MixOptions {
  /** α of λ ~ Beta(α, α), > 0. Default: MixUp 0.2 (Zhang et al. 2018), CutMix 1 (Yun et al. 2019). */
  alpha?: number;
  /**
   * How to read and mix y: 'regression' (any (N, ...) values, mixed linearly), 'classes' (N class
   * indices, turned into (N, numClasses) mixed probabilities) or 'probabilities' ((N, K, ...) rows,
   * mixed linearly). Required: mixing class indices as numbers would silently be wrong. In a chain,
   * a mixing transform after one with 'classes' receives its (N, K) rows, so it takes 'probabilities'.
   */
  targets: MixTargets;
  /** Number of classes K: required for 'classes'; for 'probabilities' checked against y's second dimension. */
  numClasses?: number;
}

const KINDS: readonly MixTargets[] = ['regression', 'classes', 'probabilities'];

/** The checked options: α filled in, numClasses present when given. */
export interface MixSettings {
  alpha: number;
  targets: MixTargets;
  numClasses?: number | undefined;
}

/** The options, checked, with α's default filled. */
export function readMixOptions(op: string, options: MixOptions | undefined, defaultAlpha: number): MixSettings {
  const o = checkOptions(op, options, ['alpha', 'targets', 'numClasses']);
  if (o.targets === undefined) throw new OptionError(`${op}: targets is required: 'regression', 'classes' (with numClasses) or 'probabilities'`);
  const targets = oneOf(op, 'targets', o.targets, KINDS);
  const alpha = o.alpha === undefined ? defaultAlpha : positiveNumber(op, 'alpha', o.alpha);
  if (o.numClasses === undefined) {
    if (targets === 'classes') throw new OptionError(`${op}: numClasses is required with targets 'classes'`);
    return { alpha, targets };
  }
  if (targets === 'regression') throw new OptionError(`${op}: numClasses applies to class targets, not to targets 'regression' (got numClasses ${o.numClasses})`);
  return { alpha, targets, numClasses: positiveInt(op, 'numClasses', o.numClasses) };
}

/** The options as a spec's JSON (numClasses only when set). */
export function mixSpecOptions(o: MixSettings): Record<string, JsonValue> {
  return o.numClasses === undefined ? { alpha: o.alpha, targets: o.targets } : { alpha: o.alpha, targets: o.targets, numClasses: o.numClasses };
}

/** y checked against n samples and the kind of target. */
export function checkMixTargets(op: string, y: unknown, n: number, kind: MixTargets, numClasses: number | undefined): Tensor {
  const t = checkTargets(op, y, n);
  if (kind === 'classes') {
    if (t.ndim !== 1) throw new ShapeError(`${op}: class targets must be (N) class indices, got shape ${formatShape(t.shape)}${classRowsHint(t.shape)}`);
    for (let i = 0; i < n; i++) {
      const v = t.data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= numClasses!) {
        throw new DataError(`${op}: y[${i}] must be a class index in [0, ${numClasses}), got ${v}`);
      }
    }
  } else if (kind === 'probabilities') {
    if (t.ndim < 2) throw new ShapeError(`${op}: probability targets must be (N, K, ...), got shape ${formatShape(t.shape)}`);
    if (numClasses !== undefined && t.shape[1] !== numClasses) {
      throw new ShapeError(`${op}: probability targets must have numClasses = ${numClasses} columns, got shape ${formatShape(t.shape)}`);
    }
  }
  return t;
}

/**
 * Why 'classes' met rows: (N, K, ...) targets are most often the probability rows an earlier mixing
 * transform with targets 'classes' returned (MixUp then CutMix in one compose), which only targets
 * 'probabilities' can mix again. A single column (N, 1) is more likely labels in the wrong layout.
 */
function classRowsHint(shape: readonly number[]): string {
  if (shape.length < 2) return '';
  if (shape.length === 2 && shape[1] === 1) return `; reshape y to (${shape[0]})`;
  return `; rows of class probabilities (what an earlier MixUp or CutMix with targets 'classes' returns) need targets 'probabilities'`;
}

/** λ·rows_i + (1 − λ)·rows_{perm[i]} for the n rows of `src` (the linear mix of inputs and targets). */
export function mixRows(src: Tensor, perm: Int32Array, lam: number): Tensor {
  const n = perm.length, per = n === 0 ? 0 : src.numel / n;
  const out = new Float32Array(src.numel);
  for (let i = 0; i < n; i++) {
    const a = i * per, b = perm[i]! * per;
    for (let k = 0; k < per; k++) out[a + k] = lam * src.data[a + k]! + (1 - lam) * src.data[b + k]!;
  }
  return new Tensor(out, src.shape);
}

/** The mixed targets (table in the header). */
export function mixTargets(y: Tensor, kind: MixTargets, numClasses: number | undefined, perm: Int32Array, lam: number): Tensor {
  if (kind !== 'classes') return mixRows(y, perm, lam);
  const n = perm.length, k = numClasses!;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    out[i * k + y.data[i]!]! += lam;
    out[i * k + y.data[perm[i]!]!]! += 1 - lam;
  }
  return new Tensor(out, [n, k]);
}
