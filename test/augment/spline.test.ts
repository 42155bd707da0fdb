// The natural cubic spline basis: passes through its knots, reproduces constants and straight lines, has zero curvature at the ends.
import { describe, expect, it } from 'vitest';
import { evalSpline, splineBasis } from '../../src/augment/spline.js';

function curve(values: number[], length: number): Float64Array {
  const out = new Float64Array(length);
  evalSpline(splineBasis(values.length, length), values.length, Float64Array.from(values), 0, out);
  return out;
}

describe('splineBasis', () => {
  it('passes through the knot values at the knot steps (knots on whole steps: L − 1 divisible by m − 1)', () => {
    const v = [0.3, -1, 2, 0.5, 1.5, -0.2];
    const s = curve(v, 26); // h = 5
    v.forEach((value, k) => expect(s[5 * k]).toBeCloseTo(value, 12));
  });

  it('reproduces a constant and a straight line exactly (rows sum to 1)', () => {
    for (const [m, l] of [[3, 10], [6, 30], [7, 2], [4, 1]] as const) {
      const B = splineBasis(m, l);
      for (let t = 0; t < l; t++) {
        let sum = 0;
        for (let k = 0; k < m; k++) sum += B[t * m + k]!;
        expect(sum).toBeCloseTo(1, 12);
      }
    }
    const line = curve([1, 3, 5, 7, 9], 17); // value 1 + 8·t/16
    line.forEach((v, t) => expect(v).toBeCloseTo(1 + t / 2, 12));
  });

  it('is natural: the second difference vanishes at the ends, and the curve is not piecewise linear inside', () => {
    const s = curve([0, 1, -1, 1, 0], 401); // h = 100
    expect(Math.abs(s[2]! - 2 * s[1]! + s[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(s[400]! - 2 * s[399]! + s[398]!)).toBeLessThan(1e-5);
    expect(Math.abs(s[201]! - 2 * s[200]! + s[199]!)).toBeGreaterThan(1e-4);
  });
});
