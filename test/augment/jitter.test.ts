// augment.jitter: mean kept and variance raised by σ² (bounds from the number of draws), per-sample p, any (N, ...) shape.
import { describe, expect, it } from 'vitest';
import { jitter } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { meanVar, row, series } from './helpers.js';

describe('augment.jitter', () => {
  it('adds noise of mean 0 and variance σ²: the mean is kept and the variance grows by σ²', () => {
    manualSeed(3);
    const sigma = 0.05;
    const x = series(200, 4, 50, (i, c, t) => Math.sin(0.3 * t + i) + c);
    const out = jitter({ sigma }).apply(x).x;
    const n = x.numel;
    const noise = out.data.map((v, k) => v - x.data[k]!);
    const d = meanVar(noise);
    expect(Math.abs(d.mean)).toBeLessThan((5 * sigma) / Math.sqrt(n));
    // Var of a sample variance of n normals: 2σ⁴/n.
    expect(Math.abs(d.variance - sigma ** 2)).toBeLessThan(5 * sigma ** 2 * Math.sqrt(2 / n));
    const before = meanVar(x.data), after = meanVar(out.data);
    expect(Math.abs(after.mean - before.mean)).toBeLessThan((5 * sigma) / Math.sqrt(n));
    // The cross term 2·cov(x, ε) has standard deviation 2σ·sd(x)/√n.
    const bound = 5 * (sigma ** 2 * Math.sqrt(2 / n) + (2 * sigma * Math.sqrt(before.variance)) / Math.sqrt(n));
    expect(Math.abs(after.variance - before.variance - sigma ** 2)).toBeLessThan(bound);
  });

  it('defaults to σ = 0.03 and p = 1, and σ = 0 leaves the batch unchanged', () => {
    expect(jitter().toSpec()).toEqual({ type: 'jitter', options: { sigma: 0.03, p: 1 } });
    const x = series(3, 2, 5, (i, c, t) => i + c * t);
    expect(jitter({ sigma: 0 }).apply(x).x.data).toEqual(x.data);
  });

  it('works on any (N, ...) batch, returns a new tensor outside the graph, and does not touch x or y', () => {
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3], { requiresGrad: true });
    const y = new Tensor(new Float32Array([1, 2, 3, 4]), [4]);
    const copy = new Float32Array(x.data);
    const out = jitter({ sigma: 1 }).apply(x, y);
    expect(out.x.shape).toEqual([4, 3]);
    expect(out.x).not.toBe(x);
    expect(out.x.requiresGrad).toBe(false);
    expect(out.x.data).not.toEqual(x.data);
    expect(x.data).toEqual(copy);
    expect(out.y).toBe(y);
  });

  it('p: each sample is jittered with probability p, the others are left exactly as they were', () => {
    manualSeed(11);
    const n = 2000, p = 0.3;
    const x = series(n, 2, 4, (i, c, t) => i + c + t);
    const out = jitter({ sigma: 1, p }).apply(x).x;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const same = row(out, i, 0).every((v, t) => v === row(x, i, 0)[t]) && row(out, i, 1).every((v, t) => v === row(x, i, 1)[t]);
      if (!same) changed++;
    }
    expect(Math.abs(changed / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });
});
