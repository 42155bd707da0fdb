/**
 * Callbacks in fit, in both modes (worker thread and caller's thread), with the same outcome in each:
 * the hooks' order and arguments (a recorded trace, identical in both modes); a caller-side callback's
 * stopTraining() at epoch 2 batch 2 lands at exactly that batch, and the epoch is closed with the
 * batches it ran (validated, onEpochEnd, a History row, as in Keras); async hooks are awaited; a passive
 * callback with slow async hooks falls behind without failing the fit; a callback that throws rejects
 * fit with its error and leaves the model at its last step; and where a user's model-side callback
 * runs: registered with its module it moves to the worker, unregistered it makes fit train on the
 * caller's thread and say why.
 */
import { describe, expect, it, vi } from 'vitest';
import { type BatchLogs, type CallbackSpec, Callback, ModelCallback, type TrainLogs } from '../../src/train/callbacks/callback.js';
import { registerCallbackType } from '../../src/train/callbacks/registry.js';
import { fit } from '../../src/train/fit.js';
import type { EpochLogs } from '../../src/train/history.js';
import { BatchCounter } from '../fixtures/train/batch-counter-callback.js';
import { type Call, Trace, batchesTracked, linearFitOptions, linearNet, sleep, stateValues } from './helpers.js';

const options = linearFitOptions();

// linearFitOptions's 60 training samples in batches of 16: four batches an epoch, of 16, 16, 16 and 12.
const SIZES = [16, 16, 16, 12];

// ---------------------------------------------------------------------------------------------------
// Hooks: order, arguments, stops, async, errors
// ---------------------------------------------------------------------------------------------------

/** The trace shape the documentation promises, with each batch's loss replaced by its type. */
function expectedShape(epochs: number[], initialEpoch: number, lastBatch = 4): Call[] {
  const out: Call[] = [['trainBegin', { epoch: initialEpoch }]];
  for (const e of epochs) {
    out.push(['epochBegin', e]);
    for (let b = 1; b <= (e === epochs.at(-1) ? lastBatch : 4); b++) {
      out.push(['batchBegin', b, { epoch: e, size: SIZES[b - 1], loss: NaN }]);
      out.push(['batchEnd', b, { epoch: e, size: SIZES[b - 1], loss: 'number' }]);
    }
    out.push(['epochEnd', e, 'logs']);
  }
  return out;
}

function shapeOf(calls: Call[]): Call[] {
  return calls.map((c) => {
    if (c[0] === 'batchEnd') return [c[0], c[1], { ...(c[2] as BatchLogs), loss: typeof (c[2] as BatchLogs).loss }];
    if (c[0] === 'epochEnd') return [c[0], c[1], 'logs'];
    return c;
  });
}

describe('hook order and arguments', () => {
  it('are as documented, and identical in both modes', async () => {
    const traces: Trace[] = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const trace = new Trace();
      const history = await fit(model, options(worker, { metrics: ['mae'], callbacks: [trace] }));
      traces.push(trace);
      expect(shapeOf(trace.calls)).toEqual([...expectedShape([1, 2], 0), ['trainEnd', { epoch: 2 }]]);
      expect(trace.model).toBe(model);
      expect(trace.params).toEqual({
        epochs: 2,
        initialEpoch: 0,
        stepsPerEpoch: 4,
        batchSize: 16,
        samples: 60,
        validationSamples: 20,
        logKeys: ['loss', 'mae', 'valLoss', 'valMae', 'lr', 'seconds', 'samplesPerSecond'],
        modes: { loss: 'min', mae: 'min', valLoss: 'min', valMae: 'min' },
        mode: worker ? 'worker' : 'thread',
      });
      // Each epoch's logs: its number, the size-weighted mean of its batch losses, the metrics, the lr;
      // and the same record in the history.
      for (const e of [1, 2]) {
        const batches = trace.calls.filter((c) => c[0] === 'batchEnd' && (c[2] as BatchLogs).epoch === e).map((c) => c[2] as BatchLogs);
        let sum = 0, n = 0;
        for (const b of batches) {
          sum += b.loss * b.size;
          n += b.size;
        }
        const logs = trace.calls.find((c) => c[0] === 'epochEnd' && c[1] === e)![2] as EpochLogs;
        expect(logs.epoch).toBe(e);
        expect(logs.loss).toBe(sum / n);
        expect(Object.keys(logs.metrics)).toEqual(['mae', 'valMae']);
        expect(logs.valLoss).toBeGreaterThan(0);
        expect(logs.lr).toEqual([0.01]);
        expect(history.epochs[e - 1]).toEqual(logs);
      }
    }
    expect(traces[1]!.timeless()).toEqual(traces[0]!.timeless());
  });

  it('a resumed fit (initialEpoch 1) starts at epoch 2 and says so in onTrainBegin (both modes)', async () => {
    const traces: Trace[] = [];
    for (const worker of [false, true]) {
      const trace = new Trace();
      await fit(linearNet(), options(worker, { initialEpoch: 1, epochs: 2, callbacks: [trace] }));
      expect(shapeOf(trace.calls)).toEqual([...expectedShape([2], 1), ['trainEnd', { epoch: 2 }]]);
      expect(trace.params!.initialEpoch).toBe(1);
      traces.push(trace);
    }
    expect(traces[1]!.timeless()).toEqual(traces[0]!.timeless());
  });
});

class StopAt extends Callback {
  constructor(
    private readonly epoch: number,
    private readonly batch: number,
  ) {
    super();
  }

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    if (logs.epoch === this.epoch && batch === this.batch) this.context.stopTraining();
  }
}

describe('stopTraining() from a callback', () => {
  it('in onBatchEnd of epoch 2, batch 2: training stops after exactly that batch in both modes, and epoch 2 is recorded with its 2 batches', async () => {
    const states = [], histories = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const trace = new Trace();
      const history = await fit(model, options(worker, { epochs: 5, metrics: ['mae'], callbacks: [new StopAt(2, 2), trace] }));
      expect(history.stopped).toBe('callback');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(batchesTracked(model)).toBe(4 + 2);
      expect(shapeOf(trace.calls)).toEqual([...expectedShape([1, 2], 0, 2), ['trainEnd', { epoch: 2 }]]);
      // The partial epoch's loss is the mean over its two batches' samples, and it was validated.
      const batchLosses = trace.calls.filter((c) => c[0] === 'batchEnd' && (c[2] as BatchLogs).epoch === 2).map((c) => (c[2] as BatchLogs).loss);
      expect(history.epochs[1]!.loss).toBeCloseTo((batchLosses[0]! * 16 + batchLosses[1]! * 16) / 32, 6);
      expect(history.epochs[1]!.valLoss).toEqual(expect.any(Number));
      expect(history.epochs[1]!.metrics.valMae).toEqual(expect.any(Number));
      states.push(stateValues(model.stateDict()));
      histories.push(history.epochs.map(({ seconds: _s, samplesPerSecond: _p, ...rest }) => rest));
    }
    expect(states[1]).toEqual(states[0]);
    expect(histories[1]).toEqual(histories[0]);
  });

  it('in onEpochBegin: the epoch runs no batch and is not recorded, in both modes', async () => {
    class StopAtEpochBegin extends Callback {
      override onEpochBegin(epoch: number): void {
        if (epoch === 2) this.context.stopTraining();
      }
    }
    for (const worker of [false, true]) {
      const model = linearNet();
      const history = await fit(model, options(worker, { epochs: 5, callbacks: [new StopAtEpochBegin()] }));
      expect(history.stopped).toBe('callback');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1]);
      expect(batchesTracked(model)).toBe(4);
    }
  });

  it("a registered model-side callback's stop at epoch 2, batch 2 lands at the same batch in the worker", async () => {
    const states = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const counter = new BatchCounter({ stopAt: [2, 2] });
      const history = await fit(model, options(worker, { epochs: 5, callbacks: [counter] }));
      expect(counter.mode).toBe(worker ? 'worker' : 'thread');
      expect(history.stopped).toBe('callback');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(counter.batches).toBe(6);
      expect(batchesTracked(model)).toBe(6);
      states.push(stateValues(model.stateDict()));
    }
    expect(states[1]).toEqual(states[0]);
  });
});

/** Every hook async: logs its start, waits on a timer, logs its end; stops training after epoch 2, batch 2. */
class Slow extends Callback {
  readonly log: string[] = [];

  private async step(what: string): Promise<void> {
    this.log.push(`${what} start`);
    await sleep(2);
    this.log.push(`${what} done`);
  }

  override async onTrainBegin(): Promise<void> {
    await this.step('train');
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    await this.step(`epoch ${epoch}`);
  }

  override async onBatchBegin(batch: number, logs: BatchLogs): Promise<void> {
    await this.step(`begin ${logs.epoch}.${batch}`);
  }

  override async onBatchEnd(batch: number, logs: BatchLogs): Promise<void> {
    await this.step(`end ${logs.epoch}.${batch}`);
    if (logs.epoch === 2 && batch === 2) this.context.stopTraining();
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    await this.step(`epochEnd ${epoch}`);
  }

  override async onTrainEnd(): Promise<void> {
    await this.step('trainEnd');
  }
}

describe('async hooks', () => {
  it('are awaited: no hook starts before the previous one is done, a stop after an await lands at its batch, fit resolves after onTrainEnd', async () => {
    for (const worker of [false, true]) {
      const model = linearNet();
      const slow = new Slow();
      const history = await fit(model, options(worker, { epochs: 5, callbacks: [slow] }));
      const steps = ['train', 'epoch 1', ...[1, 2, 3, 4].flatMap((b) => [`begin 1.${b}`, `end 1.${b}`]), 'epochEnd 1', 'epoch 2', 'begin 2.1', 'end 2.1', 'begin 2.2', 'end 2.2', 'epochEnd 2', 'trainEnd'];
      expect(slow.log).toEqual(steps.flatMap((s) => [`${s} start`, `${s} done`]));
      expect(history.stopped).toBe('callback');
      expect(batchesTracked(model)).toBe(6);
    }
  });
});

/** Passive (a worker never waits for it), with a slow async hook, as a logger writing to a slow disk. */
class SlowPassive extends Callback {
  readonly done: number[] = [];

  override get passive(): boolean {
    return true;
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    await sleep(60);
    this.done.push(epoch);
  }
}

describe('a passive callback with slow async hooks', () => {
  it('falls behind a worker without failing the fit: fit resolves after its last hook (both modes)', async () => {
    for (const worker of [false, true]) {
      const slow = new SlowPassive();
      const history = await fit(linearNet(), options(worker, { epochs: 3, callbacks: [slow] }));
      expect(history.stopped).toBe('completed');
      expect(history.epochs.length).toBe(3);
      expect(slow.done).toEqual([1, 2, 3]);
    }
  });
});

class Boom extends Callback {
  readonly error = new Error('boom at epoch 2, batch 1');

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    if (logs.epoch === 2 && batch === 1) throw this.error;
  }
}

class EndRecorder extends Callback {
  ended: number | null = null;

  override onTrainEnd(logs: TrainLogs): void {
    this.ended = logs.epoch;
  }
}

describe('a callback that throws', () => {
  it('makes fit reject with that error; the model is left at the last step, other callbacks still end (both modes alike)', async () => {
    const states = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const boom = new Boom();
      const end = new EndRecorder();
      const run = fit(model, options(worker, { epochs: 5, callbacks: [boom, end] }));
      await expect(run).rejects.toBe(boom.error);
      expect(batchesTracked(model)).toBe(4 + 1);
      expect(end.ended).toBe(1);
      expect(model.modules().every((m) => m.training)).toBe(true);
      states.push(stateValues(model.stateDict()));
    }
    expect(states[1]).toEqual(states[0]);
  });

  it('in onBatchBegin: the batch is not stepped, in either mode (a worker stepped it before the throw reached it)', async () => {
    class BoomBefore extends Callback {
      readonly error = new Error('boom before epoch 2, batch 2');

      override onBatchBegin(batch: number, logs: BatchLogs): void {
        if (logs.epoch === 2 && batch === 2) throw this.error;
      }
    }
    const states = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const boom = new BoomBefore();
      await expect(fit(model, options(worker, { epochs: 5, callbacks: [boom] }))).rejects.toBe(boom.error);
      expect(batchesTracked(model), worker ? 'worker' : 'thread').toBe(4 + 1);
      states.push(stateValues(model.stateDict()));
    }
    expect(states[1]).toEqual(states[0]);
  });

  it('in onTrainEnd: fit rejects with it, and every onTrainEnd ran once (the thread mode ran them all again)', async () => {
    const calls: string[] = [];
    class Ender extends Callback {
      constructor(private readonly name: string, private readonly fails: boolean) {
        super();
      }

      override onTrainEnd(): void {
        calls.push(this.name);
        if (this.fails) throw new Error(`${this.name} failed`);
      }
    }
    for (const worker of [false, true]) {
      calls.length = 0;
      await expect(fit(linearNet(), options(worker, { epochs: 1, callbacks: [new Ender('a', true), new Ender('b', false)] }))).rejects.toThrow('a failed');
      expect(calls, worker ? 'worker' : 'thread').toEqual(['a', 'b']);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Where a user's model-side callback runs
// ---------------------------------------------------------------------------------------------------

/** A model-side callback whose type is never registered. */
class UnregisteredCounter extends ModelCallback {
  batches = 0;
  mode: string | null = null;

  override onTrainBegin(): void {
    this.mode = this.context.params.mode;
  }

  override onBatchEnd(): void {
    this.batches++;
  }

  override toSpec(): CallbackSpec {
    return { type: 'test.UnregisteredCounter', options: {}, state: {} };
  }
}

/** Registered, but without the module a worker would import. */
class NoModuleCounter extends UnregisteredCounter {
  override toSpec(): CallbackSpec {
    return { type: 'test.NoModuleCounter', options: {}, state: {} };
  }
}
registerCallbackType('test.NoModuleCounter', NoModuleCounter, () => new NoModuleCounter());

/** Runs fn with process.emitWarning recorded (and silenced); returns the warnings' codes and messages. */
async function warnings(fn: () => Promise<unknown>): Promise<Array<{ code: string | undefined; message: string }>> {
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  try {
    await fn();
    return spy.mock.calls.map(([w, o]) => ({
      message: String(w),
      code: typeof o === 'object' && o !== null && 'code' in o ? String(o.code) : undefined,
    }));
  } finally {
    spy.mockRestore();
  }
}

describe("a user's model-side callback", () => {
  it('registered with { module } moves to the worker (no warning), and its state comes back', async () => {
    const counter = new BatchCounter();
    const seen = await warnings(() => fit(linearNet(), options('auto', { callbacks: [counter] })));
    expect(seen.filter((w) => w.code === 'KEEL_FIT_IN_THREAD')).toEqual([]);
    expect(counter.mode).toBe('worker');
    expect(counter.batches).toBe(8);
  });

  it('unregistered: fit trains on the caller\'s thread and says why once (KEEL_FIT_IN_THREAD); worker: true is an error', async () => {
    const counter = new UnregisteredCounter();
    const model = linearNet();
    let history: Awaited<ReturnType<typeof fit>> | null = null;
    const seen = await warnings(async () => {
      history = await fit(model, options('auto', { callbacks: [counter] }));
      await fit(linearNet(), options('auto', { callbacks: [new UnregisteredCounter()] }));
    });
    expect(seen.filter((w) => w.code === 'KEEL_FIT_IN_THREAD')).toEqual([
      {
        code: 'KEEL_FIT_IN_THREAD',
        message:
          "fit: training on the caller's thread (yielding to the event loop between batches) because the model-side callback UnregisteredCounter is not a registered callback type (callbacks.registerCallbackType). Pass worker: false to choose this and silence the warning.",
      },
    ]);
    expect(counter.mode).toBe('thread');
    expect(counter.batches).toBe(8);
    expect(history!.epochs.length).toBe(2);
    expect(batchesTracked(model)).toBe(8);
    await expect(fit(linearNet(), options(true, { callbacks: [new UnregisteredCounter()] }))).rejects.toThrow(
      'fit: worker: true, but the run cannot move to a worker thread: the model-side callback UnregisteredCounter is not a registered callback type (callbacks.registerCallbackType)',
    );
    await expect(fit(linearNet(), options(true, { callbacks: [new NoModuleCounter()] }))).rejects.toThrow(
      'fit: worker: true, but the run cannot move to a worker thread: the callback type "test.NoModuleCounter" was registered without { module }, so a worker cannot import it',
    );
  });
});
