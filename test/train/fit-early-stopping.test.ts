/**
 * EarlyStopping: the rule on constructed curves (a fake fit context feeds it monitored values epoch by
 * epoch: patience, minDelta, mode, baseline, startFromEpoch, Lightning's stoppingThreshold,
 * divergenceThreshold and checkFinite, as Keras 2.13 and Lightning define them), restoreBestWeights
 * on a model whose state is set by hand each epoch, then real fits in both modes (worker and caller's
 * thread): the weights, BatchNorm running statistics and num_batches_tracked of the best epoch are put
 * back bit for bit — compared with a ModelCheckpoint written every epoch — however training ends (an
 * early stop, the last epoch, an abort, another callback's stop), with the same outcome in both modes.
 */
import { join } from 'node:path';
import { OptionError } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { load } from '../../src/io/save.js';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { Callback, type FitContext, type FitParams } from '../../src/train/callbacks/callback.js';
import { EarlyStopping, type EarlyStoppingOptions } from '../../src/train/callbacks/early-stopping.js';
import { ModelCheckpoint } from '../../src/train/callbacks/model-checkpoint.js';
import { fit } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { type EpochLogs, History, type StopReason } from '../../src/train/history.js';
import { linearData, linearNet, stateValues, tempDirs } from './helpers.js';

const tempDir = tempDirs('keel-early-stopping-');

// ---------------------------------------------------------------------------------------------------
// The rule, on constructed curves
// ---------------------------------------------------------------------------------------------------

function logsOf(epoch: number, monitor: string, v: number | undefined): EpochLogs {
  const logs: EpochLogs = { epoch, loss: 1, metrics: {}, lr: [0.1], seconds: 1, samplesPerSecond: 100 };
  if (v === undefined) return logs;
  if (monitor === 'valLoss') logs.valLoss = v;
  else logs.metrics[monitor] = v;
  return logs;
}

const PARAMS: FitParams = {
  epochs: 100,
  initialEpoch: 0,
  stepsPerEpoch: 4,
  batchSize: 16,
  samples: 64,
  validationSamples: 32,
  logKeys: ['loss', 'valLoss', 'valAccuracy', 'valR2', 'lr', 'seconds', 'samplesPerSecond'],
  mode: 'thread',
};

interface FakeRun {
  cb: EarlyStopping;
  /** The epoch at which training was asked to stop (null: it ran through the curve). */
  stoppedAt: number | null;
  reason: StopReason | null;
}

/** A fit context with a real model and history, whose stopTraining records what it is asked. */
function fakeContext(model: nn.Module, onStop: (reason: StopReason) => void, history = new History()): FitContext {
  let stopped = false;
  return {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    history,
    params: PARAMS,
    stopTraining: (reason: StopReason = 'callback') => {
      stopped = true;
      onStop(reason);
    },
    get stopRequested() {
      return stopped;
    },
  };
}

/** Feeds `curve` (one monitored value per epoch; undefined = not logged that epoch) until the callback stops training, as fit does. */
function runCurve(options: EarlyStoppingOptions, curve: Array<number | undefined>): FakeRun {
  const cb = new EarlyStopping(options);
  const run: FakeRun = { cb, stoppedAt: null, reason: null };
  let epoch = 0;
  cb.context = fakeContext(new nn.Linear(2, 1), (reason) => {
    run.stoppedAt ??= epoch;
    run.reason ??= reason;
  });
  cb.onTrainBegin({ epoch: 0 });
  for (const v of curve) {
    epoch++;
    cb.onEpochEnd(epoch, logsOf(epoch, cb.monitor, v));
    if (run.stoppedAt !== null) break;
  }
  return run;
}

describe('EarlyStopping: patience and minDelta (Keras)', () => {
  it('patience 0 (the default) stops at the first epoch without improvement', () => {
    const r = runCurve({}, [1, 0.9, 0.95, 0.8]);
    expect(r.stoppedAt).toBe(3);
    expect(r.reason).toBe('earlyStopping');
    expect(r.cb.stoppedEpoch).toBe(3);
    expect(r.cb.bestEpoch).toBe(2);
    expect(r.cb.best).toBe(0.9);
    expect(r.cb.wait).toBe(1);
  });

  it('patience 2 stops after two epochs without improvement; an improvement restarts the count', () => {
    // e1, e2 improve; e3 wait 1; e4 improves (wait 0); e5 wait 1; e6 wait 2 → stop.
    const r = runCurve({ patience: 2 }, [1, 0.9, 0.95, 0.85, 0.86, 0.87, 0.8]);
    expect(r.stoppedAt).toBe(6);
    expect(r.cb.bestEpoch).toBe(4);
    expect(r.cb.best).toBe(0.85);
    expect(r.cb.wait).toBe(2);
  });

  it('an equal value is not an improvement', () => {
    const r = runCurve({ patience: 1 }, [1, 1]);
    expect(r.stoppedAt).toBe(2);
    expect(r.cb.bestEpoch).toBe(1);
  });

  it('minDelta: an improvement must beat the best by more than minDelta (its sign is ignored)', () => {
    // best 1: 0.95 is not below 0.9 (wait 1); 0.85 is (best, wait 0); 0.8 and 0.78 are not below 0.75 → stop at 5.
    for (const minDelta of [0.1, -0.1]) {
      const r = runCurve({ patience: 2, minDelta }, [1, 0.95, 0.85, 0.8, 0.78]);
      expect(r.stoppedAt).toBe(5);
      expect(r.cb.bestEpoch).toBe(3);
      expect(r.cb.best).toBe(0.85);
      expect(r.cb.minDelta).toBe(0.1);
    }
    // Without minDelta the same curve improves every epoch.
    expect(runCurve({ patience: 2 }, [1, 0.95, 0.85, 0.8, 0.78]).stoppedAt).toBeNull();
  });

  it("mode 'max' (and minDelta upwards): valAccuracy", () => {
    // best 0.5: 0.54 is not above 0.55 (wait 1); 0.6 is (wait 0); 0.62 and 0.64 are not above 0.65 → stop at 5.
    const r = runCurve({ monitor: 'valAccuracy', patience: 2, minDelta: 0.05 }, [0.5, 0.54, 0.6, 0.62, 0.64]);
    expect(r.cb.mode).toBe('max');
    expect(r.stoppedAt).toBe(5);
    expect(r.cb.bestEpoch).toBe(3);
    expect(r.cb.best).toBe(0.6);
  });

  it("mode 'auto' is resolved when training starts (here, a context without declared modes: by the key); an explicit mode overrides it", () => {
    // Only a fit knows its metrics' directions (a custom metric's mode): until one starts, 'auto' stays 'auto'.
    expect(new EarlyStopping({ monitor: 'valAccuracy' }).mode).toBe('auto');
    expect(runCurve({ monitor: 'valLoss' }, [1]).cb.mode).toBe('min');
    expect(runCurve({ monitor: 'valAccuracy' }, [1]).cb.mode).toBe('max');
    expect(runCurve({ monitor: 'valR2' }, [1]).cb.mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'valLoss', mode: 'max' }).mode).toBe('max');
    // mode 'max' on valLoss: the rise is the improvement, the fall is not.
    const r = runCurve({ mode: 'max' }, [1, 1.2, 1.1]);
    expect(r.stoppedAt).toBe(3);
    expect(r.cb.bestEpoch).toBe(2);
    expect(r.cb.best).toBe(1.2);
  });

  it('an epoch whose logs lack the monitored key is skipped (the wait does not grow)', () => {
    const r = runCurve({ patience: 1 }, [1, undefined, 1.1]);
    expect(r.stoppedAt).toBe(3);
    expect(r.cb.bestEpoch).toBe(1);
  });
});

describe('EarlyStopping: baseline and startFromEpoch (Keras)', () => {
  it('baseline: the wait restarts only when a value beats both the best and the baseline', () => {
    // e1 and e2 improve but miss the baseline 0.5 (wait 1, 2); e3 does not improve: wait 3 >= 2 → stop.
    const r = runCurve({ patience: 2, baseline: 0.5 }, [0.8, 0.7, 0.75]);
    expect(r.stoppedAt).toBe(3);
    expect(r.cb.bestEpoch).toBe(2);
    // Without a baseline the same curve has waited one epoch only.
    expect(runCurve({ patience: 2 }, [0.8, 0.7, 0.75]).stoppedAt).toBeNull();
  });

  it('baseline: once beaten, patience counts from that epoch', () => {
    // e2 beats the baseline (wait 0); e3, e4 do not improve → stop at 4.
    const r = runCurve({ patience: 2, baseline: 0.5 }, [0.8, 0.4, 0.45, 0.46, 0.3]);
    expect(r.stoppedAt).toBe(4);
    expect(r.cb.bestEpoch).toBe(2);
    expect(r.cb.best).toBe(0.4);
  });

  it('baseline: a value that keeps improving is never stopped, even above the baseline (Keras returns on an improvement)', () => {
    const r = runCurve({ patience: 1, baseline: 0.5 }, [0.9, 0.8, 0.7, 0.6]);
    expect(r.stoppedAt).toBeNull();
    expect(r.cb.wait).toBe(4);
    expect(r.cb.bestEpoch).toBe(4);
  });

  it('startFromEpoch: the first startFromEpoch epochs are not monitored', () => {
    // Epochs 1 and 2 are ignored; 3 and 4 improve; 5 does not → stop at 5.
    const r = runCurve({ startFromEpoch: 2 }, [1, 2, 3, 2.5, 2.6]);
    expect(r.stoppedAt).toBe(5);
    expect(r.cb.bestEpoch).toBe(4);
    expect(r.cb.best).toBe(2.5);
    // Without it, epoch 2 (2 > 1) already stops training.
    expect(runCurve({}, [1, 2, 3, 2.5, 2.6]).stoppedAt).toBe(2);
  });
});

describe("EarlyStopping: Lightning's stoppingThreshold, divergenceThreshold and checkFinite", () => {
  it('stoppingThreshold: stop at once when the value beats it (strictly); that epoch is the best', () => {
    const r = runCurve({ patience: 10, stoppingThreshold: 0.5 }, [0.9, 0.5, 0.45, 0.3]);
    expect(r.stoppedAt).toBe(3);
    expect(r.reason).toBe('earlyStopping');
    expect(r.cb.bestEpoch).toBe(3);
    expect(r.cb.best).toBe(0.45);
    const up = runCurve({ monitor: 'valAccuracy', patience: 10, stoppingThreshold: 0.9 }, [0.5, 0.9, 0.95]);
    expect(up.stoppedAt).toBe(3);
  });

  it('divergenceThreshold: stop at once when the value is worse than it (strictly)', () => {
    const r = runCurve({ patience: 10, divergenceThreshold: 2 }, [1, 2, 2.5]);
    expect(r.stoppedAt).toBe(3);
    expect(r.cb.bestEpoch).toBe(1);
    const up = runCurve({ monitor: 'valAccuracy', patience: 10, divergenceThreshold: 0.2 }, [0.5, 0.2, 0.1]);
    expect(up.stoppedAt).toBe(3);
    expect(up.cb.bestEpoch).toBe(1);
  });

  it('checkFinite (default true): NaN or ±Infinity stops at once, whatever the patience', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const r = runCurve({ patience: 10 }, [1, bad, 0.5]);
      expect(r.stoppedAt).toBe(2);
      expect(r.cb.bestEpoch).toBe(1);
      expect(r.cb.best).toBe(1);
    }
  });

  it('checkFinite false: NaN is just not an improvement', () => {
    const r = runCurve({ patience: 10, checkFinite: false }, [1, NaN, 0.5]);
    expect(r.stoppedAt).toBeNull();
    expect(r.cb.bestEpoch).toBe(3);
    const p1 = runCurve({ patience: 1, checkFinite: false }, [1, NaN, 0.5]);
    expect(p1.stoppedAt).toBe(2);
  });

  it('starts afresh at every onTrainBegin (an instance can be reused)', () => {
    const cb = new EarlyStopping({ patience: 0 });
    let stops = 0;
    cb.context = fakeContext(new nn.Linear(2, 1), () => stops++);
    cb.onTrainBegin({ epoch: 0 });
    cb.onEpochEnd(1, logsOf(1, 'valLoss', 0.1));
    cb.onEpochEnd(2, logsOf(2, 'valLoss', 0.2));
    expect([stops, cb.stoppedEpoch, cb.best]).toEqual([1, 2, 0.1]);
    cb.onTrainBegin({ epoch: 0 });
    expect([cb.best, cb.bestEpoch, cb.wait, cb.stoppedEpoch]).toEqual([Infinity, null, 0, null]);
    cb.onEpochEnd(1, logsOf(1, 'valLoss', 5));
    expect([stops, cb.best, cb.bestEpoch]).toEqual([1, 5, 1]);
  });
});

describe('EarlyStopping: options', () => {
  it('rejects bad options, naming the option, what it takes and what it got', () => {
    expect(() => new EarlyStopping({ patiense: 3 } as never)).toThrow(OptionError);
    expect(() => new EarlyStopping({ patiense: 3 } as never)).toThrow('EarlyStopping: unknown option "patiense"');
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(new OptionError('EarlyStopping: invalid patience: -1 (must be >= 0)'));
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(new OptionError('EarlyStopping: patience must be an integer, got 1.5'));
    expect(() => new EarlyStopping({ startFromEpoch: -2 })).toThrow(new OptionError('EarlyStopping: invalid startFromEpoch: -2 (must be >= 0)'));
    expect(() => new EarlyStopping({ minDelta: NaN })).toThrow(new OptionError('EarlyStopping: minDelta must be a finite number, got NaN'));
    expect(() => new EarlyStopping({ baseline: Infinity })).toThrow(new OptionError('EarlyStopping: baseline must be a finite number, got Infinity'));
    expect(() => new EarlyStopping({ mode: 'up' as never })).toThrow(new OptionError(`EarlyStopping: mode must be 'min', 'max' or 'auto', got "up"`));
    expect(() => new EarlyStopping({ restoreBestWeights: 1 as never })).toThrow(new OptionError('EarlyStopping: restoreBestWeights must be a boolean, got 1'));
    expect(() => new EarlyStopping({ monitor: '' })).toThrow(OptionError);
  });

  it('a monitor key the fit does not log is an error at the start of training, listing the keys there are', () => {
    const cb = new EarlyStopping({ monitor: 'valRmse' });
    cb.context = fakeContext(new nn.Linear(2, 1), () => {});
    expect(() => cb.onTrainBegin({ epoch: 0 })).toThrow(
      new OptionError("EarlyStopping: monitor 'valRmse' is not logged by this fit; available: loss, valLoss, valAccuracy, valR2, lr, seconds, samplesPerSecond (validation keys need validationData or validationSplit)"),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// restoreBestWeights on a model whose state is set by hand
// ---------------------------------------------------------------------------------------------------

/** Linear(2→3) → BatchNorm1d(3): parameters, running statistics and num_batches_tracked. */
function smallNet(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3));
}

/** Puts every float parameter and buffer at `v`, and num_batches_tracked at 10·v. */
function setState(model: nn.Module, v: number): void {
  for (const p of model.parameters()) p.data.fill(v);
  for (const b of model.buffers()) {
    if (b.data instanceof BigInt64Array) b.data.fill(BigInt(10 * v));
    else b.data.fill(v);
  }
}

describe('EarlyStopping: restoreBestWeights', () => {
  /** Runs the curve with the model's state set to the epoch number at each epoch end, then ends training as `stopped`. */
  function restoreRun(stopped: StopReason, restoreBestWeights = true) {
    const model = smallNet();
    const history = new History();
    const cb = new EarlyStopping({ patience: 10, restoreBestWeights });
    cb.context = fakeContext(model, () => {}, history);
    cb.onTrainBegin({ epoch: 0 });
    [0.5, 0.3, 0.4, 0.35].forEach((v, i) => {
      setState(model, i + 1);
      cb.onEpochEnd(i + 1, logsOf(i + 1, 'valLoss', v));
    });
    history.stopped = stopped;
    cb.onTrainEnd({ epoch: 4 });
    return { model, cb };
  }

  it.each(['completed', 'earlyStopping', 'aborted', 'callback'] as const)(
    'puts back the parameters, running statistics and num_batches_tracked of the best epoch (training ended: %s)',
    (stopped) => {
      const { model, cb } = restoreRun(stopped);
      expect(cb.bestEpoch).toBe(2);
      expect(cb.restored).toBe(true);
      const sd = model.stateDict();
      expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
      for (const [k, t] of Object.entries(sd)) {
        const expected = k.endsWith('num_batches_tracked') ? [20n] : new Array<number>(t.data.length).fill(2);
        expect(Array.from(t.data as ArrayLike<number | bigint>), k).toEqual(expected);
      }
    },
  );

  it.each(['nonFinite', 'error'] as const)('leaves a fit that failed (%s) where the failure left it', (stopped) => {
    const { model, cb } = restoreRun(stopped);
    expect(cb.restored).toBe(false);
    expect(Array.from(model.parameters()[0]!.data)).toEqual(new Array<number>(6).fill(4));
    expect(model.stateDict()['1.num_batches_tracked']!.data[0]).toBe(40n);
  });

  it('restoreBestWeights false leaves the last state', () => {
    const { model, cb } = restoreRun('earlyStopping', false);
    expect(cb.restored).toBe(false);
    expect(Array.from(model.buffers()[0]!.data as Float32Array)).toEqual([4, 4, 4]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Real fits, in a worker and on the caller's thread
// ---------------------------------------------------------------------------------------------------

// Training learns y = x·W (linearData's W); the validation targets are 0.4·x·W, so as the model's output grows from ~0
// towards x·W, validation loss first falls, bottoms out (epoch 5 with SGD lr 0.01) and rises again.
const train = linearData(64, 10, 1);
const validation = linearData(32, 11, 0.4);

class StopAfterEpoch extends Callback {
  constructor(private readonly epoch: number) {
    super();
  }

  override onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) this.context.stopTraining();
  }
}

class AbortAtBatch extends Callback {
  constructor(
    private readonly controller: AbortController,
    private readonly epoch: number,
    private readonly batch: number,
  ) {
    super();
  }

  override onBatchEnd(batch: number, logs: { epoch: number }): void {
    if (logs.epoch === this.epoch && batch === this.batch) this.controller.abort();
  }
}

interface Outcome {
  history: History;
  stopper: EarlyStopping | null;
  final: Record<string, Array<number | bigint>>;
  /** The model's state at the end of an epoch, read back from the ModelCheckpoint written then. */
  atEpoch(epoch: number): Promise<Record<string, Array<number | bigint>>>;
}

/** A fit with SGD lr 0.01, batches of 16 (4 a epoch), a ModelCheckpoint every epoch, and `extra` options. */
async function trainRun(worker: boolean, extra: Partial<FitOptions>, stopper: EarlyStopping | null): Promise<Outcome> {
  const dir = tempDir();
  const model = linearNet();
  const history = await fit(model, {
    x: train.x,
    y: train.y,
    validationData: validation,
    batchSize: 16,
    optimizer: (p) => new SGD(p, { lr: 0.01 }),
    verbose: false,
    checks: false,
    worker,
    ...extra,
    callbacks: [new ModelCheckpoint({ path: join(dir, 'e{epoch:02d}.safetensors') }), ...(stopper ? [stopper] : []), ...(extra.callbacks ?? [])],
  });
  return {
    history,
    stopper,
    final: stateValues(model.stateDict()),
    atEpoch: async (e) => stateValues(await load(join(dir, `e${String(e).padStart(2, '0')}.safetensors`))),
  };
}

/** Runs the same scenario on the caller's thread and in a worker; checks both end the same way and returns them. */
async function bothModes(make: () => { extra: Partial<FitOptions>; stopper: EarlyStopping | null }): Promise<[Outcome, Outcome]> {
  const a = make(), b = make();
  const thread = await trainRun(false, a.extra, a.stopper);
  const worker = await trainRun(true, b.extra, b.stopper);
  expect(worker.history.stopped).toBe(thread.history.stopped);
  expect(worker.history.values('valLoss')).toEqual(thread.history.values('valLoss'));
  expect(worker.final).toEqual(thread.final);
  expect(worker.stopper?.exportState()).toEqual(thread.stopper?.exportState());
  return [thread, worker];
}

/** The first epoch of the smallest validation loss: what bestEpoch must be (minDelta 0). */
function argminEpoch(h: History): number {
  const v = h.values('valLoss');
  return h.epochs[v.indexOf(Math.min(...v))]!.epoch;
}

describe('EarlyStopping in fit: restoreBestWeights whenever training ends (both modes)', () => {
  it('early stop: stops patience epochs after the best and puts back the best epoch bit for bit', async () => {
    const outcomes = await bothModes(() => ({ extra: { epochs: 30 }, stopper: new EarlyStopping({ patience: 2, restoreBestWeights: true }) }));
    for (const o of outcomes) {
      const best = argminEpoch(o.history);
      expect(best).toBe(5);
      expect(o.history.stopped).toBe('earlyStopping');
      expect(o.history.epochs.length).toBe(best + 2);
      expect(o.stopper!.bestEpoch).toBe(best);
      expect(o.stopper!.stoppedEpoch).toBe(best + 2);
      expect(o.stopper!.best).toBe(o.history.values('valLoss')[best - 1]);
      expect(o.stopper!.restored).toBe(true);
      expect(o.final).toEqual(await o.atEpoch(best));
      expect(o.final).not.toEqual(await o.atEpoch(best + 2));
      expect(o.final['1.num_batches_tracked']).toEqual([BigInt(4 * best)]);
    }
  });

  it("fit's earlyStopping option does the same", async () => {
    const outcomes = await bothModes(() => ({ extra: { epochs: 30, earlyStopping: { patience: 2, restoreBestWeights: true } }, stopper: null }));
    for (const o of outcomes) {
      expect(o.history.stopped).toBe('earlyStopping');
      expect(o.history.epochs.length).toBe(7);
      expect(o.final).toEqual(await o.atEpoch(5));
    }
  });

  it('the last epoch reached: the best epoch (not the last) is put back', async () => {
    const outcomes = await bothModes(() => ({ extra: { epochs: 6 }, stopper: new EarlyStopping({ patience: 10, restoreBestWeights: true }) }));
    for (const o of outcomes) {
      expect(o.history.stopped).toBe('completed');
      expect(o.history.epochs.length).toBe(6);
      expect(o.stopper!.stoppedEpoch).toBeNull();
      expect(o.stopper!.bestEpoch).toBe(5);
      expect(o.final).toEqual(await o.atEpoch(5));
      expect(o.final).not.toEqual(await o.atEpoch(6));
    }
  });

  it('an abort in the middle of epoch 7: the best epoch is put back, not the interrupted state', async () => {
    const outcomes = await bothModes(() => {
      const controller = new AbortController();
      return {
        extra: { epochs: 30, signal: controller.signal, callbacks: [new AbortAtBatch(controller, 7, 2)] },
        stopper: new EarlyStopping({ patience: 10, restoreBestWeights: true }),
      };
    });
    for (const o of outcomes) {
      expect(o.history.stopped).toBe('aborted');
      expect(o.history.epochs.length).toBe(6);
      expect(o.stopper!.bestEpoch).toBe(5);
      expect(o.stopper!.restored).toBe(true);
      expect(o.final).toEqual(await o.atEpoch(5));
    }
  });

  it("another callback's stop: the best epoch is put back", async () => {
    const outcomes = await bothModes(() => ({
      extra: { epochs: 30, callbacks: [new StopAfterEpoch(6)] },
      stopper: new EarlyStopping({ patience: 10, restoreBestWeights: true }),
    }));
    for (const o of outcomes) {
      expect(o.history.stopped).toBe('callback');
      expect(o.history.epochs.length).toBe(6);
      expect(o.stopper!.stoppedEpoch).toBeNull();
      expect(o.final).toEqual(await o.atEpoch(5));
    }
  });

  it('without restoreBestWeights the model keeps the last epoch', async () => {
    const o = await trainRun(false, { epochs: 30 }, new EarlyStopping({ patience: 2 }));
    expect(o.history.stopped).toBe('earlyStopping');
    expect(o.stopper!.restored).toBe(false);
    expect(o.final).toEqual(await o.atEpoch(7));
    expect(o.final).not.toEqual(await o.atEpoch(5));
  });

  it('a monitor key the fit does not log: fit rejects with a RangeError naming it, and the model is untouched (both modes)', async () => {
    for (const worker of [false, true]) {
      const model = linearNet();
      const before = stateValues(model.stateDict());
      const run = fit(model, {
        x: train.x,
        y: train.y,
        epochs: 3,
        batchSize: 16,
        verbose: false,
        checks: false,
        worker,
        earlyStopping: { monitor: 'valLoss' },
      });
      await expect(run).rejects.toThrow(
        "EarlyStopping: monitor 'valLoss' is not logged by this fit; available: loss, lr, seconds, samplesPerSecond (validation keys need validationData or validationSplit)",
      );
      await expect(run).rejects.toBeInstanceOf(OptionError);
      expect(stateValues(model.stateDict())).toEqual(before);
    }
  });
});
