// augment.magnitudeWarp: smooth random gain curves (second difference bounded by the knots' spline bound), mean 1, knot spread σ.
import { describe, expect, it } from 'vitest';
import { magnitudeWarp } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { meanVar, row, series } from './helpers.js';

describe('augment.magnitudeWarp', () => {
  // L = 61 with 4 interior knots puts the 6 knots exactly on steps 0, 12, …, 60 (h = 12).
  const n = 400, c = 4, l = 61, h = 12, sigma = 0.2;

  it('multiplies by a curve through knots ~ N(1, σ²): mean 1, knot spread σ', () => {
    manualSeed(7);
    const out = magnitudeWarp({ sigma, knots: 4 }).apply(series(n, c, l, () => 1)).x;
    const m = n * c;
    for (const t of [0, 6, 30, 47, 60]) {
      const at = Array.from({ length: m }, (_, k) => out.data[k * l + t]!);
      expect(Math.abs(meanVar(at).mean - 1)).toBeLessThan((5 * sigma) / Math.sqrt(m));
    }
    const knots = Array.from({ length: m }, (_, k) => out.data[k * l + 2 * h]!);
    expect(Math.abs(Math.sqrt(meanVar(knots).variance) - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * m));
  });

  it('is smooth: every second difference is within the natural spline bound 3·max|Δ²v|/h² of its knots', () => {
    manualSeed(8);
    const x = series(n, c, l, (i, ch, t) => 2 + Math.cos(t));
    const out = magnitudeWarp({ sigma, knots: 4 }).apply(x).x;
    let worst = 0, excess = -Infinity;
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const w = row(out, i, ch).map((v, t) => v / row(x, i, ch)[t]!);
        const v = [0, 1, 2, 3, 4, 5].map((k) => w[k * h]!);
        const bound = (3 * Math.max(...[1, 2, 3, 4].map((k) => Math.abs(v[k + 1]! - 2 * v[k]! + v[k - 1]!)))) / h ** 2;
        for (let t = 1; t < l - 1; t++) {
          const d2 = Math.abs(w[t + 1]! - 2 * w[t]! + w[t - 1]!);
          excess = Math.max(excess, d2 - bound);
          worst = Math.max(worst, d2);
        }
      }
    }
    expect(excess).toBeLessThan(1e-5);
    // White noise of the same spread would have second differences around σ·√6 ≈ 0.5.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.05);
  });

  it('defaults to σ = 0.2 and 4 knots; one knot works; L = 1 is a scaling', () => {
    expect(magnitudeWarp().toSpec()).toEqual({ type: 'magnitudeWarp', options: { sigma: 0.2, knots: 4, p: 1 } });
    const out = magnitudeWarp({ knots: 1 }).apply(series(2, 2, 9, () => 1)).x;
    expect(out.data.every(Number.isFinite)).toBe(true);
    expect(magnitudeWarp().apply(series(3, 2, 1, () => 1)).x.shape).toEqual([3, 2, 1]);
  });
});
