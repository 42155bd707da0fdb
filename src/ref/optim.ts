/**
 * Optimiser update reference kernels. adamUpdate is one Adam/AdamW step of one parameter tensor, in
 * PyTorch 1.13's single-tensor order of operations (src/optim/adam.ts computes the scalars):
 *
 *   g ← ±∇;  θ ← θ·decay (decoupled)  or  g ← g + wd·θ (coupled, wd ≠ 0)
 *   m ← β1·m + (1 − β1)·g                 v ← β2·v + ((1 − β2)·g)·g
 *   v̂ ← max(v̂, v) (amsgrad)               denom = √v / c2Sqrt + eps
 *   θ ← θ + (negStep·m) / denom
 *
 * Every scalar is a float32 value. Each op rounds to float32 like PyTorch's tensor ops, except the
 * two PyTorch computes with FMA (add_ with alpha, addcmul_): their sum is formed exactly in float64
 * and rounded once. Native variants reproduce this bit for bit (tolerance: exact).
 */
import { type FloatArray, KernelArgs } from './args.js';

const f32 = Math.fround;

export interface AdamUpdateParams {
  count: number;
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  weightDecay: number;
  eps: number;
  /** 1 − lr·weightDecay, for decoupled weight decay. */
  decay: number;
  /** √(1 − β2^t). */
  c2Sqrt: number;
  /** −lr / (1 − β1^t). */
  negStep: number;
  decoupled: boolean;
  maximize: boolean;
  amsgrad: boolean;
}

export function adamUpdate(
  param: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null, grad: FloatArray,
  params: AdamUpdateParams,
): void {
  const a = new KernelArgs('adamUpdate', params);
  const n = a.size([['count', a.int('count', 0)]]);
  const s = {
    b1: a.number('beta1', 0, 1), b2: a.number('beta2', 0, 1), omb1: a.number('oneMinusBeta1', 0, 1), omb2: a.number('oneMinusBeta2', 0, 1),
    wd: a.number('weightDecay', 0, Infinity), eps: a.number('eps', 0, Infinity), decay: a.number('decay', -Infinity, Infinity),
    c2: a.number('c2Sqrt', 0, 1), negStep: a.number('negStep', -Infinity, Infinity),
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
