// RUL metrics: the PHM08 score (hand values, both signs, d = 0; a sum), 'phm08' in fit's registry, batches vs whole set, rmse/phm08Score functions.
import { describe, expect, it } from 'vitest';
import { isPortableMetric, metricMode, resolveMetrics } from '../../src/train/metrics.js';
import { phm08Score, phm08Term, Phm08Metric, rmse } from '../../src/train/metrics/rul.js';
import { Tensor } from '../../src/tensor/tensor.js';

const E = Math.E;

describe('PHM08 score', () => {
  it('costs e^(−d/13) − 1 early (d < 0), e^(d/10) − 1 late (d ≥ 0), 0 at d = 0', () => {
    expect(phm08Term(0)).toBe(0);
    expect(phm08Term(-13)).toBeCloseTo(E - 1, 14);
    expect(phm08Term(10)).toBeCloseTo(E - 1, 14);
    expect(phm08Term(-26)).toBeCloseTo(E * E - 1, 13);
    // Late predictions cost more than early ones by the same amount.
    expect(phm08Term(5)).toBeGreaterThan(phm08Term(-5));
  });

  it('is the SUM over samples (not a mean): hand value for d = 0, −13 and +10', () => {
    const yPred = [10, 20, 40];
    const y = [10, 33, 30];
    expect(phm08Score(yPred, y)).toBeCloseTo(2 * (E - 1), 12);
    expect(phm08Score([...yPred, ...yPred], [...y, ...y])).toBeCloseTo(4 * (E - 1), 12);
  });

  it('the streaming metric over batches equals the function over the whole set', () => {
    const n = 37;
    const yPred = Float32Array.from({ length: n }, (_, i) => 60 + ((i * 29) % 41) - 20);
    const y = Float32Array.from({ length: n }, (_, i) => 50 + ((i * 13) % 31) - 10);
    const m = new Phm08Metric();
    expect(m.result()).toBeNaN();
    for (let s = 0; s < n; s += 8) {
      const e = Math.min(n, s + 8);
      m.update(yPred.subarray(s, e), [e - s, 1], y.subarray(s, e), [e - s, 1]);
    }
    const whole = phm08Score(new Tensor(yPred, [n, 1]), y);
    let hand = 0;
    for (let i = 0; i < n; i++) hand += phm08Term(yPred[i]! - y[i]!);
    expect(whole).toBe(hand);
    expect(m.result()).toBeCloseTo(whole, 9);
    m.reset();
    expect(m.result()).toBeNaN();
  });

  it("'phm08' is a built-in, worker-portable metric with mode 'min'", () => {
    const [m] = resolveMetrics(['phm08']);
    expect(m).toBeInstanceOf(Phm08Metric);
    expect([m!.name, m!.mode, m!.portable]).toEqual(['phm08', 'min', true]);
    expect(isPortableMetric('phm08')).toBe(true);
    expect(metricMode('valPhm08')).toBe('min');
  });

  it('checks shapes as the other metrics do', () => {
    expect(() => new Phm08Metric().update(new Float32Array(2), [2], new Float32Array(2), [2, 1])).toThrow('phm08: yPred (2) and y (2, 1) must have the same shape; reshape y to (2)');
  });
});

describe('rmse and phm08Score functions', () => {
  it('rmse: √(mean d²), hand value; a (N, 1) Tensor scores against a plain array of N values', () => {
    expect(rmse([1, 2, 3, 4], [1, 2, 3, 8])).toBe(2);
    expect(rmse(new Tensor(Float32Array.of(0, 3), [2, 1]), [4, 3])).toBe(Math.sqrt(8));
    expect(rmse(new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]), new Tensor(Float32Array.of(1, 2, 3, 5), [2, 2]))).toBe(0.5);
  });

  it('errors name the function and the argument', () => {
    expect(() => rmse([1, 2], [1, 2, 3])).toThrow('rmse: yPred (2) and y (3) must have the same shape');
    expect(() => phm08Score([], [])).toThrow('phm08Score: yPred is empty; there is nothing to score');
    expect(() => phm08Score(['1'] as never, [1])).toThrow('phm08Score: yPred[0] must be a number, got "1"');
    expect(() => rmse(3 as never, [1])).toThrow('rmse: yPred must be a Tensor or an array of numbers, got 3');
  });
});
