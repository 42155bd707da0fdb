// evaluate() and predict(): eval mode under noGrad, batch-size independent results, Monte-Carlo dropout.
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import * as nn from '../../src/nn/index.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataError, ShapeError } from '../../src/errors.js';
import { evaluate } from '../../src/train/evaluate.js';
import { predict } from '../../src/train/predict.js';
import { snapshot, expectSameSnapshot } from '../nn/helpers.js';

/** Conv1d → BN → ReLU → Dropout backbone on (N, 3, 10), trained a little so BatchNorm has statistics. */
function trainedModel(): nn.Module {
  manualSeed(11);
  const model = nn.conv1dBackbone({ inChannels: 3, window: 10, widths: [8, 8], headHidden: 16 });
  model.train();
  noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(randn([16, 3, 10]));
  });
  return model;
}

function data(n: number): { x: Tensor; y: Tensor } {
  manualSeed(5);
  return { x: randn([n, 3, 10]), y: randn([n, 1]) };
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (scale || 1));
  return worst;
}

describe('evaluate', () => {
  it('gives the loss and metrics of the model in eval mode over every sample, whatever the batch size', async () => {
    const model = trainedModel();
    const { x, y } = data(70);
    const before = snapshot(model);
    const got = await evaluate(model, { x, y, metrics: ['mae', 'rmse'], batchSize: 16 });
    const other = await evaluate(model, { x, y, metrics: ['mae', 'rmse'], batchSize: 1000 });
    model.eval();
    const out = noGrad(() => model.forward(x));
    const mse = F.mseLoss(out, y).item(), mae = F.l1Loss(out, y).item();
    expect(got.loss).toBeCloseTo(mse, 5);
    expect(got.mae).toBeCloseTo(mae, 5);
    expect(got.rmse).toBeCloseTo(Math.sqrt(mse), 5);
    expect(Object.keys(got)).toEqual(['loss', 'mae', 'rmse']);
    for (const k of Object.keys(got)) expect(other[k]).toBeCloseTo(got[k]!, 5);
    model.train();
    expectSameSnapshot(snapshot(model), before); // running statistics untouched
  });

  it('takes a Dataset with sample weights and restores every module mode', async () => {
    const model = trainedModel();
    const { x, y } = data(20);
    const w = new Tensor(Float32Array.from({ length: 20 }, (_, i) => (i < 10 ? 2 : 0)), [20]);
    model.eval();
    (model.modules().find((m) => m instanceof nn.Dropout) as nn.Module).train();
    const modes = model.modules().map((m) => m.training);
    const weighted = await evaluate(model, { data: new TensorDataset(x, y, w), batchSize: 8 });
    expect(model.modules().map((m) => m.training)).toEqual(modes);
    model.eval();
    const out = noGrad(() => model.forward(x));
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += 2 * (out.data[i]! - y.data[i]!) ** 2;
    expect(weighted.loss).toBeCloseTo(sum / 20, 5);
  });

  it('rejects bad options with messages naming them', async () => {
    const model = trainedModel();
    const { x, y } = data(4);
    await expect(evaluate(model, { x, y, batchsize: 2 } as never)).rejects.toThrow(/unknown option "batchsize"/);
    await expect(evaluate(model, { x })).rejects.toThrow('evaluate: give x and y (Tensors, first dimension = sample) or data (a Dataset)');
    await expect(evaluate(model, { x, y: randn([3, 1]) })).rejects.toThrow('evaluate: x and y must have the same number of samples, got 4 and 3');
    await expect(evaluate({} as nn.Module, { x, y })).rejects.toThrow(/evaluate: model must be an nn.Module/);
  });

  it('refuses data it cannot score with a DataError: no samples, or samples without y', async () => {
    const model = trainedModel();
    const { x } = data(4);
    await expect(evaluate(model, { x: randn([0, 3, 10]), y: randn([0, 1]) })).rejects.toThrow(new DataError('evaluate: x has no samples'));
    await expect(evaluate(model, { data: new TensorDataset(x) })).rejects.toThrow(
      new DataError("evaluate: the data's samples must be [x, y] (or [x, y, sampleWeight]), got one Tensor per sample, of shape (3, 10)"),
    );
    await expect(evaluate(model, { data: new TensorDataset(x) })).rejects.toBeInstanceOf(DataError);
  });
});

describe('non-finite data: a DataError naming the sample, not a NaN output or loss (as fit)', () => {
  const spoilt = (t: Tensor, at: number, v: number) => {
    const copy = new Tensor(t.data.slice(), t.shape);
    copy.data[at] = v;
    return copy;
  };

  it('predict: in x, given whole or as a Dataset, with and without Monte-Carlo dropout', async () => {
    const model = trainedModel(), before = snapshot(model);
    const { x } = data(40);
    const bad = spoilt(x, 31 * 30 + 7, Number.NaN); // sample 31, index 7 of its (3, 10) values: in the second batch of 16
    const message = 'predict: x must be finite, got NaN in sample 31 (index 7 of its x)';
    await expect(predict(model, bad, { batchSize: 16 })).rejects.toThrow(new DataError(message));
    await expect(predict(model, new TensorDataset(bad), { batchSize: 16 })).rejects.toThrow(new DataError(message));
    await expect(predict(model, spoilt(x, 0, Infinity), { mcDropout: { samples: 3 } })).rejects.toThrow('predict: x must be finite, got Infinity in sample 0 (index 0 of its x)');
    expectSameSnapshot(snapshot(model), before);
  });

  it('evaluate: in x or in y', async () => {
    const model = trainedModel();
    const { x, y } = data(40);
    await expect(evaluate(model, { x: spoilt(x, 5, -Infinity), y })).rejects.toThrow(new DataError('evaluate: x must be finite, got -Infinity in sample 0 (index 5 of its x)'));
    await expect(evaluate(model, { x, y: spoilt(y, 39, Number.NaN), batchSize: 8 })).rejects.toThrow(new DataError('evaluate: y must be finite, got NaN in sample 39 (index 0 of its y)'));
  });
});

describe('predict', () => {
  it('equals the eval-mode forward, in batches, leaving the model as it was', async () => {
    const model = trainedModel();
    const { x } = data(45);
    const before = snapshot(model);
    const yhat = await predict(model, x, { batchSize: 7 });
    expect(yhat.shape).toEqual([45, 1]);
    expect(model.training).toBe(true);
    model.eval();
    const whole = noGrad(() => model.forward(x));
    expect(maxRelDiff(yhat.data, whole.data)).toBeLessThan(1e-5);
    model.train();
    expectSameSnapshot(snapshot(model), before);
    const fromDataset = await predict(model, new TensorDataset(x), { batchSize: 7 });
    expect(Array.from(fromDataset.data)).toEqual(Array.from(yhat.data));
  });

  it('Monte-Carlo dropout: Dropout on, BatchNorm in eval, seeded and reproducible', async () => {
    const model = trainedModel();
    const { x } = data(30);
    const before = snapshot(model);
    manualSeed(99);
    const next = randn([3]).data;
    manualSeed(99);
    const a = await predict(model, x, { mcDropout: { samples: 12, seed: 3 }, batchSize: 8 });
    expect(Array.from(randn([3]).data)).toEqual(Array.from(next)); // the caller's generator is untouched
    const b = await predict(model, x, { mcDropout: { samples: 12, seed: 3 }, batchSize: 8 });
    const c = await predict(model, x, { mcDropout: { samples: 12, seed: 4 }, batchSize: 8 });
    expect(Array.from(a.mean.data)).toEqual(Array.from(b.mean.data));
    expect(Array.from(a.std.data)).toEqual(Array.from(b.std.data));
    expect(Array.from(a.mean.data)).not.toEqual(Array.from(c.mean.data));
    expect(a.mean.shape).toEqual([30, 1]);
    expect(a.std.data.every((s) => s > 0)).toBe(true);
    expectSameSnapshot(snapshot(model), before); // BatchNorm stayed in eval: statistics and count unchanged
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('Monte-Carlo mean and std are those of the passes (Welford against a two-pass computation)', async () => {
    manualSeed(2);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.Dropout(0.5), new nn.Linear(6, 2));
    const x = randn([5, 4]);
    const samples = 9;
    const { mean, std } = await predict(model, x, { mcDropout: { samples, seed: 8 }, batchSize: 5 });
    // The same passes by hand: same seed, Dropout in training mode, one forward per pass.
    manualSeed(8);
    model.eval();
    (model.modules()[2] as nn.Module).train();
    const passes = Array.from({ length: samples }, () => nn.intendedTrainingMode(() => noGrad(() => model.forward(x))).data);
    for (let i = 0; i < 10; i++) {
      const vals = passes.map((p) => p[i]!);
      const m = vals.reduce((s, v) => s + v, 0) / samples;
      const sd = Math.sqrt(vals.reduce((s, v) => s + (v - m) ** 2, 0) / (samples - 1));
      expect(mean.data[i]).toBeCloseTo(m, 6);
      expect(std.data[i]).toBeCloseTo(sd, 6);
    }
  });

  it('Monte-Carlo transform: the mean of the passes\' softmax, not the softmax of the mean logits', async () => {
    manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Dropout(0.5), new nn.Linear(8, 3));
    const x = randn([6, 4]);
    const samples = 7;
    const { mean, std } = await predict(model, x, { mcDropout: { samples, seed: 1, transform: (o) => F.softmax(o, 1) } });
    manualSeed(1);
    model.eval();
    (model.modules()[2] as nn.Module).train();
    const passes = Array.from({ length: samples }, () => F.softmax(nn.intendedTrainingMode(() => noGrad(() => model.forward(x))), 1).data);
    for (let i = 0; i < 18; i++) {
      const vals = passes.map((p) => p[i]!);
      const m = vals.reduce((s, v) => s + v, 0) / samples;
      expect(mean.data[i]).toBeCloseTo(m, 6);
      expect(std.data[i]).toBeCloseTo(Math.sqrt(vals.reduce((s, v) => s + (v - m) ** 2, 0) / (samples - 1)), 6);
    }
    for (let n = 0; n < 6; n++) expect(mean.data[3 * n]! + mean.data[3 * n + 1]! + mean.data[3 * n + 2]!).toBeCloseTo(1, 6);
  });

  it('rejects an aborted signal with its reason, and bad options', async () => {
    const model = trainedModel();
    const { x } = data(20);
    const ac = new AbortController();
    ac.abort();
    await expect(predict(model, x, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(model.training).toBe(true);
    await expect(predict(model, x, { mcDropout: { samples: 1 } })).rejects.toThrow('predict: mcDropout: invalid samples: 1 (must be >= 2)');
    await expect(predict(new nn.Sequential(new nn.Linear(3, 1)), randn([2, 3]), { mcDropout: {} })).rejects.toThrow('predict: mcDropout needs Dropout layers, and the model has none');
    await expect(predict(model, x, { mcDropout: { transform: 'softmax' as never } })).rejects.toThrow('predict: mcDropout.transform must be a function (output: Tensor) => Tensor, got "softmax"');
    await expect(predict(model, [1, 2] as never)).rejects.toThrow(/predict: x must be a Tensor \(first dimension = sample\) or a Dataset/);
  });

  it('refuses a model whose output does not keep one row per sample (before: rows written in the wrong place or zero-filled)', async () => {
    const batch = (shape: string) => `the model's output for a batch of 5 samples has shape ${shape}`;
    const x = randn([5, 4]);
    await expect(predict(new nn.Flatten(0, -1), x)).rejects.toThrow(new ShapeError(`predict: ${batch('(20)')}; expected (5, …): one row per sample, the same shape for every batch`));
    class Transposed extends nn.Module {
      forward(t: Tensor): Tensor {
        return F.transpose(t, 0, 1);
      }

      toJSON(): nn.ModuleJSON {
        return { type: 'test.Transposed', options: {} };
      }
    }
    await expect(predict(new Transposed(), x)).rejects.toThrow(new ShapeError(`predict: ${batch('(4, 5)')}; expected (5, …): one row per sample, the same shape for every batch`));
    const drop = new nn.Sequential(new nn.Dropout(0.5), new nn.Flatten(0, -1));
    await expect(predict(drop, x, { mcDropout: { samples: 2 } })).rejects.toThrow(new ShapeError(`predict: ${batch('(20)')}; expected (5, …): one row per sample, the same shape for every batch`));
    // a later batch of another row shape
    let calls = 0;
    const varying = new nn.Linear(4, 2);
    const forward = varying.forward.bind(varying);
    varying.forward = (t: Tensor) => (calls++ === 0 ? forward(t) : F.cat([forward(t), forward(t)], 1));
    await expect(predict(varying, x, { batchSize: 3 })).rejects.toThrow(new ShapeError(
      "predict: the model's output for a batch of 2 samples has shape (2, 4); expected (2, 2): one row per sample, the same shape for every batch",
    ));
  });

  it("crossEntropy with ignored targets (−100): evaluate's loss is the whole set's, whatever the batch size (PyTorch's mean over the targets not ignored)", async () => {
    manualSeed(21);
    const model = new nn.Linear(4, 3), x = randn([12, 4]);
    const y = new Tensor(Float32Array.from([0, 1, 2, -100, -100, -100, 1, 2, 0, -100, 1, -100]), [12]);
    const whole = F.crossEntropy(noGrad(() => model.forward(x)), y).item();
    for (const batchSize of [12, 5, 4, 2, 1]) {
      const { loss } = await evaluate(model, { x, y, loss: 'crossEntropy', batchSize });
      expect(loss, `batch ${batchSize}`).toBeCloseTo(whole, 6);
    }
  });
});
