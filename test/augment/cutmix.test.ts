// augment.cutmix: one contiguous segment from the partner, the same in every channel, targets mixed by the exact share of swapped steps.
import { describe, expect, it } from 'vitest';
import { cutmix } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { meanVar, row, series } from './helpers.js';

const indices = (n: number) => new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);

describe('augment.cutmix', () => {
  // Sample i reads 1000·i + 10·ch + t everywhere, so each output step says which sample it came from.
  const n = 12, c = 3, l = 7;
  const x = series(n, c, l, (i, ch, t) => 1000 * i + 10 * ch + t);
  const source = (v: number) => Math.floor(v / 1000);

  it('swaps one contiguous time segment with the partner in all channels; labels mixed by the share of swapped steps', () => {
    manualSeed(41);
    let mixedBatches = 0;
    for (let b = 0; b < 50; b++) {
      const { x: xm, y: ym } = cutmix({ targets: 'classes', numClasses: n }).apply(x, indices(n));
      expect(ym!.shape).toEqual([n, n]);
      for (let i = 0; i < n; i++) {
        const from = row(xm, i, 0).map(source);
        const partner = from.find((s) => s !== i);
        const swapped = from.map((s) => s !== i);
        const steps = swapped.filter(Boolean).length;
        if (partner !== undefined) {
          // Contiguous: the swapped steps form one run.
          const first = swapped.indexOf(true);
          expect(swapped.slice(first, first + steps).every(Boolean)).toBe(true);
          mixedBatches++;
        }
        for (let ch = 0; ch < c; ch++) {
          // Each step holds the right sample's value for that channel and step (nothing moved in time).
          expect(row(xm, i, ch)).toEqual(from.map((s, t) => 1000 * s + 10 * ch + t));
        }
        const labels = Array.from(ym!.data.subarray(i * n, (i + 1) * n));
        expect(labels.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
        if (partner !== undefined) {
          expect(labels[i]).toBeCloseTo(1 - steps / l, 6);
          expect(labels[partner]).toBeCloseTo(steps / l, 6);
        } else {
          expect(labels[i]).toBe(1);
        }
      }
    }
    expect(mixedBatches).toBeGreaterThan(0);
  });

  it('regression targets get the same share: ỹ_i = λ′·y_i + (1 − λ′)·y_partner', () => {
    manualSeed(42);
    const y = new Tensor(Float32Array.from({ length: n }, (_, i) => 3 * i + 1), [n]);
    const { x: xm, y: ym } = cutmix({ targets: 'regression' }).apply(x, y);
    for (let i = 0; i < n; i++) {
      const from = row(xm, i, 0).map(source);
      const expected = from.reduce((a, s) => a + (3 * s + 1) / l, 0);
      expect(ym!.data[i]).toBeCloseTo(expected, 4);
    }
  });

  it('the own share λ′ = 1 − S/L has mean 1/2 for α = 1 (uniform λ, rounding symmetric)', () => {
    manualSeed(43);
    const aug = cutmix({ alpha: 1, targets: 'regression' });
    const y = new Tensor(new Float32Array(2), [2]);
    const xx = series(2, 1, l, (i) => i);
    const shares: number[] = [];
    for (let b = 0; b < 1000; b++) {
      const out = aug.apply(xx, y).x;
      // Sample 0 reads 0, sample 1 reads 1: sample 0's own share is its count of zeros, unless it was paired with itself.
      const own = row(out, 0, 0).filter((v) => v === 0).length;
      if (own < l || row(out, 1, 0).some((v) => v === 0)) shares.push(own / l);
    }
    expect(shares.length).toBeGreaterThan(200);
    expect(Math.abs(meanVar(shares).mean - 0.5)).toBeLessThan((5 * Math.sqrt(1 / 12)) / Math.sqrt(shares.length));
  });

  it('defaults to α = 1', () => {
    expect(cutmix({ targets: 'probabilities' }).toSpec()).toEqual({ type: 'cutmix', options: { alpha: 1, targets: 'probabilities' } });
  });
});
