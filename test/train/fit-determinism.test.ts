/**
 * fit is a pure function of its inputs and seed, on data generated here from a seeded formula: a
 * worker-thread fit and a caller's-thread fit give bitwise the same parameters, BatchNorm buffers,
 * optimiser and schedule state and history (the backbone with dropout, AdamW + OneCycleLR, a seeded
 * validation split, shuffling, metrics); the same seed repeats, another seed differs; fit does not
 * move the caller's global generator; the native thread count does not change a bit; a resumed fit
 * (initialEpoch, the same optimiser and schedule instances) continues the numbering and the schedule
 * (and, without dropout, gives exactly the uninterrupted run); and after a worker fit the caller's
 * optimiser instance holds the trained state and no worker is left running.
 */
import { describe, expect, it } from 'vitest';
import { backendInfo, fit, getNumThreads, manualSeed, nn, optim, randn, setNumThreads, Tensor } from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import type { FitHistory } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { smallBackbone, trackedPerBatchNorm } from './helpers.js';

/**
 * n windows of 4 channels × 12 steps, uniform in [−1, 1), and a target from their channel means m_c
 * and the peak of channel 2:
 *   y = sin(3·m0) + 2·m1² − 0.3·max_t x[2, t] + 0.05·u,   u uniform in [−1, 1)
 * as x (n, 4, 12) and y (n, 1).
 */
function windows(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const x = new Float32Array(n * 48), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 48; j++) x[i * 48 + j] = 2 * r() - 1;
    const ch = (c: number) => x.subarray(i * 48 + c * 12, i * 48 + c * 12 + 12);
    const mean = (c: number) => ch(c).reduce((s, v) => s + v, 0) / 12;
    y[i] = Math.sin(3 * mean(0)) + 2 * mean(1) ** 2 - 0.3 * Math.max(...ch(2)) + 0.05 * (2 * r() - 1);
  }
  return { x: new Tensor(x, [n, 4, 12]), y: new Tensor(y, [n, 1]) };
}

/** The small backbone with dropout (0.1 after each block, 0.3 in the head), initialised under manualSeed(seed). */
function backbone(seed = 123, options: nn.Conv1dBackboneOptions = {}): nn.Sequential {
  return smallBackbone(seed, { dropout: 0.1, headDropout: 0.3, ...options });
}

/** What a history must repeat exactly (wall times excluded). */
const curves = (h: FitHistory) => ({
  epochs: h.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, metrics: e.metrics, lr: e.lr })),
  stopped: h.stopped,
  bestEpoch: h.bestEpoch,
});

const bitsOf = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const data = windows(160, 2024);

/** The full recipe: AdamW + OneCycleLR, a seeded validation split, shuffling, metrics. */
function recipe(extra: Partial<FitOptions> = {}): FitOptions {
  return {
    ...data,
    epochs: 3,
    batchSize: 32,
    validationSplit: 0.2,
    shuffle: true,
    metrics: ['rmse', 'mae', 'r2'],
    optimizer: (params) => new optim.AdamW(params, { lr: 3e-3, weightDecay: 1e-2 }),
    scheduler: (opt, info) => new optim.OneCycleLR(opt, { maxLr: 1e-2, epochs: info.epochs, stepsPerEpoch: info.stepsPerEpoch }),
    seed: 5,
    verbose: false,
    ...extra,
  };
}

describe('fit in a worker thread and on the caller\'s thread', () => {
  it('give bitwise the same parameters, BatchNorm buffers, optimiser and schedule state, and history', async () => {
    const initial = snapshot(backbone());
    const inWorker = backbone(), inThread = backbone();
    const hw = await fit(inWorker, recipe({ worker: true }));
    const ht = await fit(inThread, recipe({ worker: false }));
    expect(hw.stopped).toBe('completed');
    expect(hw.epochs).toHaveLength(3);
    expect(hw.epochs.every((e) => Number.isFinite(e.loss) && Number.isFinite(e.valLoss!) && Number.isFinite(e.metrics.valR2!))).toBe(true);
    expect(snapshot(inWorker)).not.toEqual(initial); // it trained
    expectSameSnapshot(snapshot(inWorker), snapshot(inThread));
    expect(hw.optimizer.stateDict()).toEqual(ht.optimizer.stateDict());
    expect(hw.scheduler!.stateDict()).toEqual(ht.scheduler!.stateDict());
    expect(curves(hw)).toEqual(curves(ht));
    // 128 training samples in batches of 32: 4 OneCycleLR steps per epoch, logged lrs differ every epoch.
    expect(new Set(hw.epochs.map((e) => e.lr[0])).size).toBe(3);
  });
});

describe('seeds', () => {
  it('the same seed gives the same fit; another seed another one', async () => {
    const run = async (seed: number) => {
      const model = backbone();
      const h = await fit(model, recipe({ epochs: 2, seed, worker: false }));
      return { state: snapshot(model), curves: curves(h), optimizer: h.optimizer.stateDict() };
    };
    const a = await run(5), b = await run(5), c = await run(6);
    expect(b).toEqual(a);
    expect(c.state).not.toEqual(a.state);
    expect(c.curves.epochs[0]!.loss).not.toBe(a.curves.epochs[0]!.loss);
    expect(c.curves.epochs[0]!.valLoss).not.toBe(a.curves.epochs[0]!.valLoss);
  });

  it('fit leaves the caller\'s global generator where it was, in both modes', async () => {
    manualSeed(99);
    backbone(7);
    const want = bitsOf(randn([16]).data);
    for (const worker of [false, true]) {
      manualSeed(99);
      const model = backbone(7);
      await fit(model, recipe({ epochs: 1, worker }));
      expect(bitsOf(randn([16]).data)).toEqual(want);
    }
  });
});

describe.skipIf(backendInfo().backend !== 'native')('native thread count', () => {
  it('1 and 2 kernel threads give bitwise the same fit', async () => {
    // Batches of 512 windows make the kernels split work across threads: the fused BatchNorm → ReLU →
    // Dropout over 16 channels of 512·12 values hands out chunks of ⌈2^20 / (512·12·12 bytes)⌉ = 15
    // channels, so 2 chunks per call; the convolutions and Linear layers split by rows likewise.
    const big = windows(1024, 7);
    const was = getNumThreads();
    const run = async (threads: number) => {
      setNumThreads(threads);
      expect(getNumThreads()).toBe(threads);
      const model = backbone(123, { widths: [16, 16], headHidden: 32 });
      const h = await fit(model, recipe({ ...big, epochs: 2, batchSize: 512, validationSplit: undefined, validationData: windows(256, 8), worker: false }));
      return { state: snapshot(model), curves: curves(h), optimizer: h.optimizer.stateDict() };
    };
    try {
      const one = await run(1), two = await run(2);
      expect(one.curves.epochs).toHaveLength(2);
      expect(two).toEqual(one);
    } finally {
      setNumThreads(was);
    }
    expect(getNumThreads()).toBe(was);
  });
});

describe('resuming with initialEpoch', () => {
  /** 128 training samples in batches of 32 (4 steps per epoch), AdamW and a 4-epoch OneCycleLR as instances. */
  const instances = (model: Module) => {
    const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3 });
    const scheduler = new optim.OneCycleLR(optimizer, { maxLr: 1e-2, epochs: 4, stepsPerEpoch: 4 });
    return { optimizer, scheduler };
  };

  it('2 epochs then initialEpoch 2 → 4 in a worker, with the same optimiser and schedule: epochs 3, 4 and the schedule continued', async () => {
    const whole = backbone();
    const w = instances(whole);
    const hWhole = await fit(whole, recipe({ epochs: 4, ...w, worker: false }));

    const resumed = backbone();
    const r = instances(resumed);
    const h1 = await fit(resumed, recipe({ epochs: 2, ...r, worker: true }));
    const h2 = await fit(resumed, recipe({ initialEpoch: 2, epochs: 4, ...r, worker: true }));
    expect(h1.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(h2.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    expect(h2.optimizer).toBe(r.optimizer);
    expect(h2.scheduler).toBe(r.scheduler);
    // The schedule continued where the first fit left it: the same lrs as one uninterrupted run.
    expect([...h1.epochs, ...h2.epochs].map((e) => e.lr)).toEqual(hWhole.epochs.map((e) => e.lr));
    expect(r.scheduler.stateDict()).toEqual(w.scheduler.stateDict());
    expect(r.scheduler.getLastLr()).toEqual(w.scheduler.getLastLr());
    // Same number of optimiser steps, the same group hyperparameters (OneCycleLR cycles beta1 too) and
    // the same count of BatchNorm batches; the weights differ only because the dropout masks do (each
    // fit draws them from its seed afresh).
    const steps = (o: optim.AdamW) => Object.values(o.stateDict().state).map((s) => s.step);
    expect(steps(r.optimizer)).toEqual(steps(w.optimizer));
    expect(new Set(steps(r.optimizer))).toEqual(new Set([16]));
    expect(r.optimizer.stateDict().param_groups).toEqual(w.optimizer.stateDict().param_groups);
    expect(trackedPerBatchNorm(resumed)).toEqual([16, 16]);
    expect(trackedPerBatchNorm(whole)).toEqual([16, 16]);
  });

  it('without dropout a resumed fit is the uninterrupted one, bit for bit (each epoch\'s order is a function of the seed and the epoch)', async () => {
    const noDropout = { dropout: 0, headDropout: 0 };
    const whole = backbone(123, noDropout);
    const w = instances(whole);
    const hWhole = await fit(whole, recipe({ epochs: 4, ...w, worker: false }));
    const resumed = backbone(123, noDropout);
    const r = instances(resumed);
    const h1 = await fit(resumed, recipe({ epochs: 2, ...r, worker: false }));
    const h2 = await fit(resumed, recipe({ initialEpoch: 2, epochs: 4, ...r, worker: false }));
    expectSameSnapshot(snapshot(resumed), snapshot(whole));
    expect(r.optimizer.stateDict()).toEqual(w.optimizer.stateDict());
    expect(curves(h1).epochs.concat(curves(h2).epochs)).toEqual(curves(hWhole).epochs);
  });
});

describe('after a worker fit resolves', () => {
  /** Counts the MessagePorts alive at the end of each epoch (a running worker holds one open). */
  class PortCounter extends Callback {
    readonly counts: number[] = [];

    override onEpochEnd(): void {
      this.counts.push(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length);
    }
  }
  const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

  it('the optimiser instance given holds the trained state (the thread run\'s), history.optimizer is it, and the worker has exited', async () => {
    const inThread = backbone();
    const threadOptimizer = new optim.AdamW(inThread.parameters(), { lr: 3e-3 });
    await fit(inThread, recipe({ optimizer: threadOptimizer, scheduler: undefined, epochs: 2, worker: false }));

    const inWorker = backbone();
    const optimizer = new optim.AdamW(inWorker.parameters(), { lr: 3e-3 });
    expect(optimizer.stateDict().state).toEqual({});
    const counter = new PortCounter();
    const before = ports();
    const history = await fit(inWorker, recipe({ optimizer, scheduler: undefined, epochs: 2, worker: true, callbacks: [counter] }));
    expect(history.optimizer).toBe(optimizer);
    expect(optimizer.stateDict()).toEqual(threadOptimizer.stateDict());
    expect(Object.keys(optimizer.stateDict().state)).toHaveLength(inWorker.parameters().length);
    expectSameSnapshot(snapshot(inWorker), snapshot(inThread));
    // While it trained the worker's port was open; when fit resolved, it was closed: the worker is gone.
    expect(counter.counts).toEqual([before + 1, before + 1]);
    expect(ports()).toBe(before);
  });
});
