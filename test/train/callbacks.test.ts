/**
 * Callbacks in fit, in both modes (worker thread and caller's thread), with the same outcome in each:
 * the hooks' order and arguments (a recorded trace, identical in both modes); a caller-side callback's
 * stopTraining() at epoch 2 batch 2 lands at exactly that batch; async hooks are awaited; a callback
 * that throws rejects fit with its error and leaves the model at its last step; ModelCheckpoint (files
 * that load back as the model of that epoch, the path template, saveBestOnly, nothing left half
 * written); CSVLogger and JSONLLogger (exact contents, append); the ReduceLROnPlateau callback on a
 * constructed plateau; ProgressLogger's 'lines', 'jsonl' and 'bar' output (exact formats) and silence
 * with verbose: false; and where a user's model-side callback runs: registered with its module it
 * moves to the worker, unregistered it makes fit train on the caller's thread and say why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { load, loadWithMetadata } from '../../src/io/save.js';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { zeros, ones } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { type BatchLogs, type CallbackSpec, Callback, type FitParams, ModelCallback, type TrainLogs } from '../../src/train/callbacks/callback.js';
import { CSVLogger, JSONLLogger } from '../../src/train/callbacks/loggers.js';
import { formatCheckpointPath, ModelCheckpoint } from '../../src/train/callbacks/model-checkpoint.js';
import { ProgressLogger, progressMode } from '../../src/train/callbacks/progress.js';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce-lr-on-plateau.js';
import { registerCallbackType } from '../../src/train/callbacks/registry.js';
import { fit } from '../../src/train/fit.js';
import { type EpochLogs, History } from '../../src/train/history.js';
import type { FitOptions } from '../../src/train/options.js';
import { BatchCounter } from '../fixtures/train/batch-counter-callback.js';
import { batchesTracked, linearData, linearNet, stateValues, tempDirs } from './helpers.js';

const tempDir = tempDirs('keel-callbacks-');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// 60 training samples in batches of 16: four batches an epoch, of 16, 16, 16 and 12.
const train = linearData(60, 10);
const validation = linearData(20, 11);
const SIZES = [16, 16, 16, 12];

function options(worker: FitOptions['worker'], over: Partial<FitOptions> = {}): FitOptions {
  return {
    x: train.x,
    y: train.y,
    validationData: validation,
    epochs: 2,
    batchSize: 16,
    optimizer: (p) => new SGD(p, { lr: 0.01 }),
    verbose: false,
    checks: false,
    worker,
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------------
// Hooks: order, arguments, stops, async, errors
// ---------------------------------------------------------------------------------------------------

type Call = [string, ...unknown[]];

/** Records every hook with its arguments (copies), the params, and the model the context shows. */
class Trace extends Callback {
  readonly calls: Call[] = [];
  params: FitParams | null = null;
  model: nn.Module | null = null;

  override onTrainBegin(logs: TrainLogs): void {
    this.calls.push(['trainBegin', { ...logs }]);
    this.params = { ...this.context.params };
    this.model = this.context.model;
  }

  override onEpochBegin(epoch: number): void {
    this.calls.push(['epochBegin', epoch]);
  }

  override onBatchBegin(batch: number, logs: BatchLogs): void {
    this.calls.push(['batchBegin', batch, { ...logs }]);
  }

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    this.calls.push(['batchEnd', batch, { ...logs }]);
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    this.calls.push(['epochEnd', epoch, structuredClone(logs)]);
  }

  override onTrainEnd(logs: TrainLogs): void {
    this.calls.push(['trainEnd', { ...logs }]);
  }

  /** The calls with the wall-clock fields (seconds, samplesPerSecond) left out: what both modes must agree on. */
  timeless(): Call[] {
    return this.calls.map((c) => {
      if (c[0] !== 'epochEnd') return c;
      const { seconds: _s, samplesPerSecond: _r, ...rest } = c[2] as EpochLogs;
      return [c[0], c[1], rest];
    });
  }
}

/** The trace shape the documentation promises, with each batch's loss replaced by its type. */
function expectedShape(epochs: number[], initialEpoch: number, lastBatch = 4): Call[] {
  const out: Call[] = [['trainBegin', { epoch: initialEpoch }]];
  for (const e of epochs) {
    out.push(['epochBegin', e]);
    for (let b = 1; b <= (e === epochs.at(-1) ? lastBatch : 4); b++) {
      out.push(['batchBegin', b, { epoch: e, size: SIZES[b - 1], loss: NaN }]);
      out.push(['batchEnd', b, { epoch: e, size: SIZES[b - 1], loss: 'number' }]);
    }
    if (e !== epochs.at(-1) || lastBatch === 4) out.push(['epochEnd', e, 'logs']);
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
  it('in onBatchEnd of epoch 2, batch 2: training stops after exactly that batch in both modes', async () => {
    const states = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const trace = new Trace();
      const history = await fit(model, options(worker, { epochs: 5, callbacks: [new StopAt(2, 2), trace] }));
      expect(history.stopped).toBe('callback');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1]);
      expect(batchesTracked(model)).toBe(4 + 2);
      expect(shapeOf(trace.calls)).toEqual([...expectedShape([1, 2], 0, 2), ['trainEnd', { epoch: 1 }]]);
      states.push(stateValues(model.stateDict()));
    }
    expect(states[1]).toEqual(states[0]);
  });

  it("a registered model-side callback's stop at epoch 2, batch 2 lands at the same batch in the worker", async () => {
    const states = [];
    for (const worker of [false, true]) {
      const model = linearNet();
      const counter = new BatchCounter({ stopAt: [2, 2] });
      const history = await fit(model, options(worker, { epochs: 5, callbacks: [counter] }));
      expect(counter.mode).toBe(worker ? 'worker' : 'thread');
      expect(history.stopped).toBe('callback');
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
      const steps = ['train', 'epoch 1', ...[1, 2, 3, 4].flatMap((b) => [`begin 1.${b}`, `end 1.${b}`]), 'epochEnd 1', 'epoch 2', 'begin 2.1', 'end 2.1', 'begin 2.2', 'end 2.2', 'trainEnd'];
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
});

// ---------------------------------------------------------------------------------------------------
// ModelCheckpoint
// ---------------------------------------------------------------------------------------------------

/** On the caller's thread only (callbacks see the live model there): the model's state at each epoch end. */
class EpochSnapshots extends Callback {
  readonly states = new Map<number, Record<string, Array<number | bigint>>>();

  override onEpochEnd(epoch: number): void {
    this.states.set(epoch, stateValues(this.context.model.stateDict()));
  }
}

describe('ModelCheckpoint', () => {
  it('formats the path template', () => {
    const logs: EpochLogs = { epoch: 7, loss: 0.25, valLoss: 0.123456, metrics: { rmse: 0.98765 }, lr: [0.001], seconds: 1, samplesPerSecond: 10 };
    expect(formatCheckpointPath('ckpt/m-{epoch:03d}-{valLoss:.4f}.safetensors', logs)).toBe('ckpt/m-007-0.1235.safetensors');
    expect(formatCheckpointPath('{epoch}_{loss}_{rmse:.2f}_{epoch:4d}.safetensors', logs)).toBe('7_0.25_0.99_   7.safetensors');
    expect(() => formatCheckpointPath('m-{valAcc:.2f}.safetensors', logs)).toThrow(
      new RangeError('ModelCheckpoint: the path template uses {valAcc}, which this fit does not log (in "m-{valAcc:.2f}.safetensors")'),
    );
    expect(() => new ModelCheckpoint({ path: 'ckpt/model.pt' })).toThrow(new TypeError('ModelCheckpoint: path must be a file path ending in .safetensors, got "ckpt/model.pt"'));
    expect(() => new ModelCheckpoint({ path: 'm.safetensors', saveBest: true } as never)).toThrow('ModelCheckpoint: unknown option "saveBest"');
  });

  it('every epoch: safetensors + architecture JSON that load back as the model of that epoch, identical from both modes', async () => {
    const files: Record<string, Buffer>[] = [];
    for (const worker of [false, true]) {
      const dir = tempDir();
      const model = linearNet();
      const checkpoint = new ModelCheckpoint({ path: join(dir, 'sub', 'm-{epoch:03d}-{valLoss:.4f}.safetensors') });
      const snapshots = new EpochSnapshots();
      const history = await fit(model, options(worker, { epochs: 3, callbacks: worker ? [checkpoint] : [checkpoint, snapshots] }));
      const valLoss = history.values('valLoss');
      const names = [1, 2, 3].map((e) => `m-00${e}-${valLoss[e - 1]!.toFixed(4)}`);
      expect(checkpoint.saved).toEqual(names.map((n) => join(dir, 'sub', `${n}.safetensors`)));
      // The two files of each save and nothing else (no temporary file left behind).
      expect(readdirSync(join(dir, 'sub')).sort()).toEqual(names.flatMap((n) => [`${n}.json`, `${n}.safetensors`]).sort());
      for (const [i, name] of names.entries()) {
        const epoch = i + 1;
        const { tensors, metadata } = await loadWithMetadata(join(dir, 'sub', `${name}.safetensors`));
        expect(metadata).toMatchObject({ format: 'pt', epoch: String(epoch), loss: String(history.values('loss')[i]), valLoss: String(valLoss[i]) });
        const rebuilt = nn.fromJSON(JSON.parse(readFileSync(join(dir, 'sub', `${name}.json`), 'utf8')));
        expect(rebuilt.toJSON()).toEqual(model.toJSON());
        rebuilt.loadStateDict(tensors);
        if (!worker) expect(stateValues(rebuilt.stateDict())).toEqual(snapshots.states.get(epoch));
        expect(stateValues(tensors)['1.num_batches_tracked']).toEqual([BigInt(4 * epoch)]);
      }
      // The last checkpoint is the trained model.
      expect(stateValues(await load(checkpoint.saved[2]!))).toEqual(stateValues(model.stateDict()));
      files.push(Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, 'sub', `${n}.safetensors`))])));
    }
    expect(Object.keys(files[1]!)).toEqual(Object.keys(files[0]!));
    for (const name of Object.keys(files[0]!)) expect(files[1]![name]!.equals(files[0]![name]!), name).toBe(true);
  });

  it('saveBestOnly: writes only at the epochs that improve on the best so far (both modes alike)', async () => {
    // Validation targets 0.4·x·W: validation loss falls, then rises as the model learns x·W.
    const saved: string[][] = [];
    for (const worker of [false, true]) {
      const dir = tempDir();
      const checkpoint = new ModelCheckpoint({ path: join(dir, 'best-{epoch:02d}.safetensors'), saveBestOnly: true });
      const history = await fit(linearNet(), options(worker, { epochs: 8, validationData: linearData(20, 11, 0.4), callbacks: [checkpoint] }));
      const valLoss = history.values('valLoss');
      const improving: number[] = [];
      let best = Infinity;
      valLoss.forEach((v, i) => {
        if (v < best) {
          best = v;
          improving.push(i + 1);
        }
      });
      expect(improving.length).toBeGreaterThan(1);
      expect(improving.length).toBeLessThan(8);
      expect(checkpoint.best).toBe(best);
      const names = improving.map((e) => `best-${String(e).padStart(2, '0')}.safetensors`);
      expect(checkpoint.saved).toEqual(names.map((n) => join(dir, n)));
      expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()).toEqual(names);
      saved.push(names);
    }
    expect(saved[1]).toEqual(saved[0]);
  });
});

// ---------------------------------------------------------------------------------------------------
// CSVLogger and JSONLLogger
// ---------------------------------------------------------------------------------------------------

function csvRow(e: EpochLogs): string {
  return [e.epoch, e.loss, e.metrics.mae, e.valLoss, e.metrics.valMae, e.lr[0], e.seconds, e.samplesPerSecond].map(String).join(',');
}

describe('CSVLogger and JSONLLogger', () => {
  it('write a header and one row per epoch / one JSON object per epoch (and batch); append continues a file (both modes)', async () => {
    for (const worker of [false, true]) {
      const dir = tempDir();
      const csv = join(dir, 'logs', 'train.csv');
      const jsonl = join(dir, 'logs', 'train.jsonl');
      const model = linearNet();
      const trace = new Trace();
      const first = await fit(model, options(worker, { metrics: ['mae'], callbacks: [new CSVLogger(csv), new JSONLLogger(jsonl, { batches: true }), trace] }));
      const header = 'epoch,loss,mae,valLoss,valMae,lr,seconds,samplesPerSecond\n';
      expect(readFileSync(csv, 'utf8')).toBe(header + first.epochs.map((e) => `${csvRow(e)}\n`).join(''));
      const lines = trace.calls
        .filter((c) => c[0] === 'batchEnd' || c[0] === 'epochEnd')
        .map((c) => (c[0] === 'batchEnd' ? JSON.stringify({ event: 'batch', batch: c[1], ...(c[2] as BatchLogs) }) : JSON.stringify({ event: 'epoch', ...(c[2] as EpochLogs) })));
      expect(lines.length).toBe(2 * 4 + 2);
      expect(readFileSync(jsonl, 'utf8')).toBe(lines.map((l) => `${l}\n`).join(''));

      // Resuming with append: no second header, the new epoch's row after the old ones.
      const second = await fit(model, options(worker, { metrics: ['mae'], initialEpoch: 2, epochs: 3, callbacks: [new CSVLogger(csv, { append: true }), new JSONLLogger(jsonl, { append: true })] }));
      expect(second.epochs.map((e) => e.epoch)).toEqual([3]);
      expect(readFileSync(csv, 'utf8')).toBe(header + [...first.epochs, ...second.epochs].map((e) => `${csvRow(e)}\n`).join(''));
      expect(readFileSync(jsonl, 'utf8')).toBe([...lines, JSON.stringify({ event: 'epoch', ...second.epochs[0] })].map((l) => `${l}\n`).join(''));

      // Without append the file is replaced.
      const third = await fit(model, options(worker, { metrics: ['mae'], epochs: 1, callbacks: [new CSVLogger(csv, { separator: ';' })] }));
      expect(readFileSync(csv, 'utf8')).toBe(`${header.replaceAll(',', ';')}${csvRow(third.epochs[0]!).replaceAll(',', ';')}\n`);
    }
  });

  it('reject bad options', () => {
    expect(() => new CSVLogger('')).toThrow(new TypeError('CSVLogger: path must be a non-empty string, got ""'));
    expect(() => new CSVLogger('a.csv', { separator: '"' })).toThrow(TypeError);
    expect(() => new CSVLogger('a.csv', { apend: true } as never)).toThrow('CSVLogger: unknown option "apend"');
    expect(() => new JSONLLogger('a.jsonl', { batches: 'yes' as never })).toThrow(new TypeError('JSONLLogger: batches must be a boolean, got "yes"'));
  });
});

// ---------------------------------------------------------------------------------------------------
// ReduceLROnPlateau
// ---------------------------------------------------------------------------------------------------

describe('ReduceLROnPlateau callback', () => {
  it('reduces the lr after `patience` epochs of a plateau (PyTorch counting), and the history shows it (both modes)', async () => {
    // Without biases and BatchNorm the model maps x = 0 to exactly 0, whatever its weights: on validation
    // inputs of zeros with targets 1 the validation loss is exactly 1 every epoch — a plateau.
    const plateau = { x: zeros([16, 4]), y: ones([16, 1]) };
    const exported = [];
    for (const worker of [false, true]) {
      manualSeed(3);
      const model = new nn.Sequential(new nn.Linear(4, 8, { bias: false }), new nn.ReLU(), new nn.Linear(8, 1, { bias: false }));
      const reducer = new ReduceLROnPlateau({ patience: 1, factor: 0.5 });
      const history = await fit(model, options(worker, { validationData: plateau, epochs: 6, optimizer: (p) => new SGD(p, { lr: 0.1 }), callbacks: [reducer] }));
      expect(history.values('valLoss')).toEqual([1, 1, 1, 1, 1, 1]);
      // Epoch 1 sets the best; epochs 2, 3 are bad → after epoch 3 (2 > patience) lr halves; again after epoch 5.
      expect(history.values('lr')).toEqual([0.1, 0.1, 0.1, 0.1 * 0.5, 0.1 * 0.5, 0.1 * 0.5 * 0.5]);
      expect(history.optimizer.paramGroups[0]!.lr).toBe(0.1 * 0.5 * 0.5);
      // The training loss keeps changing (training runs; the plateau is the validation loss's alone).
      expect(new Set(history.values('loss')).size).toBe(6);
      exported.push(reducer.exportState());
    }
    expect(exported[1]).toEqual(exported[0]);
  });

  it('rejects bad options and an unlogged monitor', async () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/ReduceLROnPlateau/);
    expect(() => new ReduceLROnPlateau({ patiance: 1 } as never)).toThrow('ReduceLROnPlateau: unknown option "patiance"');
    await expect(fit(linearNet(), options(false, { validationData: undefined, callbacks: [new ReduceLROnPlateau()] }))).rejects.toThrow(
      "ReduceLROnPlateau: monitor 'valLoss' is not logged by this fit",
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// ProgressLogger and verbose
// ---------------------------------------------------------------------------------------------------

/** A stream that keeps what is written. */
function fakeStream(isTTY = false, columns = 200): { write(s: string): boolean; writes: string[]; isTTY: boolean; columns: number; text(): string } {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    columns,
    write(s: string) {
      writes.push(s);
      return true;
    },
    text: () => writes.join(''),
  };
}

function epochLogs(epoch: number, over: Partial<EpochLogs> = {}): EpochLogs {
  return { epoch, loss: 0.123456, valLoss: 0.5, metrics: { mae: 0.25, valMae: 0.75 }, lr: [0.001], seconds: 2.5, samplesPerSecond: 1234.4, ...over };
}

/** A ProgressLogger with a fake context (params.epochs, a history to summarise). */
function progress(mode: 'lines' | 'jsonl' | 'bar', epochs: number, stream = fakeStream(mode === 'bar')) {
  const logger = new ProgressLogger(mode, stream);
  const history = new History();
  const model = linearNet();
  logger.context = {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    history,
    params: { epochs, initialEpoch: 0, stepsPerEpoch: 4, batchSize: 16, samples: 60, validationSamples: 20, logKeys: [], mode: 'thread' },
    stopTraining: () => {},
    stopRequested: false,
  };
  return { logger, history, stream };
}

describe('ProgressLogger: exact formats', () => {
  it("'lines': one summary line per epoch (4 significant digits, padded epoch numbers), then a closing line", () => {
    const { logger, history, stream } = progress('lines', 12);
    const a = epochLogs(3);
    const b = epochLogs(4, { loss: 123456, valLoss: 0.4, lr: [1e-4], seconds: 75, samplesPerSecond: 99.5 });
    for (const l of [a, b]) {
      logger.onEpochBegin(l.epoch);
      logger.onBatchEnd(1, { epoch: l.epoch, size: 16, loss: 1 });
      history.record(l);
      logger.onEpochEnd(l.epoch, l);
    }
    history.stopped = 'earlyStopping';
    logger.onTrainEnd({ epoch: 4 });
    expect(stream.writes).toEqual([
      'Epoch  3/12  loss 0.1235  mae 0.2500  valLoss 0.5000  valMae 0.7500  lr 0.001000  2.5s  1234 samples/s\n',
      'Epoch  4/12  loss 1.235e+5  mae 0.2500  valLoss 0.4000  valMae 0.7500  lr 1.000e-4  1m15s  100 samples/s\n',
      '2 epochs trained (earlyStopping); best valLoss 0.4000 at epoch 4\n',
    ]);
  });

  it("'lines': the closing line names the divergence epoch when there is one", () => {
    const { logger, history, stream } = progress('lines', 20);
    for (let e = 1; e <= 20; e++) history.record(epochLogs(e, { loss: 1 / e, valLoss: 0.3 + 0.01 * (e - 8) ** 2 }));
    history.stopped = 'completed';
    const d = history.divergenceEpoch;
    expect(d).not.toBeNull();
    logger.onTrainEnd({ epoch: 20 });
    expect(stream.writes).toEqual([`20 epochs trained (completed); best valLoss 0.3000 at epoch 8; validation loss diverged from training loss at epoch ${d}\n`]);
  });

  it("'jsonl': one JSON object per epoch and one at the end", () => {
    const { logger, history, stream } = progress('jsonl', 2);
    const l = epochLogs(1, { valLoss: 0.5 });
    history.record(l);
    logger.onEpochBegin(1);
    logger.onEpochEnd(1, l);
    history.stopped = 'completed';
    logger.onTrainEnd({ epoch: 1 });
    expect(stream.writes).toEqual([
      '{"event":"epoch","epoch":1,"loss":0.123456,"valLoss":0.5,"metrics":{"mae":0.25,"valMae":0.75},"lr":[0.001],"seconds":2.5,"samplesPerSecond":1234.4}\n',
      '{"event":"end","stopped":"completed","bestEpoch":1,"divergenceEpoch":null}\n',
    ]);
  });

  it("'bar': redraws in place ('\\r' + clear line), at most every 100 ms and at the last batch, then the summary line", () => {
    const { logger, history, stream } = progress('bar', 2);
    logger.onEpochBegin(1);
    [2, 4, 6, 8].forEach((loss, i) => logger.onBatchEnd(i + 1, { epoch: 1, size: 16, loss }));
    const l = epochLogs(1);
    history.record(l);
    logger.onEpochEnd(1, l);
    history.stopped = 'completed';
    logger.onTrainEnd({ epoch: 1 });
    const bar = (filled: number) => '█'.repeat(filled) + '░'.repeat(24 - filled);
    expect(stream.writes.length).toBe(5);
    // Batch 1 draws at once (6 of 24 cells); batches 2 and 3 come within 100 ms and are skipped; batch 4 (the last) draws.
    expect(stream.writes[0]).toMatch(new RegExp(`^\\r\\x1b\\[2KEpoch 1/2 ${bar(6)} 1/4  loss 2\\.000  \\d+ samples/s  ETA (\\d+(\\.\\d)?s|\\?)$`));
    expect(stream.writes[1]).toMatch(new RegExp(`^\\r\\x1b\\[2KEpoch 1/2 ${bar(24)} 4/4  loss 5\\.000  \\d+ samples/s  ETA 0\\.0s$`));
    expect(stream.writes[2]).toBe('\r\x1b[2KEpoch 1/2  loss 0.1235  mae 0.2500  valLoss 0.5000  valMae 0.7500  lr 0.001000  2.5s  1234 samples/s\n');
    expect(stream.writes[3]).toBe('\r\x1b[2K');
    expect(stream.writes[4]).toBe('1 epoch trained (completed); best valLoss 0.5000 at epoch 1\n');
  });

  it("'bar': the line is cut to the terminal's width", () => {
    const { logger, stream } = progress('bar', 2, fakeStream(true, 40));
    logger.onEpochBegin(1);
    logger.onBatchEnd(1, { epoch: 1, size: 16, loss: 2 });
    expect(stream.writes).toEqual([`\r\x1b[2K${`Epoch 1/2 ${'█'.repeat(6)}${'░'.repeat(18)} 1/4  loss 2.000`.slice(0, 39)}`]);
  });

  it("verbose 'auto' (and true): a bar on a TTY, lines otherwise or when CI is set; false: nothing", () => {
    expect(progressMode('auto', { write: () => true, isTTY: true }, {})).toBe('bar');
    expect(progressMode(true, { write: () => true, isTTY: true }, {})).toBe('bar');
    expect(progressMode('auto', { write: () => true, isTTY: true }, { CI: 'true' })).toBe('lines');
    expect(progressMode('auto', { write: () => true }, {})).toBe('lines');
    expect(progressMode('jsonl', { write: () => true, isTTY: true }, {})).toBe('jsonl');
    expect(progressMode(false, { write: () => true, isTTY: true }, {})).toBeNull();
  });
});

/** A summary line as ProgressLogger writes it for these logs: values by toPrecision(4); time and rate by pattern. */
function linePattern(e: EpochLogs, total: number): RegExp {
  const v = (x: number) => x.toPrecision(4).replace('.', '\\.');
  return new RegExp(
    `^Epoch ${e.epoch}/${total}  loss ${v(e.loss)}  mae ${v(e.metrics.mae!)}  valLoss ${v(e.valLoss!)}  valMae ${v(e.metrics.valMae!)}  lr 0\\.01000  \\d+(\\.\\d)?s  \\d+ samples/s\\n$`,
  );
}

describe('progress in fit (both modes)', () => {
  it.each([false, true])("verbose 'lines' and 'jsonl' to a stream (worker: %s)", async (worker) => {
    const lines = fakeStream();
    const h = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'lines', verboseStream: lines }));
    expect(lines.writes.length).toBe(3);
    h.epochs.forEach((e, i) => expect(lines.writes[i]).toMatch(linePattern(e, 2)));
    expect(lines.writes[2]).toBe(`2 epochs trained (completed); best valLoss ${h.values('valLoss')[h.bestEpoch! - 1]!.toPrecision(4)} at epoch ${h.bestEpoch}\n`);

    const jsonl = fakeStream();
    const j = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'jsonl', verboseStream: jsonl }));
    expect(jsonl.writes).toEqual([
      ...j.epochs.map((e) => `${JSON.stringify({ event: 'epoch', ...e })}\n`),
      `${JSON.stringify({ event: 'end', stopped: 'completed', bestEpoch: j.bestEpoch, divergenceEpoch: null })}\n`,
    ]);
  });

  it.each([false, true])("verbose 'bar' on a TTY redraws with '\\r' (worker: %s)", async (worker) => {
    const tty = fakeStream(true);
    const h = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'bar', verboseStream: tty }));
    const redraws = tty.writes.filter((w) => !w.endsWith('\n') && w !== '\r\x1b[2K');
    for (const r of redraws) expect(r).toMatch(/^\r\x1b\[2KEpoch [12]\/2 [█░]{24} [1-4]\/4  loss \S+  \d+ samples\/s  ETA \S+$/);
    // Every epoch draws its first batch (the throttle restarts with the epoch) and its last.
    expect(redraws.filter((r) => r.includes(' 1/4 ')).length).toBe(2);
    expect(redraws.filter((r) => r.includes(' 4/4 ')).length).toBe(2);
    const summaries = tty.writes.filter((w) => w.startsWith('\r\x1b[2KEpoch') && w.endsWith('\n'));
    expect(summaries.length).toBe(2);
    h.epochs.forEach((e, i) => expect(summaries[i]!.slice('\r\x1b[2K'.length)).toMatch(linePattern(e, 2)));
    expect(tty.writes.at(-1)).toMatch(/^2 epochs trained \(completed\); best valLoss \S+ at epoch [12]\n$/);
  });

  it('verbose false prints nothing on stdout or stderr (both modes); verbose lines goes to stderr by default', async () => {
    const written: string[] = [];
    const out = process.stdout.write, err = process.stderr.write;
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    let quiet: string[], loud: string[];
    try {
      await fit(linearNet(), options(false, { verbose: false }));
      await fit(linearNet(), options(true, { verbose: false }));
      await sleep(20); // a worker's output reaches the caller's streams asynchronously
      quiet = written.splice(0);
      await fit(linearNet(), options(false, { verbose: 'lines' }));
      loud = written.splice(0);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(quiet).toEqual([]);
    expect(loud.length).toBe(3);
    expect(loud[0]).toMatch(/^Epoch 1\/2  loss /);
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
