/**
 * Initialisation: PyTorch's defaults (Conv1d/Linear kaiming_uniform_(a = √5) → U(±1/√fan_in), bias
 * U(±1/√fan_in); BatchNorm 1/0 and running 0/1; LayerNorm 1/0), nn.init's functions and fans, the
 * statistics they give, and seeded determinism (same seed → bitwise the same weights).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { bytes } from './helpers.js';

const { init } = nn;

function stats(t: Tensor): { mean: number; variance: number; maxAbs: number } {
  const d = t.data;
  let s = 0, m = 0;
  for (const v of d) {
    s += v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, variance: q / d.length, maxAbs: m };
}

/** Uniform U(±bound): inside the bounds, reaching near them, variance bound²/3 within `rel`. */
function expectUniform(t: Tensor, bound: number, rel = 0.1): void {
  const s = stats(t);
  expect(s.maxAbs).toBeLessThanOrEqual(Math.fround(bound));
  expect(s.maxAbs).toBeGreaterThan(0.9 * bound);
  expect(Math.abs(s.mean)).toBeLessThan(4 * bound / Math.sqrt(3 * t.numel));
  expect(Math.abs(s.variance / (bound * bound / 3) - 1)).toBeLessThan(rel);
}

function expectNormal(t: Tensor, std: number, rel = 0.05): void {
  const s = stats(t);
  expect(Math.abs(s.mean)).toBeLessThan(5 * std / Math.sqrt(t.numel));
  expect(Math.abs(Math.sqrt(s.variance) / std - 1)).toBeLessThan(rel);
}

describe('default initialisation (reset_parameters)', () => {
  it('Conv1d: weight and bias U(±1/√(C_in/groups · K))', () => {
    manualSeed(1);
    const conv = new nn.Conv1d(14, 64, 3);
    expectUniform(conv.weight, 1 / Math.sqrt(42));
    expectUniform(conv.bias!, 1 / Math.sqrt(42), 0.35);
    const grouped = new nn.Conv1d(8, 256, 5, { groups: 4 });
    expect(grouped.weight.shape).toEqual([256, 2, 5]);
    expectUniform(grouped.weight, 1 / Math.sqrt(10));
  });

  it('Linear: weight and bias U(±1/√inFeatures)', () => {
    manualSeed(2);
    const lin = new nn.Linear(1920, 128);
    expectUniform(lin.weight, 1 / Math.sqrt(1920), 0.02);
    expectUniform(lin.bias!, 1 / Math.sqrt(1920), 0.3);
  });

  it('BatchNorm1d: weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked 0; LayerNorm 1/0', () => {
    const bn = new nn.BatchNorm1d(5);
    expect(bn.weight!.toArray()).toEqual([1, 1, 1, 1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0, 0, 0, 0]);
    expect(bn.runningMean!.toArray()).toEqual([0, 0, 0, 0, 0]);
    expect(bn.runningVar!.toArray()).toEqual([1, 1, 1, 1, 1]);
    expect(bn.numBatchesTracked!.data).toEqual(new BigInt64Array([0n]));
    expect(bn.weight!.requiresGrad && bn.bias!.requiresGrad).toBe(true);
    expect(bn.runningMean!.requiresGrad).toBe(false);
    const ln = new nn.LayerNorm([3, 4]);
    expect(ln.weight!.shape).toEqual([3, 4]);
    expect(ln.weight!.toArray().every((v) => v === 1) && ln.bias!.toArray().every((v) => v === 0)).toBe(true);
  });
});

describe('nn.init', () => {
  it('fans as PyTorch computes them', () => {
    expect(init.calculateFanInAndFanOut(zeros([64, 14, 3]))).toEqual([42, 192]);
    expect(init.calculateFanInAndFanOut(zeros([128, 1920]))).toEqual([1920, 128]);
    expect(init.calculateFanInAndFanOut(zeros([4, 3, 2, 5]))).toEqual([30, 40]);
    expect(() => init.calculateFanInAndFanOut(zeros([7]))).toThrow(/fewer than 2 dimensions/);
  });

  it('calculateGain', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv1d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.sqrt(2));
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('leakyRelu', 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as never)).toThrow(/unsupported nonlinearity "swish"/);
  });

  it('kaimingUniform_ and kaimingNormal_ (fan_in / fan_out, relu / leaky_relu)', () => {
    manualSeed(3);
    const t = zeros([256, 64, 3]);
    init.kaimingUniform_(t, { nonlinearity: 'relu' });
    expectUniform(t, Math.sqrt(2) * Math.sqrt(3 / 192), 0.02);
    init.kaimingUniform_(t, { a: Math.sqrt(5) });
    expectUniform(t, 1 / Math.sqrt(192), 0.02);
    init.kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' });
    expectNormal(t, Math.sqrt(2 / 768));
    init.kaimingNormal_(t);
    expectNormal(t, Math.sqrt(2 / 192));
    expect(() => init.kaimingUniform_(t, { mode: 'fan_avg' as never })).toThrow(/mode "fan_avg" not supported/);
    const empty = zeros([0, 4]);
    expect(init.kaimingUniform_(empty)).toBe(empty);
  });

  it('xavierUniform_ and xavierNormal_', () => {
    manualSeed(4);
    const t = zeros([300, 200]);
    init.xavierUniform_(t);
    expectUniform(t, Math.sqrt(6 / 500), 0.02);
    init.xavierUniform_(t, init.calculateGain('tanh'));
    expectUniform(t, (5 / 3) * Math.sqrt(6 / 500), 0.02);
    init.xavierNormal_(t, 2);
    expectNormal(t, 2 * Math.sqrt(2 / 500));
  });

  it('uniform_, normal_, constant_, zeros_, ones_ fill in place and return the tensor', () => {
    manualSeed(5);
    const t = zeros([100000]);
    expect(init.uniform_(t, -2, 3)).toBe(t);
    const s = stats(t);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...t.data)).toBeLessThanOrEqual(3);
    expect(s.mean).toBeCloseTo(0.5, 1);
    expect(s.variance).toBeCloseTo(25 / 12, 1);
    init.normal_(t, 1, 0.5);
    expect(stats(t).mean).toBeCloseTo(1, 2);
    expect(Math.sqrt(stats(t).variance)).toBeCloseTo(0.5, 2);
    expect(init.constant_(t, 0.25).toArray().every((v) => v === 0.25)).toBe(true);
    expect(init.ones_(t).toArray().every((v) => v === 1)).toBe(true);
    expect(init.zeros_(t).toArray().every((v) => v === 0)).toBe(true);
    expect(() => init.uniform_(t, 1, 0)).toThrow(/from=1 > to=0/);
    expect(() => init.normal_(t, 0, -1)).toThrow(/std >= 0/);
    expect(() => init.uniform_(t, 0, Infinity)).toThrow(/b must be a finite number/);
  });
});

describe('seeded determinism', () => {
  // Conv1d and Linear parameters (BatchNorm's are constants).
  const weights = (seed: number) => {
    manualSeed(seed);
    const m = nn.conv1dBackbone();
    return m.modules().filter((c) => c instanceof nn.Conv1d || c instanceof nn.Linear).flatMap((c) => c.parameters(false)).map((p) => bytes(p.data));
  };

  it('the same seed gives bitwise the same weights; another seed different ones', () => {
    const a = weights(42), b = weights(42), c = weights(43);
    expect(a.map((x) => Buffer.from(x).toString('base64'))).toEqual(b.map((x) => Buffer.from(x).toString('base64')));
    expect(a.length).toBe(7);
    a.forEach((x, i) => expect(Buffer.compare(Buffer.from(x), Buffer.from(c[i]!))).not.toBe(0));
  });

  it('layers built one after another draw different values', () => {
    manualSeed(7);
    const a = new nn.Linear(16, 16), b = new nn.Linear(16, 16);
    expect(a.weight.toArray()).not.toEqual(b.weight.toArray());
    manualSeed(7);
    const a2 = new nn.Linear(16, 16);
    expect(a2.weight.toArray()).toEqual(a.weight.toArray());
    expect(a2.bias!.toArray()).toEqual(a.bias!.toArray());
  });
});
