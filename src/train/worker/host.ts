/**
 * The caller's side of a fit in a worker thread: starts the worker, feeds the events it streams to the
 * caller-side callbacks (one at a time, in order), answers the worker's waits, turns an AbortSignal or
 * a callback's stop into the shared stop flag, and at the end moves the trained state into the caller's
 * model, optimiser, schedule and model-side callbacks — then makes sure the worker has exited before
 * fit resolves, so nothing is left running.
 */
import { BackendError, type PlainError, reviveError } from '../../errors.js';
import type { Callback, FitContext } from '../callbacks/callback.js';
import { NonFiniteLossError } from '../errors.js';
import type { History, StopReason } from '../history.js';
import { oneAtATime } from '../modes.js';
import type { FitRun } from '../plan.js';
import { spawnWorker } from './spawn.js';
import { ACK, STOP, stopCode, type WorkerEvent, type WorkerJob } from './protocol.js';

type Done = Extract<WorkerEvent, { type: 'done' }>;

/**
 * The worker's error as the caller sees it: the same class with the same message and fields (see
 * reviveError), its stack the worker's, marked as such; a NonFiniteLossError gets the caller's history.
 */
function rebuildError(e: PlainError, history: History): Error {
  const err = reviveError(e);
  if (err instanceof NonFiniteLossError) err.history = history;
  if (err.stack) err.stack = err.stack.replace(/\n    at /, "\n    (in fit's worker thread)$&");
  return err;
}

/** Whether the worker waits for the caller after this event. */
function waits(job: WorkerJob, ev: WorkerEvent): boolean {
  return ev.type !== 'done' && ev.type !== 'failed' && job.events.wait[ev.type];
}

export async function runInWorker(run: FitRun, job: WorkerJob, transfer: ArrayBuffer[], history: History): Promise<void> {
  const control = new Int32Array(job.control);
  const requestStop = (reason: StopReason) => {
    Atomics.compareExchange(control, STOP, 0, stopCode(reason));
  };
  const callerSide = run.callbacks.filter((cb) => cb.runsWith !== 'model');
  const modelSide = run.callbacks.filter((cb) => cb.runsWith === 'model');
  const context: FitContext = {
    model: run.model,
    optimizer: run.optimizer,
    history,
    params: job.params,
    stopTraining: (reason: StopReason = 'callback') => requestStop(reason),
    get stopRequested() {
      return Atomics.load(control, STOP) !== 0;
    },
  };
  for (const cb of callerSide) cb.context = context;
  const each = async (run: (cb: Callback) => void | Promise<void>) => {
    for (const cb of callerSide) await run(cb);
  };

  const signal = run.options.signal;
  const onAbort = () => requestStop('aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  let failure: unknown = null;

  const handle = async (ev: WorkerEvent): Promise<void> => {
    try {
      if (failure !== null) return;
      switch (ev.type) {
        case 'trainBegin':
          for (const logs of ev.restored) history.record(logs);
          job.params.initialEpoch = ev.epoch;
          return await each((cb) => cb.onTrainBegin({ epoch: ev.epoch }));
        case 'epochBegin':
          return await each((cb) => cb.onEpochBegin(ev.epoch));
        case 'batchBegin':
          return await each((cb) => cb.onBatchBegin(ev.batch, ev.logs));
        case 'batchEnd':
          return await each((cb) => cb.onBatchEnd(ev.batch, ev.logs));
        case 'epochEnd':
          history.record(ev.logs);
          return await each((cb) => cb.onEpochEnd(ev.epoch, ev.logs));
      }
    } catch (e) {
      failure = e;
      requestStop('error');
    } finally {
      if (waits(job, ev)) {
        Atomics.add(control, ACK, 1);
        Atomics.notify(control, ACK);
      }
    }
  };

  /** onTrainEnd for every caller-side callback, even after a failure (loggers close their files); returns the first error. */
  const endCallbacks = async (epoch: number): Promise<unknown> => {
    let first: unknown = null;
    for (const cb of callerSide) {
      try {
        await cb.onTrainEnd({ epoch });
      } catch (e) {
        first ??= e;
      }
    }
    return first;
  };

  const worker = spawnWorker(job, transfer);
  let done: Done;
  try {
    done = await new Promise<Done>((resolve, reject) => {
      let queue = Promise.resolve();
      let finished = false;
      worker.on('message', (ev: WorkerEvent) => {
        if (ev.type === 'done' || ev.type === 'failed') finished = true;
        queue = queue.then(() => (ev.type === 'done' ? resolve(ev) : ev.type === 'failed' ? reject(rebuildError(ev.error, history)) : handle(ev)));
      });
      worker.once('error', reject);
      // The worker exits on its own after posting 'done', possibly while the events before it are still
      // being handled here (a slow passive callback): only an exit before 'done' is a failure.
      worker.once('exit', (code) => {
        if (!finished) reject(new BackendError(`fit: the worker thread exited (code ${code}) before training finished`));
      });
    });
  } catch (e) {
    // The worker failed outside the loop (an import, a rebuild, a crash): the caller's model is untouched.
    history.stopped = 'error';
    await endCallbacks(history.epochs.at(-1)?.epoch ?? job.initialEpoch);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  try {
    // The trained state moves into the caller's objects (after an error: the last consistent state),
    // once the predict and evaluate calls already running on the model have finished with the old one.
    await oneAtATime(run.model, async () => {
      run.model.loadStateDict(done.state.model);
      run.optimizer.loadStateDict(done.state.optimizer);
      if (run.scheduler && done.state.scheduler) run.scheduler.loadStateDict(done.state.scheduler);
      modelSide.forEach((cb, i) => cb.importState(done.state.callbacks[i] ?? {}));
    });
    history.stopped = failure !== null ? 'error' : done.stopped;
    const ended = await endCallbacks(done.lastEpoch);
    // After a failure, a second error would hide the first.
    if (failure === null && !done.error) failure = ended;
  } finally {
    await worker.terminate();
  }
  if (done.error) throw rebuildError(done.error, history);
  if (failure !== null) throw failure;
}
