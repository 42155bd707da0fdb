/**
 * Optimiser update reference kernels, one step of one parameter tensor each, in PyTorch 1.13's
 * single-tensor order of operations. adamUpdate is an Adam/AdamW step (src/optim/adam.ts computes
 * the scalars):
 *
 *   g ← ±∇;  θ ← θ·decay (decoupled)  or  g ← g + wd·θ (coupled, wd ≠ 0)
 *   m ← β1·m + (1 − β1)·g                 v ← β2·v + ((1 − β2)·g)·g
 *   v̂ ← max(v̂, v) (amsgrad)               denom = √v / c2Sqrt + eps
 *   θ ← θ + (negStep·m) / denom
 *
 * sgdUpdate is an SGD step (src/optim/sgd.ts computes the scalars; b is the momentum buffer):
 *
 *   d ← ±∇;  d ← d + wd·θ (wd ≠ 0)
 *   with momentum: b ← d (first step: PyTorch's clone) or b ← μ·b + (1 − τ)·d
 *                  d ← d + μ·b (nesterov) or d ← b
 *   θ ← θ + (−lr)·d
 *
 * nonFiniteIndex is the optimisers' non-finite guard (src/optim/finite-grads.ts): the index of the
 * first NaN or ±Infinity of a gradient, or −1.
 *
 * Every scalar is a float32 value. Each op rounds to float32 like PyTorch's tensor ops, except the
 * ones PyTorch computes with FMA (add_ with alpha, addcmul_): their sum is formed exactly in float64
 * and rounded once. Native variants reproduce this bit for bit (tolerance: exact).
 */
import { type FloatArray, KernelArgs } from './args.js';
import type { EltwiseParams } from './relu.js';

const f32 = Math.fround;

/** The scalars of one Adam/AdamW step for one parameter tensor, float32 values (src/optim/adam.ts computes them). */
export interface AdamUpdateParams {
  /** Elements of the parameter (and of each buffer). */
  count: number;
  /** β1, decay of the first moment. */
  beta1: number;
  /** β2, decay of the second moment. */
  beta2: number;
  /** 1 − β1, rounded to float32 as PyTorch does. */
  oneMinusBeta1: number;
  /** 1 − β2, rounded to float32 as PyTorch does. */
  oneMinusBeta2: number;
  /** λ of coupled L2 (g ← g + λ·θ); with decoupled, see decay instead. */
  weightDecay: number;
  /** Added to the denominator √v / c2Sqrt. */
  eps: number;
  /** 1 − lr·weightDecay, for decoupled weight decay. */
  decay: number;
  /** √(1 − β2^t). */
  c2Sqrt: number;
  /** −lr / (1 − β1^t). */
  negStep: number;
  /** AdamW: shrink θ by decay instead of adding λ·θ to the gradient. */
  decoupled: boolean;
  /** Ascend the gradient instead (g ← −∇). */
  maximize: boolean;
  /** Use the running maximum of v (maxExpAvgSq) in the denominator. */
  amsgrad: boolean;
}

/** One Adam/AdamW step in place on param, expAvg, expAvgSq (and maxExpAvgSq with amsgrad), bit for bit PyTorch 1.13's single-tensor order (see the file header). */
export function adamUpdate(
  param: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null, grad: FloatArray,
  params: AdamUpdateParams,
): void {
  const a = new KernelArgs('adamUpdate', params);
  const n = a.size([['count', a.int('count', 0)]]);
  // The scalars are float32 values; rounded here as the native binding rounds them, so that both
  // backends agree for any number given.
  const s = {
    b1: f32(a.number('beta1', 0, 1)), b2: f32(a.number('beta2', 0, 1)), omb1: f32(a.number('oneMinusBeta1', 0, 1)),
    omb2: f32(a.number('oneMinusBeta2', 0, 1)), wd: f32(a.number('weightDecay', 0, Infinity)), eps: f32(a.number('eps', 0, Infinity)),
    decay: f32(a.number('decay', -Infinity, Infinity)), c2: f32(a.number('c2Sqrt', 0, 1)), negStep: f32(a.number('negStep', -Infinity, Infinity)),
  };
  const decoupled = a.bool('decoupled'), maximize = a.bool('maximize'), amsgrad = a.bool('amsgrad');
  a.floats('param', param, n);
  a.floats('expAvg', expAvg, n);
  a.floats('expAvgSq', expAvgSq, n);
  const vMax = amsgrad ? a.floats('maxExpAvgSq', maxExpAvgSq, n) : null;
  a.floats('grad', grad, n);
  a.disjoint({ param, expAvg, expAvgSq, maxExpAvgSq: vMax }, { grad });
  for (let i = 0; i < n.value; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    if (decoupled) param[i] = f32(param[i]! * s.decay);
    else if (s.wd !== 0) g = f32(g + s.wd * param[i]!);
    const mi = f32(f32(expAvg[i]! * s.b1) + s.omb1 * g);
    const vi = f32(f32(expAvgSq[i]! * s.b2) + f32(s.omb2 * g) * g);
    expAvg[i] = mi;
    expAvgSq[i] = vi;
    let v = vi;
    if (vMax) {
      v = Math.max(vMax[i]!, vi);
      vMax[i] = v;
    }
    const denom = f32(f32(f32(Math.sqrt(v)) / s.c2) + s.eps);
    param[i] = f32(param[i]! + f32(f32(s.negStep * mi) / denom));
  }
}

/** The scalars of one SGD step for one parameter tensor, float32 values (src/optim/sgd.ts computes them). */
export interface SgdUpdateParams {
  /** Elements of the parameter (and of the momentum buffer). */
  count: number;
  /** λ of coupled L2 (d ← d + λ·θ); 0 for none. */
  weightDecay: number;
  /** μ (used only with a momentum buffer). */
  momentum: number;
  /** 1 − τ, τ the dampening (used only with a momentum buffer). */
  oneMinusDampening: number;
  /** −lr. */
  negLr: number;
  /** Nesterov momentum: d ← d + μ·b instead of d ← b. */
  nesterov: boolean;
  /** Ascend the gradient instead (d ← −∇). */
  maximize: boolean;
  /** The momentum buffer starts from this step's d (its old contents are not read). */
  firstStep: boolean;
}

/**
 * One SGD step in float32 (momentumBuffer null: plain SGD, the momentum fields are ignored):
 *
 *   d = fl(±g);  d = fl(d + wd·θ)                      (add with alpha: fused)
 *   b = d  (first step)  or  b = fl(fl(b·μ) + (1 − τ)·d)  (mul_ rounded, add_ with alpha fused)
 *   d = fl(d + μ·b)  (nesterov)  or  d = b               (add with alpha: fused)
 *   θ = fl(θ + (−lr)·d)                                 (add_ with alpha: fused)
 */
export function sgdUpdate(param: FloatArray, momentumBuffer: FloatArray | null, grad: FloatArray, params: SgdUpdateParams): void {
  const a = new KernelArgs('sgdUpdate', params);
  const n = a.size([['count', a.int('count', 0)]]);
  // float32 scalars, rounded as the native binding rounds them.
  const wd = f32(a.number('weightDecay', 0, Infinity)), mu = f32(a.number('momentum', 0, Infinity));
  const damp = f32(a.number('oneMinusDampening', -Infinity, Infinity)), negLr = f32(a.number('negLr', -Infinity, Infinity));
  const nesterov = a.bool('nesterov'), maximize = a.bool('maximize'), first = a.bool('firstStep');
  a.floats('param', param, n);
  const buf = a.optionalFloats('momentumBuffer', momentumBuffer, n);
  a.floats('grad', grad, n);
  a.disjoint({ param, momentumBuffer: buf }, { grad });
  for (let i = 0; i < n.value; i++) {
    let d = maximize ? -grad[i]! : grad[i]!;
    if (wd !== 0) d = f32(d + wd * param[i]!);
    if (buf) {
      const b = first ? d : f32(f32(buf[i]! * mu) + damp * d);
      buf[i] = b;
      d = nesterov ? f32(d + mu * b) : b;
    }
    param[i] = f32(param[i]! + negLr * d);
  }
}

/** The index of the first NaN or ±Infinity among x[0..count), or −1 if all are finite (the optimisers' non-finite guard). */
export function nonFiniteIndex(x: FloatArray, params: EltwiseParams): number {
  const a = new KernelArgs('nonFiniteIndex', params);
  const n = a.size([['count', a.int('count', 0)]]);
  a.floats('x', x, n);
  for (let i = 0; i < n.value; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}
