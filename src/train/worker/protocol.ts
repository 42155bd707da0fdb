/**
 * What passes between fit() on the caller's thread and its worker thread. Everything here is plain data
 * (structured-clone-able): the job the worker rebuilds the run from, the events it streams back, and the
 * final state that moves into the caller's model, optimiser, schedule and callbacks.
 *
 * Control goes through one small SharedArrayBuffer, so the worker never has to yield to read it:
 *   control[STOP] — 0, or the code of the StopReason the caller asks for (an abort, a callback's stop);
 *                   the loop reads it before every batch
 *   control[ACK]  — how many events the caller has finished handling; after an event that a caller-side
 *                   callback may answer with a stop, the worker waits (Atomics.wait) until it is handled,
 *                   so such a stop lands at the same batch as on the caller's thread
 */
import type { ModuleJSON } from '../../nn/module.js';
import type { OptimizerSpec, SchedulerSpec } from '../../optim/describe.js';
import type { OptimizerStateDict } from '../../optim/optimizer.js';
import type { DType, StateData } from '../../io/state.js';
import type { BatchLogs, CallbackSpec, FitParams } from '../callbacks/callback.js';
import type { DivergenceOptions } from '../divergence.js';
import type { EpochLogs, StopReason } from '../history.js';
import type { LossName } from '../losses.js';
import type { ClassWeight } from '../loop.js';
import type { AugmentSpec } from '../../augment/augmentation.js';
import type { PlainError } from '../../errors.js';
import type { WindowLayout } from '../../data/window-dataset.js';

export const STOP = 0;
export const ACK = 1;

/** Stop reasons as control[STOP] codes (0: none). */
export const STOP_CODES: readonly StopReason[] = ['completed', 'earlyStopping', 'callback', 'aborted', 'nonFinite', 'error'];

export function stopCode(reason: StopReason): number {
  return STOP_CODES.indexOf(reason) + 1;
}

export function stopReason(code: number): StopReason | null {
  return code === 0 ? null : (STOP_CODES[code - 1] ?? 'callback');
}

/** A state entry as plain data (a Tensor's class does not survive structured clone). */
export interface PlainState {
  dtype: DType;
  shape: number[];
  data: StateData;
}

export type PlainStateDict = Record<string, PlainState>;

/** A float tensor whose data is on a SharedArrayBuffer, so nothing is copied to the worker. */
export interface SharedTensor {
  shape: number[];
  data: Float32Array;
}

/** A dataset the worker can rebuild: tensors, windows cut from a table (its series shared too), or a subset of one. */
export type PortableDataset =
  | { kind: 'tensors'; tensors: SharedTensor[] }
  | { kind: 'windows'; layout: WindowLayout; fields: SharedTensor[] }
  | { kind: 'subset'; dataset: PortableDataset; indices: Int32Array };

/** Which events the worker posts, and after which it waits for the caller. */
export interface EventPlan {
  post: { batchBegin: boolean; batchEnd: boolean };
  wait: { trainBegin: boolean; epochBegin: boolean; epochEnd: boolean; batchBegin: boolean; batchEnd: boolean };
}

export interface WorkerJob {
  /** Modules to import before rebuilding (they register user module, optimiser, schedule or callback types). */
  imports: string[];
  fusion: boolean;
  /** The architecture, the state, each module's training flag and each parameter's requiresGrad (frozen layers stay frozen). */
  model: { json: ModuleJSON; state: PlainStateDict; training: boolean[]; requiresGrad: boolean[] };
  optimizer: OptimizerSpec;
  scheduler: SchedulerSpec | null;
  schedulerInterval: 'batch' | 'epoch';
  loss: LossName;
  metrics: string[];
  classWeight: ClassWeight | null;
  augment: AugmentSpec | null;
  train: { dataset: PortableDataset; batchSize: number; shuffle: boolean; seed: number; minBatchSize: number };
  validation: { dataset: PortableDataset; batchSize: number } | null;
  epochs: number;
  initialEpoch: number;
  l1: number;
  l2: number;
  clipGradNorm: number | null;
  clipGradValue: number | null;
  seed: number;
  callbacks: CallbackSpec[];
  params: FitParams;
  divergence: DivergenceOptions | undefined;
  monitor: string;
  events: EventPlan;
  control: SharedArrayBuffer;
}

export interface FinalState {
  model: PlainStateDict;
  optimizer: OptimizerStateDict;
  scheduler: Record<string, unknown> | null;
  /** exportState() of each model-side callback, in the job's order. */
  callbacks: Array<Record<string, unknown>>;
}

export type WorkerEvent =
  /** `restored`: the epochs a BackupAndRestore backup put back (their run's), for the caller's history. */
  | { type: 'trainBegin'; epoch: number; restored: EpochLogs[] }
  | { type: 'epochBegin'; epoch: number }
  | { type: 'batchBegin'; batch: number; logs: BatchLogs }
  | { type: 'batchEnd'; batch: number; logs: BatchLogs }
  | { type: 'epochEnd'; epoch: number; logs: EpochLogs }
  /** The end: how training stopped, the trained state (also after an error: the last consistent one), and the error if any. */
  | { type: 'done'; stopped: StopReason; lastEpoch: number; state: FinalState; error?: PlainError }
  /** A failure outside the loop (an import, a rebuild): nothing was trained. */
  | { type: 'failed'; error: PlainError };
