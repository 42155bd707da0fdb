// λ ~ Beta(α, β) from the Marsaglia–Tsang gamma sampler: the whole distribution (Kolmogorov–Smirnov against closed-form CDFs), moments, tiny α.
import { describe, expect, it } from 'vitest';
import { sampleBeta } from '../../src/augment/beta.js';
import { manualSeed } from '../../src/tensor/random.js';
import { meanVar } from './helpers.js';

/** Largest distance between the empirical CDF of `draws` and `cdf`. */
function ksDistance(draws: number[], cdf: (x: number) => number): number {
  const s = [...draws].sort((a, b) => a - b);
  let d = 0;
  s.forEach((v, i) => {
    const f = cdf(v);
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs(f - (i + 1) / s.length));
  });
  return d;
}

describe('sampleBeta', () => {
  const n = 4000;
  // At significance 0.001 the Kolmogorov–Smirnov distance stays below 1.95/√n.
  const ksBound = 1.95 / Math.sqrt(n);

  it.each([
    ['Beta(1, 1) (uniform; gamma shape ≥ 1)', 1, 1, (x: number) => x],
    ['Beta(2, 2)', 2, 2, (x: number) => 3 * x * x - 2 * x ** 3],
    ['Beta(0.5, 0.5) (arcsine; the shape < 1 boost)', 0.5, 0.5, (x: number) => (2 / Math.PI) * Math.asin(Math.sqrt(x))],
    ['Beta(2, 1)', 2, 1, (x: number) => x * x],
    ['Beta(0.2, 1)', 0.2, 1, (x: number) => x ** 0.2],
  ] as const)('%s: follows the closed-form CDF', (_, a, b, cdf) => {
    manualSeed(20);
    const draws = Array.from({ length: n }, () => sampleBeta(a, b));
    expect(draws.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(ksDistance(draws, cdf)).toBeLessThan(ksBound);
  });

  it.each([0.2, 0.4, 1, 5])('Beta(%f, %f): mean 1/2 and variance 1/(4(2α + 1)) within their sampling error', (alpha) => {
    manualSeed(21);
    const draws = Array.from({ length: n }, () => sampleBeta(alpha, alpha));
    const variance = 1 / (4 * (2 * alpha + 1));
    // Symmetric Beta: excess kurtosis −6/(2α + 3), so Var(sample variance) ≈ σ⁴(2 − 6/(2α + 3))/n.
    const sdOfVariance = variance * Math.sqrt((2 - 6 / (2 * alpha + 3)) / n);
    const { mean, variance: v } = meanVar(draws);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(Math.abs(v - variance)).toBeLessThan(5 * sdOfVariance);
  });

  it('tiny α still gives values in [0, 1] (log-space gammas do not underflow to 0/0)', () => {
    manualSeed(23);
    const tiny = Array.from({ length: 200 }, () => sampleBeta(0.001, 0.001));
    expect(tiny.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    // Almost all mass sits at the ends.
    expect(tiny.filter((v) => v > 0.01 && v < 0.99).length).toBeLessThan(10);
  });
});
