/**
 * fit(model, options): trains a model with validation, metrics, schedules, regularisation, callbacks and
 * early stopping, and returns the History (Keras' model.fit, with PyTorch's modules underneath).
 *
 * It never blocks the caller's event loop. By default the loop runs in a worker_threads worker (./worker/):
 * the model is rebuilt there from toJSON() + stateDict(), tensor data is shared (SharedArrayBuffer; data
 * that is not on one is copied onto one a slice at a time, the event loop free in between),
 * events stream back to the callbacks, and when fit resolves the caller's model holds the trained weights
 * and BatchNorm buffers, the optimiser and schedule hold their trained state (history.optimizer,
 * history.scheduler), and the worker has exited. What cannot move to a worker (a loss or metric
 * function, an unregistered module type, a custom Dataset) trains on the caller's thread instead,
 * yielding to the event loop between batches, and fit says once why. Both modes run the same loop
 * (./loop.ts) under the same seed: same weights, bit for bit.
 */
import { OptionError } from '../errors.js';
import { show } from '../functional/validate.js';
import { Module } from '../nn/module.js';
import type { Scheduler } from '../optim/lr-scheduler.js';
import type { Optimizer } from '../optim/optimizer.js';
import { check, warnFindings } from './check.js';
import { claimModel } from './claims.js';
import { History, type StopReason } from './history.js';
import { runLoop } from './loop.js';
import { checkFitOptions, type FitOptions } from './options.js';
import { type FitRun, planFit } from './plan.js';
import { runInWorker } from './worker/host.js';
import { copyToShared, describeRun } from './worker/portable.js';
import { refuseInsideUserImport } from './worker/user-imports.js';

/** fit's result: the History, with the optimiser and schedule that hold the trained state. */
export type FitHistory = History & {
  /** Why training ended (History's own may be null while a run is under way; a resolved fit always says). */
  stopped: StopReason;
  /** The optimiser (the one given, or the one the factory made), holding its trained state. */
  optimizer: Optimizer;
  /** The schedule, if any, where training left it. */
  scheduler: Scheduler | null;
};

const warnedInThread = new Set<string>();
const warnedFindings = new Set<string>();

/** Says once per reason why a fit runs on the caller's thread. */
function warnInThread(reason: string): void {
  if (warnedInThread.has(reason)) return;
  warnedInThread.add(reason);
  process.emitWarning(
    `fit: training on the caller's thread (yielding to the event loop between batches) because ${reason}. Pass worker: false to choose this and silence the warning.`,
    { code: 'KEEL_FIT_IN_THREAD' },
  );
}

function runInThread(run: FitRun, history: History): Promise<void> {
  const signal = run.options.signal;
  return runLoop({
    ...run,
    history,
    externalStop: () => (signal?.aborted ? 'aborted' : null),
    yieldBetweenBatches: true,
  });
}

/**
 * Trains `model` and resolves with its History when training ends: after the last epoch, an early stop,
 * a callback's stop or an abort (history.stopped says which). Rejects — leaving the model at its last
 * consistent step — on a non-finite loss (NonFiniteLossError, with .history) or when a callback throws.
 */
export async function fit(model: Module, options: FitOptions): Promise<FitHistory> {
  refuseInsideUserImport('fit');
  if (!(model instanceof Module)) throw new OptionError(`fit: model must be an nn.Module, got ${show(model)}`);
  // A second fit (or a learning-rate sweep, a recalibration) of the model before this one resolves is refused (./claims.ts).
  const release = claimModel(model, 'fit');
  try {
    return await fitClaimed(model, options);
  } finally {
    release();
  }
}

async function fitClaimed(model: Module, options: FitOptions): Promise<FitHistory> {
  const o = checkFitOptions(options);
  const run = planFit(model, o);
  const history = new History({ monitor: run.validation ? 'valLoss' : 'loss', modes: run.params.modes ?? {}, ...(o.divergence ? { divergence: o.divergence } : {}) });
  const result = Object.assign(history, { optimizer: run.optimizer, scheduler: run.scheduler });
  if (o.checks) {
    // Each finding once per process: a script that fits many models hears about a pitfall once.
    const fresh = check(model, { batchSize: o.batchSize }).filter((f) => !warnedFindings.has(f.message));
    for (const f of fresh) warnedFindings.add(f.message);
    warnFindings(fresh);
  }
  if (o.signal?.aborted) {
    history.stopped = 'aborted';
    return stopSaid(result);
  }
  const described = o.worker === false ? { reason: 'worker: false' } : describeRun(run);
  if ('reason' in described && o.worker === true) throw new OptionError(`fit: worker: true, but the run cannot move to a worker thread: ${described.reason}`);
  if ('reason' in described) {
    if (o.worker === 'auto') warnInThread(described.reason);
    await runInThread(run, history);
  } else if (await copyToShared(described.copies, o.signal)) {
    await runInWorker(run, described.job, described.transfer, history);
  } else {
    history.stopped = 'aborted'; // while the data was being copied: nothing trained
  }
  return stopSaid(result);
}

/** The history as fit resolves with it, which says why training ended (each way through fit sets it). */
function stopSaid(h: History & Omit<FitHistory, 'stopped'>): FitHistory {
  if (h.stopped === null) throw new Error('keel internal error: fit resolved without saying why training ended');
  return h as FitHistory;
}
