/**
 * Aborting fit with an AbortSignal, in both modes (worker thread and caller's thread): an abort from a
 * callback's onBatchEnd at epoch 2 batch 3 stops within that batch — num_batches_tracked and the
 * optimiser's step count say exactly 4 + 3 steps ran, the history keeps the one completed epoch,
 * history.stopped is 'aborted', fit resolves, and the model and optimiser hold the state of that last
 * step bit for bit (snapshotted on the caller's thread, where callbacks see the live model); a signal
 * aborted before fit resolves at once with nothing trained; an abort from a timer while the fit runs
 * stops it too (the caller's event loop stays free), with model and optimiser at the same last step;
 * an abort during validation stops it at the next validation batch, as in training.
 */
import { describe, expect, it } from 'vitest';
import { Module } from '../../src/nn/module.js';
import { Sequential } from '../../src/nn/sequential.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Adam } from '../../src/optim/adam.js';
import type { OptimizerStateDict } from '../../src/optim/optimizer.js';
import { type BatchLogs, Callback, type TrainLogs } from '../../src/train/callbacks/callback.js';
import { fit } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { BatchSnapshots, batchesTracked, linearData, linearNet, stateValues } from './helpers.js';

/** Adam's step count of every parameter (each parameter's state has one). */
function adamSteps(sd: OptimizerStateDict): number[] {
  return Object.values(sd.state).map((s) => s.step as number);
}

const train = linearData(64, 10); // 4 batches of 16 an epoch
const validation = linearData(32, 11);
const STEPS = 4;

/** Records every hook call; aborts the controller at the end of batch `batch` of epoch `epoch`. */
class AbortAt extends Callback {
  readonly trace: string[] = [];

  constructor(
    private readonly controller: AbortController,
    private readonly epoch: number,
    private readonly batch: number,
  ) {
    super();
  }

  override onTrainBegin(logs: TrainLogs): void {
    this.trace.push(`trainBegin ${logs.epoch}`);
  }

  override onEpochEnd(epoch: number): void {
    this.trace.push(`epochEnd ${epoch}`);
  }

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    this.trace.push(`batchEnd ${logs.epoch}.${batch}`);
    if (logs.epoch === this.epoch && batch === this.batch) this.controller.abort();
  }

  override onTrainEnd(logs: TrainLogs): void {
    this.trace.push(`trainEnd ${logs.epoch}`);
  }
}

function options(worker: FitOptions['worker'], over: Partial<FitOptions>): FitOptions {
  return {
    x: train.x,
    y: train.y,
    validationData: validation,
    epochs: 5,
    batchSize: 16,
    verbose: false,
    checks: false,
    worker,
    ...over,
  };
}

describe('an abort from a callback at epoch 2, batch 3', () => {
  it('stops within that batch, resolves with the partial history, and leaves model and optimiser at that step (both modes alike)', async () => {
    const outcomes: Array<{ model: Record<string, Array<number | bigint>>; optimizer: OptimizerStateDict; trace: string[]; loss: number[] }> = [];
    let snapshots: BatchSnapshots | null = null;
    for (const worker of [false, true]) {
      const model = linearNet(0.2).eval(); // fit trains in train() and puts the modes back afterwards
      const controller = new AbortController();
      const abort = new AbortAt(controller, 2, 3);
      const snap = new BatchSnapshots();
      const history = await fit(model, options(worker, { signal: controller.signal, callbacks: worker ? [abort] : [abort, snap] }));
      if (!worker) snapshots = snap;

      expect(history.stopped).toBe('aborted');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1]);
      expect(batchesTracked(model)).toBe(STEPS + 3);
      expect(adamSteps(history.optimizer.stateDict())).toEqual(new Array(model.parameters().length).fill(STEPS + 3));
      expect(abort.trace).toEqual([
        'trainBegin 0',
        'batchEnd 1.1', 'batchEnd 1.2', 'batchEnd 1.3', 'batchEnd 1.4', 'epochEnd 1',
        'batchEnd 2.1', 'batchEnd 2.2', 'batchEnd 2.3',
        'trainEnd 1',
      ]);
      expect(model.modules().every((m) => !m.training)).toBe(true);
      outcomes.push({ model: stateValues(model.stateDict()), optimizer: history.optimizer.stateDict(), trace: abort.trace, loss: history.values('loss') });
    }
    const [thread, worker] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    // The caller's-thread run left the model and the optimiser exactly as they were after batch 2.3 ...
    expect(thread.model).toEqual(snapshots!.model.get('2.3'));
    expect(thread.model).not.toEqual(snapshots!.model.get('2.2'));
    expect(thread.optimizer).toEqual(snapshots!.optimizer.get('2.3'));
    // ... and the worker run ends in the same state, bit for bit.
    expect(worker.model).toEqual(thread.model);
    expect(worker.optimizer).toEqual(thread.optimizer);
    expect(worker.loss).toEqual(thread.loss);
  });
});

describe('a signal aborted before fit', () => {
  it.each([false, true, 'auto'] as const)('resolves at once with no epochs and the model, optimiser and callbacks untouched (worker: %s)', async (worker) => {
    const model = linearNet(0.2);
    const before = stateValues(model.stateDict());
    const optimizer = new Adam(model.parameters());
    const controller = new AbortController();
    controller.abort();
    const abort = new AbortAt(new AbortController(), 0, 0);
    const history = await fit(model, options(worker, { optimizer, signal: controller.signal, callbacks: [abort] }));
    expect(history.stopped).toBe('aborted');
    expect(history.epochs).toEqual([]);
    expect(history.bestEpoch).toBeNull();
    expect(stateValues(model.stateDict())).toEqual(before);
    expect(optimizer.stateDict().state).toEqual({});
    expect(abort.trace).toEqual([]);
  });
});

/** Passive (the worker never waits for it): counts batches; at the end of the first epoch, arms a timer that aborts. */
class AbortSoonAfterFirstEpoch extends Callback {
  batches = 0;
  timerFired = false;

  constructor(private readonly controller: AbortController) {
    super();
  }

  override get passive(): boolean {
    return true;
  }

  override onBatchEnd(): void {
    this.batches++;
  }

  override onEpochEnd(epoch: number): void {
    if (epoch !== 1) return;
    setTimeout(() => {
      this.timerFired = true;
      this.controller.abort();
    }, 30);
  }
}

describe('an abort from a timer while fit runs', () => {
  it.each([true, false])('stops training; the caller\'s timers keep running meanwhile (worker: %s)', async (worker) => {
    const epochs = 20_000;
    const model = linearNet(0.2);
    const controller = new AbortController();
    const cb = new AbortSoonAfterFirstEpoch(controller);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    let history;
    try {
      history = await fit(model, options(worker, { epochs, validationData: undefined, signal: controller.signal, callbacks: [cb] }));
    } finally {
      clearInterval(ticker);
    }
    expect(cb.timerFired).toBe(true);
    expect(ticks).toBeGreaterThan(0);
    expect(history.stopped).toBe('aborted');
    const done = history.epochs.length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(epochs);
    // Every batch that ran is one BatchNorm update and one optimiser step, and the callbacks saw exactly
    // those batches: model and optimiser are at the same last step. A partial epoch is not recorded.
    const steps = batchesTracked(model);
    expect(steps).toBe(cb.batches);
    expect(steps).toBeGreaterThanOrEqual(done * STEPS);
    expect(steps).toBeLessThanOrEqual((done + 1) * STEPS);
    expect(adamSteps(history.optimizer.stateDict())).toEqual(new Array(model.parameters().length).fill(steps));
  });
});

/** Passes its input through; aborts the controller at its `at`-th forward in eval mode (a validation batch). */
class AbortOnValidationBatch extends Module {
  evalForwards = 0;

  constructor(
    private readonly controller: AbortController,
    private readonly at: number,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    if (!this.training && ++this.evalForwards === this.at) this.controller.abort();
    return x;
  }

  toJSON(): never {
    throw new Error('test module: caller\'s thread only');
  }
}

describe('an abort during validation', () => {
  it('stops at the next validation batch, not at the end of the pass; the unfinished epoch is not recorded', async () => {
    const controller = new AbortController();
    const tap = new AbortOnValidationBatch(controller, 2);
    const net = linearNet(0.2);
    const model = new Sequential(net, tap);
    // 8 validation batches of 16; the abort comes in the second.
    const history = await fit(model, options(false, { validationData: linearData(128, 12), validationBatchSize: 16, signal: controller.signal }));
    expect(history.stopped).toBe('aborted');
    expect(history.epochs).toEqual([]);
    expect(tap.evalForwards).toBe(2);
    expect(batchesTracked(net)).toBe(STEPS); // the epoch's training steps ran, and stay
  });
});
