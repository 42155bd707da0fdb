/**
 * BatchNorm1d running statistics: momentum null is a cumulative average over num_batches_tracked
 * (an int64 counter that every training step increments, whatever the momentum), and the module
 * agrees with torch.nn.BatchNorm1d step by step (fixture: test/fixtures/nn/make_nn_fixtures.py).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, input, loadFixture } from './helpers.js';

interface FixtureState { shape: number[]; dtype: string; data: number[] }
interface BatchNormFixture {
  cases: Array<{
    name: string;
    shape: number[];
    options: { eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean };
    steps: Array<{ mode: 'train' | 'eval'; x: number[]; y: number[]; state: Record<string, FixtureState> }>;
  }>;
}

function channelMeans(x: Tensor): { mean: number[]; unbiased: number[] } {
  const [N, C] = x.shape as [number, number];
  const L = x.shape[2] ?? 1, M = N * L;
  const mean: number[] = [], unbiased: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) s += x.data[(n * C + c) * L + l]!;
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) q += (x.data[(n * C + c) * L + l]! - m) ** 2;
    mean.push(m);
    unbiased.push(q / (M - 1));
  }
  return { mean, unbiased };
}

describe('BatchNorm1d momentum null', () => {
  it('running statistics are the plain average of the batch statistics so far', () => {
    const bn = new nn.BatchNorm1d(4, { momentum: null });
    const means: number[][] = [], vars: number[][] = [];
    for (let k = 1; k <= 5; k++) {
      const x = input([6, 4, 7], k, k, k - 2);
      bn.forward(x);
      const s = channelMeans(x);
      means.push(s.mean);
      vars.push(s.unbiased);
      expect(bn.numBatchesTracked!.value).toBe(k);
      const avg = (rows: number[][]) => rows[0]!.map((_, c) => rows.reduce((a, r) => a + r[c]!, 0) / rows.length);
      // The first step replaces the initial 0 / 1 entirely (factor 1/1).
      expectClose(bn.runningMean!.data, avg(means), `running_mean after ${k}`, 1e-5, 1e-5);
      expectClose(bn.runningVar!.data, avg(vars), `running_var after ${k}`, 1e-5, 1e-5);
    }
  });

  it('continues the average from a loaded num_batches_tracked', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    bn.loadStateDict({
      ...bn.stateDict(),
      running_mean: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
      num_batches_tracked: { dtype: 'I64', shape: [], data: new BigInt64Array([7n]) },
    });
    const x = input([5, 2], 3, 1, 4);
    bn.forward(x);
    const { mean } = channelMeans(x);
    expect(bn.numBatchesTracked!.value).toBe(8);
    expectClose(bn.runningMean!.data, [(7 / 8) * 1 + mean[0]! / 8, (7 / 8) * -2 + mean[1]! / 8], 'running_mean', 1e-6, 1e-5);
  });

  it('num_batches_tracked counts training steps only, for any momentum, and is int64 in the state dict', () => {
    for (const momentum of [0.1, null]) {
      const bn = new nn.BatchNorm1d(3, { momentum });
      for (let i = 0; i < 3; i++) bn.forward(input([4, 3, 2], i));
      bn.eval();
      bn.forward(input([4, 3, 2], 9));
      const s = bn.stateDict().num_batches_tracked!;
      expect(s.dtype).toBe('I64');
      expect(s.shape).toEqual([]);
      expect(s.data).toEqual(new BigInt64Array([3n]));
    }
  });

  it('a rejected training batch (one value per channel) does not move num_batches_tracked', () => {
    const bn = new nn.BatchNorm1d(3, { momentum: null });
    expect(() => bn.forward(input([1, 3], 1))).toThrow('BatchNorm1d(3): expected more than 1 value per channel when training, got input size (1, 3)');
    expect(bn.numBatchesTracked!.value).toBe(0);
    bn.eval();
    expect(() => bn.forward(input([1, 3], 1))).not.toThrow();
  });

  it('a negative or unsafe num_batches_tracked is refused on load, and the layer keeps its state', () => {
    for (const bad of [-1n, 2n ** 53n, 2n ** 63n - 1n]) {
      const bn = new nn.BatchNorm1d(2, { momentum: null });
      bn.forward(input([4, 2], 1));
      const before = JSON.stringify(bn.stateDict(), (_, v) => (typeof v === 'bigint' ? `${v}` : ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
      const dict = { ...bn.stateDict(), num_batches_tracked: { dtype: 'I64' as const, shape: [], data: BigInt64Array.of(bad) } };
      expect(() => bn.loadStateDict(dict)).toThrow(`invalid value for num_batches_tracked: ${bad} (a count of batches: an integer in [0, 2^53 - 1])`);
      const after = JSON.stringify(bn.stateDict(), (_, v) => (typeof v === 'bigint' ? `${v}` : ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
      expect(after).toBe(before);
      expect(bn.numBatchesTracked!.value).toBe(1);
    }
  });
});

describe('BatchNorm1d against torch.nn.BatchNorm1d', () => {
  const fixture = loadFixture<BatchNormFixture>('batchnorm.json');
  for (const c of fixture.cases) {
    it(c.name, () => {
      const bn = new nn.BatchNorm1d(c.shape[1]!, c.options);
      if (bn.weight) bn.weight.data.set([0.5, 1.5, -2.0]);
      if (bn.bias) bn.bias.data.set([0.1, -0.2, 0.3]);
      c.steps.forEach((step, i) => {
        bn.train(step.mode === 'train');
        const y = bn.forward(new Tensor(Float32Array.from(step.x), c.shape));
        const where = `${c.name} step ${i} (${step.mode})`;
        expectClose(y.data, step.y, `${where} y`);
        const state = bn.stateDict();
        expect(Object.keys(state), where).toEqual(Object.keys(step.state));
        for (const [k, v] of Object.entries(step.state)) {
          expect(state[k]!.dtype, `${where} ${k} dtype`).toBe(v.dtype);
          expect(state[k]!.shape, `${where} ${k} shape`).toEqual(v.shape);
          if (v.dtype === 'I64') expect(Array.from(state[k]!.data as BigInt64Array, Number), `${where} ${k}`).toEqual(v.data);
          else expectClose(state[k]!.data as Float32Array, v.data, `${where} ${k}`);
        }
      });
    });
  }
});
