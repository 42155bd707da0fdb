/**
 * Loss functions, as torch.nn.functional's. Each computes per-element losses ℓ in double and reduces
 * them by `reduction`: 'mean' (default) → Σ ℓ / n, 'sum' → Σ ℓ, 'none' → ℓ itself (shape below).
 * Pointwise losses need input and target of the same shape (PyTorch broadcasts with a warning; keel
 * throws) and differentiate with respect to both. With d = input − target:
 *
 *   mseLoss:       ℓ = d²                                               ∂ℓ/∂d = 2d
 *   l1Loss:        ℓ = |d|                                              ∂ℓ/∂d = sign d (0 at 0)
 *   smoothL1Loss:  ℓ = |d| < β ? d²/(2β) : |d| − β/2   (β = 0: |d|)     ∂ℓ/∂d = d ≤ −β ? −1 : d ≥ β ? 1 : d/β
 *                  (PyTorch's backward as written: with β = 0 it gives −1 at d = 0, where l1Loss gives 0)
 *   huberLoss:     ℓ = |d| < δ ? d²/2 : δ(|d| − δ/2)                     ∂ℓ/∂d = |d| < δ ? d : δ·sign d
 *
 * and ∂ℓ/∂target = −∂ℓ/∂d (smoothL1Loss: ∂ℓ/∂d at −d, as PyTorch, so also −1 at d = 0 when β = 0).
 * 'mean' divides by the element count (an empty input gives NaN).
 *
 * crossEntropy, for logits x of shape (C), (N, C) or (N, C, d1, …) with classes along dim 1 (dim 0
 * unbatched), at each position p (all indices but the class one) with log-probabilities
 * lp = logSoftmax(x_p) (max-subtracted, double):
 *
 *   class-index target t_p, smoothing ε, class weights w (1 without), as PyTorch 1.13's
 *   cross_entropy_loss_label_smoothing:
 *     ℓ_p = (1 − ε)·(−w_t lp_t) + (ε/C)·(−Σ_c w_c lp_c),   ℓ_p = 0 where t_p = ignoreIndex
 *     'mean' divides Σ ℓ_p by W = Σ_{p not ignored} w_{t_p} (the count without weights; both PyTorch
 *     terms share this denominator), so all-ignored input gives NaN, as PyTorch.
 *   class-probability target (same shape as x; ignoreIndex must be negative, as PyTorch):
 *     ℓ_p = −Σ_c w_c τ_c lp_c,  τ = (1 − ε)·target + ε/C;   'mean' divides by the number of positions.
 *
 *   With coefficients q_c such that ℓ_p = −Σ_c q_c lp_c and Q = Σ_c q_c, the gradient is
 *     ∂ℓ_p/∂x_c = softmax_c·Q − q_c      (ignored positions get exactly 0),
 *     ∂ℓ_p/∂target_c = −(1 − ε)·w_c lp_c  (probability targets).
 *   'none' returns ℓ_p with the input's shape minus the class dimension.
 *   Terms with q_c = 0 are skipped, so a −inf logit where the target puts no weight contributes 0
 *   (PyTorch's nll_loss does the same for class indices; for probability targets or zero class
 *   weights PyTorch multiplies 0·(−inf) and returns NaN).
 *
 * binaryCrossEntropyWithLogits, for logits x and targets y of the same shape, optional weight w and
 * posWeight π (each broadcast to x's shape), in the stable form (sp(z) = log(1 + e^z) evaluated as
 * max(z, 0) + log1p(e^−|z|)):
 *     ℓ = w·((1 − y)·x + (1 + (π − 1)·y)·sp(−x))
 *     ∂ℓ/∂x = w·((π·y + 1 − y)·σ(x) − π·y),   ∂ℓ/∂y = w·(π·sp(−x) − sp(x))
 *
 * Class weights and posWeight are not differentiable: as in PyTorch, passing one that requires grad
 * while grad mode is on throws (detach() it).
 */
import { formatShape, numel, sameShape, type Shape } from '../tensor/shape.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { fromOp, Tensor } from '../tensor/tensor.js';
import { broadcastIndex, broadcastsTo } from './broadcast.js';
import { checkOptions, checkReduction, checkTensor, describeNonTensor, integer, numberIn, optionalTensor, type Reduction, show } from './validate.js';
import { DataError, OptionError, ShapeError } from '../errors.js';

export type { Reduction } from './validate.js';

/** Options every loss takes. */
export interface LossOptions {
  /** 'mean': the mean of the per-element losses; 'sum': their sum; 'none': the per-element losses. Default 'mean'. */
  reduction?: Reduction;
}

/** Options of smoothL1Loss. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear, ≥ 0 (0 gives the L1 loss). Default 1.0. */
  beta?: number;
}

/** Options of huberLoss. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear, > 0. Default 1.0. */
  delta?: number;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends LossOptions {
  /** Rescaling weight per class, shape (C). Default none (all 1). */
  weight?: Tensor | null;
  /** A class-index target value that contributes neither loss nor gradient. Default −100. */
  ignoreIndex?: number;
  /** Share ε of the target's mass out uniformly over the C classes, in [0, 1]. Default 0.0. */
  labelSmoothing?: number;
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BinaryCrossEntropyWithLogitsOptions extends LossOptions {
  /** Rescaling weight of each element's loss, broadcast to the input's shape. Default none (all 1). */
  weight?: Tensor | null;
  /** Weight of the positive term, broadcast to the input's shape (typically one per class, (C)). Default none (all 1). */
  posWeight?: Tensor | null;
}

/** Class indices for crossEntropy: a Tensor of integer values, or a flat array of them. */
export type ClassTarget = Tensor | Int32Array | readonly number[];

/** Reduces per-position losses: 'none' keeps them (shape `shape`), 'sum' adds, 'mean' divides the sum by `divisor`. */
function reduceLoss(values: Float64Array, reduction: Reduction, divisor: number, shape: Shape): { data: Float32Array; shape: Shape } {
  if (reduction === 'none') return { data: Float32Array.from(values), shape };
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return { data: new Float32Array([reduction === 'mean' ? s / divisor : s]), shape: [] };
}

/** The upstream gradient of position i, including the mean's divisor. */
function upstream(g: Float32Array, reduction: Reduction, divisor: number): (i: number) => number {
  if (reduction === 'none') return (i) => g[i]!;
  const v = reduction === 'mean' ? g[0]! / divisor : g[0]!;
  return () => v;
}

/**
 * ℓ = f(input − target) elementwise, reduced; d/dinput = df(d), d/dtarget = dfTarget(d) (−df(d) unless
 * given: PyTorch's smooth L1 differentiates the target by swapping the arguments, which differs at a kink).
 */
function pointwise(
  op: string,
  input: Tensor,
  target: Tensor,
  reduction: Reduction,
  f: (d: number) => number,
  df: (d: number) => number,
  dfTarget: (d: number) => number = (d) => -df(d),
): Tensor {
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const x = input.data, t = target.data, n = x.length;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = f(x[i]! - t[i]!);
  const out = reduceLoss(l, reduction, n, input.shape);
  return fromOp(op, out.data, out.shape, [input, target], (g, needs) => {
    const G = upstream(g, reduction, n);
    let dx: Float32Array | null = null, dt: Float32Array | null = null;
    if (needs[0]) {
      dx = new Float32Array(n);
      for (let i = 0; i < n; i++) dx[i] = G(i) * df(x[i]! - t[i]!);
    }
    if (needs[1]) {
      dt = new Float32Array(n);
      for (let i = 0; i < n; i++) dt[i] = G(i) * dfTarget(x[i]! - t[i]!);
    }
    return [dx, dt];
  });
}

const sign = (d: number): number => (d > 0 ? 1 : d < 0 ? -1 : 0);

/** Mean squared error: mean((input − target)²). */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction } = checkOptions('mseLoss', options, ['reduction']);
  return pointwise('mseLoss', input, target, checkReduction('mseLoss', reduction), (d) => d * d, (d) => 2 * d);
}

/** Mean absolute error: mean(|input − target|). */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction } = checkOptions('l1Loss', options, ['reduction']);
  return pointwise('l1Loss', input, target, checkReduction('l1Loss', reduction), Math.abs, sign);
}

/** Smooth L1: quadratic below beta (scaled by 1/beta), linear above. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const op = 'smoothL1Loss';
  const { reduction, beta = 1.0 } = checkOptions(op, options, ['reduction', 'beta']);
  const r = checkReduction(op, reduction);
  const b = numberIn(op, 'beta', beta, 0);
  return pointwise(
    op,
    input,
    target,
    r,
    (d) => {
      const a = Math.abs(d);
      return a < b ? (0.5 * d * d) / b : a - 0.5 * b;
    },
    // PyTorch's smooth_l1_loss_backward, comparisons included: with beta = 0 the gradient at d = 0 is −1,
    // for the input and (arguments swapped) for the target alike.
    (d) => (d <= -b ? -1 : d >= b ? 1 : d / b),
    (d) => (-d <= -b ? -1 : -d >= b ? 1 : -d / b),
  );
}

/** Huber loss: quadratic below delta, linear (slope delta) above; equals delta·smoothL1Loss(beta = delta). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const op = 'huberLoss';
  const { reduction, delta = 1.0 } = checkOptions(op, options, ['reduction', 'delta']);
  const r = checkReduction(op, reduction);
  if (typeof delta !== 'number' || !Number.isFinite(delta) || delta <= 0) throw new OptionError(`${op}: delta must be a finite number > 0, got ${show(delta)}`);
  const dl = delta;
  return pointwise(
    op,
    input,
    target,
    r,
    (d) => {
      const a = Math.abs(d);
      return a < dl ? 0.5 * d * d : dl * (a - 0.5 * dl);
    },
    // PyTorch's huber_loss_backward, comparisons included: a NaN difference passes through as NaN.
    (d) => (d < -dl ? -dl : d > dl ? dl : d),
  );
}

/** PyTorch's "not differentiable with respect to argument 'weight'" check. */
function notDifferentiable(op: string, name: string, t: Tensor | null): Tensor | null {
  if (t && t.requiresGrad && isGradEnabled()) {
    throw new OptionError(`${op}: not differentiable with respect to ${name}, which must not require grad (pass ${name}.detach())`);
  }
  return t;
}

/** Class indices as numbers, checked: integers, each ignoreIndex or in [0, C). */
function classIndices(op: string, target: ClassTarget, expect: Shape, input: Tensor, C: number, ignoreIndex: number): Float64Array {
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    checkTensor(op, 'target', target);
    if (!sameShape(target.shape, expect)) {
      throw new ShapeError(
        `${op}: expected target ${formatShape(expect)} of class indices (or ${formatShape(input.shape)} of class probabilities) for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
    }
    values = target.data;
  } else if (target instanceof Int32Array || Array.isArray(target)) {
    if (target.length !== numel(expect)) {
      throw new ShapeError(`${op}: expected ${numel(expect)} class indices (target ${formatShape(expect)}) for input ${formatShape(input.shape)}, got ${target.length}`);
    }
    values = target;
  } else {
    throw new OptionError(`${op}: target must be a Tensor, an Int32Array or an array of class indices, got ${describeNonTensor(target)}`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new DataError(`${op}: target values must be integer class indices, got ${show(v)} at index ${i}`);
    if (v !== ignoreIndex && (v < 0 || v >= C)) throw new DataError(`${op}: target ${v} at index ${i} is out of bounds for ${C} classes`);
    out[i] = v;
  }
  return out;
}

/**
 * Cross entropy between logits and class indices (or class probabilities), with optional class
 * weights, an ignored index and label smoothing.
 */
export function crossEntropy(input: Tensor, target: ClassTarget, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkTensor(op, 'input', input);
  const opts = checkOptions(op, options, ['weight', 'ignoreIndex', 'labelSmoothing', 'reduction']);
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = integer(op, 'ignoreIndex', opts.ignoreIndex ?? -100);
  const eps = numberIn(op, 'labelSmoothing', opts.labelSmoothing ?? 0, 0, 1);
  const weight = notDifferentiable(op, 'weight', optionalTensor(op, 'weight', opts.weight));
  if (input.ndim === 0) throw new ShapeError(`${op}: expected input (C), (N, C) or (N, C, d1, ...), got ()`);
  const batched = input.ndim >= 2;
  const N = batched ? input.shape[0]! : 1, C = batched ? input.shape[1]! : input.shape[0]!;
  const rest = batched ? input.shape.slice(2) : [];
  const Lp = numel(rest);
  const outShape: Shape = batched ? [N, ...rest] : [];
  if (C < 1) throw new ShapeError(`${op}: expected at least one class, got input ${formatShape(input.shape)}`);
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new ShapeError(`${op}: expected weight (${C}) (one per class) for input ${formatShape(input.shape)}, got ${formatShape(weight.shape)}`);
  }
  const probs = target instanceof Tensor && sameShape(target.shape, input.shape);
  if (probs && ignoreIndex >= 0) throw new OptionError(`${op}: ignoreIndex is not supported with class-probability targets, got ignoreIndex=${ignoreIndex}`);
  const idx = probs ? null : classIndices(op, target, outShape, input, C, ignoreIndex);
  if (idx && !weight && eps === 0 && Lp === 1) return crossEntropyRows(input, idx, ignoreIndex, reduction, outShape);
  const tp = probs ? (target as Tensor).data : null;
  const w = weight?.data ?? null;
  const x = input.data;
  const P = N * Lp;
  // Position p = (n, l) holds class c at base(p) + c·Lp.
  const base = (p: number): number => Math.floor(p / Lp) * C * Lp + (p % Lp);
  const wc = (c: number): number => (w ? w[c]! : 1);

  // Log-probabilities (max-subtracted log-softmax over the classes, in double).
  const lp = new Float64Array(x.length);
  for (let p = 0; p < P; p++) {
    const o = base(p);
    let m = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = x[o + c * Lp]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c * Lp]! - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) lp[o + c * Lp] = x[o + c * Lp]! - lse;
  }

  /** Fills q with the coefficients of position p (ℓ_p = −Σ q_c lp_c) and returns Q = Σ q_c; 0 if ignored. */
  const q = new Float64Array(C);
  const coefficients = (p: number): number => {
    let Q = 0;
    if (idx) {
      const t = idx[p]!;
      if (t === ignoreIndex) return 0;
      for (let c = 0; c < C; c++) Q += q[c] = (eps / C) * wc(c) + (c === t ? (1 - eps) * wc(c) : 0);
    } else {
      const o = base(p);
      for (let c = 0; c < C; c++) Q += q[c] = wc(c) * ((1 - eps) * tp![o + c * Lp]! + eps / C);
    }
    return Q;
  };

  const losses = new Float64Array(P);
  let divisor = P; // probability targets: the number of positions
  if (idx) divisor = 0; // class indices: Σ w_t over the kept positions
  for (let p = 0; p < P; p++) {
    if (idx && idx[p] === ignoreIndex) continue;
    coefficients(p);
    const o = base(p);
    let l = 0;
    for (let c = 0; c < C; c++) if (q[c] !== 0) l -= q[c]! * lp[o + c * Lp]!;
    losses[p] = l;
    if (idx) divisor += wc(idx[p]!);
  }
  const out = reduceLoss(losses, reduction, divisor, outShape);
  const inputs = probs ? [input, target as Tensor] : [input];
  return fromOp(op, out.data, out.shape, inputs, (g, needs) => {
    const G = upstream(g, reduction, divisor);
    const dx = needs[0] ? new Float32Array(x.length) : null;
    const dt = probs && needs[1] ? new Float32Array(x.length) : null;
    for (let p = 0; p < P; p++) {
      if (idx && idx[p] === ignoreIndex) continue; // exactly 0, even when the mean's divisor is 0
      const gp = G(p), o = base(p);
      if (dx) {
        const Q = coefficients(p);
        for (let c = 0; c < C; c++) dx[o + c * Lp] = gp * (Math.exp(lp[o + c * Lp]!) * Q - q[c]!);
      }
      if (dt) for (let c = 0; c < C; c++) dt[o + c * Lp] = gp * -(1 - eps) * wc(c) * lp[o + c * Lp]!;
    }
    return probs ? [dx, dt] : [dx];
  });
}

/**
 * crossEntropy's common case (a classifier's loss): logits (N, C) or (C), class indices, no class
 * weights, no smoothing. Here q is one-hot and Q = 1, so per row n with target t
 *   ℓ_n = 0 − (x_t − lse_n),   ∂ℓ_n/∂x_c = g_n·(e^(x_c − lse_n) − [c = t]),   lse_n = m + log Σ_c e^(x_c − m)
 * with the general path's operations in its order, so the numbers are its own bit for bit; only its
 * per-position coefficients and the log-probability array (lse is kept per row instead) are gone.
 */
function crossEntropyRows(input: Tensor, idx: Float64Array, ignoreIndex: number, reduction: Reduction, outShape: Shape): Tensor {
  const x = input.data, N = idx.length, C = x.length / N;
  const lse = new Float64Array(N), losses = new Float64Array(N);
  let divisor = 0;
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = x[o + c]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c]! - m);
    lse[n] = m + Math.log(s);
    const t = idx[n]!;
    if (t === ignoreIndex) continue;
    losses[n] = 0 - (x[o + t]! - lse[n]!);
    divisor += 1;
  }
  const out = reduceLoss(losses, reduction, divisor, outShape);
  return fromOp('crossEntropy', out.data, out.shape, [input], (g) => {
    const G = upstream(g, reduction, divisor);
    const dx = new Float32Array(x.length);
    for (let n = 0; n < N; n++) {
      const t = idx[n]!;
      if (t === ignoreIndex) continue; // exactly 0, even when the mean's divisor is 0
      const gn = G(n), o = n * C, l = lse[n]!;
      for (let c = 0; c < C; c++) dx[o + c] = gn * (Math.exp(x[o + c]! - l) - (c === t ? 1 : 0));
    }
    return [dx];
  });
}

/** log(1 + e^z) without overflow or cancellation. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function broadcastOperand(op: string, name: string, t: Tensor | null, input: Tensor): ((i: number) => number) | null {
  if (!t) return null;
  if (!broadcastsTo(t.shape, input.shape)) {
    throw new ShapeError(`${op}: ${name} ${formatShape(t.shape)} must broadcast to input ${formatShape(input.shape)}`);
  }
  const d = t.data;
  if (sameShape(t.shape, input.shape)) return (i) => d[i]!;
  const index = broadcastIndex(t.shape, input.shape);
  return (i) => d[index[i]!]!;
}

/** Binary cross entropy of logits (sigmoid built in), numerically stable, with optional weight and posWeight. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  const opts = checkOptions(op, options, ['weight', 'posWeight', 'reduction']);
  const reduction = checkReduction(op, opts.reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const w = broadcastOperand(op, 'weight', notDifferentiable(op, 'weight', optionalTensor(op, 'weight', opts.weight)), input);
  const pw = broadcastOperand(op, 'posWeight', notDifferentiable(op, 'posWeight', optionalTensor(op, 'posWeight', opts.posWeight)), input);
  const x = input.data, y = target.data, n = x.length;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!, yi = y[i]!;
    const lw = pw ? 1 + (pw(i) - 1) * yi : 1;
    const v = (1 - yi) * xi + lw * softplus(-xi);
    l[i] = w ? w(i) * v : v;
  }
  const out = reduceLoss(l, reduction, n, input.shape);
  return fromOp(op, out.data, out.shape, [input, target], (g, needs) => {
    const G = upstream(g, reduction, n);
    const dx = needs[0] ? new Float32Array(n) : null, dt = needs[1] ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!, yi = y[i]!, gi = G(i) * (w ? w(i) : 1);
      const pwi = pw ? pw(i) : 1;
      if (dx) {
        const s = xi >= 0 ? 1 / (1 + Math.exp(-xi)) : Math.exp(xi) / (1 + Math.exp(xi));
        dx[i] = gi * ((pwi * yi + 1 - yi) * s - pwi * yi);
      }
      if (dt) dt[i] = gi * (pwi * softplus(-xi) - softplus(xi));
    }
    return [dx, dt];
  });
}
