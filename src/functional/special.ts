/**
 * The error function in double precision (scalar helpers for gelu; not tensor ops).
 *
 *   erf(x)  = 2/√π ∫_0^x e^(−t²) dt,   erfc(x) = 1 − erf(x)
 *
 * |x| ≤ 2: the Maclaurin series erf(x) = 2/√π Σ_n (−1)^n x^(2n+1) / (n! (2n+1)), summed until the
 *   terms vanish (≤ 40 terms; the largest term at x = 2 is ≈ 21, so cancellation costs < 2 digits:
 *   absolute error ≈ 1e-15).
 * |x| > 2: erfc from its continued fraction (Abramowitz & Stegun 7.1.14)
 *   erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
 *   evaluated with modified Lentz to relative 1e-16, which keeps the tail accurate in relative
 *   terms (erfc(10) ≈ 2.1e-45) — what gelu's x·Φ(x) needs for very negative x.
 * Symmetry: erf(−x) = −erf(x), erfc(−x) = 2 − erfc(x). Relative error: erf < 2e-15, erfc < 3e-13 (worst
 * just below 2, where it is 1 − erf)
 * (checked against CPython's math.erf / math.erfc in test/functional/special.test.ts).
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc(x) for x > 2 by the continued fraction. */
function erfcFraction(x: number): number {
  if (x > 27.3) return 0; // e^(−x²) underflows
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x * x) * INV_SQRT_PI) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax <= 2) return erfSeries(x);
  const r = 1 - erfcFraction(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax <= 2) return 1 - erfSeries(x);
  const r = erfcFraction(ax);
  return x < 0 ? 2 - r : r;
}

/** Φ(x), the standard normal CDF: erfc(−x/√2)/2 (accurate in relative terms in the lower tail). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}
