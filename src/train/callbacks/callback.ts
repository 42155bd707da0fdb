/**
 * Callbacks: small objects with hooks that fit() calls as training goes (Keras' callbacks). A callback
 * overrides the hooks it needs; any hook may be async (fit awaits it) and may end training with
 * `this.context.stopTraining()`, which takes effect before the next batch starts (the epoch is then
 * closed with the batches it ran, as in Keras).
 *
 * Where a callback runs. fit trains in a worker thread by default (./../worker/), so there are two kinds:
 * - caller-side callbacks (the default for any subclass): they run on the caller's thread, fed by the
 *   events the worker streams back; `context.model` there is the caller's model, which receives the
 *   trained weights only when fit resolves. Loggers and progress displays, and most user callbacks.
 * - model-side callbacks (`runsWith = 'model'`: EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,
 *   TerminateOnNaN): they need the live weights or optimiser, so they run where the training loop runs.
 *   To move into a worker they describe themselves (`toSpec()`, a registered type) and their state
 *   comes back when fit resolves (`exportState()` / `importState()`); a model-side callback that
 *   cannot move (a user subclass that is not registered) makes fit train on the caller's thread.
 * In both modes model-side callbacks run before caller-side ones, each kind in the order given.
 */
import type { StateDict } from '../../io/state.js';
import type { Module } from '../../nn/module.js';
import type { Optimizer } from '../../optim/optimizer.js';
import type { EpochLogs, History, StopReason } from '../history.js';

/** What fit tells callbacks about the run (Keras' `params`). */
export interface FitParams {
  /** The epoch number training stops at (epochs are numbered 1..epochs; resumed runs start after initialEpoch). */
  epochs: number;
  /** Epochs completed before this run: fit's initialEpoch, or the epoch a BackupAndRestore backup resumed after. */
  initialEpoch: number;
  /** Training batches per epoch. */
  stepsPerEpoch: number;
  /** Samples per training batch (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Training samples per epoch. */
  samples: number;
  /** Validation samples (0 without validation). */
  validationSamples: number;
  /** The log keys each epoch has: 'loss', 'valLoss', metric names, 'valRmse', ... */
  logKeys: string[];
  /**
   * The direction of improvement of each log key the loss or a metric defines: 'loss' and 'valLoss'
   * 'min'; each metric and its 'val' key as the metric declares it (a custom metric's `mode`). Keys
   * without one (lr, seconds, samplesPerSecond) are absent. Mode 'auto' of EarlyStopping,
   * ModelCheckpoint and ReduceLROnPlateau follows it. fit always sets it; in a context built by hand
   * without it, 'auto' falls back to metricMode(key).
   */
  modes?: Record<string, 'min' | 'max'>;
  /** Where the loop runs: 'worker' (a worker_threads worker) or 'thread' (the caller's thread). */
  mode: 'worker' | 'thread';
}

/** What a callback can see and do during fit. */
export interface FitContext {
  /** The model being trained: the live one for model-side callbacks and in-thread runs; in worker mode
   *  caller-side callbacks see the caller's model, which receives the trained weights when fit resolves. */
  readonly model: Module;
  /** The optimiser (live for model-side callbacks and in-thread runs; as the model, otherwise). */
  readonly optimizer: Optimizer;
  /** The history so far. */
  readonly history: History;
  /** The run's shape: epochs, batches per epoch, log keys, where the loop runs. */
  readonly params: FitParams;
  /**
   * Ends training before the next batch; `reason` becomes history.stopped (default 'callback'). The
   * epoch it lands in is closed with the batches it ran (validated, onEpochEnd, a History row), unless
   * none had run yet.
   */
  stopTraining(reason?: StopReason): void;
  /** Whether something has asked training to stop. */
  readonly stopRequested: boolean;
}

/** Logs of one batch. */
export interface BatchLogs {
  /** Epoch number (1-based) the batch belongs to. */
  epoch: number;
  /** Samples in the batch. */
  size: number;
  /** The batch's training loss (penalties excluded); in onBatchBegin, NaN. */
  loss: number;
}

/** Logs at the start and end of training. */
export interface TrainLogs {
  /** The epoch number of the last completed epoch (initialEpoch before any). */
  epoch: number;
}

/** A plain-data description of a model-side callback, from which a worker rebuilds it. */
export interface CallbackSpec {
  /** The name the callback class was registered under (registerCallbackType). */
  type: string;
  /** The constructor options, as plain data. */
  options: Record<string, unknown>;
  /** Mutable state to restore after construction (e.g. EarlyStopping's best value so far). */
  state: Record<string, unknown>;
}

/** A model-side callback's state at an epoch's end, as a BackupAndRestore backup keeps it. */
export interface CallbackBackup {
  /** Plain data (JSON, NaN and ±Infinity kept). */
  values: Record<string, unknown>;
  /** Weights it holds (EarlyStopping's best), if any. */
  tensors?: StateDict;
}

/**
 * Base class of fit's callbacks (Keras' `keras.callbacks.Callback`; PyTorch Lightning's `Callback`).
 * Subclass it and override the hooks you need; every hook is a no-op by default.
 */
export abstract class Callback {
  /** Set by fit before onTrainBegin. */
  context!: FitContext;

  /** Where the callback runs in worker mode (see the file header). Default 'caller'. */
  get runsWith(): 'caller' | 'model' {
    return 'caller';
  }

  /**
   * A passive callback only observes (a logger, a progress bar): the worker never waits for it. A
   * callback that may stop training from a batch or epoch hook must not be passive, so that its stop
   * takes effect at the same batch in both modes. Default false.
   */
  get passive(): boolean {
    return false;
  }

  /** Called once before the first epoch; `context` is set by then. */
  onTrainBegin(_logs: TrainLogs): void | Promise<void> {}
  /** Called once after the last epoch, also when training stopped early (history.stopped says why). */
  onTrainEnd(_logs: TrainLogs): void | Promise<void> {}
  /** Called before each epoch with its 1-based number. */
  onEpochBegin(_epoch: number): void | Promise<void> {}
  /** Called after each epoch (and its validation) with its number and logs: loss, valLoss, metrics. */
  onEpochEnd(_epoch: number, _logs: EpochLogs): void | Promise<void> {}
  /** Called before each training batch; `batch` is 1-based within the epoch and `logs.loss` is NaN. */
  onBatchBegin(_batch: number, _logs: BatchLogs): void | Promise<void> {}
  /** Called after each training batch's optimiser step with the batch's loss. */
  onBatchEnd(_batch: number, _logs: BatchLogs): void | Promise<void> {}

  /**
   * Model-side callbacks only: called after a batch's loss is computed and before backward and the
   * optimiser step. Throwing here abandons the batch: fit rolls back what its forward changed (BatchNorm
   * running statistics) and ends with the error (TerminateOnNaN uses it).
   */
  onBatchLoss(_batch: number, _logs: BatchLogs): void {}

  /** Model-side callbacks: the description a worker rebuilds this callback from; null if it cannot move. */
  toSpec(): CallbackSpec | null {
    return null;
  }

  /** Model-side callbacks: the state to carry back from a worker into the caller's instance. */
  exportState(): Record<string, unknown> {
    return {};
  }

  /** Model-side callbacks: takes back the state exportState() produced in the worker. */
  importState(_state: Record<string, unknown>): void {}

  /**
   * Model-side callbacks: the state at the end of an epoch that a fit resuming from a BackupAndRestore
   * backup needs to go on as if never stopped; null (the default) for none.
   */
  backupState(): CallbackBackup | null {
    return null;
  }

  /** Model-side callbacks: puts back backupState()'s state when a fit resumes (after onTrainBegin). */
  restoreBackup(_state: CallbackBackup): void {}

  /** Whether this class overrides a hook of the base class (fit skips work for hooks nobody has). */
  overrides(hook: 'onBatchBegin' | 'onBatchEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchLoss'): boolean {
    return (this as unknown as Record<string, unknown>)[hook] !== (Callback.prototype as unknown as Record<string, unknown>)[hook];
  }
}

/** Callbacks that run model-side (see the header). */
export abstract class ModelCallback extends Callback {
  override get runsWith(): 'caller' | 'model' {
    return 'model';
  }

  abstract override toSpec(): CallbackSpec;
}
