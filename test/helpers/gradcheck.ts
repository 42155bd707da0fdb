/**
 * Gradient checking of backward kernels against float64 central finite differences.
 *
 * For a forward f(inputs) -> y and a fixed random upstream gradient g, the scalar is
 * L = sum_i g_i y_i, so dL/dinput is exactly what a backward kernel computes from dy = g. For each
 * element e of each differentiable input, the numerical gradient is
 *
 *   (L(e + h) - L(e - h)) / 2h,   h = 1e-6, float64 throughout,
 *
 * and it must match the analytic gradient within GRADCHECK_TOLERANCE:
 * |analytic - numeric| <= atol + rtol |numeric|. Error budget with h = 1e-6: truncation is
 * h^2 |f'''| / 6 ~ 1e-13 for the smooth (or linear) functions checked here, and rounding is about
 * 2^-52 sum_i |g_i y_i| / h ~ 1e-10 * sum_i |g_i y_i|, so for O(10)-sized sums both are far below
 * atol = 1e-6.
 *
 * A failure names the kernel, the case, the input, the index (flat, and per dimension when a shape
 * is given), the numeric and analytic values and how many elements failed.
 */
import { fillRandom } from './compare.js';
import { GRADCHECK_TOLERANCE, type Tolerance } from '../tolerances.js';

export interface GradcheckSpec {
  /** Kernel (or kernel family) under test, e.g. 'conv1d'. */
  kernel: string;
  /** Case description: shapes and options. */
  case: string;
  /** Differentiable inputs by name. The harness perturbs these arrays in place (and restores them). */
  inputs: Record<string, Float64Array>;
  /** Optional shapes of the inputs, for per-dimension indices in failure messages. */
  shapes?: Record<string, readonly number[]>;
  /** y = f(inputs); must read the inputs it is given and return a fresh output every call. */
  forward: (inputs: Record<string, Float64Array>) => Float64Array;
  /** Analytic gradients of sum(dy * y) for every input name, from the backward kernels. */
  backward: (dy: Float64Array, inputs: Record<string, Float64Array>) => Record<string, Float64Array>;
  /** Seed of the upstream gradient g (default 1234). */
  seed?: number;
  /** Finite-difference step (default 1e-6). */
  h?: number;
  tol?: Tolerance;
}

export interface GradcheckResult {
  upstream: Float64Array;
  numeric: Record<string, Float64Array>;
  analytic: Record<string, Float64Array>;
}

export const GRADCHECK_STEP = 1e-6;

function loss(y: Float64Array, g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += g[i]! * y[i]!;
  return s;
}

/** "[5] (1, 0, 2)" for a flat index in a shape, or "[5]" without one. */
function describeIndex(i: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length < 2) return `[${i}]`;
  const idx: number[] = [];
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]!);
    r = Math.floor(r / shape[d]!);
  }
  return `[${i}] (${idx.join(', ')})`;
}

/** Runs the check; throws a descriptive Error on any mismatch, else returns both gradients. */
export function gradcheck(spec: GradcheckSpec): GradcheckResult {
  const { kernel, inputs } = spec;
  const h = spec.h ?? GRADCHECK_STEP;
  const tol = spec.tol ?? GRADCHECK_TOLERANCE;
  const where = `${kernel} ${spec.case}`;
  const names = Object.keys(inputs);
  const snapshot = Object.fromEntries(names.map((n) => [n, Float64Array.from(inputs[n]!)]));

  const y0 = spec.forward(inputs);
  if (!(y0 instanceof Float64Array)) throw new Error(`${where}: forward must return a Float64Array`);
  const g = fillRandom(new Float64Array(y0.length), spec.seed ?? 1234) as Float64Array;

  const analytic = spec.backward(Float64Array.from(g), inputs);
  const missing = names.filter((n) => !(n in analytic));
  const extra = Object.keys(analytic).filter((n) => !(n in inputs));
  if (missing.length || extra.length) {
    throw new Error(`${where}: backward returned gradients for [${Object.keys(analytic).join(', ')}], inputs are [${names.join(', ')}]`);
  }

  const numeric: Record<string, Float64Array> = {};
  for (const name of names) {
    const x = inputs[name]!;
    const num = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v + h;
      const lp = loss(spec.forward(inputs), g);
      x[i] = v - h;
      const lm = loss(spec.forward(inputs), g);
      x[i] = v;
      num[i] = (lp - lm) / (2 * h);
    }
    numeric[name] = num;
  }

  for (const name of names) {
    const a = inputs[name]!, s = snapshot[name]!;
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], s[i])) throw new Error(`${where}: input ${name}[${i}] was modified by forward or backward`);
    }
  }

  const failures: string[] = [];
  for (const name of names) {
    const num = numeric[name]!, ana = analytic[name]!;
    if (ana.length !== num.length) {
      failures.push(`d${name} has length ${ana.length}, expected ${num.length}`);
      continue;
    }
    let first = -1, count = 0;
    for (let i = 0; i < num.length; i++) {
      const want = num[i]!, got = ana[i]!;
      if (!(Math.abs(got - want) <= tol.atol + tol.rtol * Math.abs(want))) {
        if (first < 0) first = i;
        count++;
      }
    }
    if (first >= 0) {
      const want = num[first]!, got = ana[first]!;
      failures.push(
        `d${name}${describeIndex(first, spec.shapes?.[name])} numeric ${want}, analytic ${got} ` +
          `(|diff| ${Math.abs(got - want)} > atol ${tol.atol} + rtol ${tol.rtol}·|numeric|; ${count} of ${num.length} elements of d${name} fail)`,
      );
    }
  }
  if (failures.length) throw new Error(`gradcheck ${where}: ${failures.join('; ')}`);
  return { upstream: g, numeric, analytic };
}

/** A Float64Array of n deterministic values in [shift - scale, shift + scale). */
export function rand64(n: number, seed: number, scale = 1, shift = 0): Float64Array {
  return fillRandom(new Float64Array(n), seed, scale, shift) as Float64Array;
}
