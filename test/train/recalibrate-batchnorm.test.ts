/**
 * recalibrateBatchNorm (src/train/recalibrate-batchnorm.ts): after recalibrating over ALL the data in
 * batches, each BatchNorm1d's running_mean / running_var equal the exact per-channel mean and unbiased
 * variance of its input over the whole data set, computed here independently (the layers before the
 * BatchNorm run by hand on all of the data at once, the moments by two-pass float64 loops) — for a
 * Linear→BN MLP ((N, C) input, a merged last batch), a Conv1d→BN model ((N, C, L) input) run module by
 * module and through Sequential's fused Conv→BN→ReLU(→Dropout) path, and a Dropout(0.9)→Linear→BN model
 * (Dropout must be off: its statistics match the no-dropout input). Also: modes restored per module,
 * num_batches_tracked unchanged, no "forgot eval()" warning, the summary, seeded batch choice when
 * `batches` is smaller than the data, determinism, the state put back on an abort or a throw, and errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { type Dataset, TensorDataset } from '../../src/data/dataset.js';
import * as nn from '../../src/nn/index.js';
import { fusionEnabled, setFusion } from '../../src/nn/sequential.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { recalibrateBatchNorm } from '../../src/train/recalibrate-batchnorm.js';

let fusionWas = true;
let warnings: string[] = [];
const listener = (w: Error & { code?: string }): void => {
  if (w.code === 'KEEL_TRAINING_MODE_NO_GRAD') warnings.push(w.message);
};
beforeEach(() => {
  fusionWas = fusionEnabled();
  nn.resetModeWarning();
  warnings = [];
  process.on('warning', listener);
});
afterEach(() => {
  process.off('warning', listener);
  setFusion(fusionWas);
});

/** Per-channel mean and unbiased variance of an (N, C) or (N, C, L) array, two passes in float64. */
function exactMoments(t: Tensor): { mean: number[]; variance: number[] } {
  const [N, C] = t.shape as [number, number], L = t.shape[2] ?? 1, n = N * L;
  const mean: number[] = [], variance: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let i = 0; i < N; i++) for (let l = 0; l < L; l++) s += t.data[(i * C + c) * L + l]!;
    const m = s / n;
    let q = 0;
    for (let i = 0; i < N; i++) for (let l = 0; l < L; l++) q += (t.data[(i * C + c) * L + l]! - m) ** 2;
    mean.push(m);
    variance.push(q / (n - 1));
  }
  return { mean, variance };
}

/** running_mean within 1e-6 of the channel's std (plus float32 rounding of the mean), running_var within 1e-6 relative. */
function expectMatches(bn: nn.BatchNorm1d, ref: { mean: number[]; variance: number[] }): void {
  for (let c = 0; c < bn.numFeatures; c++) {
    const sd = Math.sqrt(ref.variance[c]!);
    expect(Math.abs(bn.runningMean!.data[c]! - ref.mean[c]!)).toBeLessThanOrEqual(1e-6 * sd + 6e-8 * Math.abs(ref.mean[c]!));
    expect(Math.abs(bn.runningVar!.data[c]! / ref.variance[c]! - 1)).toBeLessThanOrEqual(1e-6);
  }
}

/** Inputs with a different mean and scale per feature (so a wrong pooling of batches shows). */
function inputs(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  const x = randn(shape);
  const C = shape[1]!, L = shape[2] ?? 1;
  for (let k = 0; k < x.data.length; k++) {
    const c = Math.floor(k / L) % C;
    x.data[k] = x.data[k]! * (1 + c) + 3 * c - 2;
  }
  return x;
}

/** Puts some history into the running statistics and num_batches_tracked (3 training forwards). */
function train3(model: nn.Module, x: Tensor): void {
  model.train();
  for (let k = 0; k < 3; k++) model.forward(new Tensor(x.data.slice(0, 16 * (x.data.length / x.shape[0]!)), [16, ...x.shape.slice(1)]));
}

const bns = (m: nn.Module) => m.modules().filter((x): x is nn.BatchNorm1d => x instanceof nn.BatchNorm1d);

describe('recalibrateBatchNorm: exact population statistics', () => {
  it('Linear→BN→ReLU→Linear on (N, C): a Dataset of [x, y], a merged last batch; modes, num_batches_tracked, summary', async () => {
    manualSeed(1);
    const lin = new nn.Linear(5, 4), bn = new nn.BatchNorm1d(4), head = new nn.Linear(4, 1);
    const model = new nn.Sequential(lin, bn, new nn.ReLU(), head);
    const x = inputs([201, 5], 2), y = randn([201, 1]);
    train3(model, x);
    head.eval(); // a partly-eval model: each module's own mode comes back
    const before = { mean: bn.runningMean!.data.slice(), variance: bn.runningVar!.data.slice(), tracked: bn.numBatchesTracked!.value };
    const modes = model.modules().map((m) => m.training);

    const summary = await recalibrateBatchNorm(model, new TensorDataset(x, y), { batchSize: 25 });

    const ref = exactMoments(noGrad(() => lin.forward(x)));
    expectMatches(bn, ref);
    expect(bn.numBatchesTracked!.value).toBe(before.tracked);
    expect(model.modules().map((m) => m.training)).toEqual(modes);
    // 201 = 8·25 + 1: the sample left over joins the last batch (a batch of one cannot normalise).
    expect(summary.batches).toBe(8);
    expect(summary.samples).toBe(201);
    expect(summary.layers.map((l) => l.name)).toEqual(['1']);
    let shift = 0, ratio = 0;
    for (let c = 0; c < 4; c++) {
      shift += Math.abs(bn.runningMean!.data[c]! - before.mean[c]!) / Math.sqrt(before.variance[c]! + 1e-5);
      ratio += (bn.runningVar!.data[c]! + 1e-5) / (before.variance[c]! + 1e-5);
    }
    expect(summary.layers[0]!.meanShift).toBeCloseTo(shift / 4, 12);
    expect(summary.layers[0]!.varRatio).toBeCloseTo(ratio / 4, 12);
    expect(summary.layers[0]!.meanShift).toBeGreaterThan(0.01);
    await new Promise((r) => setImmediate(r));
    expect(warnings).toEqual([]);
  });

  it('pools exactly, not by averaging batch variances (which misses the spread of the batch means)', async () => {
    // Sorted data: every batch of 10 has a different mean, so the mean of the batch variances is far
    // below the population variance. The identity layer before BN makes the BN input the data itself.
    const N = 60, x = new Tensor(Float32Array.from({ length: N * 2 }, (_, k) => (k % 2 === 0 ? Math.floor(k / 20) * 5 : 0) + Math.sin(k)), [N, 2]);
    const bn = new nn.BatchNorm1d(2);
    await recalibrateBatchNorm(new nn.Sequential(bn), x, { batchSize: 10 });
    const ref = exactMoments(x);
    expectMatches(bn, ref);
    expect(ref.variance[0]!).toBeGreaterThan(20); // the spread between batches (5·k, k = 0..5), not the ≈ 0.5 within them
  });

  for (const fused of [false, true]) {
    it(`Conv1d→BN→ReLU→Flatten→Linear on (N, C, L), ${fused ? "Sequential's fused Conv→BN→ReLU path" : 'module by module'}`, async () => {
      setFusion(fused);
      manualSeed(3);
      const conv = new nn.Conv1d(3, 4, 3, { padding: 1 }), bn = new nn.BatchNorm1d(4);
      const model = new nn.Sequential(conv, bn, new nn.ReLU(), new nn.Flatten(), new nn.Linear(40, 1));
      const x = inputs([61, 3, 10], 4);
      train3(model, x);
      model.eval();
      const tracked = bn.numBatchesTracked!.value;
      await recalibrateBatchNorm(model, x, { batchSize: 16 });
      expectMatches(bn, exactMoments(noGrad(() => conv.forward(x))));
      expect(bn.numBatchesTracked!.value).toBe(tracked);
      expect(model.modules().every((m) => !m.training)).toBe(true);
    });
  }

  it('fused Conv1d→BN→ReLU→Dropout blocks: the first BN exact; both BNs as module by module', async () => {
    const make = () => {
      manualSeed(5);
      return new nn.Sequential(
        new nn.Conv1d(3, 6, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Dropout(0.5),
        new nn.Conv1d(6, 5, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Dropout(0.5),
        new nn.Flatten(), new nn.Linear(5 * 12, 1),
      );
    };
    const x = inputs([50, 3, 12], 6);
    const fusedModel = make(), plainModel = make();
    setFusion(true);
    const summary = await recalibrateBatchNorm(fusedModel, x, { batchSize: 8 });
    expect(summary.layers.map((l) => l.name)).toEqual(['1', '5']);
    expectMatches(bns(fusedModel)[0]!, exactMoments(noGrad(() => (fusedModel.at(0) as nn.Conv1d).forward(x))));
    setFusion(false);
    await recalibrateBatchNorm(plainModel, x, { batchSize: 8 });
    // The fused kernel normalises with float32 statistics (test/fused.sequential.test.ts): ≈ 1e-7 relative.
    bns(fusedModel).forEach((bn, i) => {
      const other = bns(plainModel)[i]!;
      for (let c = 0; c < bn.numFeatures; c++) {
        expect(bn.runningMean!.data[c]!).toBeCloseTo(other.runningMean!.data[c]!, 5);
        expect(bn.runningVar!.data[c]! / other.runningVar!.data[c]!).toBeCloseTo(1, 5);
      }
    });
    // The second BN saw post-ReLU features of a normalised first block: non-zero, and not the prior (0, 1).
    expect(Array.from(bns(plainModel)[1]!.runningMean!.data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('Dropout is off: Dropout(0.9)→Linear→BN gives the statistics of the undropped input', async () => {
    manualSeed(7);
    const lin = new nn.Linear(6, 3), bn = new nn.BatchNorm1d(3);
    const model = new nn.Sequential(new nn.Dropout(0.9), lin, bn);
    model.train();
    const x = inputs([80, 6], 8);
    await recalibrateBatchNorm(model, x, { batchSize: 20 });
    expectMatches(bn, exactMoments(noGrad(() => lin.forward(x))));
    expect(model.modules().every((m) => m.training)).toBe(true);
  });
});

describe('recalibrateBatchNorm: batch choice, determinism, failure', () => {
  const model = () => {
    manualSeed(9);
    return new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Linear(3, 1));
  };

  it('fewer batches than the data: a seeded shuffle picks them; same seed, same statistics', async () => {
    const x = inputs([100, 4], 10);
    const a = model(), b = model(), c = model();
    const sa = await recalibrateBatchNorm(a, x, { batches: 3, batchSize: 10, seed: 1 });
    await recalibrateBatchNorm(b, x, { batches: 3, batchSize: 10, seed: 1 });
    await recalibrateBatchNorm(c, x, { batches: 3, batchSize: 10, seed: 2 });
    expect(sa).toMatchObject({ batches: 3, samples: 30 });
    const [ba, bb, bc] = [a, b, c].map((m) => bns(m)[0]!);
    expect(ba!.runningMean!.data).toEqual(bb!.runningMean!.data);
    expect(ba!.runningVar!.data).toEqual(bb!.runningVar!.data);
    expect(ba!.runningMean!.data).not.toEqual(bc!.runningMean!.data);
    // 30 of the 100 samples: close to, but not, the full-data statistics.
    const full = exactMoments(noGrad(() => (a.at(0) as nn.Linear).forward(x)));
    for (let ch = 0; ch < 3; ch++) {
      expect(ba!.runningMean!.data[ch]!).not.toBeCloseTo(full.mean[ch]!, 6);
      expect(Math.abs(ba!.runningMean!.data[ch]! - full.mean[ch]!)).toBeLessThan(Math.sqrt(full.variance[ch]!));
    }
  });

  it('an abort between batches rejects and leaves every statistic and mode as it was', async () => {
    const m = model(), bn = bns(m)[0]!;
    const x = inputs([100, 4], 11);
    train3(m, x);
    const before = m.stateDict();
    const ac = new AbortController();
    const run = recalibrateBatchNorm(m, x, { batchSize: 10, signal: ac.signal });
    setImmediate(() => ac.abort());
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const after = m.stateDict();
    for (const k of ['1.running_mean', '1.running_var', '1.num_batches_tracked']) expect(after[k]!.data).toEqual(before[k]!.data);
    expect(m.modules().every((mod) => mod.training)).toBe(true);
    expect(bn.inputObserver).toBeNull();
    // An already-aborted signal: nothing runs.
    await expect(recalibrateBatchNorm(m, x, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(m.stateDict()['1.running_mean']!.data).toEqual(before['1.running_mean']!.data);
  });

  it('a throw mid-way (a bad sample) puts the statistics back', async () => {
    const m = model();
    const x = inputs([40, 4], 12);
    const before = m.stateDict();
    const ds = new TensorDataset(x);
    const bad: Dataset = {
      length: 40,
      get: (i) => {
        if (i === 35) throw new Error('bad sample 35');
        return ds.get(i);
      },
    };
    await expect(recalibrateBatchNorm(m, bad, { batchSize: 10 })).rejects.toThrow('bad sample 35');
    for (const k of ['1.running_mean', '1.running_var', '1.num_batches_tracked']) expect(m.stateDict()[k]!.data).toEqual(before[k]!.data);
  });

  it('option and argument errors', async () => {
    const m = model(), x = inputs([10, 4], 13);
    await expect(recalibrateBatchNorm(m, x, { batches: 0 })).rejects.toThrow('recalibrateBatchNorm: invalid batches: 0 (must be >= 1)');
    await expect(recalibrateBatchNorm(m, x, { batchSize: 2.5 })).rejects.toThrow('recalibrateBatchNorm: batchSize must be an integer, got 2.5');
    await expect(recalibrateBatchNorm(m, x, { batchsize: 8 } as never)).rejects.toThrow('recalibrateBatchNorm: unknown option "batchsize"');
    await expect(recalibrateBatchNorm(m, x, { seed: -1 })).rejects.toThrow(OptionError);
    await expect(recalibrateBatchNorm(m, x, { signal: 'stop' } as never)).rejects.toThrow('recalibrateBatchNorm: signal must be an AbortSignal');
    await expect(recalibrateBatchNorm(m, [1, 2] as never)).rejects.toThrow('recalibrateBatchNorm: data must be a Tensor (first dimension = sample) or a Dataset');
    await expect(recalibrateBatchNorm({} as never, x)).rejects.toThrow('recalibrateBatchNorm: model must be an nn.Module');
    await expect(recalibrateBatchNorm(new nn.Linear(4, 1), x)).rejects.toThrow('recalibrateBatchNorm: the model has no BatchNorm1d layer with running statistics');
    await expect(recalibrateBatchNorm(m, new Tensor(new Float32Array(0), [0, 4]))).rejects.toThrow('recalibrateBatchNorm: data has no samples');
  });

  it('one recalibration of a model at a time: a second concurrent call is refused and does not disturb the first', async () => {
    const m = model(), x = inputs([60, 4], 14);
    const first = recalibrateBatchNorm(m, x, { batchSize: 10 });
    await expect(recalibrateBatchNorm(m, x, { batchSize: 10 })).rejects.toThrow('recalibrateBatchNorm: this model is already being recalibrated by another recalibrateBatchNorm() call; await that call');
    expect(await first).toMatchObject({ batches: 6, samples: 60 });
    expectMatches(bns(m)[0]!, exactMoments(noGrad(() => (m.at(0) as nn.Linear).forward(x))));
  });
});

describe('recalibrateBatchNorm on sorted data', () => {
  // Two clusters stored one after the other (as windows come, sorted by unit). In-order batches would
  // each hold one cluster: the first BatchNorm would erase the clusters' difference within every batch
  // and the second would see almost none of it. Shuffled batches, as in training, keep it.
  it('draws shuffled batches even when one pass covers the data, so the order of the rows does not matter', async () => {
    manualSeed(3);
    const half = 256;
    const x = new Tensor(new Float32Array(2 * half), [2 * half, 1]);
    const noise = randn([2 * half]).data;
    for (let i = 0; i < 2 * half; i++) x.data[i] = (i < half ? 0 : 10) + noise[i]!;
    const shuffled = new Tensor(new Float32Array(2 * half), [2 * half, 1]);
    const order = Array.from({ length: 2 * half }, (_, i) => (i % 2 === 0 ? i / 2 : half + (i - 1) / 2)); // alternate the clusters
    order.forEach((k, i) => (shuffled.data[i] = x.data[k]!));
    const build = () => {
      manualSeed(4);
      return new nn.Sequential(new nn.Linear(1, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 4), new nn.BatchNorm1d(4));
    };
    const sorted = build(), mixed = build();
    await recalibrateBatchNorm(sorted, x, { batchSize: 64 });
    await recalibrateBatchNorm(mixed, shuffled, { batchSize: 64 });
    const a = sorted.stateDict()['4.running_var']!.data as Float32Array, b = mixed.stateDict()['4.running_var']!.data as Float32Array;
    for (let c = 0; c < 4; c++) expect(Math.abs(a[c]! - b[c]!) / b[c]!).toBeLessThan(0.25);
  });
});
