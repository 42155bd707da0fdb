// augment.mixup: inputs and targets mixed with the same λ and partner (regression, class indices, probabilities), E[λ] = 1/2.
import { describe, expect, it } from 'vitest';
import { mixup } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { meanVar, series } from './helpers.js';

const indices = (n: number) => new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);

/** λ and the partners of a batch mixed with class targets y_i = i (K = N): row i holds λ at i and 1 − λ at perm[i]. */
function readMix(y: Tensor): { lam: number | null; perm: number[] } {
  const [n, k] = y.shape as [number, number];
  let lam: number | null = null;
  const perm: number[] = [];
  for (let i = 0; i < n; i++) {
    const own = y.data[i * k + i]!;
    if (own === 1) perm.push(i);
    else {
      lam = own;
      perm.push(Array.from(y.data.subarray(i * k, (i + 1) * k)).findIndex((v, j) => j !== i && v > 0));
    }
  }
  return { lam, perm };
}

describe('augment.mixup', () => {
  it('class indices → (N, K) probability rows that sum to 1, and x mixed with the same λ and partners', () => {
    manualSeed(31);
    const n = 16, c = 3, l = 5;
    const x = series(n, c, l, (i, ch, t) => Math.sin(i + 2 * ch + 0.5 * t));
    const { x: xm, y: ym } = mixup({ alpha: 0.4, targets: 'classes', numClasses: n }).apply(x, indices(n));
    expect(ym!.shape).toEqual([n, n]);
    const { lam, perm } = readMix(ym!);
    expect(lam).not.toBeNull();
    expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    const per = c * l;
    for (let i = 0; i < n; i++) {
      const row = Array.from(ym!.data.subarray(i * n, (i + 1) * n));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      if (perm[i] !== i) expect(row[perm[i]!]).toBeCloseTo(1 - lam!, 6);
      for (let k = 0; k < per; k++) {
        expect(xm.data[i * per + k]).toBeCloseTo(lam! * x.data[i * per + k]! + (1 - lam!) * x.data[perm[i]! * per + k]!, 5);
      }
    }
  });

  it('regression and probability targets are mixed like the inputs: x_i = y_i stays true after mixing', () => {
    manualSeed(32);
    const n = 10;
    const x = new Tensor(Float32Array.from({ length: n * 2 }, (_, k) => Math.floor(k / 2) * 1.5), [n, 2]);
    const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i * 1.5), [n]);
    const out = mixup({ targets: 'regression' }).apply(x, y);
    for (let i = 0; i < n; i++) expect(out.x.data[2 * i]).toBeCloseTo(out.y!.data[i]!, 5);
    expect(out.y!.data).not.toEqual(y.data);

    // Row i of the probabilities is (a_i, 1 − a_i, 0) with a_i = x_i / 15, so mixed rows must keep that link.
    const probs = new Tensor(Float32Array.from({ length: n * 3 }, (_, k) => {
      const a = (Math.floor(k / 3) * 1.5) / 15;
      return [a, 1 - a, 0][k % 3]!;
    }), [n, 3]);
    const mixed = mixup({ targets: 'probabilities', numClasses: 3 }).apply(x, probs);
    expect(mixed.y!.shape).toEqual([n, 3]);
    for (let i = 0; i < n; i++) {
      const [a, b, z] = mixed.y!.data.subarray(3 * i, 3 * i + 3);
      expect(a!).toBeCloseTo(mixed.x.data[2 * i]! / 15, 6);
      expect(a! + b! + z!).toBeCloseTo(1, 6);
    }
    expect(mixed.y!.data).not.toEqual(probs.data);
  });

  it('λ is drawn once per batch from Beta(α, α): E[λ] = 1/2 over many batches', () => {
    manualSeed(33);
    const n = 8, batches = 600, alpha = 0.2;
    const x = series(n, 1, 1, (i) => i);
    const aug = mixup({ alpha, targets: 'classes', numClasses: n });
    const lams: number[] = [];
    for (let b = 0; b < batches; b++) {
      // Every row one-hot: λ rounded to 1 in float32 (the identity permutation has probability 1/8!).
      lams.push(readMix(aug.apply(x, indices(n)).y!).lam ?? 1);
    }
    const sd = Math.sqrt(1 / (4 * (2 * alpha + 1)));
    expect(Math.abs(meanVar(lams).mean - 0.5)).toBeLessThan((5 * sd) / Math.sqrt(lams.length));
  });

  it('defaults to α = 0.2; numClasses appears in the spec only when set', () => {
    expect(mixup({ targets: 'regression' }).toSpec()).toEqual({ type: 'mixup', options: { alpha: 0.2, targets: 'regression' } });
    expect(mixup({ targets: 'classes', numClasses: 4 }).toSpec()).toEqual({ type: 'mixup', options: { alpha: 0.2, targets: 'classes', numClasses: 4 } });
  });
});
