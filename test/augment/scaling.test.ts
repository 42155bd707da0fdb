// augment.scaling: one factor per (sample, channel), constant along L, with mean 1 and standard deviation σ.
import { describe, expect, it } from 'vitest';
import { scaling } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { meanVar, row, series } from './helpers.js';

describe('augment.scaling', () => {
  it('multiplies each (sample, channel) by one factor ~ N(1, σ²)', () => {
    manualSeed(5);
    const sigma = 0.1, n = 1000, c = 3, l = 20;
    const x = series(n, c, l, (i, ch, t) => 1 + t + ch);
    const out = scaling({ sigma }).apply(x).x;
    const factors: number[] = [];
    let spread = 0; // the largest relative difference between a row's ratios and its first
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const ratios = row(out, i, ch).map((v, t) => v / row(x, i, ch)[t]!);
        for (const r of ratios) spread = Math.max(spread, Math.abs(r / ratios[0]! - 1));
        factors.push(ratios[0]!);
      }
    }
    expect(spread).toBeLessThan(1e-6);
    const m = factors.length;
    const { mean, variance } = meanVar(factors);
    expect(Math.abs(mean - 1)).toBeLessThan((5 * sigma) / Math.sqrt(m));
    expect(Math.abs(Math.sqrt(variance) - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * m));
    // Different (sample, channel) pairs get different factors.
    expect(new Set(factors).size).toBe(m);
  });

  it('defaults to σ = 0.1, p = 1', () => {
    expect(scaling().toSpec()).toEqual({ type: 'scaling', options: { sigma: 0.1, p: 1 } });
  });
});
