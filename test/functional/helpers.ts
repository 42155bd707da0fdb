/**
 * Gradient checking of Tensor ops (float32, through the autograd engine) against central finite
 * differences.
 *
 * For y = fn(...inputs) and a fixed random upstream gradient g (float32), the scalar is
 * L = Σ g_i y_i, evaluated in double from the float32 outputs, so y.backward(g) must give dL/dinput.
 * Each element e of each input that requires grad is perturbed in place by ±h and
 *
 *   numeric = (L(e + h) − L(e − h)) / (h₊ + h₋),
 *
 * where h₊, h₋ are the steps actually taken after rounding e ± h to float32 (exact for the default
 * h = 2^-7 and |e| < 2^16, since e ± h is then a float32).
 *
 * Error budget (why the default tolerance is atol 1e-4 + rtol 1e-3, not float64's 1e-6):
 * - rounding: outputs that do not depend on e round to the same float32 both times and cancel
 *   exactly; each output that does carries a float32 rounding error ≤ 2^-24 |y_i|, so the numeric
 *   value is off by at most Σ_{i affected} |g_i y_i| · 2^-24 / h ≈ 7.6e-6 · Σ_{i affected} |g_i y_i|
 *   (g_i in [−1, 1)); for the cases here (≤ ~20 affected outputs of size ≲ 1) that is ≲ 1e-4.
 * - truncation: h²/6 · |f'''| ≈ 1e-5 · |f'''|, below rtol 1e-3 for the smooth ops checked (|f'''| ≲ 10).
 * A wrong gradient (missing term, wrong sign or factor, wrong broadcast reduction, wrong index) is
 * off by O(|gradient|), far outside this. Piecewise ops are checked on inputs kept more than 2h from
 * their kinks (|d| = 0 or β, ties in max pooling), where they are smooth.
 */
import { fillRandom } from '../helpers/compare.js';
import type { Tolerance } from '../tolerances.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';

export const FD_STEP = 2 ** -7;
export const FD_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };

export interface OpGradcheck {
  /** Op and case, for failure messages. */
  name: string;
  /** Leaf tensors passed to fn; those with requiresGrad are checked. */
  inputs: Tensor[];
  fn: (...inputs: Tensor[]) => Tensor;
  h?: number;
  tol?: Tolerance;
  /** Seed of the upstream gradient. Default 99. */
  seed?: number;
}

function weighted(y: Tensor, g: Float32Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * y.data[i]!;
  return s;
}

/** Throws a descriptive error unless every checked gradient matches finite differences. */
export function gradcheckOp(spec: OpGradcheck): { analytic: Float32Array[]; numeric: Float64Array[] } {
  const h = spec.h ?? FD_STEP, tol = spec.tol ?? FD_TOLERANCE;
  for (const t of spec.inputs) t.grad = null;
  const before = spec.inputs.map((t) => Float32Array.from(t.data));
  const y = spec.fn(...spec.inputs);
  if (!y.requiresGrad) throw new Error(`gradcheck ${spec.name}: output does not require grad`);
  const g = fillRandom(new Float32Array(y.numel), spec.seed ?? 99) as Float32Array;
  y.backward(new Tensor(new Float32Array(g), y.shape));
  const analytic: Float32Array[] = [], numeric: Float64Array[] = [];
  const failures: string[] = [];
  spec.inputs.forEach((t, k) => {
    if (!t.data.every((v, i) => Object.is(v, before[k]![i]))) failures.push(`input ${k} was modified by forward or backward`);
  });
  spec.inputs.forEach((t, k) => {
    if (!t.requiresGrad) {
      if (t.grad !== null) failures.push(`input ${k} does not require grad but got one`);
      return;
    }
    const ana = t.grad?.data ?? new Float32Array(t.numel);
    const num = new Float64Array(t.numel);
    const x = t.data;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v + h;
      const hp = x[i]! - v;
      const lp = noGrad(() => weighted(spec.fn(...spec.inputs), g));
      x[i] = v - h;
      const hm = v - x[i]!;
      const lm = noGrad(() => weighted(spec.fn(...spec.inputs), g));
      x[i] = v;
      num[i] = (lp - lm) / (hp + hm);
    }
    let first = -1, count = 0;
    for (let i = 0; i < num.length; i++) {
      if (!(Math.abs(ana[i]! - num[i]!) <= tol.atol + tol.rtol * Math.abs(num[i]!))) {
        if (first < 0) first = i;
        count++;
      }
    }
    if (first >= 0) {
      failures.push(
        `d(input ${k})[${first}] numeric ${num[first]}, analytic ${ana[first]} (atol ${tol.atol} + rtol ${tol.rtol}; ${count} of ${num.length} fail)`,
      );
    }
    analytic.push(ana);
    numeric.push(num);
  });
  if (failures.length) throw new Error(`gradcheck ${spec.name}: ${failures.join('; ')}`);
  return { analytic, numeric };
}

/** A tensor of deterministic values in [shift − scale, shift + scale). */
export function rnd(shape: number[], seed: number, options: { scale?: number; shift?: number; requiresGrad?: boolean } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = fillRandom(new Float32Array(n), seed, options.scale ?? 1, options.shift ?? 0) as Float32Array;
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? true });
}

/**
 * A tensor whose values are a shuffled grid spaced `spacing` apart (all distinct by far more than the
 * finite-difference step), centred on 0: for max pooling, where near-ties would flip the argmax.
 */
export function distinct(shape: number[], seed: number, spacing = 0.1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const keys = fillRandom(new Float64Array(n), seed) as Float64Array;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  const data = new Float32Array(n);
  order.forEach((slot, rank) => (data[slot] = (rank - (n - 1) / 2) * spacing));
  return new Tensor(data, shape, { requiresGrad: true });
}

/** Moves every value of `t` within `margin` of a kink to kink ± margin (keeps piecewise ops smooth around it). */
export function avoid(t: Tensor, kinks: number[], margin = 0.05): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    for (const k of kinks) {
      if (Math.abs(d[i]! - k) < margin) d[i] = d[i]! >= k ? k + margin : k - margin;
    }
  }
  return t;
}
