/**
 * What fit does with the data and the options around it, on data generated here from seeded
 * formulas: validationSplit holds out seeded random rows (not the last ones) as a function of the
 * seed; x/y, a TensorDataset and a plain custom Dataset train to the same bits (the custom one on the
 * caller's thread, saying why); sampleWeight and classWeight weigh the loss as Σ w_i·ℓ_i / N
 * (checked against hand computations); l1/l2 penalties move only the weights and stay out of the
 * logged loss; clipGradValue and clipGradNorm bound the step; 'crossEntropy' with class indices,
 * 'bce' on logits and the accuracy metrics agree with hand computations; and bad options are
 * rejected with exact messages.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { DataError, KeelError, OptionError, ShapeError } from '../../src/errors.js';
import { evaluate, F, fit, manualSeed, nn, optim, predict, Tensor, TensorDataset } from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import type { FitHistory } from '../../src/train/fit.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { PhaseMarker, regressionData, regressionMlp, warningsWithCode } from './helpers.js';

/**
 * n points uniform in [−1, 1)² labelled by their angle's quarter-turn sector turned by 0.3 rad:
 *   class = ⌊((atan2(x1, x0) + π + 0.3) mod 2π) / (π/2)⌋ ∈ {0, 1, 2, 3}
 * as x (n, 2) and y (n) of class indices.
 */
function sectors(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const x = new Float32Array(n * 2), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.fround(2 * r() - 1), b = Math.fround(2 * r() - 1);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = Math.floor(((Math.atan2(b, a) + Math.PI + 0.3) % (2 * Math.PI)) / (Math.PI / 2));
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Parameters by name, as float64 copies. */
const params = (model: Module): Record<string, number[]> => Object.fromEntries(model.namedParameters().map(([k, p]) => [k, Array.from(p.data)]));

/** What a history must repeat exactly (wall times excluded). */
const curves = (h: FitHistory) => h.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, metrics: e.metrics, lr: e.lr }));

/** A linear model that SGD with lr 0 leaves as it is: its loss is then a function of the data alone. */
function frozenLinear(inputs: number, outputs: number, seed = 2): { model: nn.Linear; optimizer: (p: Tensor[]) => optim.SGD } {
  manualSeed(seed);
  return { model: new nn.Linear(inputs, outputs), optimizer: (p) => new optim.SGD(p, { lr: 0 }) };
}

/** A map-style dataset with only get(i) (no getBatch): [x_i (6), y_i (1)], recording which rows are read in which phase (a PhaseMarker sets it). */
class PlainDataset implements Dataset {
  phase = 'train';
  readonly reads: Record<string, number[]> = { train: [], validation: [] };

  constructor(private readonly x: Float32Array, private readonly y: Float32Array) {}

  get length(): number {
    return this.y.length;
  }

  get(i: number): Tensor[] {
    this.reads[this.phase]!.push(i);
    return [new Tensor(this.x.slice(i * 6, i * 6 + 6), [6]), new Tensor(this.y.slice(i, i + 1), [1])];
  }
}

const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/** Cross entropy of each logit row (n, C) with its class index, in double. */
function crossEntropies(logits: Float32Array, y: Float32Array, C: number): number[] {
  return Array.from(y, (c, i) => {
    const row = Array.from(logits.subarray(i * C, i * C + C));
    const m = Math.max(...row);
    return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[c]!;
  });
}

/** Fraction of rows whose class is among the k best scores (ties: the lower class index ranks first). */
function topK(logits: Float32Array, y: Float32Array, C: number, k: number): number {
  let hits = 0;
  y.forEach((c, i) => {
    const s = logits.subarray(i * C, i * C + C);
    let above = 0;
    for (let j = 0; j < C; j++) if (s[j]! > s[c]! || (s[j] === s[c] && j < c)) above++;
    if (above < k) hits++;
  });
  return hits / y.length;
}

const mean = (v: number[]): number => v.reduce((s, a) => s + a, 0) / v.length;

const inThreadWarnings = warningsWithCode('KEEL_FIT_IN_THREAD');

describe('validationSplit', () => {
  const sorted = regressionData(80, 31, true);
  /** The rows a 0.25 split holds out, read off a PlainDataset over the sorted data. */
  async function heldOut(seed: number): Promise<{ train: number[]; validation: number[] }> {
    const data = new PlainDataset(sorted.x.data, sorted.y.data);
    const { model, optimizer } = frozenLinear(6, 1);
    await fit(model, { data, validationSplit: 0.25, epochs: 1, batchSize: 16, seed, optimizer, verbose: false, worker: false, callbacks: [new PhaseMarker(data)] });
    return { train: [...new Set(data.reads.train!)], validation: data.reads.validation! };
  }

  it('holds out seeded random rows that span the (sorted) data, not the last rows, as a function of the seed', async () => {
    const a = await heldOut(1);
    expect(a.validation).toHaveLength(20);
    expect(new Set(a.validation).size).toBe(20);
    expect(a.train).toHaveLength(60);
    expect([...a.train, ...a.validation].sort((p, q) => p - q)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    const y = sorted.y.data;
    const yVal = a.validation.map((i) => y[i]!);
    // The data is sorted by y: the last 20 rows would be the top quarter; the held-out rows reach into both ends.
    expect(Math.min(...yVal)).toBeLessThan(y[20]!);
    expect(Math.max(...yVal)).toBeGreaterThan(y[59]!);
    expect((await heldOut(1)).validation).toEqual(a.validation);
    expect(new Set((await heldOut(2)).validation)).not.toEqual(new Set(a.validation));
  });

  it('x and y in a worker hold out the same rows: valLoss is the loss on exactly those rows', async () => {
    const { validation } = await heldOut(1);
    const { model, optimizer } = frozenLinear(6, 1);
    const history = await fit(model, { ...sorted, validationSplit: 0.25, epochs: 1, batchSize: 16, seed: 1, optimizer, verbose: false, worker: true });
    const p = (await predict(model, sorted.x)).data, y = sorted.y.data;
    const mse = (rows: number[]) => mean(rows.map((i) => (p[i]! - y[i]!) ** 2));
    expect(history.epochs[0]!.valLoss).toBeCloseTo(mse(validation), 6);
    const last = Array.from({ length: 20 }, (_, k) => 60 + k);
    expect(Math.abs(mse(last) - mse(validation))).toBeGreaterThan(0.1); // it would tell the last rows apart
  });
});

describe('the ways to give data', () => {
  it('x/y, a TensorDataset and a custom Dataset with only get() train to the same bits; the custom one on the caller\'s thread, saying why', async () => {
    const { x, y } = regressionData(64, 41);
    const validationData = regressionData(24, 42);
    const options: FitOptions = { validationData, epochs: 2, batchSize: 16, metrics: ['rmse'], seed: 3, verbose: false };
    const a = regressionMlp(), b = regressionMlp(), c = regressionMlp();
    const ha = await fit(a, { ...options, x, y });
    const hb = await fit(b, { ...options, data: new TensorDataset(x, y) });
    const hc = await fit(c, { ...options, data: new PlainDataset(x.data, y.data) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(inThreadWarnings).toEqual([
      "fit: training on the caller's thread (yielding to the event loop between batches) because the dataset (PlainDataset) is not a TensorDataset, a WindowDataset or a Subset of one, so it cannot move to a worker. Pass worker: false to choose this and silence the warning.",
    ]);
    expect(snapshot(regressionMlp())).not.toEqual(snapshot(a)); // it trained
    expectSameSnapshot(snapshot(b), snapshot(a));
    expectSameSnapshot(snapshot(c), snapshot(a));
    expect(curves(hb)).toEqual(curves(ha));
    expect(curves(hc)).toEqual(curves(ha));
  });
});

describe('sample and class weights', () => {
  it('sampleWeight: the logged training and validation losses are Σ w_i·(ŷ_i − y_i)² / N, as evaluate computes them', async () => {
    const { x, y } = regressionData(50, 51), v = regressionData(20, 52);
    const r = prng(53);
    const w = new Tensor(Float32Array.from({ length: 50 }, () => 3 * r()), [50]);
    const wv = new Tensor(Float32Array.from({ length: 20 }, () => 3 * r()), [20]);
    const { model, optimizer } = frozenLinear(6, 1);
    const weighted = await fit(model, { x, y, sampleWeight: w, validationData: { ...v, sampleWeight: wv }, epochs: 1, batchSize: 16, optimizer, verbose: false });
    const plain = await fit(model, { x, y, validationData: v, epochs: 1, batchSize: 16, optimizer, verbose: false });
    const sq = (p: Float32Array, t: Float32Array) => Array.from(p, (pi, i) => (pi - t[i]!) ** 2);
    const l = sq((await predict(model, x)).data, y.data), lv = sq((await predict(model, v.x)).data, v.y.data);
    const want = mean(l.map((li, i) => w.data[i]! * li)), wantVal = mean(lv.map((li, i) => wv.data[i]! * li));
    expect(weighted.epochs[0]!.loss).toBeCloseTo(want, 6);
    expect(weighted.epochs[0]!.valLoss).toBeCloseTo(wantVal, 6);
    expect(plain.epochs[0]!.loss).toBeCloseTo(mean(l), 6);
    expect(plain.epochs[0]!.valLoss).toBeCloseTo(mean(lv), 6);
    expect(Math.abs(want - mean(l))).toBeGreaterThan(1e-3);
    expect((await evaluate(model, { data: new TensorDataset(x, y, w) })).loss).toBeCloseTo(want, 6);
  });

  it('classWeight ({ class: weight } or an array): the training loss is Σ cw[y_i]·CE_i / N; validation stays unweighted', async () => {
    const { x, y } = sectors(60, 61), v = sectors(30, 62);
    const { model, optimizer } = frozenLinear(2, 4);
    const base = { x, y, validationData: v, loss: 'crossEntropy' as const, epochs: 1, batchSize: 16, optimizer, verbose: false as const };
    const byRecord = await fit(model, { ...base, classWeight: { 0: 1, 1: 4, 3: 0.5 } });
    const byArray = await fit(model, { ...base, classWeight: [1, 4, 1, 0.5] });
    const ce = crossEntropies((await predict(model, x)).data, y.data, 4);
    const ceVal = crossEntropies((await predict(model, v.x)).data, v.y.data, 4);
    const cw = [1, 4, 1, 0.5];
    const want = mean(ce.map((l, i) => cw[y.data[i]!]! * l));
    expect(byRecord.epochs[0]!.loss).toBeCloseTo(want, 6);
    expect(byArray.epochs[0]!.loss).toBe(byRecord.epochs[0]!.loss);
    expect(Math.abs(want - mean(ce))).toBeGreaterThan(1e-3);
    expect(byRecord.epochs[0]!.valLoss).toBeCloseTo(mean(ceVal), 6);
  });

  it('sampleWeight and classWeight together multiply (Keras 2), in a worker and not', async () => {
    const { x, y } = sectors(60, 61);
    const r = prng(63);
    const w = new Tensor(Float32Array.from({ length: 60 }, () => 2 * r()), [60]);
    const cw = [1, 4, 1, 0.5];
    for (const worker of [false, true]) {
      const { model, optimizer } = frozenLinear(2, 4);
      const both = await fit(model, { x, y, sampleWeight: w, classWeight: cw, loss: 'crossEntropy', epochs: 1, batchSize: 16, optimizer, verbose: false, worker });
      const ce = crossEntropies((await predict(model, x)).data, y.data, 4);
      expect(both.epochs[0]!.loss, worker ? 'worker' : 'thread').toBeCloseTo(mean(ce.map((l, i) => w.data[i]! * cw[y.data[i]!]! * l)), 6);
    }
  });

  it('classWeight as a Map (a Python dict in JavaScript) weighs as the record does, in a worker and not', async () => {
    const { x, y } = sectors(60, 61);
    for (const worker of [false, true]) {
      const { model, optimizer } = frozenLinear(2, 4);
      const base = { x, y, loss: 'crossEntropy' as const, epochs: 1, batchSize: 16, optimizer, verbose: false as const, worker };
      const byRecord = await fit(model, { ...base, classWeight: { 0: 1, 1: 4, 3: 0.5 } });
      const byMap = await fit(model, { ...base, classWeight: new Map([[0, 1], [1, 4], [3, 0.5]]) });
      const unweighted = await fit(model, base);
      expect(byMap.epochs[0]!.loss).toBe(byRecord.epochs[0]!.loss);
      expect(byMap.epochs[0]!.loss).not.toBe(unweighted.epochs[0]!.loss);
    }
  });

  it('a bad classWeight ends fit before any callback starts', async () => {
    const { x, y } = sectors(20, 61);
    class Began extends Callback {
      began = false;
      override onTrainBegin(): void {
        this.began = true;
      }
    }
    for (const worker of [false, true]) {
      const began = new Began();
      const { model } = frozenLinear(2, 4);
      const run = fit(model, { x, y, loss: 'crossEntropy', classWeight: [1, -1], callbacks: [began], verbose: false, worker });
      await expect(run).rejects.toThrow(new OptionError('fit: classWeight[1] must be a finite number >= 0, got -1'));
      expect(began.began).toBe(false);
    }
  });

  it('seed 2^53 − 1 (the largest) splits, shuffles and trains, to the same bits in a worker and not', async () => {
    const { x, y } = regressionData(40, 73);
    const runs = [];
    for (const worker of [false, true]) {
      const model = regressionMlp();
      const h = await fit(model, { x, y, validationSplit: 0.25, epochs: 2, batchSize: 8, seed: Number.MAX_SAFE_INTEGER, verbose: false, worker });
      runs.push({ valLoss: h.values('valLoss'), params: params(model) });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0]!.valLoss.every(Number.isFinite)).toBe(true);
  });
});

describe('penalties and clipping', () => {
  const { x, y } = regressionData(64, 71);
  /** Linear(6→8) → BatchNorm1d(8) → ReLU → Linear(8→1), biases included: weights, biases and norm parameters. */
  const model = (): nn.Sequential => {
    manualSeed(5);
    return new nn.Sequential(new nn.Linear(6, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1));
  };
  /** One SGD step over all 64 samples (one batch), from the same initial weights. */
  const oneStep = async (lr: number, extra: Partial<FitOptions>) => {
    const m = model();
    const before = params(m);
    const h = await fit(m, { x, y, epochs: 1, batchSize: 64, shuffle: false, optimizer: (p) => new optim.SGD(p, { lr }), checks: false, verbose: false, ...extra });
    return { before, after: params(m), loss: h.epochs[0]!.loss };
  };
  const WEIGHTS = ['0.weight', '3.weight'];
  const OTHERS = ['0.bias', '1.weight', '1.bias', '3.bias'];

  it('l2 (in a worker) and l1: the step moves each weight by an extra −lr·2λ·w or −lr·λ·sign(w); biases and BatchNorm not at all; the logged loss excludes them', async () => {
    const lr = 0.1, lambda = 0.05;
    const base = await oneStep(lr, { worker: false });
    const l2 = await oneStep(lr, { l2: lambda });
    const l1 = await oneStep(lr, { l1: lambda, worker: false });
    for (const k of WEIGHTS) {
      const w0 = base.before[k]!;
      l2.after[k]!.forEach((v, i) => expect(v - base.after[k]![i]!).toBeCloseTo(-lr * 2 * lambda * w0[i]!, 6));
      l1.after[k]!.forEach((v, i) => expect(v - base.after[k]![i]!).toBeCloseTo(-lr * lambda * Math.sign(w0[i]!), 6));
    }
    for (const k of OTHERS) {
      expect(l2.after[k]).toEqual(base.after[k]);
      expect(l1.after[k]).toEqual(base.after[k]);
    }
    expect(base.after['1.weight']).not.toEqual(base.before['1.weight']); // BatchNorm's parameters did train
    expect(l2.loss).toBe(base.loss);
    expect(l1.loss).toBe(base.loss);
  });

  it('clipGradValue (in a worker): with lr 10 and a clip of 1e-3 no parameter moves by more than lr·clip = 0.01', async () => {
    const largest = (s: { before: Record<string, number[]>; after: Record<string, number[]> }) =>
      Math.max(...Object.keys(s.before).flatMap((k) => s.after[k]!.map((v, i) => Math.abs(v - s.before[k]![i]!))));
    const clipped = await oneStep(10, { clipGradValue: 1e-3 });
    const free = await oneStep(10, { worker: false });
    expect(largest(free)).toBeGreaterThan(0.1); // unclipped, the step is far larger
    expect(largest(clipped)).toBeLessThanOrEqual(0.01 * (1 + 1e-6));
    expect(largest(clipped)).toBeGreaterThan(0.01 * (1 - 1e-6)); // some gradient was cut exactly at the bound
  });

  it('clipGradNorm: with lr 1 the whole step has L2 norm maxNorm = 0.01', async () => {
    const norm = (s: { before: Record<string, number[]>; after: Record<string, number[]> }) =>
      Math.sqrt(Object.keys(s.before).reduce((acc, k) => acc + s.after[k]!.reduce((a, v, i) => a + (v - s.before[k]![i]!) ** 2, 0), 0));
    const clipped = await oneStep(1, { clipGradNorm: 0.01, worker: false });
    const free = await oneStep(1, { worker: false });
    expect(norm(free)).toBeGreaterThan(0.1);
    expect(norm(clipped)).toBeCloseTo(0.01, 5);
  });
});

describe('classification', () => {
  it("'crossEntropy' with class indices and 'accuracy' / 'top2Accuracy' metrics: it learns, and the last epoch's validation numbers are the hand-computed ones", async () => {
    const { x, y } = sectors(320, 81), v = sectors(80, 82);
    manualSeed(6);
    const model = new nn.Sequential(new nn.Linear(2, 32, { bias: false }), new nn.BatchNorm1d(32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4));
    const h = await fit(model, {
      x, y, validationData: v, loss: 'crossEntropy', metrics: ['accuracy', 'top2Accuracy'], epochs: 15, batchSize: 32,
      optimizer: (p) => new optim.Adam(p, { lr: 1e-2 }), verbose: false,
    });
    const last = h.epochs.at(-1)!;
    expect(Object.keys(last.metrics).sort()).toEqual(['accuracy', 'top2Accuracy', 'valAccuracy', 'valTop2Accuracy']);
    expect(last.loss).toBeLessThan(h.epochs[0]!.loss);
    expect(last.metrics.valAccuracy).toBeGreaterThan(0.8);
    const logits = (await predict(model, v.x)).data;
    expect(last.metrics.valAccuracy).toBe(topK(logits, v.y.data, 4, 1));
    expect(last.metrics.valTop2Accuracy).toBe(topK(logits, v.y.data, 4, 2));
    expect(last.metrics.valTop2Accuracy).toBeGreaterThanOrEqual(last.metrics.valAccuracy!);
    expect(last.valLoss).toBeCloseTo(mean(crossEntropies(logits, v.y.data, 4)), 5);
  });

  it("'bce' on logits with 'accuracy': it learns, and the last epoch's validation numbers are the hand-computed ones", async () => {
    const label = (d: { x: Tensor }) => new Tensor(Float32Array.from({ length: d.x.shape[0]! }, (_, i) => (d.x.data[2 * i]! + 0.5 * d.x.data[2 * i + 1]! ** 2 > 0.2 ? 1 : 0)), [d.x.shape[0]!, 1]);
    const t = sectors(240, 91), u = sectors(80, 92);
    const y = label(t), yv = label(u);
    manualSeed(7);
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 1));
    const h = await fit(model, {
      x: t.x, y, validationData: { x: u.x, y: yv }, loss: 'bce', metrics: ['accuracy'], epochs: 15, batchSize: 16,
      optimizer: (p) => new optim.Adam(p, { lr: 2e-2 }), verbose: false,
    });
    const last = h.epochs.at(-1)!;
    expect(last.loss).toBeLessThan(h.epochs[0]!.loss);
    expect(last.metrics.valAccuracy).toBeGreaterThan(0.85);
    const z = (await predict(model, u.x)).data;
    expect(last.metrics.valAccuracy).toBe(mean(Array.from(z, (zi, i) => ((zi > 0 ? 1 : 0) === yv.data[i] ? 1 : 0))));
    expect(last.valLoss).toBeCloseTo(mean(Array.from(z, (zi, i) => (1 - yv.data[i]!) * zi + softplus(-zi))), 5);
  });
});

describe('option errors', () => {
  const { x, y } = regressionData(64, 101);
  const xy = { x, y, verbose: false as const };
  const net = () => new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 1));
  const other = new nn.Linear(6, 1);
  const sgd = (p: Tensor[]) => new optim.SGD(p, { lr: 0.1 });
  const KEYS = 'x, y, data, validationData, validationSplit, epochs, batchSize, validationBatchSize, shuffle, optimizer, scheduler, schedulerInterval, ' +
    'loss, metrics, earlyStopping, l1, l2, clipGradNorm, clipGradValue, callbacks, signal, verbose, verboseStream, classWeight, sampleWeight, ' +
    'initialEpoch, seed, worker, checks, terminateOnNaN, divergence, augment';
  const cannotMove = "fit: worker: true, but the run cannot move to a worker thread: ";
  const cases: Array<[string, unknown, new (message: string) => KeelError, string]> = [
    ['not an object', null, OptionError, 'fit: options must be an object { x, y, epochs, ... }, got null'],
    ['an unknown key (a typo)', { ...xy, batchsize: 8 }, OptionError, `fit: unknown option "batchsize" (options are ${KEYS})`],
    ['no data', { y, verbose: false }, OptionError, 'fit: give x and y (Tensors, first dimension = sample) or data (a Dataset)'],
    ['data and x', { ...xy, data: new TensorDataset(x, y) }, OptionError, 'fit: give either data or x and y, not both'],
    ['data not a Dataset', { data: [1, 2, 3], verbose: false }, OptionError, 'fit: data must be a Dataset (length, get(i)), got [1, 2, 3]'],
    ['x not a Tensor', { ...xy, x: [[1, 2]] }, OptionError, 'fit: x must be a Tensor (first dimension = sample), got [[1, 2]]'],
    ['x and y of different lengths', { ...xy, y: new Tensor(new Float32Array(63), [63, 1]) }, ShapeError,
      'fit: x and y must have the same number of samples, got 64 and 63'],
    ['a sampleWeight of another length', { ...xy, sampleWeight: new Tensor(new Float32Array(60), [60]) }, ShapeError,
      'fit: x, y and sampleWeight must have the same number of samples, got 64, 64 and 60'],
    ['a 2-D sampleWeight', { ...xy, sampleWeight: new Tensor(new Float32Array(64), [64, 1]) }, ShapeError,
      'fit: sampleWeight must be 1-D (one weight per sample), got shape (64, 1)'],
    // Checked before training: the loss would refuse the weight only at its batch, after earlier batches stepped.
    ['a negative sampleWeight', { ...xy, batchSize: 8, sampleWeight: new Tensor(Float32Array.from({ length: 64 }, (_, i) => (i === 40 ? -1 : 1)), [64]) }, DataError,
      'fit: sampleWeight must be finite numbers >= 0, got -1 for sample 40'],
    ['a NaN validationData.sampleWeight', { ...xy, validationData: { x, y, sampleWeight: new Tensor(Float32Array.from({ length: 64 }, (_, i) => (i === 3 ? NaN : 1)), [64]) } }, DataError,
      'fit: validationData.sampleWeight must be finite numbers >= 0, got NaN for sample 3'],
    ['a dataset yielding x alone', { data: { length: 64, get: (i: number) => [new Tensor(x.data.slice(6 * i, 6 * i + 6), [6])] }, worker: false, verbose: false }, DataError,
      "fit: the training data's samples must be [x, y] (or [x, y, sampleWeight]), got one Tensor per sample, of shape (6)"],
    ['sampleWeight with data', { data: new TensorDataset(x, y), sampleWeight: new Tensor(new Float32Array(64), [64]), verbose: false }, OptionError,
      "fit: with data, give sample weights as each sample's third field, not sampleWeight"],
    ['validationData and validationSplit', { ...xy, validationSplit: 0.2, validationData: { x, y } }, OptionError, 'fit: give validationData or validationSplit, not both'],
    ['validationData of different lengths', { ...xy, validationData: { x, y: new Tensor(new Float32Array(10), [10, 1]) } }, ShapeError,
      'fit: validationData.x and validationData.y must have the same number of samples, got 64 and 10'],
    ['an unknown validationData key', { ...xy, validationData: { x, y, w: y } }, OptionError, 'fit: validationData: unknown option "w" (options are x, y, sampleWeight)'],
    ['validationSplit 1', { ...xy, validationSplit: 1 }, OptionError, 'fit: invalid validationSplit: 1 (must be > 0 and < 1)'],
    ['a validationSplit that holds out nothing', { ...xy, validationSplit: 0.001 }, DataError,
      'fit: validationSplit 0.001 of 64 samples leaves 0 for validation and 64 for training; both need at least one'],
    ['epochs 0', { ...xy, epochs: 0 }, OptionError, 'fit: invalid epochs: 0 (must be >= 1)'],
    ['epochs <= initialEpoch', { ...xy, epochs: 2, initialEpoch: 2 }, OptionError, 'fit: epochs (2) must be greater than initialEpoch (2): epochs counts up to a total'],
    ['batchSize 0', { ...xy, batchSize: 0 }, OptionError, 'fit: invalid batchSize: 0 (must be >= 1)'],
    ['a fractional batchSize', { ...xy, batchSize: 2.5 }, OptionError, 'fit: batchSize must be an integer, got 2.5'],
    ['shuffle not a boolean', { ...xy, shuffle: 'yes' }, OptionError, 'fit: shuffle must be a boolean, got "yes"'],
    ['a bad verbose', { ...xy, verbose: 'loud' }, OptionError, `fit: verbose must be one of 'auto', 'bar', 'lines', 'jsonl', got "loud"`],
    ['a bad worker', { ...xy, worker: 'yes' }, OptionError, `fit: worker must be 'auto', true or false, got "yes"`],
    ['a negative seed', { ...xy, seed: -1 }, OptionError, 'fit: seed must be an integer in [0, 2^53 - 1] (Number.MAX_SAFE_INTEGER), got -1'],
    // Named in fit's words, not by the DataLoader or randomSplit it would have reached.
    ['a seed beyond 2^53 − 1', { ...xy, seed: 2 ** 53, validationSplit: 0.2 }, OptionError,
      'fit: seed must be an integer in [0, 2^53 - 1] (Number.MAX_SAFE_INTEGER), got 9007199254740992'],
    ['a negative l2', { ...xy, l2: -1 }, OptionError, 'fit: invalid l2: -1 (must be >= 0)'],
    ['clipGradValue 0', { ...xy, clipGradValue: 0 }, OptionError, 'fit: invalid clipGradValue: 0 (must be > 0)'],
    ['a bad schedulerInterval', { ...xy, schedulerInterval: 'step' }, OptionError, `fit: schedulerInterval must be one of 'batch', 'epoch', got "step"`],
    ['classWeight a number', { ...xy, classWeight: 3 }, OptionError, 'fit: classWeight must be { class: weight }, a Map of class to weight or an array of weights by class, got 3'],
    // Weights and keys are checked with the options, not at the first batch (after onTrainBegin) under another name.
    ['a negative classWeight', { ...xy, classWeight: { 0: 1, 1: -2 } }, OptionError, 'fit: classWeight[1] must be a finite number >= 0, got -2'],
    ['a NaN classWeight in a Map', { ...xy, classWeight: new Map([[0, NaN]]) }, OptionError, 'fit: classWeight[0] must be a finite number >= 0, got NaN'],
    ['an infinite classWeight in an array', { ...xy, classWeight: [1, Infinity] }, OptionError, 'fit: classWeight[1] must be a finite number >= 0, got Infinity'],
    ['a classWeight key that is not a class', { ...xy, classWeight: { a: 1 } }, OptionError, 'fit: classWeight keys must be class indices (integers >= 0), got "a"'],
    ['a Map classWeight key that is not a class', { ...xy, classWeight: new Map([[1.5, 1]]) }, OptionError, 'fit: classWeight keys must be class indices (integers >= 0), got 1.5'],
    ['signal not an AbortSignal', { ...xy, signal: {} }, OptionError, 'fit: signal must be an AbortSignal, got {}'],
    ['a callback that is not a Callback', { ...xy, callbacks: [{ onEpochEnd() {} }] }, OptionError, 'fit: callbacks[0] must be a Callback (extend callbacks.Callback), got {}'],
    ['optimizer not an Optimizer', { ...xy, optimizer: { lr: 1 } }, OptionError, 'fit: optimizer must be an Optimizer or a factory (params, model) => Optimizer, got {"lr":1}'],
    ["an optimizer over another model's parameters", { ...xy, optimizer: new optim.SGD(other.parameters(), { lr: 0.1 }) }, OptionError,
      "fit: the optimizer holds none of the model's parameters (build it on model.parameters(), or pass a factory)"],
    ['a scheduler on another optimizer', { ...xy, optimizer: sgd, scheduler: new optim.StepLR(sgd(other.parameters()), { stepSize: 1 }) }, OptionError,
      "fit: the scheduler drives another optimizer than fit's; build it on the optimizer fit uses (the factory receives it)"],
    ['an unknown loss', { ...xy, loss: 'mse2' }, OptionError,
      `fit: unknown loss "mse2" (known losses: 'mse', 'mae', 'huber', 'crossEntropy', 'bce', or a function (yPred, y) => Tensor)`],
    ['an unknown metric', { ...xy, metrics: ['rsme'] }, OptionError,
      'fit: unknown metric "rsme" at index 0 (known metrics: mse, rmse, mae, r2, accuracy, phm08, top<k>Accuracy (e.g. top5Accuracy); or a function, or { name, fn })'],
    ['worker: true with a custom loss', { ...xy, worker: true, loss: function meanSquare(p: Tensor, t: Tensor) { return F.mseLoss(p, t); } }, OptionError,
      `${cannotMove}the loss is a function, which cannot move to a worker (use a named loss, or worker: false)`],
    ['worker: true with a metric function', { ...xy, worker: true, metrics: [function rmsle() { return 0; }] }, OptionError,
      `${cannotMove}the metric rmsle is a function, which cannot move to a worker (use a built-in metric, or worker: false)`],
    ['worker: true with a custom Dataset', { data: new PlainDataset(x.data, y.data), verbose: false, worker: true }, OptionError,
      `${cannotMove}the dataset (PlainDataset) is not a TensorDataset, a WindowDataset or a Subset of one, so it cannot move to a worker`],
  ];

  it.each(cases)('%s', async (_name, options, type, message) => {
    const model = net();
    const before = snapshot(model);
    const error = await fit(model, options as FitOptions).then(() => null, (e: unknown) => e);
    expect((error as Error).constructor).toBe(type);
    expect(error).toBeInstanceOf(KeelError);
    expect((error as Error).message).toBe(message);
    expectSameSnapshot(snapshot(model), before); // nothing ran
  });

  it('worker: true with a module type that is not registered', async () => {
    class Unregistered extends nn.Module {
      forward(input: Tensor): Tensor {
        return input;
      }

      toJSON() {
        return { type: 'test.Unregistered', options: {} };
      }
    }
    const error = await fit(new nn.Sequential(net(), new Unregistered()), { ...xy, worker: true }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toBe(
      `${cannotMove}module type "test.Unregistered" is not registered, so a worker cannot rebuild the model (nn.registerModuleType(name, factory, { module: import.meta.url }))`,
    );
  });

  it("worker: true with a subclass whose toJSON is its parent's, also after its parent's architecture moved to a worker", async () => {
    class Doubled extends nn.Linear {
      override forward(input: Tensor): Tensor {
        return F.mul(super.forward(input), 2);
      }
    }
    // The same toJSON() as net(): the worker would rebuild (and train) a Linear.
    const doubled = () => new nn.Sequential(new Doubled(6, 4), new nn.ReLU(), new nn.Linear(4, 1));
    expect(JSON.stringify(doubled().toJSON())).toBe(JSON.stringify(net().toJSON()));
    await fit(net(), { ...xy, epochs: 1, worker: true }); // the architecture's rebuild is checked, and remembered
    const error = await fit(doubled(), { ...xy, worker: true }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toBe(
      `${cannotMove}nn.fromJSON(model.toJSON()) does not rebuild Doubled at "0" as itself (a subclass needs its own toJSON type, registered with nn.registerModuleType)`,
    );
  });

  describe('a model that uses one layer twice (toJSON writes it twice)', () => {
    const inThread = warningsWithCode('KEEL_FIT_IN_THREAD');
    const tied = () => {
      manualSeed(3);
      const shared = new nn.Linear(6, 6);
      return new nn.Sequential(shared, new nn.ReLU(), shared, new nn.Linear(6, 1));
    };

    it('worker: true is refused, naming both places', async () => {
      const error = await fit(tied(), { ...xy, worker: true }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toBe(`${cannotMove}the model uses one layer or tensor at "0" and at "2", which toJSON() writes as two, so a worker would train two copies of it`);
    });

    it("worker 'auto' trains it on the caller's thread, as one layer: the weights worker: false gives, bit for bit", async () => {
      const alone = tied();
      await fit(alone, { ...xy, epochs: 2, worker: false });
      const auto = tied();
      await fit(auto, { ...xy, epochs: 2 });
      expect(inThread).toEqual([expect.stringContaining('the model uses one layer or tensor at "0" and at "2"')]);
      expectSameSnapshot(snapshot(auto), snapshot(alone));
      expect(auto.at(0)).toBe(auto.at(2));
    });
  });

  it('a model that is not a Module', async () => {
    const error = await fit({} as Module, xy).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toBe('fit: model must be an nn.Module, got {}');
  });
});
