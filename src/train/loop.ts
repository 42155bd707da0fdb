/**
 * The training loop fit() runs: the same code on the caller's thread and in a worker thread, so both
 * modes give bit-for-bit the same weights, losses and history for the same seed.
 *
 * For each epoch e (numbered initialEpoch + 1 … epochs):
 *   model.train(); for each batch of the epoch's (seeded) order:
 *     stop requested? → end here (the partial epoch is not recorded)
 *     forward → loss (sample/class weighted when asked) → model-side onBatchLoss (TerminateOnNaN: a
 *     non-finite loss puts back the BatchNorm buffers this forward changed and ends fit with an error)
 *     → + l1·Σ|w| + l2·Σw² over the weights (never biases or norm layers) → backward → clip → step
 *     → per-batch schedule step → training metrics
 *   validation in eval() under noGrad (BatchNorm running statistics untouched)
 *   per-epoch schedule step (ReduceLROnPlateau with the monitored loss) → History → onEpochEnd
 * Logged losses are the data loss alone (penalties excluded), so training and validation losses compare.
 * The global generator runs under the fit's seed (dropout masks are a function of it); on the caller's
 * thread it is put back afterwards, so fit does not shift the user's later random numbers.
 */
import type { DataLoader } from '../data/dataloader.js';
import * as F from '../functional/index.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm, clipGradValue } from '../optim/clip-grad.js';
import type { Scheduler } from '../optim/lr-scheduler.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler-plateau.js';
import type { Optimizer } from '../optim/optimizer.js';
import { decayedParameters, l1Penalty, l2Penalty } from '../optim/regularization.js';
import { noGrad } from '../tensor/grad-mode.js';
import { generatorState, manualSeed, setGeneratorState } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BatchLogs, Callback, FitContext, FitParams } from './callbacks/callback.js';
import { NonFiniteLossError } from './errors.js';
import type { EpochLogs, History, StopReason } from './history.js';
import { classWeightsFor, type ResolvedLoss } from './losses.js';
import { type Metric, type MetricSpec, resolveMetrics } from './metrics.js';
import { restoreModes, saveModes } from './modes.js';

/** Per-class loss weights: { class: weight } or an array indexed by class. */
export type ClassWeight = Record<number, number> | readonly number[];

/** Everything one run of the loop needs, already checked (./fit.ts builds it; so does the worker). */
export interface LoopPlan {
  model: Module;
  optimizer: Optimizer;
  scheduler: Scheduler | null;
  schedulerInterval: 'batch' | 'epoch';
  loss: ResolvedLoss;
  metrics: readonly MetricSpec[];
  /** Training batches: [x, y] or [x, y, sampleWeight]. */
  train: DataLoader;
  validation: DataLoader | null;
  classWeight: ClassWeight | null;
  /** Epoch number training ends at; initialEpoch epochs count as done. */
  epochs: number;
  initialEpoch: number;
  l1: number;
  l2: number;
  clipGradNorm: number | null;
  clipGradValue: number | null;
  seed: number;
  /** Model-side callbacks first, then the others, each in the order given. */
  callbacks: readonly Callback[];
  history: History;
  params: FitParams;
  /** A stop from outside the loop (an AbortSignal, or the caller of a worker), checked before every batch. */
  externalStop: () => StopReason | null;
  /** Yield to the event loop between batches (on the caller's thread). */
  yieldBetweenBatches: boolean;
  /** Put the caller's global generator back afterwards (on the caller's thread). */
  restoreGenerator: boolean;
}

/** Lets the event loop run (timers, I/O) before the next batch. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The batch's per-sample weights: the dataset's third field, or the class weights of its targets, or none. */
function sampleWeightsOf(batch: readonly Tensor[], classWeight: ClassWeight | null): Float32Array | null {
  if (batch[2]) return batch[2].data;
  return classWeight ? classWeightsFor(batch[1]!, classWeight) : null;
}

/** Runs the callbacks' hook in order, awaiting each. */
async function each(callbacks: readonly Callback[], run: (cb: Callback) => void | Promise<void>): Promise<void> {
  for (const cb of callbacks) await run(cb);
}

/** Validation loss and metrics over a whole loader, in eval() under noGrad (modes restored by the caller). */
async function validate(plan: LoopPlan, loader: DataLoader, metrics: Metric[], yieldBetween: boolean): Promise<number> {
  plan.model.eval();
  for (const m of metrics) m.reset();
  let lossSum = 0, seen = 0;
  for (const batch of loader.batches(0)) {
    const [x, y] = batch as [Tensor, Tensor];
    const weights = batch[2]?.data ?? null;
    const n = x.shape[0]!;
    noGrad(() => {
      const out = plan.model.forward(x);
      lossSum += plan.loss.compute(out, y, weights).item() * n;
      for (const m of metrics) m.update(out.data, out.shape, y.data, y.shape);
    });
    seen += n;
    if (yieldBetween) await yieldToEventLoop();
  }
  return lossSum / seen;
}

export async function runLoop(plan: LoopPlan): Promise<void> {
  const { model, optimizer, history, callbacks } = plan;
  let stopReason: StopReason | null = null;
  const stopRequested = () => (stopReason ??= plan.externalStop());
  const context: FitContext = {
    model,
    optimizer,
    history,
    params: plan.params,
    stopTraining: (reason: StopReason = 'callback') => {
      stopReason ??= reason;
    },
    get stopRequested() {
      return stopRequested() !== null;
    },
  };
  for (const cb of callbacks) cb.context = context;
  const has = (hook: Parameters<Callback['overrides']>[0]) => callbacks.filter((cb) => cb.overrides(hook));
  const batchBegin = has('onBatchBegin'), batchEnd = has('onBatchEnd'), batchLoss = has('onBatchLoss');

  const modes = saveModes(model);
  const generator = generatorState();
  manualSeed(plan.seed);
  const penalized = plan.l1 > 0 || plan.l2 > 0 ? decayedParameters(model) : [];
  const clipped = plan.clipGradNorm !== null || plan.clipGradValue !== null ? model.parameters() : [];
  const buffers = model.buffers();
  const trainMetrics = resolveMetrics(plan.metrics);
  const valMetrics = resolveMetrics(plan.metrics);
  let lastEpoch = plan.initialEpoch;
  try {
    await each(callbacks, (cb) => cb.onTrainBegin({ epoch: lastEpoch }));
    for (let epoch = plan.initialEpoch + 1; epoch <= plan.epochs && stopRequested() === null; epoch++) {
      // Train mode first, so an onEpochBegin hook can keep a part frozen (e.g. a BatchNorm in eval).
      model.train();
      await each(callbacks, (cb) => cb.onEpochBegin(epoch));
      const started = performance.now();
      for (const m of trainMetrics) m.reset();
      let lossSum = 0, seen = 0, batchNumber = 0;
      let lrs = optimizer.paramGroups.map((g) => g.lr);
      for (const batch of plan.train.batches(epoch - 1)) {
        if (stopRequested() !== null) break;
        batchNumber++;
        const [x, y] = batch as [Tensor, Tensor];
        const logs: BatchLogs = { epoch, size: x.shape[0]!, loss: NaN };
        await each(batchBegin, (cb) => cb.onBatchBegin(batchNumber, logs));
        // What the forward changes outside the graph (BatchNorm's running statistics), put back if the
        // batch is abandoned before the step: a failed batch leaves the model as the last step left it.
        const saved = buffers.map((b) => b.data.slice());
        optimizer.zeroGrad();
        let out: Tensor, loss: Tensor;
        try {
          out = model.forward(x);
          loss = plan.loss.compute(out, y, sampleWeightsOf(batch, plan.classWeight));
          logs.loss = loss.item();
          for (const cb of batchLoss) cb.onBatchLoss(batchNumber, logs);
        } catch (e) {
          buffers.forEach((b, i) => b.data.set(saved[i] as never));
          throw e;
        }
        let total = loss;
        if (plan.l1 > 0) total = F.add(total, l1Penalty(penalized, plan.l1));
        if (plan.l2 > 0) total = F.add(total, l2Penalty(penalized, plan.l2));
        total.backward();
        if (plan.clipGradValue !== null) clipGradValue(clipped, plan.clipGradValue);
        if (plan.clipGradNorm !== null) clipGradNorm(clipped, plan.clipGradNorm);
        lrs = optimizer.paramGroups.map((g) => g.lr);
        optimizer.step();
        if (plan.scheduler && plan.schedulerInterval === 'batch') plan.scheduler.step();
        for (const m of trainMetrics) m.update(out.data, out.shape, y.data, y.shape);
        lossSum += logs.loss * logs.size;
        seen += logs.size;
        await each(batchEnd, (cb) => cb.onBatchEnd(batchNumber, logs));
        if (plan.yieldBetweenBatches) await yieldToEventLoop();
      }
      if (batchNumber < plan.train.length || stopRequested() === 'aborted') break; // stopped mid-epoch: not recorded
      const trainSeconds = (performance.now() - started) / 1000;
      const metrics: Record<string, number> = {};
      for (const m of trainMetrics) metrics[m.name] = m.result();
      let valLoss: number | undefined;
      if (plan.validation) {
        valLoss = await validate(plan, plan.validation, valMetrics, plan.yieldBetweenBatches);
        for (const m of valMetrics) metrics[`val${m.name[0]!.toUpperCase()}${m.name.slice(1)}`] = m.result();
      }
      const trainLoss = lossSum / seen;
      if (plan.scheduler && plan.schedulerInterval === 'epoch') {
        if (plan.scheduler instanceof ReduceLROnPlateau) plan.scheduler.step(valLoss ?? trainLoss);
        else plan.scheduler.step();
      }
      const logs: EpochLogs = {
        epoch,
        loss: trainLoss,
        ...(valLoss === undefined ? {} : { valLoss }),
        metrics,
        lr: lrs,
        seconds: (performance.now() - started) / 1000,
        samplesPerSecond: seen / trainSeconds,
      };
      history.record(logs);
      lastEpoch = epoch;
      await each(callbacks, (cb) => cb.onEpochEnd(epoch, logs));
    }
    history.stopped = stopReason ?? 'completed';
    await each(callbacks, (cb) => cb.onTrainEnd({ epoch: lastEpoch }));
  } catch (e) {
    history.stopped = e instanceof NonFiniteLossError ? 'nonFinite' : 'error';
    if (e instanceof NonFiniteLossError) e.history = history;
    // Callbacks still end (loggers close their files); what they throw now would hide the cause.
    for (const cb of callbacks) await Promise.resolve().then(() => cb.onTrainEnd({ epoch: lastEpoch })).catch(() => {});
    throw e;
  } finally {
    restoreModes(modes);
    if (plan.restoreGenerator) setGeneratorState(generator);
  }
}
