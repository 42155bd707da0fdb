/**
 * Shared fixtures of the training tests (fit, callbacks, checkpoints, loggers, progress, early
 * stopping, aborts, non-finite losses, modes, determinism), so each is written once: the seeded
 * synthetic data sets (a non-linear regression from mulberry32 (test/io/helpers.ts's prng), independent
 * of keel's generator, and a linear target on keel's seeded randn), the small models trained on them
 * (an MLP with BatchNorm and the small conv1dBackbone, each initialised under a fixed seed so every call
 * gives the same weights), the fit options the callback tests share, bitwise state records of a model
 * or optimiser, BatchNorm batch counts, callbacks that record state, every hook call or mark the phase
 * of a run, the warnings of a code a test emits, temporary directories removed after a file's tests,
 * and a sleep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach } from 'vitest';
import type { StateDict } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import type { OptimizerStateDict } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { randn, tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type BatchLogs, Callback, type FitParams, type TrainLogs } from '../../src/train/callbacks/callback.js';
import type { EpochLogs } from '../../src/train/history.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';

// ---------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------

/**
 * n samples of 6 features uniform in [−1, 1) (from prng(seed)) and the target
 *   y = sin(2·x0) + x1·x2 − 0.5·x3² + 0.05·u,   u uniform in [−1, 1)
 * as x (n, 6) and y (n, 1); `sorted` orders the rows by y (ascending), as data often arrives.
 */
export function regressionData(n: number, seed: number, sorted = false): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const rows: Array<{ f: number[]; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const f = Array.from({ length: 6 }, () => Math.fround(2 * r() - 1));
    rows.push({ f, y: Math.fround(Math.sin(2 * f[0]!) + f[1]! * f[2]! - 0.5 * f[3]! ** 2 + 0.05 * (2 * r() - 1)) });
  }
  if (sorted) rows.sort((a, b) => a.y - b.y);
  return { x: new Tensor(Float32Array.from(rows.flatMap((row) => row.f)), [n, 6]), y: new Tensor(Float32Array.from(rows, (row) => row.y), [n, 1]) };
}

/** The weights of linearData's target. */
const W = [0.5, -1, 2, 0.25];

/** x ~ N(0, 1) of shape (n, 4) (keel's randn under manualSeed(seed)), y = scale · x·W of shape (n, 1), W = (0.5, −1, 2, 0.25). */
export function linearData(n: number, seed: number, scale = 1): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  const x = randn([n, 4]);
  const y = Array.from({ length: n }, (_, i) => scale * W.reduce((s, w, j) => s + w * x.data[4 * i + j]!, 0));
  return { x, y: tensor(y, [n, 1]) };
}

// ---------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------

/** What bnMlp builds. */
export interface BnMlpOptions {
  /** Input features. */
  inputs: number;
  /** Width of the hidden layer (and of its BatchNorm). */
  hidden: number;
  /** The Dropout probability after the ReLU; undefined: no Dropout layer at all. */
  dropout?: number;
  /** The manualSeed the weights are initialised under. */
  seed: number;
  /** The BatchNorm's trackNonFinite (true: its running statistics take NaN batches, as PyTorch's). Default false. */
  trackNonFinite?: boolean;
}

/** Linear(inputs→hidden, no bias) → BatchNorm1d(hidden) → ReLU → [Dropout(dropout)] → Linear(hidden→1), initialised under manualSeed(seed). */
export function bnMlp({ inputs, hidden, dropout, seed, trackNonFinite = false }: BnMlpOptions): nn.Sequential {
  manualSeed(seed);
  const layers: nn.Module[] = [new nn.Linear(inputs, hidden, { bias: false }), new nn.BatchNorm1d(hidden, { trackNonFinite }), new nn.ReLU()];
  if (dropout !== undefined) layers.push(new nn.Dropout(dropout));
  return new nn.Sequential(...layers, new nn.Linear(hidden, 1));
}

/** The model of regressionData: Linear(6→16, no bias) → BatchNorm1d(16) → ReLU → Dropout(0.3) → Linear(16→1), initialised under manualSeed(seed). */
export function regressionMlp(seed = 1): nn.Sequential {
  return bnMlp({ inputs: 6, hidden: 16, dropout: 0.3, seed });
}

/** The model of linearData: Linear(4→8, no bias) → BatchNorm1d(8) → ReLU → [Dropout(dropout)] → Linear(8→1), the same initial weights every call (manualSeed(2)). */
export function linearNet(dropout?: number): nn.Sequential {
  return bnMlp({ inputs: 4, hidden: 8, dropout, seed: 2 });
}

/** conv1dBackbone over 4 channels × 12 steps with widths [8, 8] and a 16-wide head, `options` on top, initialised under manualSeed(seed). */
export function smallBackbone(seed: number, options: nn.Conv1dBackboneOptions = {}): nn.Sequential {
  manualSeed(seed);
  return nn.conv1dBackbone({ inChannels: 4, window: 12, widths: [8, 8], headHidden: 16, ...options });
}

// ---------------------------------------------------------------------------------------------------
// Fit options
// ---------------------------------------------------------------------------------------------------

/**
 * The fit options of the callback tests (callbacks, checkpoints, loggers, ReduceLROnPlateau, progress):
 * options(worker, over) trains on linearData(60, 10) (60 samples in batches of 16: four batches an
 * epoch, of 16, 16, 16 and 12), validates on linearData(20, 11), for 2 epochs of SGD (lr 0.01), quiet
 * and without checks, in the given worker mode, with `over` on top. The data are made here, when this
 * is called (linearData reseeds keel's generator), so call it once at a test file's top level.
 */
export function linearFitOptions(): (worker: FitOptions['worker'], over?: Partial<FitOptions>) => FitOptions {
  const train = linearData(60, 10);
  const validation = linearData(20, 11);
  return function options(worker: FitOptions['worker'], over: Partial<FitOptions> = {}): FitOptions {
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
  };
}

// ---------------------------------------------------------------------------------------------------
// State records
// ---------------------------------------------------------------------------------------------------

/**
 * Every state entry's values as a plain array (int64 as bigints): toEqual then compares element by
 * element with Object.is (bit for bit but for NaN payloads). Works on any state dict, also one loaded
 * from a file.
 */
export function stateValues(sd: StateDict): Record<string, Array<number | bigint>> {
  const out: Record<string, Array<number | bigint>> = {};
  for (const [k, t] of Object.entries(sd)) out[k] = Array.from(t.data as ArrayLike<number | bigint>);
  return out;
}

/** num_batches_tracked of the BatchNorm at index 1 (linearNet's), as a number. */
export function batchesTracked(model: nn.Module): number {
  return Number(model.stateDict()['1.num_batches_tracked']!.data[0]);
}

/** num_batches_tracked of every BatchNorm1d in the model, in module order. */
export function trackedPerBatchNorm(model: nn.Module): number[] {
  return model.modules().filter((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d).map((bn) => bn.numBatchesTracked!.value);
}

// ---------------------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------------------

/**
 * On the caller's thread only (callbacks see the live model there): the model's state (stateValues)
 * and the optimiser's state (a deep copy) after every batch, keyed "epoch.batch", and each batch's loss.
 */
export class BatchSnapshots extends Callback {
  readonly model = new Map<string, Record<string, Array<number | bigint>>>();
  readonly optimizer = new Map<string, OptimizerStateDict>();
  readonly losses: number[] = [];

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    const key = `${logs.epoch}.${batch}`;
    this.model.set(key, stateValues(this.context.model.stateDict()));
    this.optimizer.set(key, JSON.parse(JSON.stringify(this.context.optimizer.stateDict())) as OptimizerStateDict);
    this.losses.push(logs.loss);
  }
}

/**
 * Tells `target` which phase fit is in: 'train' from onEpochBegin to the epoch's last training
 * onBatchEnd, 'validation' after it, and `afterEpoch` at onEpochEnd when given (else the phase stays).
 */
export class PhaseMarker extends Callback {
  constructor(
    private readonly target: { phase: string },
    private readonly afterEpoch?: string,
  ) {
    super();
  }

  override onEpochBegin(): void {
    this.target.phase = 'train';
  }

  override onBatchEnd(batch: number): void {
    if (batch === this.context.params.stepsPerEpoch) this.target.phase = 'validation';
  }

  override onEpochEnd(): void {
    if (this.afterEpoch !== undefined) this.target.phase = this.afterEpoch;
  }
}

/** One hook call as Trace records it: the hook's name, then its arguments. */
export type Call = [string, ...unknown[]];

/** Records every hook with its arguments (copies), the params, and the model the context shows. */
export class Trace extends Callback {
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

// ---------------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------------

/**
 * The messages of the process warnings with `code` emitted during the current test: the array is
 * emptied before each test of the calling scope and filled while it runs (it registers beforeEach and
 * afterEach, so call it at a test file's top level or in a describe). process.emitWarning delivers on a
 * later tick: wait one (setImmediate) before reading it.
 */
export function warningsWithCode(code: string): string[] {
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }): void => {
    if (w.code === code) seen.push(w.message);
  };
  beforeEach(() => {
    seen.length = 0;
    process.on('warning', listener);
  });
  afterEach(() => {
    process.off('warning', listener);
  });
  return seen;
}

// ---------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------

/**
 * A maker of fresh temporary directories named `prefix` + random characters, all removed after the
 * calling file's tests (it registers an afterAll, so call it at a test file's top level).
 */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

// ---------------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------------

/** A promise that resolves after `ms` milliseconds (a timer). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
