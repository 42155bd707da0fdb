// augment.windowSlice: a crop of round(ratio·L) steps at a uniform start, stretched back to L steps (ramps show the crop exactly).
import { describe, expect, it } from 'vitest';
import { windowSlice } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { meanVar, row, series } from './helpers.js';

describe('augment.windowSlice', () => {
  it('a ramp comes out as the ramp over the crop: start s in [0, L − w], end s + w − 1, linear between, shared by channels', () => {
    manualSeed(9);
    const n = 2000, c = 2, l = 30, ratio = 0.7, w = 21;
    const out = windowSlice({ ratio }).apply(series(n, c, l, (_, __, t) => t)).x;
    expect(out.shape).toEqual([n, c, l]);
    const starts: number[] = [];
    let err = 0; // the largest distance from the crop's ramp
    for (let i = 0; i < n; i++) {
      const r = row(out, i, 0);
      const s = r[0]!;
      expect(Number.isInteger(s) && s >= 0 && s <= l - w).toBe(true);
      expect(r[l - 1]).toBeCloseTo(s + w - 1, 4);
      for (let t = 0; t < l; t++) err = Math.max(err, Math.abs(r[t]! - (s + (t * (w - 1)) / (l - 1))));
      expect(row(out, i, 1)).toEqual(r);
      starts.push(s);
    }
    expect(err).toBeLessThan(1e-4);
    // Starts are uniform on {0, …, L − w}: every one occurs, mean (L − w)/2, variance ((L − w + 1)² − 1)/12.
    expect(new Set(starts).size).toBe(l - w + 1);
    const sd = Math.sqrt(((l - w + 1) ** 2 - 1) / 12);
    expect(Math.abs(meanVar(starts).mean - (l - w) / 2)).toBeLessThan((5 * sd) / Math.sqrt(n));
  });

  it('keeps a constant series constant and a monotone one monotone', () => {
    manualSeed(1);
    const flat = windowSlice({ ratio: 0.5 }).apply(series(20, 3, 17, () => -2.5)).x;
    expect(flat.data.every((v) => Math.abs(v + 2.5) < 1e-6)).toBe(true);
    const out = windowSlice({ ratio: 0.5 }).apply(series(20, 1, 17, (i, _, t) => Math.exp(0.2 * t) + i)).x;
    for (let i = 0; i < 20; i++) {
      const r = row(out, i, 0);
      for (let t = 1; t < r.length; t++) expect(r[t]! >= r[t - 1]!).toBe(true);
    }
  });

  it('ratio 1 is the identity; defaults to ratio 0.9', () => {
    const x = series(5, 2, 11, (i, ch, t) => Math.cos(i + ch + t));
    expect(windowSlice({ ratio: 1 }).apply(x).x.data).toEqual(x.data);
    expect(windowSlice().toSpec()).toEqual({ type: 'windowSlice', options: { ratio: 0.9, p: 1 } });
  });
});
