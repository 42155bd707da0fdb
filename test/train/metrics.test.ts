/**
 * fit's streaming metrics (src/train/metrics.ts) against independent float64 loops in this file:
 * every metric fed several batches of different sizes equals the metric of the concatenated data;
 * r2 on targets with mean 1e4 and std 0.1; accuracy and top-k ties; function metrics weighted by
 * batch size; the registry; metricMode; errors.
 */
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.js';
import { isPortableMetric, metricMode, registerMetric, resolveMetrics, type Metric, type MetricSpec } from '../../src/train/metrics.js';

/** Deterministic uniforms in [0, 1) (a small LCG). */
function uniforms(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

/** Deterministic standard normals (Box–Muller), rounded to float32. */
function normals(n: number, seed: number): Float32Array {
  const u = uniforms(2 * n, seed);
  return Float32Array.from({ length: n }, (_, i) => Math.sqrt(-2 * Math.log(1 - u[2 * i]!)) * Math.cos(2 * Math.PI * u[2 * i + 1]!));
}

const BATCHES = [3, 7, 1, 12, 5, 2]; // 30 samples in batches of different sizes

/** Feeds rows [start, start + size) of (N, ...rest) arrays batch by batch. */
function feed(m: Metric, yPred: Float32Array, y: Float32Array, predRow: number[], yRow: number[], sizes = BATCHES): void {
  const pw = predRow.reduce((a, b) => a * b, 1), yw = yRow.reduce((a, b) => a * b, 1);
  let start = 0;
  for (const n of sizes) {
    m.update(yPred.slice(start * pw, (start + n) * pw), [n, ...predRow], y.slice(start * yw, (start + n) * yw), [n, ...yRow]);
    start += n;
  }
}

const one = (spec: MetricSpec): Metric => resolveMetrics([spec])[0]!;

/** The metric over all data in one update. */
function whole(spec: MetricSpec, yPred: Float32Array, y: Float32Array, predRow: number[], yRow: number[]): number {
  const m = one(spec);
  const N = BATCHES.reduce((a, b) => a + b, 0);
  m.update(yPred, [N, ...predRow], y, [N, ...yRow]);
  return m.result();
}

/** sklearn's r2_score (uniform_average, force_finite) by two passes in double. */
function r2Reference(yPred: ArrayLike<number>, y: ArrayLike<number>, N: number, K: number): number {
  let total = 0;
  for (let j = 0; j < K; j++) {
    let mean = 0;
    for (let i = 0; i < N; i++) mean += y[i * K + j]!;
    mean /= N;
    let tot = 0, res = 0;
    for (let i = 0; i < N; i++) {
      tot += (y[i * K + j]! - mean) ** 2;
      res += (y[i * K + j]! - yPred[i * K + j]!) ** 2;
    }
    total += tot !== 0 ? 1 - res / tot : res === 0 ? 1 : 0;
  }
  return total / K;
}

const N = BATCHES.reduce((a, b) => a + b, 0);

describe('mse, rmse, mae', () => {
  const K = 2;
  const y = normals(N * K, 1), yPred = Float32Array.from(normals(N * K, 2), (v, i) => y[i]! + 0.3 * v);
  let sq = 0, ab = 0;
  for (let i = 0; i < N * K; i++) {
    sq += (yPred[i]! - y[i]!) ** 2;
    ab += Math.abs(yPred[i]! - y[i]!);
  }
  const expected = { mse: sq / (N * K), rmse: Math.sqrt(sq / (N * K)), mae: ab / (N * K) };

  for (const name of ['mse', 'rmse', 'mae'] as const) {
    it(`${name} over batches of different sizes equals ${name} over every element`, () => {
      const m = one(name);
      expect(m.name).toBe(name);
      expect(m.mode).toBe('min');
      expect(m.portable).toBe(true);
      expect(m.result()).toBeNaN();
      feed(m, yPred, y, [K], [K]);
      expect(m.result()).toBeCloseTo(expected[name], 12);
      expect(m.result()).toBeCloseTo(whole(name, yPred, y, [K], [K]), 12);
      m.reset();
      expect(m.result()).toBeNaN();
      m.update(Float32Array.from([1, 2]), [2], Float32Array.from([0, 4]), [2]);
      expect(m.result()).toBeCloseTo({ mse: 2.5, rmse: Math.sqrt(2.5), mae: 1.5 }[name], 12);
    });
  }

  it('rmse is the root of the epoch mse, not the mean of batch rmses', () => {
    const m = one('rmse');
    m.update(Float32Array.from([1]), [1], Float32Array.from([0]), [1]); // batch rmse 1
    m.update(Float32Array.from([3, 0, 0]), [3], Float32Array.from([0, 0, 0]), [3]); // batch rmse √3
    expect(m.result()).toBeCloseTo(Math.sqrt(10 / 4), 12);
  });

  it('(N, 1) against (N) is an error naming both shapes', () => {
    const m = one('rmse');
    expect(() => m.update(new Float32Array(4), [4, 1], new Float32Array(4), [4])).toThrow('rmse: yPred (4, 1) and y (4) must have the same shape; reshape y to (4, 1)');
    expect(() => one('mae').update(new Float32Array(3), [3], new Float32Array(4), [4])).toThrow('mae: yPred (3) and y (4) must have the same shape');
    expect(() => m.update(new Float32Array(3), [4], new Float32Array(4), [4])).toThrow('rmse: yPred has 3 values but yPredShape (4) needs 4');
    expect(() => m.update([1] as unknown as Float32Array, [1], new Float32Array(1), [1])).toThrow('rmse: yPred must be a Float32Array, got [1]');
  });
});

describe('r2', () => {
  it('one column: streaming equals sklearn on the concatenated data', () => {
    const y = normals(N, 3), yPred = Float32Array.from(normals(N, 4), (v, i) => 0.8 * y[i]! + 0.4 * v);
    const m = one('r2');
    expect(m.mode).toBe('max');
    feed(m, yPred, y, [], []);
    const expected = r2Reference(yPred, y, N, 1);
    expect(expected).toBeGreaterThan(0.2);
    expect(expected).toBeLessThan(0.95);
    expect(m.result()).toBeCloseTo(expected, 12);
    expect(m.result()).toBeCloseTo(whole('r2', yPred, y, [], []), 12);
  });

  it('(N, K): the mean over columns; a constant column gives 1 if predicted exactly, else 0 (sklearn force_finite)', () => {
    const K = 4;
    const z = normals(N * K, 5), e = normals(N * K, 6);
    const y = new Float32Array(N * K), yPred = new Float32Array(N * K);
    for (let i = 0; i < N; i++) {
      y[i * K] = 3 * z[i * K]! + 2; // ordinary column
      yPred[i * K] = y[i * K]! + e[i * K]!;
      y[i * K + 1] = z[i * K + 1]!; // a poor prediction: negative R²
      yPred[i * K + 1] = -z[i * K + 1]!;
      y[i * K + 2] = 7; // constant, predicted exactly → 1
      yPred[i * K + 2] = 7;
      y[i * K + 3] = -1.5; // constant, predicted wrongly → 0
      yPred[i * K + 3] = -1.5 + 0.1 * e[i * K + 3]!;
    }
    const m = one('r2');
    feed(m, yPred, y, [K], [K]);
    const expected = r2Reference(yPred, y, N, K);
    const col1 = r2Reference(yPred.filter((_, i) => i % K === 1), y.filter((_, i) => i % K === 1), N, 1);
    expect(col1).toBeCloseTo(-3, 0); // 1 − Σ(2y)²/Σ(y − ȳ)² ≈ −3
    expect(m.result()).toBeCloseTo(expected, 12);
    const perfect = one('r2');
    perfect.update(Float32Array.from([5, 5, 5]), [3], Float32Array.from([5, 5, 5]), [3]);
    expect(perfect.result()).toBe(1);
    const constantMissed = one('r2');
    constantMissed.update(Float32Array.from([5, 5, 6]), [3], Float32Array.from([5, 5, 5]), [3]);
    expect(constantMissed.result()).toBe(0);
  });

  it('targets with mean 1e4 and std 0.1: accurate to 1e-9 relative (the naive Σy² − (Σy)²/n is not)', () => {
    const n = 2000, sizes = [1, 999, 17, 500, 483];
    const z = normals(n, 7), e = normals(n, 8);
    const y = Float32Array.from(z, (v) => 1e4 + 0.1 * v);
    const yPred = Float32Array.from(y, (v, i) => v + 0.05 * e[i]!);
    const m = one('r2');
    let start = 0;
    for (const b of sizes) {
      m.update(yPred.slice(start, start + b), [b], y.slice(start, start + b), [b]);
      start += b;
    }
    const expected = r2Reference(yPred, y, n, 1);
    expect(expected).toBeGreaterThan(0.5);
    expect(Math.abs(m.result() - expected) / Math.abs(expected)).toBeLessThan(1e-9);
    // The test can tell: SS_tot from raw sums in double is off by far more than the tolerance.
    let s = 0, s2 = 0, mean = 0;
    for (let i = 0; i < n; i++) {
      s += y[i]!;
      s2 += y[i]! * y[i]!;
      mean += y[i]!;
    }
    mean /= n;
    let tot = 0;
    for (let i = 0; i < n; i++) tot += (y[i]! - mean) ** 2;
    expect(Math.abs(s2 - (s * s) / n - tot) / tot).toBeGreaterThan(1e-8);
  });

  it('NaN before two samples; shape errors', () => {
    const m = one('r2');
    expect(m.result()).toBeNaN();
    m.update(Float32Array.from([1]), [1], Float32Array.from([2]), [1]);
    expect(m.result()).toBeNaN();
    m.update(Float32Array.from([3]), [1], Float32Array.from([4]), [1]);
    // y = [2, 4], ŷ = [1, 3]: SS_res = 2, SS_tot = 2 → 0
    expect(m.result()).toBe(0);
    expect(() => m.update(new Float32Array(4), [2, 2], new Float32Array(4), [2, 2])).toThrow('r2: earlier batches had 1 output columns, this one has 2 (y (2, 2))');
    expect(() => one('r2').update(new Float32Array(8), [2, 2, 2], new Float32Array(8), [2, 2, 2])).toThrow('r2: expected targets (N) or (N, K), got (2, 2, 2)');
    expect(() => one('r2').update(new Float32Array(2), [2, 1], new Float32Array(2), [2])).toThrow('r2: yPred (2, 1) and y (2) must have the same shape; reshape y to (2, 1)');
  });
});

/** Classes ordered best first: larger score first, NaN first, ties by lower index (the documented rule). */
function ranking(row: number[]): number[] {
  const key = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  return row.map((_, c) => c).sort((a, b) => key(row[b]!) - key(row[a]!) || a - b);
}

describe('accuracy and topKAccuracy', () => {
  const C = 5;
  const logits = Float32Array.from(normals(N * C, 9));
  // ties: row 0 all equal, row 1 two equal maxima, row 2 a NaN
  logits.set([1, 1, 1, 1, 1], 0);
  logits.set([0.5, 2, -1, 2, 0], C);
  logits.set([0.5, NaN, 3, 0, 0], 2 * C);
  const cls = Float32Array.from(uniforms(N, 10), (u) => Math.floor(u * C));
  cls.set([2, 3, 1], 0);
  const oneHot = new Float32Array(N * C);
  cls.forEach((c, i) => (oneHot[i * C + c] = 1));
  const rows = Array.from({ length: N }, (_, i) => Array.from(logits.subarray(i * C, i * C + C)));
  const topK = (k: number): number => rows.filter((r, i) => ranking(r).slice(0, k).includes(cls[i]!)).length / N;

  it('accuracy: argmax of the scores (first on ties, NaN largest) against class indices or one-hot rows', () => {
    const expected = topK(1);
    expect(expected).toBeGreaterThan(0);
    const m = one('accuracy');
    expect(m.mode).toBe('max');
    feed(m, logits, cls, [C], []);
    expect(m.result()).toBe(expected);
    const h = one('accuracy');
    feed(h, logits, oneHot, [C], [C]);
    expect(h.result()).toBe(expected);
    // the tie rows as documented: row 0 predicts 0 (target 2: wrong), row 1 predicts 1 (target 3: wrong), row 2 predicts 1 (NaN; target 1: right)
    const ties = one('accuracy');
    ties.update(logits.slice(0, 3 * C), [3, C], cls.slice(0, 3), [3]);
    expect(ties.result()).toBe(1 / 3);
  });

  it('accuracy: one-hot targets with ties take their first maximum', () => {
    const m = one('accuracy');
    m.update(Float32Array.from([0, 1, 0, 1, 0, 0]), [2, 3], Float32Array.from([0.5, 0.5, 0, 0.5, 0.5, 0]), [2, 3]);
    expect(m.result()).toBe(0.5); // targets 0 and 0; predictions 1 and 0
  });

  it('accuracy: binary logits (N) or (N, 1) against 0/1 targets, class 1 iff logit > 0', () => {
    const z = normals(N, 11);
    z[0] = 0; // a logit of exactly 0 predicts class 0
    const t = Float32Array.from(uniforms(N, 12), (u) => (u < 0.5 ? 1 : 0));
    t[0] = 0;
    let ok = 0;
    for (let i = 0; i < N; i++) ok += (z[i]! > 0 ? 1 : 0) === t[i] ? 1 : 0;
    for (const row of [[], [1]]) {
      const m = one('accuracy');
      feed(m, z, t, row, row);
      expect(m.result()).toBe(ok / N);
    }
  });

  it('topKAccuracy: the target among the k best (ties to the lower index), top1 = accuracy, top5 of 5 = 1', () => {
    for (const k of [1, 2, 3, 5]) {
      const m = one(`top${k}Accuracy`);
      expect(m.name).toBe(`top${k}Accuracy`);
      expect(m.mode).toBe('max');
      expect(m.portable).toBe(true);
      feed(m, logits, cls, [C], []);
      expect(m.result()).toBe(topK(k));
      const h = one(`top${k}Accuracy`);
      feed(h, logits, oneHot, [C], [C]);
      expect(h.result()).toBe(topK(k));
    }
    expect(topK(2)).toBeGreaterThan(topK(1));
    expect(topK(5)).toBe(1);
    // all-equal row 0 with target 2: classes 0 and 1 rank above it
    const tie = one('top2Accuracy');
    tie.update(Float32Array.from([1, 1, 1, 1]), [1, 4], Float32Array.from([2]), [1]);
    expect(tie.result()).toBe(0);
    const tie3 = one('top3Accuracy');
    tie3.update(Float32Array.from([1, 1, 1, 1]), [1, 4], Float32Array.from([2]), [1]);
    expect(tie3.result()).toBe(1);
  });

  it('binary accuracy reads a mixed target in [0, 1] as the class it is nearer (from ½ on: 1), as a mixed row by its argmax', () => {
    // What MixUp/CutMix hand the training metrics of a 'bce' model: labels blended into (0, 1).
    const acc = one('accuracy');
    const logits = Float32Array.from([-2, 3, 0.5, -0.1, 1, -1]);
    const mixed = Float32Array.from([2.93e-7, 0.9, 0.5, 0.49, 0.2, 1]);
    acc.update(logits, [6, 1], mixed, [6, 1]);
    // targets → 0, 1, 1, 0, 0, 1; predictions → 0, 1, 1, 0, 1, 0
    expect(acc.result()).toBe(4 / 6);
    const hard = one('accuracy');
    hard.update(logits, [6, 1], Float32Array.from([0, 1, 1, 0, 0, 1]), [6, 1]);
    expect(hard.result()).toBe(acc.result());
  });

  it('errors: bad class indices, binary targets, shapes, k', () => {
    const acc = one('accuracy');
    expect(() => acc.update(new Float32Array(6), [2, 3], Float32Array.from([0, 1.5]), [2])).toThrow('accuracy: y[1] = 1.5 is not a class index in [0, 2] (yPred (2, 3))');
    expect(() => acc.update(new Float32Array(6), [2, 3], Float32Array.from([3, 0]), [2])).toThrow('accuracy: y[0] = 3 is not a class index in [0, 2]');
    expect(() => acc.update(new Float32Array(6), [2, 3], Float32Array.from([0, 1]), [2, 1])).toThrow(
      'accuracy: expected y (2) of class indices or (2, 3) of one-hot rows for yPred (2, 3), got (2, 1); reshape y to (2)',
    );
    expect(() => acc.update(new Float32Array(2), [2], Float32Array.from([0, 1.5]), [2])).toThrow('accuracy: binary targets must be 0 or 1 (or a mixed label in [0, 1]), got y[1] = 1.5');
    expect(() => acc.update(new Float32Array(2), [2], Float32Array.from([-0.25, 0]), [2])).toThrow('got y[0] = -0.25 (yPred (2) holds one logit per sample)');
    expect(() => acc.update(new Float32Array(2), [2], Float32Array.from([0, NaN]), [2])).toThrow('got y[1] = NaN');
    expect(() => acc.update(new Float32Array(2), [2, 1], Float32Array.from([0, 1]), [2])).toThrow('accuracy: yPred (2, 1) and y (2) must have the same shape; reshape y to (2, 1)');
    expect(() => acc.update(new Float32Array(8), [2, 2, 2], new Float32Array(2), [2])).toThrow(/accuracy: expected yPred \(N, C\).*got \(2, 2, 2\)/);
    expect(acc.result()).toBeNaN();
    expect(() => one('top4Accuracy').update(new Float32Array(6), [2, 3], Float32Array.from([0, 1]), [2])).toThrow(
      'top4Accuracy: k = 4 is larger than the number of classes, 3 (yPred (2, 3))',
    );
    expect(() => one('top1Accuracy').update(new Float32Array(2), [2, 1], Float32Array.from([0, 0]), [2])).toThrow(/top1Accuracy: expected yPred \(N, C\) of class scores with C >= 2, got \(2, 1\)/);
    expect(() => one('top0Accuracy')).toThrow('resolveMetrics: "top0Accuracy": k must be an integer >= 1 without leading zeros, got 0');
    expect(() => one('top05Accuracy')).toThrow(/without leading zeros, got 05/);
  });
});

describe('function metrics', () => {
  it('the batch values averaged with batch sizes as weights', () => {
    const y = normals(N, 13), yPred = normals(N, 14);
    function maxError(p: Tensor, t: Tensor): number {
      let m = 0;
      for (let i = 0; i < p.numel; i++) m = Math.max(m, Math.abs(p.data[i]! - t.data[i]!));
      return m;
    }
    const m = one(maxError);
    expect(m.name).toBe('maxError');
    expect(m.mode).toBe('min');
    expect(m.portable).toBe(false);
    feed(m, yPred, y, [], []);
    let start = 0, s = 0;
    for (const b of BATCHES) {
      let mx = 0;
      for (let i = start; i < start + b; i++) mx = Math.max(mx, Math.abs(yPred[i]! - y[i]!));
      s += b * mx;
      start += b;
    }
    expect(m.result()).toBeCloseTo(s / N, 12);
  });

  it('a per-sample mean streams exactly; { name, fn, mode } sets name and mode; the Tensors carry the shapes', () => {
    const K = 3;
    const y = normals(N * K, 15), yPred = normals(N * K, 16);
    const shapes: string[] = [];
    const m = one({
      name: 'meanAbs',
      mode: 'max',
      fn: (p, t) => {
        shapes.push(`${p.shape.join('x')}|${t.shape.join('x')}`);
        let s = 0;
        for (let i = 0; i < p.numel; i++) s += Math.abs(p.data[i]! - t.data[i]!);
        return s / p.numel;
      },
    });
    expect(m.name).toBe('meanAbs');
    expect(m.mode).toBe('max');
    feed(m, yPred, y, [K], [K]);
    expect(shapes).toEqual(BATCHES.map((b) => `${b}x${K}|${b}x${K}`));
    let s = 0;
    for (let i = 0; i < N * K; i++) s += Math.abs(yPred[i]! - y[i]!);
    expect(m.result()).toBeCloseTo(s / (N * K), 12);
  });

  it('errors: no name, a reserved or bad name, unknown keys, bad mode, a non-number result', () => {
    expect(() => resolveMetrics([(() => 1) as (p: Tensor, t: Tensor) => number])).toThrow(
      'resolveMetrics: metric function at index 0 has no name; pass a named function or { name, fn }',
    );
    expect(() => one({ name: 'loss', fn: () => 1 })).toThrow("resolveMetrics: 'loss' is reserved");
    expect(() => one({ name: 'valScore', fn: () => 1 })).toThrow('resolveMetrics: metric name "valScore" would read as the validation key of "score"; choose another name');
    expect(() => one({ name: 'my metric', fn: () => 1 })).toThrow(/a metric name must be a letter followed by letters, digits or '_'/);
    expect(() => one({ name: 'f', fn: () => 1, model: 'max' } as unknown as MetricSpec)).toThrow('resolveMetrics: unknown key "model" in metric at index 0 (known keys: name, fn, mode)');
    expect(() => one({ name: 'f', fn: () => 1, mode: 'up' } as unknown as MetricSpec)).toThrow(`resolveMetrics: metric "f": mode must be 'min' or 'max', got "up"`);
    expect(() => one({ name: 'f', fn: 1 } as unknown as MetricSpec)).toThrow('resolveMetrics: metric "f": fn must be a function (yPred, y) => number, got 1');
    const m = one({ name: 'asTensor', fn: (p) => p as unknown as number });
    expect(() => m.update(new Float32Array(1), [1], new Float32Array(1), [1])).toThrow(
      "metric 'asTensor': the metric function must return a number, got a Tensor of shape (1) (call .item() on the Tensor)",
    );
  });
});

describe('resolveMetrics', () => {
  it('returns fresh metrics in order', () => {
    const ms = resolveMetrics(['rmse', 'mae', 'r2']);
    expect(ms.map((m) => m.name)).toEqual(['rmse', 'mae', 'r2']);
    const [a, b] = [one('rmse'), one('rmse')];
    a.update(Float32Array.from([1]), [1], Float32Array.from([0]), [1]);
    expect(a.result()).toBe(1);
    expect(b.result()).toBeNaN();
  });

  it('unknown names list the known ones; duplicates and non-arrays throw', () => {
    expect(() => resolveMetrics(['rmse', 'acuracy' as MetricSpec])).toThrow(
      'resolveMetrics: unknown metric "acuracy" at index 1 (known metrics: mse, rmse, mae, r2, accuracy, phm08, top<k>Accuracy (e.g. top5Accuracy); or a function, or { name, fn })',
    );
    expect(() => resolveMetrics(['mae', 'rmse', 'mae'])).toThrow('resolveMetrics: metric "mae" appears twice; metric names must be unique (they are log keys)');
    expect(() => resolveMetrics(['rmse', { name: 'rmse', fn: () => 0 }])).toThrow(/"rmse" appears twice/);
    expect(() => resolveMetrics('rmse' as unknown as MetricSpec[])).toThrow('resolveMetrics: metrics must be an array of metric specs, got "rmse"');
    expect(() => resolveMetrics([3 as unknown as MetricSpec])).toThrow(/metric at index 0 must be a name/);
  });
});

/** A registered metric: the largest absolute error (a mode 'min' metric), and a hit rate (mode 'max'). */
class MaxAbsError implements Metric {
  readonly name = 'maxAbsError';
  readonly mode = 'min' as const;
  readonly portable = true;
  private m = NaN;
  reset(): void {
    this.m = NaN;
  }
  update(p: Float32Array, _ps: readonly number[], y: Float32Array): void {
    for (let i = 0; i < y.length; i++) {
      const d = Math.abs(p[i]! - y[i]!);
      if (!(d <= this.m)) this.m = d;
    }
  }
  result(): number {
    return this.m;
  }
}

describe('registerMetric and metricMode', () => {
  it('a registered metric resolves by name, and metricMode knows its mode', () => {
    registerMetric('maxAbsError', () => new MaxAbsError());
    const m = one('maxAbsError');
    m.update(Float32Array.from([1, 5, 2]), [3], Float32Array.from([0, 1, 2]), [3]);
    expect(m.result()).toBe(4);
    expect(metricMode('valMaxAbsError')).toBe('min');
    const hit: Metric = { name: 'hitScore', mode: 'max', portable: false, reset() {}, update() {}, result: () => 0.25 };
    registerMetric('hitScore', () => hit);
    expect(metricMode('hitScore')).toBe('max');
    expect(metricMode('valHitScore')).toBe('max');
    expect(() => resolveMetrics(['nope' as MetricSpec])).toThrow(/known metrics: mse, rmse, mae, r2, accuracy, phm08, maxAbsError, hitScore, top<k>Accuracy/);
  });

  it('isPortableMetric: built-in and top-k names yes; functions, { name, fn }, user-registered or unknown names no', () => {
    registerMetric('localOnly', () => ({ name: 'localOnly', mode: 'min', portable: false, reset() {}, update() {}, result: () => 0 }));
    registerMetric('movable', () => ({ name: 'movable', mode: 'min', portable: true, reset() {}, update() {}, result: () => 0 }));
    for (const spec of ['mse', 'rmse', 'mae', 'r2', 'accuracy', 'top3Accuracy']) expect([spec, isPortableMetric(spec)]).toEqual([spec, true]);
    // A worker has only the built-in registrations, whatever the metric says of itself.
    for (const spec of ['localOnly', 'movable', 'top0Accuracy', 'rmsee']) expect([spec, isPortableMetric(spec)]).toEqual([spec, false]);
    expect(isPortableMetric(function f1() {
      return 0;
    })).toBe(false);
    expect(isPortableMetric({ name: 'f', fn: () => 0 })).toBe(false);
  });

  it('re-registering needs replace; built-in names and bad factories throw', () => {
    registerMetric('spread', () => ({ name: 'spread', mode: 'min', portable: true, reset() {}, update() {}, result: () => 1 }));
    expect(() => registerMetric('spread', () => new MaxAbsError())).toThrow('registerMetric: a metric named "spread" is already registered (pass { replace: true } to replace it)');
    registerMetric('spread', () => ({ name: 'spread', mode: 'max', portable: true, reset() {}, update() {}, result: () => 2 }), { replace: true });
    expect(one('spread').result()).toBe(2);
    expect(metricMode('valSpread')).toBe('max');
    expect(() => registerMetric('rmse', () => new MaxAbsError(), { replace: true })).toThrow('registerMetric: "rmse" is a built-in metric and cannot be replaced');
    expect(() => registerMetric('top3Accuracy', () => new MaxAbsError())).toThrow(/built-in metric/);
    expect(() => registerMetric('other', () => new MaxAbsError())).toThrow('registerMetric: the factory of metric "other" returned a metric named "maxAbsError"');
    expect(() => registerMetric('other', () => ({}) as Metric)).toThrow(/must return a Metric/);
    expect(() => registerMetric('other', () => ({ ...new MaxAbsError(), name: 'other', reset() {}, update() {}, result: () => 0, mode: 'down' }) as unknown as Metric)).toThrow(
      `registerMetric: metric "other": mode must be 'min' or 'max', got "down"`,
    );
    expect(() => registerMetric('other', () => new MaxAbsError(), { replce: true } as unknown as { replace: boolean })).toThrow('registerMetric: unknown option "replce" (known options: replace)');
    expect(() => registerMetric('loss', () => new MaxAbsError())).toThrow(/'loss' is reserved/);
  });

  it('metricMode: losses and errors min; accuracy, r2 and their variants max', () => {
    const cases: Array<[string, 'min' | 'max']> = [
      ['loss', 'min'],
      ['valLoss', 'min'],
      ['mse', 'min'],
      ['valRmse', 'min'],
      ['mae', 'min'],
      ['r2', 'max'],
      ['valR2', 'max'],
      ['accuracy', 'max'],
      ['valAccuracy', 'max'],
      ['top5Accuracy', 'max'],
      ['valTop5Accuracy', 'max'],
      ['balancedAccuracy', 'max'],
      ['val_accuracy', 'max'],
      ['adjustedR2', 'max'],
      ['r2Score', 'max'],
      ['error2', 'min'],
      ['inaccuracy', 'min'],
      ['phm08', 'min'],
      ['value', 'min'],
    ];
    for (const [key, mode] of cases) expect([key, metricMode(key)]).toEqual([key, mode]);
    expect(() => metricMode(3 as unknown as string)).toThrow('metricMode: name must be a string, got 3');
  });
});
