/**
 * The losses `fit` and `evaluate` train and score with, chosen by name ('mse', 'mae', 'huber',
 * 'crossEntropy', 'bce') or given as a function, and the per-sample weights that `sampleWeight` and
 * `classWeight` put on them. A named loss is exactly the torch.nn.functional loss behind it, so an
 * unweighted batch loss is PyTorch's number; it can be rebuilt from its name alone, which is what lets
 * `fit` run it in a worker thread (`portable`). A function cannot move to a worker.
 *
 * Weighting rule (Keras' `sum_over_batch_size`): with per-sample weights w (length N, the batch size)
 * and ℓ_i the mean of the per-element losses of sample i over its non-batch elements,
 *
 *     loss = Σ_i w_i·ℓ_i / N
 *
 * (divided by N, not by Σ w_i, so a batch's loss scales with its weights as in Keras). With every
 * w_i = 1 it equals the unweighted mean for the pointwise losses (each sample has as many elements).
 * It is built from F's 'none' reduction, F.mean over the non-batch dimensions, F.mul and F.mean, so
 * backward flows through it. For 'crossEntropy' with class-index targets, a position whose target is
 * the ignore index (−100, F.crossEntropy's default) adds 0 to ℓ_i but still counts in its mean, and
 * the sample still counts in N (the unweighted path follows PyTorch and leaves it out of the mean).
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import * as F from '../functional/index.js';
import { checkTensor, show } from '../functional/validate.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** The built-in losses, by name. */
export type LossName = 'mse' | 'mae' | 'huber' | 'crossEntropy' | 'bce';

/**
 * A custom loss: (yPred, y) → a scalar Tensor (the mean over the batch), in the autograd graph. It may
 * instead return per-sample losses of shape (N); they are then reduced by the rule above (their mean,
 * or Σ w_i·ℓ_i / N with weights), which is what sample and class weights need.
 */
export type LossFunction = (yPred: Tensor, y: Tensor) => Tensor;

/** A loss as fit and evaluate use it: a built-in named one or a custom function, with its reduction. */
export interface ResolvedLoss {
  /** 'mse', 'mae', 'huber', 'crossEntropy', 'bce', or the custom function's name ('custom' if it has none). */
  readonly name: string;
  /** Whether it can be rebuilt from its name alone (a named loss) — fit uses this to decide whether a worker thread can run it. */
  readonly portable: boolean;
  /**
   * The batch loss as a scalar Tensor in the autograd graph. Without weights: the named F loss with
   * reduction 'mean' (exactly F.mseLoss etc., so results match PyTorch). With per-sample weights w
   * (length N, the batch size): Σ_i w_i·ℓ_i / N, ℓ_i the mean loss of sample i (see the file header).
   */
  compute(yPred: Tensor, y: Tensor, sampleWeights?: Float32Array | null): Tensor;
}

/** What each name means; 'bce' takes LOGITS (the sigmoid is inside the loss). */
const NAMED: Record<LossName, { fn: string; describe: string }> = {
  mse: { fn: 'F.mseLoss', describe: 'mean squared error' },
  mae: { fn: 'F.l1Loss', describe: 'mean absolute error' },
  huber: { fn: 'F.huberLoss (delta 1)', describe: 'Huber loss' },
  crossEntropy: { fn: 'F.crossEntropy', describe: 'cross entropy of logits (N, C) with class indices (N) or probabilities (N, C)' },
  bce: { fn: 'F.binaryCrossEntropyWithLogits', describe: 'binary cross entropy of logits (the model outputs logits, not probabilities)' },
};

export const LOSS_NAMES: readonly LossName[] = Object.keys(NAMED) as LossName[];

type Reduction = 'mean' | 'none';

/** The F loss of a name with the given reduction. */
function namedLoss(name: LossName): (yPred: Tensor, y: Tensor, reduction: Reduction) => Tensor {
  switch (name) {
    case 'mse':
      return (p, y, reduction) => F.mseLoss(p, y, { reduction });
    case 'mae':
      return (p, y, reduction) => F.l1Loss(p, y, { reduction });
    case 'huber':
      return (p, y, reduction) => F.huberLoss(p, y, { reduction, delta: 1 });
    case 'crossEntropy':
      return (p, y, reduction) => F.crossEntropy(p, y, { reduction });
    case 'bce':
      return (p, y, reduction) => F.binaryCrossEntropyWithLogits(p, y, { reduction });
  }
}

/**
 * The reshape call that gives y a batch's shape (32, 1): y.reshape(-1, 1). The sample dimension is
 * -1 because the batch is not the whole y (fit and evaluate check each batch).
 */
const reshapeHint = (shape: readonly number[]): string => `y.reshape(${[-1, ...shape.slice(1)].join(', ')})`;

/**
 * Throws one clear error when yPred and y cannot be a pair for the loss, with the fix when there is an
 * obvious one; otherwise the F function's own checks apply.
 */
function checkPair(name: LossName, yPred: Tensor, y: Tensor): void {
  const where = `loss '${name}'`;
  if (name === 'crossEntropy') {
    if (yPred.ndim < 2) {
      throw new ShapeError(
        `${where}: expected logits yPred (N, C) (one score per class), got ${formatShape(yPred.shape)}; for one logit per sample use the 'bce' loss`,
      );
    }
    const [n, c] = yPred.shape as [number, number];
    const rest = yPred.shape.slice(2);
    if (c < 2) {
      throw new ShapeError(`${where}: expected logits yPred (N, C) with C >= 2 classes, got ${formatShape(yPred.shape)}; for one logit per sample use the 'bce' loss`);
    }
    if (sameShape(y.shape, yPred.shape) || sameShape(y.shape, [n, ...rest])) return;
    const indices = formatShape([n, ...rest]);
    if (y.numel === n * rest.reduce((a, b) => a * b, 1)) {
      throw new ShapeError(
        `${where}: expected y ${indices} of class indices (or ${formatShape(yPred.shape)} of class probabilities) for yPred ${formatShape(yPred.shape)}, got ${formatShape(y.shape)}; reshape it: ${reshapeHint([n, ...rest])}`,
      );
    }
    throw new ShapeError(
      `${where}: expected y ${indices} of class indices (or ${formatShape(yPred.shape)} of class probabilities) for yPred ${formatShape(yPred.shape)}, got ${formatShape(y.shape)}`,
    );
  }
  if (sameShape(yPred.shape, y.shape)) return;
  const fix = yPred.numel === y.numel ? `; reshape y: ${reshapeHint(yPred.shape)}` : '';
  throw new ShapeError(`${where}: yPred ${formatShape(yPred.shape)} and y ${formatShape(y.shape)} must have the same shape${fix}`);
}

/** Checks per-sample weights: a Float32Array of N finite numbers ≥ 0. */
function checkWeights(where: string, w: unknown, n: number): Float32Array {
  if (!(w instanceof Float32Array)) throw new OptionError(`${where}: sampleWeights must be a Float32Array, got ${show(w)}`);
  if (w.length !== n) throw new ShapeError(`${where}: sampleWeights must have one weight per sample (${n}), got ${w.length}`);
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (!Number.isFinite(v) || v < 0) throw new DataError(`${where}: sampleWeights must be finite numbers >= 0, got ${v} for sample ${i}`);
  }
  return w;
}

/**
 * loss = Σ_i w_i·ℓ_i / N from per-position losses `per` whose first dimension is the sample:
 * ℓ_i = mean of sample i's values over the other dimensions, then the mean of w_i·ℓ_i.
 */
function weightedMean(per: Tensor, w: Float32Array): Tensor {
  const n = per.shape[0]!;
  const perSample = per.ndim > 1 ? F.mean(per, per.shape.slice(1).map((_, k) => k + 1)) : per;
  return F.mean(F.mul(perSample, new Tensor(w, [n])));
}

/** A named loss. */
function resolveNamed(name: LossName): ResolvedLoss {
  const f = namedLoss(name);
  const where = `loss '${name}'`;
  return {
    name,
    portable: true,
    compute(yPred: Tensor, y: Tensor, sampleWeights?: Float32Array | null): Tensor {
      checkTensor(where, 'yPred', yPred);
      checkTensor(where, 'y', y);
      checkPair(name, yPred, y);
      if (sampleWeights === undefined || sampleWeights === null) return f(yPred, y, 'mean');
      if (yPred.ndim < 1) throw new ShapeError(`${where}: sample weights need a batch dimension, got yPred ()`);
      const w = checkWeights(where, sampleWeights, yPred.shape[0]!);
      return weightedMean(f(yPred, y, 'none'), w);
    },
  };
}

/** A custom loss function: a scalar result is the batch loss; an (N) result is per-sample losses. */
function resolveFunction(fn: LossFunction): ResolvedLoss {
  const name = fn.name || 'custom';
  const where = `loss '${name}'`;
  return {
    name,
    portable: false,
    compute(yPred: Tensor, y: Tensor, sampleWeights?: Float32Array | null): Tensor {
      const out: unknown = fn(yPred, y);
      if (!(out instanceof Tensor)) throw new OptionError(`${where}: the loss function must return a Tensor, got ${show(out)}`);
      const n = yPred instanceof Tensor && yPred.ndim > 0 ? yPred.shape[0]! : undefined;
      const perSample = out.ndim === 1 && out.shape[0] === n;
      if (out.ndim !== 0 && !perSample) {
        throw new ShapeError(
          `${where}: the loss function must return a scalar Tensor (the batch mean) or per-sample losses (${n ?? 'N'}), got ${formatShape(out.shape)}`,
        );
      }
      const weighted = sampleWeights !== undefined && sampleWeights !== null;
      if (!weighted) return perSample ? F.mean(out) : out;
      if (!perSample) {
        throw new ShapeError(
          `${where}: sample or class weights need per-sample losses, but the loss function returned a scalar; return a Tensor of shape (${n ?? 'N'}) (one loss per sample) instead`,
        );
      }
      return weightedMean(out, checkWeights(where, sampleWeights, n!));
    },
  };
}

/** A loss by name, or wraps a function. Unknown names throw listing the known ones. */
export function resolveLoss(spec: LossName | LossFunction, where = 'resolveLoss'): ResolvedLoss {
  if (typeof spec === 'function') return resolveFunction(spec);
  if (typeof spec === 'string' && Object.prototype.hasOwnProperty.call(NAMED, spec)) return resolveNamed(spec as LossName);
  const known = LOSS_NAMES.map((n) => `'${n}'`).join(', ');
  if (typeof spec === 'string') throw new OptionError(`${where}: unknown loss ${show(spec)} (known losses: ${known}, or a function (yPred, y) => Tensor)`);
  throw new OptionError(`${where}: loss must be one of ${known} or a function (yPred, y) => Tensor, got ${show(spec)}`);
}

/**
 * What a batch's loss weighs in a mean over batches (an epoch's loss, evaluate, validation): its
 * sample count N; but for 'crossEntropy' with class-index targets and no sample weights, its targets
 * that are not the ignore index, which PyTorch's mean leaves out. Σ batch loss × weight / Σ weight is
 * then the loss of the whole set in one batch, whatever the batch size (a batch of ignored targets
 * only weighs 0, its NaN mean left out).
 */
export function batchLossWeight(loss: ResolvedLoss, yPred: Tensor, y: Tensor, sampleWeights: Float32Array | null): number {
  const n = yPred.shape[0]!;
  if (loss.name !== 'crossEntropy' || !loss.portable || sampleWeights || sameShape(y.shape, yPred.shape)) return n;
  let counted = 0;
  for (const t of y.data) if (t !== IGNORE_INDEX) counted++;
  return counted;
}

/** F.crossEntropy's default ignore index, which the named loss uses. */
export const IGNORE_INDEX = -100;

/** numpy's round (half to even), as Keras applies to binary targets: 0.5 → 0, 1.5 → 2. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The weight of class c: its entry, or 1 without one. */
function classWeightLookup(classWeight: Record<number, number> | readonly number[]): (c: number) => number {
  const where = 'classWeightsFor';
  const check = (key: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new OptionError(`${where}: classWeight[${key}] must be a finite number >= 0, got ${show(v)}`);
    return v;
  };
  if (Array.isArray(classWeight)) {
    const list = classWeight as readonly unknown[];
    const values = new Map<number, number>();
    list.forEach((v, i) => {
      if (v !== undefined) values.set(i, check(String(i), v));
    });
    return (c) => values.get(c) ?? 1;
  }
  if (classWeight === null || typeof classWeight !== 'object' || ArrayBuffer.isView(classWeight) || classWeight instanceof Tensor) {
    throw new OptionError(`${where}: classWeight must be a {class: weight} object or an array indexed by class, got ${show(classWeight)}`);
  }
  const values = new Map<number, number>();
  for (const [key, v] of Object.entries(classWeight)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) throw new OptionError(`${where}: classWeight keys must be class indices (integers >= 0), got ${show(key)}`);
    values.set(Number(key), check(key, v));
  }
  return (c) => values.get(c) ?? 1;
}

/**
 * Per-sample weights from class weights (Keras' class_weight). The class of sample i is:
 * - targets (N) or (N, 1): y_i when it is an integer ≥ 0 (a class index); round(y_i) when it lies in
 *   [0, 1] (binary targets, soft labels included; 0.5 rounds to 0, as numpy's round in Keras);
 * - targets (N, C) with C > 1 (one-hot or probabilities): the argmax over dim 1 (the first on ties).
 * classWeight is a {class: weight} record or an array indexed by class; a class with no entry weighs
 * 1. Throws naming the sample and value when a target is not a valid class.
 */
export function classWeightsFor(y: Tensor, classWeight: Record<number, number> | readonly number[]): Float32Array {
  const where = 'classWeightsFor';
  checkTensor(where, 'y', y);
  const weightOf = classWeightLookup(classWeight);
  const d = y.data;
  if (y.ndim === 1 || (y.ndim === 2 && y.shape[1] === 1)) {
    const n = y.shape[0]!;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = d[i]!;
      let c: number;
      if (Number.isInteger(v) && v >= 0) c = v;
      else if (v >= 0 && v <= 1) c = roundHalfEven(v);
      else {
        throw new DataError(
          `${where}: target of sample ${i} is ${v}, which is not a class (expected an integer class index >= 0, or a binary target in [0, 1])`,
        );
      }
      out[i] = weightOf(c);
    }
    return out;
  }
  if (y.ndim === 2) {
    const [n, c] = y.shape as [number, number];
    if (c === 0) throw new ShapeError(`${where}: expected y (N, C) with at least one class, got ${formatShape(y.shape)}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 0; k < c; k++) {
        const v = d[i * c + k]!;
        if (!Number.isFinite(v)) throw new DataError(`${where}: target of sample ${i} has ${v} at class ${k}, which is not a class probability`);
        if (v > d[i * c + best]!) best = k;
      }
      out[i] = weightOf(best);
    }
    return out;
  }
  throw new ShapeError(`${where}: expected y (N) or (N, 1) of class indices or binary targets, or (N, C) one-hot/probabilities, got ${formatShape(y.shape)}`);
}
