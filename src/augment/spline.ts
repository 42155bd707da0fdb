/**
 * The natural cubic spline the warping transforms draw their smooth random curves with (internal).
 * Knots sit evenly over the series, t_k = k·(L − 1)/(m − 1), k = 0..m−1, and a curve is evaluated at
 * every step t = 0..L−1. A spline is linear in its knot values, so the evaluation is a fixed
 * (L × m) matrix B — the "basis" — and a curve through values v is B·v; B is built once per (m, L).
 *
 * Natural spline through (t_k, v_k) with h = t_{k+1} − t_k: second derivatives M_0 = M_{m−1} = 0 and,
 * for the interior knots,
 *   h·M_{k−1} + 4h·M_k + h·M_{k+1} = 6·(v_{k+1} − 2v_k + v_{k−1})/h,
 * and on [t_k, t_{k+1}], with a = (t_{k+1} − t)/h, b = (t − t_k)/h:
 *   S(t) = a·v_k + b·v_{k+1} + ((a³ − a)·M_k + (b³ − b)·M_{k+1})·h²/6.
 * Every row of B sums to 1 (the spline through a constant is that constant), so a curve through
 * values with mean μ has mean μ at every step. scipy's CubicSpline (which Um et al. and Iwana &
 * Uchida call) uses not-a-knot ends instead; the curves differ only near the ends.
 */

const cache = new Map<string, Float64Array>();

/** B (row-major, L × m): row t holds the weights of the m knot values at step t. Needs m ≥ 2. */
export function splineBasis(m: number, length: number): Float64Array {
  const key = `${m}:${length}`;
  let b = cache.get(key);
  if (b === undefined) {
    b = buildBasis(m, length);
    if (cache.size > 64) cache.clear();
    cache.set(key, b);
  }
  return b;
}

function buildBasis(m: number, length: number): Float64Array {
  const B = new Float64Array(length * m);
  if (length === 1) {
    B[0] = 1; // one step: the curve's value is its first knot's
    return B;
  }
  const h = (length - 1) / (m - 1);
  for (let j = 0; j < m; j++) {
    // The spline through the unit vector e_j is column j of B.
    const v = new Float64Array(m);
    v[j] = 1;
    const M = secondDerivatives(v, h);
    for (let t = 0; t < length; t++) {
      const k = Math.min(Math.floor(t / h), m - 2);
      const b = (t - k * h) / h, a = 1 - b;
      B[t * m + j] = a * v[k]! + b * v[k + 1]! + ((a * a * a - a) * M[k]! + (b * b * b - b) * M[k + 1]!) * (h * h) / 6;
    }
  }
  return B;
}

/** M_k of the natural spline through v on evenly spaced knots (the tridiagonal system above, Thomas algorithm). */
function secondDerivatives(v: Float64Array, h: number): Float64Array {
  const m = v.length;
  const M = new Float64Array(m);
  const n = m - 2; // interior unknowns
  if (n <= 0) return M;
  // Rows divided by h: M_{k−1} + 4M_k + M_{k+1} = rhs_k.
  const c = new Float64Array(n), d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i + 1;
    const rhs = (6 * (v[k + 1]! - 2 * v[k]! + v[k - 1]!)) / (h * h);
    const denom = 4 - (i > 0 ? c[i - 1]! : 0);
    c[i] = 1 / denom;
    d[i] = (rhs - (i > 0 ? d[i - 1]! : 0)) / denom;
  }
  for (let i = n - 1; i >= 0; i--) M[i + 1] = d[i]! - (i < n - 1 ? c[i]! * M[i + 2]! : 0);
  return M;
}

/** The curve through `values[offset .. offset + m)` at every step, written to out[0 .. L). */
export function evalSpline(basis: Float64Array, m: number, values: Float64Array, offset: number, out: Float64Array): void {
  for (let t = 0; t < out.length; t++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += basis[t * m + k]! * values[offset + k]!;
    out[t] = s;
  }
}
