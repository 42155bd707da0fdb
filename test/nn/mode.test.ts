/**
 * Training vs evaluation mode: BatchNorm1d uses batch statistics and updates its running statistics
 * only in training; Dropout/Dropout1d are the identity in eval; train()/eval() reach every
 * descendant; and a validation pass under eval() + noGrad changes no parameter and no buffer, bitwise.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { ones } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectBitwiseEqual, expectClose, expectSameSnapshot, input, snapshot } from './helpers.js';

/** Per-channel mean, biased and unbiased variance of (N, C, L) data, in double. */
function channelStats(x: Tensor): Array<{ mean: number; biased: number; unbiased: number }> {
  const [N, C] = x.shape as [number, number];
  const L = x.shape[2] ?? 1, M = N * L;
  return Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) s += x.data[(n * C + c) * L + l]!;
    const mean = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) q += (x.data[(n * C + c) * L + l]! - mean) ** 2;
    return { mean, biased: q / M, unbiased: q / (M - 1) };
  });
}

/** One plain SGD step on the sum of the outputs, so that parameters move as in training. */
function trainStep(model: nn.Module, x: Tensor): void {
  model.zeroGrad();
  const y = model.forward(x);
  y.backward(ones(y.shape));
  for (const p of model.parameters()) {
    const g = p.grad!.data;
    for (let i = 0; i < p.data.length; i++) p.data[i]! -= 0.01 * g[i]!;
  }
}

describe('BatchNorm1d modes', () => {
  it('training normalises with batch statistics and updates the running statistics (momentum 0.1)', () => {
    const bn = new nn.BatchNorm1d(3);
    const x = input([8, 3, 5], 1, 2, 3);
    const y = bn.forward(x);
    const stats = channelStats(x), ys = channelStats(y);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(ys[c]!.mean)).toBeLessThan(1e-5);
      expect(ys[c]!.biased).toBeCloseTo(stats[c]!.biased / (stats[c]!.biased + 1e-5), 4);
    }
    expectClose(bn.runningMean!.data, stats.map((s) => 0.1 * s.mean), 'running_mean', 1e-6, 1e-5);
    expectClose(bn.runningVar!.data, stats.map((s) => 0.9 + 0.1 * s.unbiased), 'running_var', 1e-6, 1e-5);
    expect(bn.numBatchesTracked!.value).toBe(1);
  });

  it('eval normalises with the running statistics and changes no state', () => {
    const bn = new nn.BatchNorm1d(3);
    bn.forward(input([8, 3, 5], 2, 2, 3));
    bn.forward(input([8, 3, 5], 3, 1, -1));
    bn.eval();
    const before = snapshot(bn);
    const x = input([4, 3, 5], 4);
    const y = bn.forward(x);
    expectSameSnapshot(snapshot(bn), before);
    const rm = bn.runningMean!.data, rv = bn.runningVar!.data;
    const want = Array.from(x.data, (v, i) => {
      const c = Math.floor(i / 5) % 3;
      return (v - rm[c]!) / Math.sqrt(rv[c]! + 1e-5);
    });
    expectClose(y.data, want, 'eval output', 1e-6, 1e-5);
    expect(bn.numBatchesTracked!.value).toBe(2);
  });

  it('training under noGrad still updates the running statistics (grad mode is not eval mode)', () => {
    const bn = new nn.BatchNorm1d(3);
    noGrad(() => bn.forward(input([8, 3], 5)));
    expect(bn.numBatchesTracked!.value).toBe(1);
    expect(Array.from(bn.runningMean!.data).some((v) => v !== 0)).toBe(true);
  });

  it('without trackRunningStats: batch statistics in both modes and no running buffers', () => {
    const bn = new nn.BatchNorm1d(3, { trackRunningStats: false });
    expect(bn.namedBuffers()).toEqual([]);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
    const x = input([6, 3, 4], 6, 3, 1);
    const yTrain = bn.forward(x);
    bn.eval();
    const yEval = bn.forward(x);
    expectBitwiseEqual(yEval.data, yTrain.data, 'eval vs train output');
    expect(() => bn.forward(input([1, 3], 7))).toThrow(/more than 1 value per channel/);
  });
});

describe('Dropout modes', () => {
  it('Dropout is the identity in eval and with p = 0; in training it zeroes and scales by 1/(1 − p)', () => {
    manualSeed(11);
    const x = input([64, 50], 8, 1, 2); // all values in [1, 3): none is zero
    const d = new nn.Dropout(0.25);
    d.eval();
    expect(d.forward(x)).toBe(x);
    d.train();
    expect(new nn.Dropout(0).forward(x)).toBe(x);
    const y = d.forward(x);
    let zeros = 0;
    for (let i = 0; i < x.numel; i++) {
      if (y.data[i] === 0) zeros++;
      else expect(y.data[i]).toBe(Math.fround(x.data[i]! * Math.fround(1 / 0.75)));
    }
    // Binomial(3200, 0.25): mean 800, sd ≈ 24.5; 5 sd.
    expect(Math.abs(zeros - 800)).toBeLessThan(5 * Math.sqrt(3200 * 0.25 * 0.75));
    expect(new nn.Dropout(1).forward(x).toArray().every((v) => v === 0)).toBe(true);
  });

  it('Dropout1d zeroes whole channels in training and is the identity in eval', () => {
    manualSeed(12);
    const x = input([16, 8, 10], 9, 1, 2);
    const d = new nn.Dropout1d(0.5);
    const y = d.forward(x);
    let dropped = 0;
    for (let nc = 0; nc < 16 * 8; nc++) {
      const row = y.data.subarray(nc * 10, nc * 10 + 10);
      const allZero = row.every((v) => v === 0), noneZero = row.every((v) => v !== 0);
      expect(allZero || noneZero).toBe(true);
      if (allZero) dropped++;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(128);
    d.eval();
    expect(d.forward(x)).toBe(x);
  });
});

describe('train() / eval() on a tree', () => {
  it('reach every descendant and return the module', () => {
    const model = nn.conv1dBackbone();
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.train(false);
    expect(model.modules().some((m) => m.training)).toBe(false);
  });
});

describe('validation under eval() + noGrad', () => {
  it('changes no parameter, no buffer and no gradient, bitwise, and gives the same output every time', () => {
    manualSeed(3);
    const model = nn.conv1dBackbone({ window: 12, widths: [8, 8], headHidden: 16 });
    for (let step = 0; step < 3; step++) trainStep(model, input([6, 14, 12], 20 + step));
    const grads = model.parameters().map((p) => new Float32Array(p.grad!.data));
    const before = snapshot(model);
    expect(model.namedBuffers().find(([k]) => k === '1.num_batches_tracked')![1].data[0]).toBe(3n);

    model.eval();
    const xVal = input([5, 14, 12], 99);
    const y1 = noGrad(() => model.forward(xVal));
    const y2 = noGrad(() => model.forward(xVal));
    expect(y1.requiresGrad).toBe(false);
    expect(y1.gradFn).toBe(null);
    expectBitwiseEqual(y2.data, y1.data, 'repeated eval outputs');
    expectSameSnapshot(snapshot(model), before);
    model.parameters().forEach((p, i) => expectBitwiseEqual(p.grad!.data, grads[i]!, `grad ${i}`));

    // Back to training: the next step updates the statistics again.
    model.train();
    trainStep(model, input([6, 14, 12], 30));
    expect(model.namedBuffers().find(([k]) => k === '1.num_batches_tracked')![1].data[0]).toBe(4n);
  });
});
