/**
 * BatchNorm1d's virtualBatchSize (ghost batch normalisation): in training, groups of v consecutive
 * samples are normalised with their own statistics and update the running statistics one group at a
 * time, as torch.cat([bn(g) for g in x.split(v)]) does. Checked against a float64 reference written
 * here, against the same module run group by group (gradients), through Sequential's fused path,
 * and for eval, JSON and bad options.
 */
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { narrow } from '../../src/functional/indexing.js';
import * as nn from '../../src/nn/index.js';
import { setFusion } from '../../src/nn/sequential.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectBitwiseEqual, expectClose, input, snapshot } from './helpers.js';

/** Float64 ghost batch norm of x (N, C, L) in training: y, and the running statistics after every group. */
function reference(x: Tensor, v: number, momentum: number, eps: number, weight: Float32Array, bias: Float32Array) {
  const [N, C] = x.shape as [number, number];
  const L = x.shape[2] ?? 1;
  const y = new Float64Array(x.numel);
  const runningMean = new Float64Array(C), runningVar = new Float64Array(C).fill(1);
  for (let start = 0; start < N; start += v) {
    const n = Math.min(v, N - start), M = n * L;
    for (let c = 0; c < C; c++) {
      const at = (i: number, l: number) => ((start + i) * C + c) * L + l;
      let s = 0;
      for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) s += x.data[at(i, l)]!;
      const mean = s / M;
      let q = 0;
      for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) q += (x.data[at(i, l)]! - mean) ** 2;
      const invstd = 1 / Math.sqrt(q / M + eps);
      for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) y[at(i, l)] = (x.data[at(i, l)]! - mean) * invstd * weight[c]! + bias[c]!;
      runningMean[c] = (1 - momentum) * runningMean[c]! + momentum * mean;
      runningVar[c] = (1 - momentum) * runningVar[c]! + momentum * (q / (M - 1));
    }
  }
  return { y, runningMean, runningVar };
}

function ghostBn(C: number, v: number | null, seed = 3): nn.BatchNorm1d {
  const bn = new nn.BatchNorm1d(C, { virtualBatchSize: v });
  bn.weight!.data.set(input([C], seed, 0.5, 1).data);
  bn.bias!.data.set(input([C], seed + 1, 0.5).data);
  return bn;
}

describe('BatchNorm1d virtualBatchSize', () => {
  it('normalises each group of v samples with its own statistics, the remainder as a group of its own', () => {
    for (const [shape, v] of [[[13, 3, 5], 4], [[12, 2, 7], 3], [[11, 4], 3]] as const) {
      const x = input([...shape], 7, 2, 0.5);
      const bn = ghostBn(shape[1], v);
      const y = bn.forward(x);
      const want = reference(x, v, 0.1, bn.eps, bn.weight!.data, bn.bias!.data);
      expectClose(y.data, want.y, `y ${shape} v=${v}`, 1e-5, 1e-5);
      expectClose(bn.runningMean!.data, want.runningMean, `running_mean ${shape} v=${v}`, 1e-6, 1e-5);
      expectClose(bn.runningVar!.data, want.runningVar, `running_var ${shape} v=${v}`, 1e-6, 1e-5);
      expect(bn.numBatchesTracked!.value, 'one count per group').toBe(Math.ceil(shape[0] / v));
      // Not the whole batch's normalisation: the groups' means differ.
      const whole = ghostBn(shape[1], null).forward(x);
      expect(Math.max(...whole.data.map((w, i) => Math.abs(w - y.data[i]!)))).toBeGreaterThan(1e-2);
    }
  });

  it('gives the same bits and gradients as the module run group by group', () => {
    const x = new Tensor(input([11, 3, 6], 9).data, [11, 3, 6], { requiresGrad: true });
    const g = input([11, 3, 6], 10);
    const ghost = ghostBn(3, 4), plain = ghostBn(3, null);
    const y = ghost.forward(x);
    y.backward(g);
    const gx = x.grad!.data.slice();
    x.grad = null;
    const parts = [[0, 4], [4, 4], [8, 3]].map(([s, n]) => plain.forward(narrow(x, 0, s!, n!)));
    expectBitwiseEqual(y.data, Float32Array.from(parts.flatMap((p) => [...p.data])), 'output');
    parts.forEach((p, k) => p.backward(narrow(g, 0, k * 4, p.shape[0]!)));
    expectBitwiseEqual(gx, x.grad!.data, 'dx');
    expectClose(ghost.weight!.grad!.data, plain.weight!.grad!.data, 'dweight', 1e-6, 1e-6);
    expectClose(ghost.bias!.grad!.data, plain.bias!.grad!.data, 'dbias', 1e-6, 1e-6);
    for (const k of ['running_mean', 'running_var', 'num_batches_tracked']) {
      expect(Buffer.from(snapshot(ghost).get(`buffer ${k}`)!).equals(Buffer.from(snapshot(plain).get(`buffer ${k}`)!)), k).toBe(true);
    }
  });

  it('is plain BatchNorm for batches of at most v samples, and in eval', () => {
    const x = input([8, 3, 5], 4);
    expectBitwiseEqual(ghostBn(3, 8).forward(x).data, ghostBn(3, null).forward(x).data, 'batch of v');
    const trained = ghostBn(3, 2);
    trained.forward(input([8, 3, 5], 5));
    const plain = ghostBn(3, null);
    plain.loadStateDict(trained.stateDict());
    trained.eval();
    plain.eval();
    expectBitwiseEqual(trained.forward(x).data, plain.forward(x).data, 'eval');
  });

  it('joins a remainder of one value per channel to the group before it', () => {
    const x = input([7, 2], 6);
    const bn = ghostBn(2, 3);
    const y = bn.forward(x); // groups of 3 and 4 samples, not 3, 3, 1
    expect(bn.numBatchesTracked!.value).toBe(2);
    const want = ghostBn(2, null);
    expectBitwiseEqual(y.data.subarray(6), want.forward(narrow(x, 0, 3, 4)).data, 'last group');
  });

  it('runs Conv1d → BatchNorm1d → ReLU → Dropout in Sequential as the layers one by one', () => {
    const build = () => {
      manualSeed(21);
      return new nn.Sequential(new nn.Conv1d(3, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(4, { virtualBatchSize: 4 }), new nn.ReLU(), new nn.Dropout(0.2));
    };
    const x = input([10, 3, 9], 12);
    const run = (fused: boolean) => {
      setFusion(fused);
      try {
        const m = build();
        manualSeed(5);
        const y = m.forward(x);
        y.backward(input([...y.shape], 13));
        return { y: y.data, grad: m.parameters()[0]!.grad!.data, state: snapshot(m) };
      } finally {
        setFusion(true);
      }
    };
    const fused = run(true), unfused = run(false);
    expectBitwiseEqual(fused.y, unfused.y, 'output');
    expectBitwiseEqual(fused.grad, unfused.grad, 'conv weight gradient');
    expect([...fused.state.keys()]).toEqual([...unfused.state.keys()]);
  });

  it('round-trips through toJSON and shows in the repr only when set', () => {
    const bn = new nn.BatchNorm1d(5, { virtualBatchSize: 16 });
    expect(bn.toJSON().options).toMatchObject({ virtualBatchSize: 16 });
    expect((nn.fromJSON(JSON.stringify(bn.toJSON())) as nn.BatchNorm1d).virtualBatchSize).toBe(16);
    expect(bn.extraRepr()).toContain('virtualBatchSize=16');
    expect(new nn.BatchNorm1d(5).toJSON().options).not.toHaveProperty('virtualBatchSize');
    expect(new nn.BatchNorm1d(5).extraRepr()).not.toContain('virtualBatchSize');
    const backbone = nn.conv1dBackbone({ bnVirtualBatchSize: 8 });
    expect(backbone.modules().filter((m) => m instanceof nn.BatchNorm1d).map((m) => (m as nn.BatchNorm1d).virtualBatchSize)).toEqual([8, 8, 8]);
  });

  it('rejects a virtualBatchSize that is not a positive integer, and groups of one value', () => {
    for (const bad of [0, -4, 2.5, '8', Number.NaN]) {
      expect(() => new nn.BatchNorm1d(3, { virtualBatchSize: bad as number })).toThrow(OptionError);
      expect(() => new nn.BatchNorm1d(3, { virtualBatchSize: bad as number })).toThrow(/BatchNorm1d: virtualBatchSize/);
    }
    expect(() => nn.conv1dBackbone({ bnVirtualBatchSize: 0 })).toThrow(/conv1dBackbone: bnVirtualBatchSize/);
    const bn = new nn.BatchNorm1d(3, { virtualBatchSize: 1 });
    expect(() => bn.forward(input([4, 3], 1))).toThrow(ShapeError);
    expect(() => bn.forward(input([4, 3], 1))).toThrow('BatchNorm1d(3): virtualBatchSize 1 leaves one value per channel in each group of input (4, 3); expected 2 or more');
    expect(bn.numBatchesTracked!.value, 'a rejected batch is not counted').toBe(0);
    expect(bn.forward(input([4, 3, 2], 1)).shape).toEqual([4, 3, 2]); // two values per group and channel
  });
});
