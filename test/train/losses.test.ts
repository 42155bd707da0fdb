/**
 * fit's named losses (src/train/losses.ts): unweighted values equal F's losses and hand-computed
 * numbers; the sample-weighted rule Σ w_i·ℓ_i / N against a plain double loop, value and gradient
 * (hand-written gradient and finite differences); custom functions; class weights; errors.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { classWeightsFor, resolveLoss, type LossName } from '../../src/train/losses.js';
import { gradcheckOp } from '../functional/helpers.js';

const t = (values: number[], shape: number[], requiresGrad = false): Tensor => new Tensor(Float32Array.from(values), shape, { requiresGrad });

/** Deterministic values in [-2, 2) (a small LCG), as numbers exactly representable in float32. */
function values(n: number, seed: number, scale = 2): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.fround(((s / 2 ** 32) * 2 - 1) * scale));
  }
  return out;
}

const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const huber = (d: number): number => (Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5);

/** Per-element loss of a pointwise named loss, in double. */
const pointwise: Record<'mse' | 'mae' | 'huber' | 'bce', (p: number, y: number) => number> = {
  mse: (p, y) => (p - y) ** 2,
  mae: (p, y) => Math.abs(p - y),
  huber: (p, y) => huber(p - y),
  bce: (x, y) => (1 - y) * x + softplus(-x),
};

/** Per-sample losses ℓ_i (mean over the sample's elements) of a pointwise loss on (N, K). */
function perSample(name: keyof typeof pointwise, p: number[], y: number[], N: number): number[] {
  const K = p.length / N;
  return Array.from({ length: N }, (_, i) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += pointwise[name](p[i * K + k]!, y[i * K + k]!);
    return s / K;
  });
}

/** Cross entropy of logit rows (N, C) with class indices, per sample, in double. */
function crossEntropyRows(p: number[], cls: number[], C: number): number[] {
  return cls.map((c, i) => {
    const row = p.slice(i * C, i * C + C);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return lse - row[c]!;
  });
}

const weightedMean = (l: number[], w: number[]): number => l.reduce((s, v, i) => s + w[i]! * v, 0) / l.length;

describe('resolveLoss: named losses without weights', () => {
  const N = 5, K = 3;
  const p = values(N * K, 1), yReg = values(N * K, 2), yBin = values(N * K, 3).map((v) => (v > 0 ? 1 : 0));

  for (const name of ['mse', 'mae', 'huber', 'bce'] as const) {
    it(`'${name}' is F's loss and the mean of the per-element losses`, () => {
      const y = name === 'bce' ? yBin : yReg;
      const loss = resolveLoss(name);
      expect(loss.name).toBe(name);
      expect(loss.portable).toBe(true);
      const got = loss.compute(t(p, [N, K]), t(y, [N, K])).item();
      const f = { mse: F.mseLoss, mae: F.l1Loss, huber: F.huberLoss, bce: F.binaryCrossEntropyWithLogits }[name];
      expect(got).toBe(f(t(p, [N, K]), t(y, [N, K])).item());
      const expected = perSample(name, p, y, N).reduce((a, b) => a + b, 0) / N;
      expect(got).toBeCloseTo(expected, 6);
    });
  }

  it("'huber' uses delta 1 (linear beyond |d| = 1)", () => {
    const got = resolveLoss('huber').compute(t([3, 0.5], [2]), t([0, 0], [2])).item();
    expect(got).toBeCloseTo((2.5 + 0.125) / 2, 7);
  });

  it("'crossEntropy' takes class indices (N) or probabilities (N, C)", () => {
    const C = 4;
    const logits = values(N * C, 4, 3), cls = [0, 3, 1, 2, 3];
    const loss = resolveLoss('crossEntropy');
    const expected = crossEntropyRows(logits, cls, C).reduce((a, b) => a + b, 0) / N;
    expect(loss.compute(t(logits, [N, C]), t(cls, [N])).item()).toBeCloseTo(expected, 6);
    const oneHot = cls.flatMap((c) => Array.from({ length: C }, (_, k) => (k === c ? 1 : 0)));
    expect(loss.compute(t(logits, [N, C]), t(oneHot, [N, C])).item()).toBeCloseTo(expected, 6);
  });
});

describe('resolveLoss: per-sample weights (Σ w_i·ℓ_i / N)', () => {
  const N = 4, K = 3;
  const p = values(N * K, 11), y = values(N * K, 12), w = [0.5, 2, 0, 1.25];
  const yBin = values(N * K, 13).map((v) => (v > 0 ? 1 : 0));

  for (const name of ['mse', 'mae', 'huber', 'bce'] as const) {
    it(`'${name}' on (N, K): the weighted mean of the per-sample means`, () => {
      const yy = name === 'bce' ? yBin : y;
      const got = resolveLoss(name).compute(t(p, [N, K]), t(yy, [N, K]), Float32Array.from(w)).item();
      expect(got).toBeCloseTo(weightedMean(perSample(name, p, yy, N), w), 6);
    });
  }

  it("'crossEntropy' with class indices: the weighted mean of the per-sample losses", () => {
    const C = 3, logits = values(N * C, 14, 3), cls = [2, 0, 1, 1];
    const got = resolveLoss('crossEntropy').compute(t(logits, [N, C]), t(cls, [N]), Float32Array.from(w)).item();
    expect(got).toBeCloseTo(weightedMean(crossEntropyRows(logits, cls, C), w), 6);
  });

  it('divides by N, not by Σ w (doubling every weight doubles the loss)', () => {
    const loss = resolveLoss('mse');
    const a = loss.compute(t(p, [N, K]), t(y, [N, K]), Float32Array.from(w)).item();
    const b = loss.compute(t(p, [N, K]), t(y, [N, K]), Float32Array.from(w, (v) => 2 * v)).item();
    expect(b).toBeCloseTo(2 * a, 6);
  });

  it('all-ones weights give the unweighted loss', () => {
    for (const name of ['mse', 'mae', 'huber'] as const) {
      const loss = resolveLoss(name);
      const plain = loss.compute(t(p, [N, K]), t(y, [N, K])).item();
      expect(loss.compute(t(p, [N, K]), t(y, [N, K]), new Float32Array(N).fill(1)).item()).toBeCloseTo(plain, 6);
    }
  });

  it('null weights mean no weights', () => {
    const loss = resolveLoss('mae');
    expect(loss.compute(t(p, [N, K]), t(y, [N, K]), null).item()).toBe(F.l1Loss(t(p, [N, K]), t(y, [N, K])).item());
  });

  it("weighted 'mse' backward equals the hand-written gradient w_i·2(p − y)/(N·K)", () => {
    const yp = t(p, [N, K], true);
    resolveLoss('mse').compute(yp, t(y, [N, K]), Float32Array.from(w)).backward();
    const g = yp.grad!.data;
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < K; k++) {
        const j = i * K + k;
        expect(g[j]).toBeCloseTo((w[i]! * 2 * (p[j]! - y[j]!)) / (N * K), 6);
      }
    }
  });

  it('weighted losses match finite differences (crossEntropy, bce, huber, mse on (N, C, L))', () => {
    const wt = Float32Array.from(w);
    gradcheckOp({
      name: 'weighted crossEntropy',
      inputs: [t(values(N * 3, 21, 3), [N, 3], true)],
      fn: (x) => resolveLoss('crossEntropy').compute(x, t([2, 0, 1, 1], [N]), wt),
    });
    gradcheckOp({
      name: 'weighted bce',
      inputs: [t(values(N * 2, 22, 3), [N, 2], true)],
      fn: (x) => resolveLoss('bce').compute(x, t([1, 0, 0, 1, 1, 1, 0, 0], [N, 2]), wt),
    });
    // |d| kept away from huber's kink at 1: d = ±(0.2 … 0.6) or ±(1.4 … 1.8).
    const d = values(N * 2, 23, 0.2).map((v, i) => (i % 2 ? 1 : -1) * (i % 3 ? 0.4 + v : 1.6 + v));
    gradcheckOp({
      name: 'weighted huber',
      inputs: [t(d, [N, 2], true)],
      fn: (x) => resolveLoss('huber').compute(x, t(new Array(N * 2).fill(0), [N, 2]), wt),
    });
    gradcheckOp({
      name: 'weighted mse (N, C, L)',
      inputs: [t(values(N * 2 * 3, 24), [N, 2, 3], true)],
      fn: (x) => resolveLoss('mse').compute(x, t(values(N * 2 * 3, 25), [N, 2, 3]), wt),
    });
  });
});

describe('resolveLoss: custom functions', () => {
  it('a scalar result is the batch loss; name and portable false', () => {
    function myLoss(a: Tensor, b: Tensor): Tensor {
      return F.mean(F.abs(F.sub(a, b)));
    }
    const loss = resolveLoss(myLoss);
    expect(loss.name).toBe('myLoss');
    expect(loss.portable).toBe(false);
    expect(loss.compute(t([1, 2, 3], [3]), t([0, 0, 0], [3])).item()).toBeCloseTo(2, 7);
  });

  it("an anonymous function is named 'custom'", () => {
    expect(resolveLoss((a, b) => F.mseLoss(a, b)).name).toBe('custom');
  });

  it('per-sample results (N) are averaged, or weighted by Σ w_i·ℓ_i / N', () => {
    const perSampleLoss = (a: Tensor, b: Tensor): Tensor => F.sum(F.square(F.sub(a, b)), 1);
    const loss = resolveLoss(perSampleLoss);
    const p = [1, 2, 0, 0, 3, 1], y = [0, 0, 0, 1, 1, 1]; // ℓ = [5, 1, 4]
    expect(loss.compute(t(p, [3, 2]), t(y, [3, 2])).item()).toBeCloseTo(10 / 3, 6);
    expect(loss.compute(t(p, [3, 2]), t(y, [3, 2]), Float32Array.from([2, 0, 0.5])).item()).toBeCloseTo((10 + 0 + 2) / 3, 6);
    const yp = t(p, [3, 2], true);
    loss.compute(yp, t(y, [3, 2]), Float32Array.from([2, 0, 0.5])).backward();
    // ∂/∂p_ij = w_i·2(p_ij − y_ij)/N
    const expected = [(2 * 2 * 1) / 3, (2 * 2 * 2) / 3, 0, 0, (0.5 * 2 * 2) / 3, 0];
    expected.forEach((v, i) => expect(yp.grad!.data[i]).toBeCloseTo(v, 6));
  });

  it('a scalar result with weights, a wrong shape, or a non-Tensor throws', () => {
    const scalar = resolveLoss(function meanLoss(a: Tensor, b: Tensor) {
      return F.mseLoss(a, b);
    });
    expect(() => scalar.compute(t([1, 2], [2]), t([0, 0], [2]), Float32Array.from([1, 1]))).toThrow(
      /loss 'meanLoss': sample or class weights need per-sample losses.*return a Tensor of shape \(2\)/,
    );
    const wrong = resolveLoss(function rows(a: Tensor) {
      return a;
    });
    expect(() => wrong.compute(t([1, 2, 3, 4], [2, 2]), t([0, 0, 0, 0], [2, 2]))).toThrow(
      "loss 'rows': the loss function must return a scalar Tensor (the batch mean) or per-sample losses (2), got (2, 2)",
    );
    const notTensor = resolveLoss(function num() {
      return 3 as unknown as Tensor;
    });
    expect(() => notTensor.compute(t([1], [1]), t([0], [1]))).toThrow("loss 'num': the loss function must return a Tensor, got 3");
  });
});

describe('resolveLoss: errors', () => {
  it('unknown names list the known ones', () => {
    expect(() => resolveLoss('rmse' as LossName)).toThrow(
      `resolveLoss: unknown loss "rmse" (known losses: 'mse', 'mae', 'huber', 'crossEntropy', 'bce', or a function (yPred, y) => Tensor)`,
    );
    expect(() => resolveLoss(3 as unknown as LossName)).toThrow(OptionError);
    expect(() => resolveLoss('toString' as LossName)).toThrow(/unknown loss "toString"/);
  });

  it("'mse' with yPred (N, 1) and y (N) says to reshape y to (N, 1)", () => {
    expect(() => resolveLoss('mse').compute(t([1, 2, 3, 4], [4, 1]), t([1, 2, 3, 4], [4]))).toThrow(
      "loss 'mse': yPred (4, 1) and y (4) must have the same shape; reshape y: y.reshape(-1, 1)",
    );
    expect(() => resolveLoss('bce').compute(t([1, 2], [2, 1]), t([1, 0, 1], [3]))).toThrow("loss 'bce': yPred (2, 1) and y (3) must have the same shape");
  });

  it("'crossEntropy' pairs: y (N, 1) → reshape to (N); one logit per sample → use 'bce'", () => {
    const ce = resolveLoss('crossEntropy');
    expect(() => ce.compute(t([1, 2, 3, 4, 5, 6], [3, 2]), t([0, 1, 1], [3, 1]))).toThrow(
      "loss 'crossEntropy': expected y (3) of class indices (or (3, 2) of class probabilities) for yPred (3, 2), got (3, 1); reshape it: y.reshape(-1)",
    );
    expect(() => ce.compute(t([1, 2, 3], [3]), t([0, 1, 1], [3]))).toThrow(/expected logits yPred \(N, C\).*got \(3\); for one logit per sample use the 'bce' loss/);
    expect(() => ce.compute(t([1, 2, 3], [3, 1]), t([0, 1, 1], [3]))).toThrow(/C >= 2 classes, got \(3, 1\); for one logit per sample use the 'bce' loss/);
    // the F function's own checks still apply (class out of range)
    expect(() => ce.compute(t([1, 2, 3, 4], [2, 2]), t([0, 2], [2]))).toThrow('crossEntropy: target 2 at index 1 is out of bounds for 2 classes');
  });

  it('bad sample weights throw naming the problem', () => {
    const mse = resolveLoss('mse');
    const p = t([1, 2, 3], [3]), y = t([0, 0, 0], [3]);
    expect(() => mse.compute(p, y, Float32Array.from([1, 1]))).toThrow("loss 'mse': sampleWeights must have one weight per sample (3), got 2");
    expect(() => mse.compute(p, y, Float32Array.from([1, -1, 1]))).toThrow("loss 'mse': sampleWeights must be finite numbers >= 0, got -1 for sample 1");
    expect(() => mse.compute(p, y, Float32Array.from([1, NaN, 1]))).toThrow(/got NaN for sample 1/);
    expect(() => mse.compute(p, y, [1, 1, 1] as unknown as Float32Array)).toThrow("loss 'mse': sampleWeights must be a Float32Array, got [1, 1, 1]");
  });
});

describe('classWeightsFor', () => {
  it('class indices (N) and (N, 1); a class without an entry weighs 1', () => {
    const cw = { 0: 0.5, 2: 3 };
    expect(Array.from(classWeightsFor(t([0, 1, 2, 2, 5], [5]), cw))).toEqual([0.5, 1, 3, 3, 1]);
    expect(Array.from(classWeightsFor(t([2, 0], [2, 1]), cw))).toEqual([3, 0.5]);
    expect(Array.from(classWeightsFor(t([0, 1, 2, 3], [4]), [0.25, 4]))).toEqual([0.25, 4, 1, 1]);
  });

  it('binary targets in [0, 1] are rounded (0.5 → 0, as numpy round in Keras)', () => {
    expect(Array.from(classWeightsFor(t([0.1, 0.9, 0.5, 0.51, 1, 0], [6]), { 0: 1, 1: 10 }))).toEqual([1, 10, 1, 10, 10, 1]);
  });

  it('one-hot or probability rows (N, C): argmax, the first on ties', () => {
    const y = t([0, 1, 0, 0.2, 0.3, 0.5, 0.4, 0.4, 0.2, 1, 0, 0], [4, 3]);
    expect(Array.from(classWeightsFor(y, [1, 2, 3]))).toEqual([2, 3, 1, 1]);
  });

  it('invalid targets throw naming the sample and value', () => {
    expect(() => classWeightsFor(t([0, 1, -1], [3]), {})).toThrow(
      'classWeightsFor: target of sample 2 is -1, which is not a class (expected an integer class index >= 0, or a binary target in [0, 1])',
    );
    expect(() => classWeightsFor(t([2.5], [1]), {})).toThrow(/target of sample 0 is 2.5/);
    expect(() => classWeightsFor(t([0, NaN], [2, 1]), {})).toThrow(/target of sample 1 is NaN/);
    expect(() => classWeightsFor(t([0, 1, 0, NaN], [2, 2]), {})).toThrow('classWeightsFor: target of sample 1 has NaN at class 1, which is not a class probability');
    expect(() => classWeightsFor(t([0, 1, 0, 1], [1, 2, 2]), {})).toThrow(/expected y \(N\) or \(N, 1\).*got \(1, 2, 2\)/);
  });

  it('invalid class weights throw', () => {
    const y = t([0, 1], [2]);
    expect(() => classWeightsFor(y, { 1: -2 })).toThrow('classWeightsFor: classWeight[1] must be a finite number >= 0, got -2');
    expect(() => classWeightsFor(y, { a: 1 } as unknown as Record<number, number>)).toThrow('classWeightsFor: classWeight keys must be class indices (integers >= 0), got "a"');
    expect(() => classWeightsFor(y, [1, NaN])).toThrow('classWeightsFor: classWeight[1] must be a finite number >= 0, got NaN');
    expect(() => classWeightsFor(y, null as unknown as number[])).toThrow(OptionError);
  });
});
