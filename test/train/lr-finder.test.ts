/**
 * findLearningRate (src/train/lr-finder.ts), the learning-rate range test: on a synthetic standardised
 * regression problem the exponential sweep's learning rates, recorded losses (replayed independently
 * step by step here) and bias-corrected smoothed losses (recomputed here) are exact; the smoothed curve
 * falls then diverges and the sweep stops at the first point above divergeFactor × best; the 'steepest'
 * suggestion follows its rule (recomputed here, and on constructed curves) and lies in 1e-4..1e-1 for
 * Adam; a non-finite loss ends the sweep unrecorded; afterwards parameters, gradients, buffers
 * (BatchNorm running statistics, num_batches_tracked), the optimizer's state and group options, modes
 * and the global generator are as before bit for bit — also after a throw and an abort; the same seed
 * gives the same curve; it yields to the event loop; bad options throw.
 */
import { describe, expect, it } from 'vitest';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import * as F from '../../src/functional/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { StepLR } from '../../src/optim/lr-scheduler-decay.js';
import { SGD } from '../../src/optim/sgd.js';
import { randn } from '../../src/tensor/create.js';
import { generatorState, manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { findLearningRate, steepestSuggestion } from '../../src/train/lr-finder.js';

/** y = x·w + 0.1·noise, standardised; x standard normal (N, 8). */
function problem(N = 512, D = 8): { x: Tensor; y: Tensor } {
  manualSeed(1);
  const x = randn([N, D]), w = randn([D]), noise = randn([N]);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0.1 * noise.data[i]!;
    for (let j = 0; j < D; j++) s += x.data[i * D + j]! * w.data[j]!;
    y[i] = s;
  }
  const mean = y.reduce((a, b) => a + b, 0) / N;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / N);
  return { x, y: new Tensor(Float32Array.from(y, (v) => (v - mean) / sd), [N, 1]) };
}

const mlp = () => {
  manualSeed(2);
  return new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 1));
};
const bnModel = () => {
  manualSeed(3);
  return new nn.Sequential(new nn.Linear(8, 16), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 1));
};

/** The bytes of a typed array: bitwise comparisons (NaN payloads and −0 included). */
const bits = (a: ArrayBufferView): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** Everything findLearningRate must put back, as bytes and plain data. */
function capture(model: nn.Module, opt: Adam | SGD) {
  return {
    params: model.parameters().map((p) => bits(p.data)),
    grads: model.parameters().map((p) => [p.grad, p.grad ? bits(p.grad.data) : null]),
    buffers: model.buffers().map((b) => bits(b.data)),
    stateObjects: [...opt.state].map(([p, s]) => [p, s, ...Object.values(s)]),
    state: [...opt.state].map(([, s]) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Float32Array ? bits(v) : v]))),
    groups: opt.paramGroups.map((g) => ({ ...g, params: [...g.params] })),
    modes: model.modules().map((m) => m.training),
    generator: generatorState(),
  };
}

function expectRestored(model: nn.Module, opt: Adam | SGD, before: ReturnType<typeof capture>): void {
  const after = capture(model, opt);
  expect(after.params).toEqual(before.params);
  after.grads.forEach(([g, b], i) => {
    expect(g).toBe(before.grads[i]![0]); // the same gradient tensor …
    expect(b).toEqual(before.grads[i]![1]); // … with the same bytes
  });
  expect(after.buffers).toEqual(before.buffers);
  expect(after.stateObjects.length).toBe(before.stateObjects.length);
  after.stateObjects.forEach((entry, i) => entry.forEach((v, j) => expect(v).toBe(before.stateObjects[i]![j])));
  expect(after.state).toEqual(before.state);
  expect(after.groups).toEqual(before.groups);
  expect(after.modes).toEqual(before.modes);
  expect(after.generator).toEqual(before.generator);
}

describe('findLearningRate: the sweep', () => {
  it('exact lrs, replayed losses, smoothed losses; falls then diverges; steepest suggestion in 1e-4..1e-1 (Adam)', async () => {
    const { x, y } = problem();
    const model = mlp();
    const r = await findLearningRate(model, { x, y });
    const n = 100;
    expect(r.rule).toBe('steepest');
    // The sweep: lr_i = 1e-7 · (1e8)^(i/99).
    r.lrs.forEach((lr, i) => expect(Math.abs(lr / (1e-7 * 1e8 ** (i / (n - 1))) - 1)).toBeLessThan(1e-12));
    // Smoothing: bias-corrected EMA, β = 0.98.
    let a = 0;
    r.losses.forEach((l, i) => {
      a = 0.98 * a + 0.02 * l;
      expect(r.smoothedLosses[i]!).toBeCloseTo(a / (1 - 0.98 ** (i + 1)), 12);
    });
    // The first steps replayed by hand: same batches (seeded shuffle, seed 0), a fresh Adam on a copy.
    const copy = mlp();
    const opt = new Adam(copy.parameters());
    const batches = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 }).batches(0);
    copy.train();
    for (let i = 0; i < 4; i++) {
      const [xb, yb] = batches.next().value! as [Tensor, Tensor];
      opt.paramGroups[0]!.lr = r.lrs[i]!;
      opt.zeroGrad();
      const loss = F.mseLoss(copy.forward(xb), yb);
      expect(r.losses[i]).toBe(loss.item());
      loss.backward();
      opt.step();
    }
    // Falls, then diverges: the minimum is well inside the sweep and well below the flat start.
    const m = r.smoothedLosses.length;
    const kMin = r.smoothedLosses.indexOf(Math.min(...r.smoothedLosses));
    const flat = r.smoothedLosses[r.lrs.findIndex((lr) => lr >= 1e-5)]!;
    expect(r.lrs[kMin]!).toBeGreaterThan(1e-2);
    expect(r.smoothedLosses[kMin]!).toBeLessThan(0.8 * flat);
    // Stopped at the first point above 4 × the best so far.
    expect(r.stoppedEarly).toBe(true);
    expect(m).toBeLessThan(n);
    let best = Infinity;
    r.smoothedLosses.forEach((s, i) => {
      best = Math.min(best, s);
      expect(s > 4 * best).toBe(i === m - 1);
    });
    // The rule, recomputed: central differences against log10(lr) over k in [10, m − 5).
    let kSteep = -1, g = Infinity;
    for (let k = 10; k < m - 5; k++) {
      const d = (r.smoothedLosses[k + 1]! - r.smoothedLosses[k - 1]!) / (Math.log10(r.lrs[k + 1]!) - Math.log10(r.lrs[k - 1]!));
      if (d < g) [g, kSteep] = [d, k];
    }
    expect(g).toBeLessThan(0);
    expect(r.suggestion).toBe(r.lrs[kSteep]);
    expect(r.suggestion!).toBeGreaterThan(1e-4);
    expect(r.suggestion!).toBeLessThan(1e-1);
  });

  it('a non-finite loss ends the sweep and is not recorded', async () => {
    const { x, y } = problem(128);
    const model = mlp();
    const r = await findLearningRate(model, {
      x, y, optimizer: (params) => new SGD(params, { lr: 1 }), startLr: 10, endLr: 1e12, numIterations: 60, divergeFactor: 1e300, smoothing: 0,
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.lrs.length).toBeLessThan(60);
    expect(r.lrs.length).toBeGreaterThan(0);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.smoothedLosses).toEqual(r.losses); // smoothing 0: the raw losses
    expect(Math.max(...r.losses)).toBeGreaterThan(1e6);
  });

  it('the same seed gives the same curve (Dropout and shuffles seeded); another seed another', async () => {
    const { x, y } = problem(256);
    const run = (seed: number) => findLearningRate(bnModel(), { x, y, numIterations: 30, seed, batchSize: 16 });
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(a).toEqual(b);
    expect(a.losses).not.toEqual(c.losses);
  });

  it('yields to the event loop between steps', async () => {
    const { x, y } = problem(128);
    const order: string[] = [];
    const run = findLearningRate(mlp(), { x, y, numIterations: 10 }).then(() => order.push('done'));
    setImmediate(() => order.push('tick'));
    await run;
    expect(order).toEqual(['tick', 'done']);
  });
});

describe('findLearningRate: everything put back bit for bit', () => {
  /** A BatchNorm + Dropout model partly in eval, an Adam with state and a schedule, gradients present. */
  function trained() {
    const { x, y } = problem(200);
    const model = bnModel();
    const opt = new Adam(model.parameters(), { lr: 3e-3, betas: [0.8, 0.95] });
    new StepLR(opt, { stepSize: 2, gamma: 0.5 }); // adds initialLr to the group
    model.train();
    for (let k = 0; k < 2; k++) {
      opt.zeroGrad();
      F.mseLoss(model.forward(new Tensor(x.data.slice(0, 32 * 8), [32, 8])), new Tensor(y.data.slice(0, 32), [32, 1])).backward();
      opt.step();
    }
    (model.at(3) as nn.Module).eval();
    manualSeed(77);
    randn([3]); // the generator somewhere after its seed
    return { x, y, model, opt };
  }

  it('after a sweep with an optimizer instance', async () => {
    const { x, y, model, opt } = trained();
    const before = capture(model, opt);
    const r = await findLearningRate(model, { x, y, optimizer: opt, numIterations: 40, batchSize: 16 });
    expect(r.lrs.length).toBeGreaterThan(20);
    expectRestored(model, opt, before);
    // An optimizer without state stays without it.
    const fresh = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    await findLearningRate(model, { x, y, optimizer: fresh, numIterations: 5 });
    expect(fresh.state.size).toBe(0);
    expect(fresh.paramGroups[0]!.lr).toBe(0.1);
  });

  it('after a throw (the loss fails at step 5) and after an abort', async () => {
    const { x, y, model, opt } = trained();
    const before = capture(model, opt);
    let calls = 0;
    const loss = (a: Tensor, b: Tensor) => {
      if (++calls === 5) throw new Error('loss failed at step 5');
      return F.mseLoss(a, b);
    };
    await expect(findLearningRate(model, { x, y, optimizer: opt, loss, numIterations: 40 })).rejects.toThrow('loss failed at step 5');
    expect(calls).toBe(5);
    expectRestored(model, opt, before);

    const ac = new AbortController();
    let steps = 0;
    const counting = (a: Tensor, b: Tensor) => {
      if (++steps === 3) ac.abort();
      return F.mseLoss(a, b);
    };
    await expect(findLearningRate(model, { x, y, optimizer: opt, loss: counting, numIterations: 40, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps).toBe(3);
    expectRestored(model, opt, before);
  });
});

describe('findLearningRate: the steepest rule on constructed curves', () => {
  const lrs = Array.from({ length: 40 }, (_, i) => 1e-6 * 1e6 ** (i / 39));

  it('picks the point of steepest descent against log10(lr), skipping the first tenth and the last 5', () => {
    // Flat, then a fall whose slope peaks at k = 25, then a rise; a steeper fall at k = 2 (skipped: k < 4)
    // and at k = 37 (skipped: k ≥ 35).
    const s = lrs.map((_, k) => 2 - Math.tanh((k - 25) / 3) + (k === 2 ? -5 : 0) + (k >= 36 ? -10 * (k - 35) : 0));
    expect(steepestSuggestion(lrs, s, 40)).toBe(lrs[25]);
  });

  it('null when the loss never falls, or too few points remain', () => {
    expect(steepestSuggestion(lrs, lrs.map((_, k) => k), 40)).toBeNull();
    expect(steepestSuggestion(lrs.slice(0, 8), [5, 4, 3, 2, 1, 0, -1, -2], 40)).toBeNull(); // [4, 3): empty
    expect(steepestSuggestion(lrs.slice(0, 10), [5, 4, 3, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1], 40)).toBe(lrs[4]);
  });
});

describe('findLearningRate: errors', () => {
  const { x, y } = problem(64);
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ x, y, startLr: 0 }, 'findLearningRate: invalid startLr: 0 (must be > 0)'],
    [{ x, y, startLr: 1, endLr: 1 }, 'findLearningRate: endLr must be greater than startLr (1), got 1'],
    [{ x, y, endLr: Infinity }, 'findLearningRate: endLr must be a finite number, got Infinity'],
    [{ x, y, numIterations: 1 }, 'findLearningRate: invalid numIterations: 1 (must be >= 2)'],
    [{ x, y, batchSize: 0 }, 'findLearningRate: invalid batchSize: 0 (must be >= 1)'],
    [{ x, y, smoothing: 1 }, 'findLearningRate: invalid smoothing: 1 (must be >= 0 and < 1)'],
    [{ x, y, divergeFactor: 1 }, 'findLearningRate: invalid divergeFactor: 1 (must be > 1)'],
    [{ x, y, seed: 1.5 }, 'findLearningRate: seed must be an integer, got 1.5'],
    [{ x, y, numiterations: 10 }, 'findLearningRate: unknown option "numiterations"'],
    [{ x }, 'findLearningRate: give x and y (Tensors, first dimension = sample) or data (a Dataset)'],
    [{ x, y, data: new TensorDataset(x, y) }, 'findLearningRate: give either data or x and y, not both'],
    [{ x, y: new Tensor(new Float32Array(3), [3, 1]) }, 'findLearningRate: x and y must have the same number of samples, got 64 and 3'],
    [{ x, y, loss: 'mean' }, "findLearningRate: unknown loss \"mean\""],
    [{ x, y, optimizer: {} }, 'findLearningRate: optimizer must be an Optimizer or a factory (params, model) => Optimizer, got'],
    [{ x, y, optimizer: () => null }, 'findLearningRate: the optimizer factory must return an Optimizer, got null'],
    [{ x, y, optimizer: new SGD([new Tensor(new Float32Array(1), [1], { requiresGrad: true })], { lr: 1 }) }, "findLearningRate: the optimizer holds none of the model's parameters"],
    [{ x, y, signal: {} }, 'findLearningRate: signal must be an AbortSignal'],
  ];
  for (const [options, message] of bad) {
    it(message, async () => {
      const model = mlp();
      const before = model.parameters().map((p) => bits(p.data));
      await expect(findLearningRate(model, options as never)).rejects.toThrow(message);
      expect(model.parameters().map((p) => bits(p.data))).toEqual(before);
    });
  }
  it('model and options must be what they say', async () => {
    await expect(findLearningRate({} as never, { x, y })).rejects.toThrow('findLearningRate: model must be an nn.Module');
    await expect(findLearningRate(mlp(), null as never)).rejects.toThrow('findLearningRate: options must be an object');
  });
});
