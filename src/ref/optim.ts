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
 * adamUpdateMulti is adamUpdate on a list of tensors, one after another (the native kernel runs them
 * as one parallel region).
 *
 * nonFiniteIndex is the optimisers' non-finite guard (src/optim/finite-grads.ts): the index of the
 * first NaN or ±Infinity of a gradient, or −1.
 *
 * Every scalar is a float32 value. Each op rounds to float32 like PyTorch's tensor ops, except the
 * ones PyTorch computes with FMA (add_ with alpha, addcmul_): their sum is formed exactly in float64
 * and rounded once. Native variants reproduce this bit for bit (tolerance: exact).
 */
import { OptionError } from '../errors.js';
import { checkDisjoint, checkLength, describe, type FloatArray, KernelArgs, type Size } from './args.js';
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
  const c = checkAdam('adamUpdate', '', { param, expAvg, expAvgSq, maxExpAvgSq, grad, params });
  checkDisjoint('adamUpdate', { param, expAvg, expAvgSq, maxExpAvgSq: c.vMax }, { grad });
  adamArithmetic(c);
}

/** One parameter tensor of {@link adamUpdateMulti}: adamUpdate's arguments. */
export interface AdamTensor<A extends FloatArray = FloatArray> {
  /** The parameter, updated in place (adamUpdate's param). */
  param: A;
  /** First moment, updated in place. */
  expAvg: A;
  /** Second moment, updated in place. */
  expAvgSq: A;
  /** Running maximum of the second moment, updated in place; null unless params.amsgrad. */
  maxExpAvgSq: A | null;
  /** The gradient (read only; may be shared with other entries). */
  grad: A;
  /** This parameter's scalars for the step (adamUpdate's params). */
  params: AdamUpdateParams;
}

/**
 * adamUpdate on tensors[0], tensors[1], ... (multi-tensor apply: the native kernel updates them all in
 * one parallel region). Every entry is checked as adamUpdate checks its arguments (messages name
 * "tensors[i].<name>"), and no output of one entry may overlap an array of another, before any
 * tensor is updated: a bad entry leaves every tensor unchanged.
 */
export function adamUpdateMulti(tensors: ReadonlyArray<AdamTensor>): void {
  const kernel = 'adamUpdateMulti';
  if (!Array.isArray(tensors)) throw new OptionError(`${kernel}: tensors must be an Array, got ${describe(tensors)}`);
  // Array.from visits holes too (as undefined), as the binding does.
  const checked = Array.from(tensors as unknown[], (t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      throw new OptionError(`${kernel}: tensors[${i}] must be an object, got ${describe(t)}`);
    }
    return checkAdam(kernel, `tensors[${i}].`, t as AdamTensor);
  });
  // A getter read after an entry was checked (a later entry's, or its own grad) may have shrunk or
  // detached an array already checked: every length again, as the binding does before its pointers.
  checked.forEach((c, i) => {
    const arrays = { param: c.param, expAvg: c.expAvg, expAvgSq: c.expAvgSq, ...(c.vMax ? { maxExpAvgSq: c.vMax } : {}), grad: c.grad };
    for (const [name, a] of Object.entries(arrays)) checkLength(kernel, `tensors[${i}].${name}`, a, c.size);
  });
  const outputs: Record<string, FloatArray | null> = {}, inputs: Record<string, FloatArray> = {};
  checked.forEach((c, i) => {
    const at = `tensors[${i}].`;
    Object.assign(outputs, { [`${at}param`]: c.param, [`${at}expAvg`]: c.expAvg, [`${at}expAvgSq`]: c.expAvgSq, [`${at}maxExpAvgSq`]: c.vMax });
    inputs[`${at}grad`] = c.grad;
  });
  checkDisjoint(kernel, outputs, inputs);
  for (const c of checked) adamArithmetic(c);
}

/** One tensor's arguments of an Adam step, checked, and its scalars rounded to float32. */
interface CheckedAdam {
  param: FloatArray;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
  vMax: FloatArray | null;
  grad: FloatArray;
  n: number;
  /** n with the formula messages give it ("count = 6"). */
  size: Size;
  b1: number; b2: number; omb1: number; omb2: number; wd: number; eps: number; decay: number; c2: number; negStep: number;
  decoupled: boolean;
  maximize: boolean;
}

/** adamUpdate's checks in its order; `at` prefixes every name in messages ('' or 'tensors[2].'). */
function checkAdam(kernel: string, at: string, t: AdamTensor): CheckedAdam {
  const a = new KernelArgs(kernel, t.params, at);
  const n = a.size([['count', a.int('count', 0)]]);
  // The scalars are float32 values; rounded here as the native binding rounds them, so that both
  // backends agree for any number given.
  const s = {
    b1: f32(a.number('beta1', 0, 1)), b2: f32(a.number('beta2', 0, 1)), omb1: f32(a.number('oneMinusBeta1', 0, 1)),
    omb2: f32(a.number('oneMinusBeta2', 0, 1)), wd: f32(a.number('weightDecay', 0, Infinity)), eps: f32(a.number('eps', 0, Infinity)),
    decay: f32(a.number('decay', -Infinity, Infinity)), c2: f32(a.number('c2Sqrt', 0, 1)), negStep: f32(a.number('negStep', -Infinity, Infinity)),
  };
  const decoupled = a.bool('decoupled'), maximize = a.bool('maximize'), amsgrad = a.bool('amsgrad');
  const param = a.floats('param', t.param, n);
  const expAvg = a.floats('expAvg', t.expAvg, n);
  const expAvgSq = a.floats('expAvgSq', t.expAvgSq, n);
  const vMax = amsgrad ? a.floats('maxExpAvgSq', t.maxExpAvgSq, n) : null;
  const grad = a.floats('grad', t.grad, n);
  return { param, expAvg, expAvgSq, vMax, grad, n: n.value, size: n, ...s, decoupled, maximize };
}

/** The update of one checked tensor (the file header's algebra, in float32). */
function adamArithmetic(c: CheckedAdam): void {
  const { param, expAvg, expAvgSq, vMax, grad } = c;
  for (let i = 0; i < c.n; i++) {
    let g = c.maximize ? -grad[i]! : grad[i]!;
    if (c.decoupled) param[i] = f32(param[i]! * c.decay);
    else if (c.wd !== 0) g = f32(g + c.wd * param[i]!);
    const mi = f32(f32(expAvg[i]! * c.b1) + c.omb1 * g);
    const vi = f32(f32(expAvgSq[i]! * c.b2) + f32(c.omb2 * g) * g);
    expAvg[i] = mi;
    expAvgSq[i] = vi;
    let v = vi;
    if (vMax) {
      v = Math.max(vMax[i]!, vi);
      vMax[i] = v;
    }
    const denom = f32(f32(f32(Math.sqrt(v)) / c.c2) + c.eps);
    param[i] = f32(param[i]! + f32(f32(c.negStep * mi) / denom));
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
