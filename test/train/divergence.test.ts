/**
 * divergenceIndex on constructed curves: a clean U-shape, a noisy plateau, a late divergence, curves
 * that only fall, a bump that comes back down, a rise while training loss rises too, too few epochs
 * after the minimum, and small curves whose smoothing, noise estimate and thresholds are worked out by
 * hand. Noise is deterministic: a 32-bit LCG feeding Box–Muller, one stream per seed.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { divergenceIndex, movingAverage } from '../../src/train/divergence.js';

/** Standard normal deviates from a seeded LCG (Numerical Recipes' constants) through Box–Muller. */
function gaussian(seed: number): () => number {
  let s = (Math.imul(seed, 2654435761) + 12345) >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** A training loss that falls all run long. */
const falling = (n: number) => range(n).map((i) => 0.1 + 0.9 * Math.exp(-i / 8));
/** A V: falls by `down` an epoch to 0.3 at epoch m, then rises by `up` an epoch. */
const vee = (n: number, m: number, down: number, up: number) => range(n).map((i) => 0.3 + (i <= m ? down * (m - i) : up * (i - m)));
const seeds = (count: number) => range(count);

describe('movingAverage', () => {
  it('is a centred mean whose window is cut off at the ends', () => {
    const x = [1, 2, 3, 4, 10];
    expect(movingAverage(x, 1)).toEqual(x);
    const w3 = movingAverage(x, 3);
    [1.5, 2, 3, 17 / 3, 7].forEach((v, i) => expect(w3[i]).toBeCloseTo(v, 12));
    const w5 = movingAverage(x, 5);
    [2, 2.5, 4, 4.75, 17 / 3].forEach((v, i) => expect(w5[i]).toBeCloseTo(v, 12));
  });
});

describe('divergenceIndex on constructed curves', () => {
  it('finds the bottom of a clean U-shape (noise-free exactly, noisy within one epoch)', () => {
    const u = range(41).map((i) => 0.3 + 0.002 * (i - 20) ** 2);
    expect(divergenceIndex(falling(41), u)).toBe(20);
    for (const seed of seeds(50)) {
      const g = gaussian(seed);
      const e = divergenceIndex(falling(41), u.map((v) => v + 0.004 * g()));
      expect(e, `seed ${seed}`).not.toBeNull();
      expect(Math.abs(e! - 20), `seed ${seed}: onset ${e}`).toBeLessThanOrEqual(1);
    }
  });

  it('finds a flat-bottomed U-shape that has not cleared the threshold `patience` epochs after its minimum', () => {
    // 0.0015·(i − 20)² rises 0.0135 in 3 epochs, about the noise threshold: the first draft of the rule
    // (evidence fixed at e + 3 … end) returned null for 17% of these seeds.
    let found = 0;
    for (const seed of seeds(100)) {
      const g = gaussian(seed);
      const e = divergenceIndex(falling(40), range(40).map((i) => 0.3 + 0.0015 * (i - 20) ** 2 + 0.005 * g()));
      if (e !== null && Math.abs(e - 20) <= 2) found++;
    }
    expect(found).toBe(100);
  });

  it('calls (almost) no noisy plateau a divergence', () => {
    // Validation loss falls to a plateau at 0.4 with noise 0.01; training loss keeps falling. Over
    // 1,000 seeds 0.9% of these get an onset (the first draft of the rule: 3.7%); 1 of these 200 does.
    let onsets = 0;
    for (const seed of seeds(200)) {
      const g = gaussian(seed);
      if (divergenceIndex(falling(40), range(40).map((i) => 0.4 + 0.4 * Math.exp(-i / 3) + 0.01 * g())) !== null) onsets++;
    }
    expect(onsets).toBeLessThanOrEqual(2);
    // Pure noise around 0.5 from the first epoch: 0.6% of 1,000 seeds get an onset, none of these 200.
    let flat = 0;
    for (const seed of seeds(200)) {
      const g = gaussian(1000 + seed);
      if (divergenceIndex(falling(40), range(40).map(() => 0.5 + 0.02 * g())) !== null) flat++;
    }
    expect(flat).toBeLessThanOrEqual(2);
  });

  it('finds a late divergence where only the last 4–6 epochs rise', () => {
    // The rise (0.03 an epoch) is steeper than the fall (0.01): smoothed, sv[m − 1] = (0.32 + 0.31 +
    // 0.30)/3 = 0.31 < sv[m] = (0.31 + 0.30 + 0.33)/3 = 0.3133, so the onset is reported one epoch early.
    for (const m of [23, 24, 25]) {
      expect(divergenceIndex(falling(30), vee(30, m, 0.01, 0.03)), `noise-free, minimum at ${m}`).toBe(m - 1);
      for (const seed of seeds(20)) {
        const g = gaussian(seed);
        const e = divergenceIndex(falling(30), vee(30, m, 0.01, 0.03).map((v) => v + 0.003 * g()));
        expect(e, `minimum at ${m}, seed ${seed}`).not.toBeNull();
        expect(Math.abs(e! - m), `minimum at ${m}, seed ${seed}: onset ${e}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('returns null when both curves keep falling', () => {
    const val = range(30).map((i) => 0.3 + 0.5 * Math.exp(-i / 10));
    expect(divergenceIndex(falling(30), val)).toBeNull();
    for (const seed of seeds(50)) {
      const g = gaussian(seed);
      expect(divergenceIndex(falling(30), val.map((v) => v + 0.005 * g())), `seed ${seed}`).toBeNull();
    }
  });

  it('ignores a validation bump that comes back down, and finds the real onset after it', () => {
    const bump = (i: number) => 0.08 * Math.exp(-(((i - 12) / 2) ** 2));
    const down = range(40).map((i) => 0.3 + 0.5 * Math.exp(-i / 6) + bump(i));
    const later = vee(40, 32, 0.01, 0.03).map((v, i) => v + bump(i));
    expect(divergenceIndex(falling(40), down)).toBeNull();
    expect(divergenceIndex(falling(40), later)).toBe(31); // one epoch early, as for the late divergence
    for (const seed of seeds(30)) {
      const g = gaussian(seed);
      expect(divergenceIndex(falling(40), down.map((v) => v + 0.003 * g())), `seed ${seed}`).toBeNull();
      const e = divergenceIndex(falling(40), later.map((v) => v + 0.003 * g()));
      expect(e, `seed ${seed}`).not.toBeNull();
      expect(Math.abs(e! - 32), `seed ${seed}: onset ${e}`).toBeLessThanOrEqual(1);
    }
  });

  it('returns null when training loss rises too (underfitting or a bad learning rate)', () => {
    const val = range(41).map((i) => 0.3 + 0.002 * (i - 20) ** 2);
    const rising = range(41).map((i) => 0.2 + 0.001 * (i - 20) ** 2);
    expect(divergenceIndex(rising, val)).toBeNull();
    // Training loss still falls 3 epochs after the onset, then climbs back above its value there.
    const dipsThenRises = range(41).map((i) => 0.1 + 0.9 * Math.exp(-i / 8) + 0.01 * Math.max(0, i - 22) ** 1.5);
    expect(dipsThenRises[23]! < dipsThenRises[20]! && dipsThenRises[40]! > dipsThenRises[20]!).toBe(true);
    expect(divergenceIndex(dipsThenRises, val)).toBeNull();
    expect(divergenceIndex(falling(41), val)).toBe(20);
    for (const seed of seeds(30)) {
      const g = gaussian(seed);
      const noisy = val.map((v) => v + 0.004 * g());
      expect(divergenceIndex(rising.map((v) => v + 0.002 * g()), noisy), `seed ${seed}`).toBeNull();
      expect(divergenceIndex(dipsThenRises, noisy), `seed ${seed}`).toBeNull();
    }
  });

  it('needs `patience` epochs of evidence after the minimum', () => {
    // A V with slopes 0.05: the smoothed minimum is the vertex, σ = 0 (the residuals are zero but at
    // the vertex and the two ends), tol = 1% of 0.333.
    const v = (n: number, m: number) => range(n).map((i) => 0.3 + 0.05 * Math.abs(i - m));
    expect(divergenceIndex(falling(20), v(20, 17))).toBeNull(); // 2 epochs after
    expect(divergenceIndex(falling(20), v(20, 16))).toBe(16); // 3 epochs after
    expect(divergenceIndex(falling(20), v(20, 16), { patience: 4 })).toBeNull();
    expect(divergenceIndex(falling(20), v(20, 15), { patience: 4 })).toBe(15);
    expect(divergenceIndex(falling(20), v(20, 19))).toBeNull(); // the minimum is the last epoch
  });

  it('returns 0 when validation loss rises from the first epoch', () => {
    expect(divergenceIndex(falling(10), range(10).map((i) => 0.5 + 0.05 * i))).toBe(0);
  });

  it('with smoothing 1 uses the raw curves and tol = minRise·|v[e]| (worked by hand)', () => {
    const train = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const val = [1, 0.8, 0.6, 0.5, 0.51, 0.52, 0.53];
    // Raw minimum 0.5 at 3; tol = 0.005; 0.51, 0.52, 0.53 all clear 0.505: three epochs of evidence.
    expect(divergenceIndex(train, val, { smoothing: 1 })).toBe(3);
    // 0.504 does not clear 0.505: the tail is 0.52, 0.53 only.
    expect(divergenceIndex(train, [1, 0.8, 0.6, 0.5, 0.504, 0.52, 0.53], { smoothing: 1 })).toBeNull();
    // minRise 0.05: tol = 0.025, only 0.53 clears 0.525.
    expect(divergenceIndex(train, val, { smoothing: 1, minRise: 0.05 })).toBeNull();
    // Default smoothing 3: sv = 0.9, 0.8, 0.633, 0.537, 0.51, 0.52, 0.525 — the minimum moves to
    // index 4, which leaves two epochs after it.
    expect(divergenceIndex(train, val)).toBeNull();
  });

  it('scales the noise threshold by noiseMultiple·σ, σ = 1.4826·median|v − sv|/√(1 − 1/w) (worked by hand)', () => {
    const train = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const val = [0.9, 0.6, 0.5, 0.6, 0.7, 0.8, 0.9];
    // sv = 0.75, 0.6667, 0.5667, 0.6, 0.7, 0.8, 0.85 → e = 2; |v − sv| = 0.15, 0.0667, 0.0667, 0, 0, 0,
    // 0.05 → median 0.05; σ = 1.4826·0.05/√(2/3) = 0.090792. The rises after e: 0.0333, 0.1333,
    // 0.2333, 0.2833; the tail 4…6 (3 epochs) needs tol < 0.1333, i.e. noiseMultiple < 1.4685.
    expect(divergenceIndex(train, val, { noiseMultiple: 1.45 })).toBe(2);
    expect(divergenceIndex(train, val, { noiseMultiple: 1.5 })).toBeNull(); // without the √(2/3): 1.7986
    expect(divergenceIndex(train, val, { noiseMultiple: 0, patience: 4 })).toBe(2); // tol = 1%: tail 3…6
    expect(divergenceIndex(train, val, { noiseMultiple: 1.45, patience: 4 })).toBeNull();
  });
});

describe('divergenceIndex errors', () => {
  it('rejects bad curves, naming the argument and the index', () => {
    expect(() => divergenceIndex([1, 2, NaN], [1, 2, 3])).toThrow('divergenceIndex: trainLoss[2] must be a finite number, got NaN');
    expect(() => divergenceIndex([1, 2, 3], [1, Infinity, 3])).toThrow('divergenceIndex: valLoss[1] must be a finite number, got Infinity');
    expect(() => divergenceIndex([1, 2, 3], [1, '2', 3] as unknown as number[])).toThrow('divergenceIndex: valLoss[1] must be a finite number, got "2"');
    expect(() => divergenceIndex([1, 2, 3], [1, 2])).toThrow('divergenceIndex: trainLoss and valLoss must have the same length (one value per epoch), got 3 and 2');
    expect(() => divergenceIndex([], [])).toThrow('divergenceIndex: trainLoss must not be empty');
    expect(() => divergenceIndex([1], [])).toThrow('divergenceIndex: valLoss must not be empty');
    expect(() => divergenceIndex(new Float64Array(3) as unknown as number[], [1, 2, 3])).toThrow(OptionError);
    expect(() => divergenceIndex(null as unknown as number[], [1])).toThrow('divergenceIndex: trainLoss must be an array of numbers, got null');
  });

  it('rejects bad options, naming the option and the value', () => {
    const t = [3, 2, 1];
    const v = [3, 2, 1];
    expect(() => divergenceIndex(t, v, { smoothing: 2 })).toThrow('divergenceIndex: smoothing must be an odd positive integer (a centred window), got 2');
    expect(() => divergenceIndex(t, v, { smoothing: 0 })).toThrow('divergenceIndex: smoothing must be a positive integer, got 0');
    expect(() => divergenceIndex(t, v, { smoothing: 1.5 })).toThrow(OptionError);
    expect(() => divergenceIndex(t, v, { patience: 0 })).toThrow('divergenceIndex: patience must be a positive integer, got 0');
    expect(() => divergenceIndex(t, v, { minRise: -0.1 })).toThrow('divergenceIndex: minRise must be a finite number >= 0, got -0.1');
    expect(() => divergenceIndex(t, v, { minRise: NaN })).toThrow('divergenceIndex: minRise must be a finite number >= 0, got NaN');
    expect(() => divergenceIndex(t, v, { noiseMultiple: Infinity })).toThrow('divergenceIndex: noiseMultiple must be a finite number >= 0, got Infinity');
    expect(() => divergenceIndex(t, v, { smooth: 3 } as never)).toThrow('divergenceIndex: unknown option "smooth" (known options: smoothing, patience, minRise, noiseMultiple)');
    expect(() => divergenceIndex(t, v, 3 as never)).toThrow('divergenceIndex: options must be an object, got 3');
  });
});
