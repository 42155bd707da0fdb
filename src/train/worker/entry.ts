/**
 * The worker side of fit: rebuilds the run from its job (./protocol.ts) — the model from its JSON and
 * state, the optimiser and schedule from their specs, the data on the caller's shared memory, the
 * model-side callbacks — runs the same loop as the caller's thread would (../loop.ts), streams the
 * events back, and ends by posting the trained state (also after an error: the last consistent one).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { plainError } from '../../errors.js';
import { DataLoader } from '../../data/dataloader.js';
import type { Module } from '../../nn/module.js';
import { setFusion } from '../../nn/sequential.js';
import { fromJSON } from '../../nn/serialize.js';
import { optimizerStateBuffers, rebuildOptimizer, rebuildScheduler } from '../../optim/describe.js';
import { type BatchLogs, Callback, type TrainLogs } from '../callbacks/callback.js';
import '../callbacks/index.js'; // registers the built-in callback types
import { rebuildCallback } from '../callbacks/registry.js';
import { type EpochLogs, History } from '../history.js';
import { runLoop } from '../loop.js';
import { resolveLoss } from '../losses.js';
import { fromSpec } from '../../augment/augmentation.js';
import { batchAugment } from '../plan.js';
import { plainState, rebuildDataset, stateBuffers } from './portable.js';
import { ACK, type FinalState, STOP, stopReason, type WorkerEvent, type WorkerJob } from './protocol.js';
import { importUserModules } from './user-imports.js';

const job = workerData as WorkerJob;
const port = parentPort!;
const control = new Int32Array(job.control);

/** Posts the events caller-side callbacks listen to; waits for the caller where one may answer with a stop. */
class CallerBridge extends Callback {
  private expected = 0;

  private send(event: WorkerEvent, wait: boolean): void {
    port.postMessage(event);
    if (!wait) return;
    this.expected++;
    for (let seen = Atomics.load(control, ACK); seen < this.expected; seen = Atomics.load(control, ACK)) Atomics.wait(control, ACK, seen);
  }

  override onTrainBegin(logs: TrainLogs): void {
    this.send({ type: 'trainBegin', epoch: logs.epoch, restored: this.context.history.epochs }, job.events.wait.trainBegin);
  }

  override onEpochBegin(epoch: number): void {
    this.send({ type: 'epochBegin', epoch }, job.events.wait.epochBegin);
  }

  override onBatchBegin(batch: number, logs: BatchLogs): void {
    if (job.events.post.batchBegin) this.send({ type: 'batchBegin', batch, logs: { ...logs } }, job.events.wait.batchBegin);
  }

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    if (job.events.post.batchEnd) this.send({ type: 'batchEnd', batch, logs: { ...logs } }, job.events.wait.batchEnd);
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    this.send({ type: 'epochEnd', epoch, logs }, job.events.wait.epochEnd);
  }
}

function rebuildModel(): Module {
  const model = fromJSON(job.model.json);
  model.loadStateDict(job.model.state);
  model.modules().forEach((m, i) => {
    m.training = job.model.training[i]!;
  });
  model.parameters().forEach((p, i) => {
    p.requiresGrad = job.model.requiresGrad[i]!;
  });
  return model;
}

async function main(): Promise<void> {
  await importUserModules(job.imports);
  setFusion(job.fusion);
  const model = rebuildModel();
  const optimizer = rebuildOptimizer(job.optimizer, model);
  const scheduler = job.scheduler ? rebuildScheduler(job.scheduler, optimizer) : null;
  const modelSide = job.callbacks.map(rebuildCallback);
  const history = new History({ monitor: job.monitor, modes: job.params.modes ?? {}, ...(job.divergence ? { divergence: job.divergence } : {}) });
  const t = job.train;
  let error: unknown = null;
  try {
    await runLoop({
      model,
      optimizer,
      scheduler,
      schedulerInterval: job.schedulerInterval,
      loss: resolveLoss(job.loss),
      metrics: job.metrics,
      train: new DataLoader(rebuildDataset(t.dataset), { batchSize: t.batchSize, shuffle: t.shuffle, seed: t.seed, minBatchSize: t.minBatchSize }),
      validation: job.validation ? new DataLoader(rebuildDataset(job.validation.dataset), { batchSize: job.validation.batchSize }) : null,
      classWeight: job.classWeight,
      augment: batchAugment(job.augment ? fromSpec(job.augment) : null),
      epochs: job.epochs,
      initialEpoch: job.initialEpoch,
      l1: job.l1,
      l2: job.l2,
      clipGradNorm: job.clipGradNorm,
      clipGradValue: job.clipGradValue,
      seed: job.seed,
      callbacks: [...modelSide, new CallerBridge()],
      history,
      params: job.params,
      externalStop: () => stopReason(Atomics.load(control, STOP)),
      yieldBetweenBatches: false,
    });
  } catch (e) {
    error = e;
  }
  const state: FinalState = {
    model: plainState(model.stateDict()),
    optimizer: optimizer.stateDictForTransfer(),
    scheduler: scheduler?.stateDict() ?? null,
    callbacks: modelSide.map((cb) => cb.exportState()),
  };
  const done: WorkerEvent = {
    type: 'done',
    stopped: history.stopped ?? 'error',
    lastEpoch: history.epochs.at(-1)?.epoch ?? job.initialEpoch,
    state,
    ...(error === null ? {} : { error: plainError(error) }),
  };
  port.postMessage(done, [...stateBuffers(state.model), ...optimizerStateBuffers(state.optimizer)]);
}

// A failure outside the loop (an import, a rebuild) is posted as plain data, so the caller rejects with
// the same class and fields (a Worker 'error' event would keep only the built-in classes) — nothing
// trained, the caller's model untouched.
main().catch((e: unknown) => port.postMessage({ type: 'failed', error: plainError(e) } satisfies WorkerEvent));
