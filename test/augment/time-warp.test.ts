// augment.timeWarp: length L, ends kept, constants stay constant, ramps stay strictly increasing, one warp per sample.
import { describe, expect, it } from 'vitest';
import { timeWarp } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { row, series } from './helpers.js';

describe('augment.timeWarp', () => {
  const n = 300, c = 3, l = 40;

  it('a ramp comes out as the warp τ itself: strictly increasing, from 0 to L − 1, the same for every channel', () => {
    manualSeed(2);
    const out = timeWarp({ sigma: 0.2, knots: 4 }).apply(series(n, c, l, (_, __, t) => t)).x;
    expect(out.shape).toEqual([n, c, l]);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const tau = row(out, i, 0);
      expect(tau[0]).toBe(0);
      expect(tau[l - 1]).toBeCloseTo(l - 1, 4);
      for (let t = 1; t < l; t++) expect(tau[t]! > tau[t - 1]!).toBe(true);
      for (let ch = 1; ch < c; ch++) expect(row(out, i, ch)).toEqual(tau);
      moved = Math.max(moved, ...tau.map((v, t) => Math.abs(v - t)));
    }
    // The warp really moves time (by more than a step somewhere).
    expect(moved).toBeGreaterThan(1);
  });

  it('at the largest σ (1) and knots (100) the warp is still finite and strictly increasing', () => {
    manualSeed(6);
    const out = timeWarp({ sigma: 1, knots: 100 }).apply(series(n, 1, 400, (_, __, t) => t)).x;
    for (let i = 0; i < n; i++) {
      const tau = row(out, i, 0);
      expect(tau.every((v, t) => Number.isFinite(v) && (t === 0 || v > tau[t - 1]!)), `sample ${i}`).toBe(true);
    }
  });

  it('keeps the first and last values and a constant series constant', () => {
    manualSeed(4);
    const x = series(n, c, l, (i, ch, t) => Math.sin(0.4 * t + i) + ch);
    const out = timeWarp({ sigma: 0.5 }).apply(x).x;
    for (let i = 0; i < n; i++) {
      expect(row(out, i, 1)[0]).toBe(row(x, i, 1)[0]);
      expect(row(out, i, 1)[l - 1]).toBeCloseTo(row(x, i, 1)[l - 1]!, 5);
    }
    const flat = timeWarp({ sigma: 0.5 }).apply(series(50, 2, l, (i) => 3.25 + i)).x;
    for (let k = 0; k < flat.numel; k++) expect(flat.data[k]).toBeCloseTo(3.25 + Math.floor(k / (2 * l)), 5);
  });

  it('σ = 0 and L = 1 leave the batch unchanged; defaults are σ 0.2, 4 knots', () => {
    const x = series(4, 2, l, (i, ch, t) => i * t - ch);
    expect(timeWarp({ sigma: 0 }).apply(x).x.data).toEqual(x.data);
    const one = series(3, 2, 1, (i) => i);
    expect(timeWarp().apply(one).x.data).toEqual(one.data);
    expect(timeWarp().toSpec()).toEqual({ type: 'timeWarp', options: { sigma: 0.2, knots: 4, p: 1 } });
  });
});
