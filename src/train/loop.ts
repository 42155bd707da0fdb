/**
 * The training loop fit() runs: the same code on the caller's thread and in a worker thread, so both
 * modes give bit-for-bit the same weights, losses and history for the same seed.
 *
 * For each epoch e (numbered initialEpoch + 1 … epochs):
 *   model.train(); for each batch of the epoch's (seeded) order:
 *     stop requested? → an abort (or a caller-side hook that threw) ends here, the partial epoch not
 *       recorded; a callback's stopTraining() ends the epoch's batches here and the epoch is closed as
 *       usual, validated and recorded with the batches it ran (Keras); before its first batch, nothing
 *     augment (training batches only) → forward → loss (sample/class weighted when asked)
 *     → model-side onBatchLoss (TerminateOnNaN: a non-finite loss puts back the BatchNorm buffers
 *     this forward changed and ends fit with an error)
 *     → + l1·Σ|w| + l2·Σw² over the weights (never biases or norm layers) → backward → clip → step
 *     → per-batch schedule step → training metrics
 *   validation in eval() under noGrad (BatchNorm running statistics untouched; an abort ends it too)
 *   per-epoch schedule step (ReduceLROnPlateau with the monitored loss) → History → onEpochEnd
 *   → a BackupAndRestore callback's backup of the whole state (put back, when there is one, before onTrainBegin)
 * Logged losses are the data loss alone (penalties excluded), so training and validation losses compare.
 * Every step draws its dropout masks and augmentations from the fit's own generator (OwnGenerator):
 * they are a function of the fit's seed alone, and the caller's generator is neither used nor moved,
 * by fit or by code that runs while fit awaits.
 */
import type { DataLoader } from '../data/dataloader.js';
import type { StateTensor } from '../io/state.js';
import * as F from '../functional/index.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm, clipGradValue } from '../optim/clip-grad.js';
import type { Scheduler } from '../optim/lr-scheduler.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler-plateau.js';
import { Optimizer } from '../optim/optimizer.js';
import { decayedParameters, l1Penalty, l2Penalty } from '../optim/regularization.js';
import { OwnGenerator } from '../tensor/random.js';
import { releaseGrad, type Tensor } from '../tensor/tensor.js';
import { BackupAndRestore, type LoopState } from './callbacks/backup-and-restore.js';
import type { BatchLogs, Callback, FitContext, FitParams } from './callbacks/callback.js';
import { NonFiniteLossError } from './errors.js';
import { NonFiniteError } from '../errors.js';
import type { EpochLogs, History, StopReason } from './history.js';
import { batchLossWeight, classWeightsFor, type ResolvedLoss } from './losses.js';
import { type Metric, type MetricSpec, resolveMetrics } from './metrics.js';
import { validationKey } from './logs.js';
import { restoreModes, saveModes } from './modes.js';
import { batchRecycler, checkPairs, scoreBatch, yieldToEventLoop } from './batches.js';

/** A training batch's augmentation: (x, y) → the augmented pair (y unchanged when absent). */
export type BatchAugment = (x: Tensor, y: Tensor) => { x: Tensor; y?: Tensor };

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
  /** Applied to every training batch before the forward (never to validation). */
  augment: BatchAugment | null;
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
}

/**
 * The batch's per-sample weights: the dataset's third field (sampleWeight), the class weights of its
 * targets, both multiplied together when both are given (Keras 2), or none.
 */
function sampleWeightsOf(batch: readonly Tensor[], classWeight: ClassWeight | null): Float32Array | null {
  const given = batch[2]?.data ?? null;
  if (!classWeight) return given;
  const byClass = classWeightsFor(batch[1]!, classWeight);
  if (given) for (let i = 0; i < byClass.length; i++) byClass[i]! *= given[i]!;
  return byClass;
}

/** Runs the callbacks' hook in order, awaiting each. */
async function each(callbacks: readonly Callback[], run: (cb: Callback) => void | Promise<void>): Promise<void> {
  for (const cb of callbacks) await run(cb);
}

/**
 * Validation loss and metrics over a whole loader, in eval() under noGrad (modes restored by the
 * caller); null when an abort came in meanwhile, which is checked before every batch as in training.
 */
async function validate(plan: LoopPlan, loader: DataLoader, metrics: Metric[], aborted: () => boolean): Promise<number | null> {
  plan.model.eval();
  for (const m of metrics) m.reset();
  let lossSum = 0, seen = 0;
  const recycle = batchRecycler(loader.dataset, plan.model);
  for (const batch of loader.batches(0)) {
    if (aborted()) return null;
    checkPairs('fit', 'the validation data', batch);
    const scored = scoreBatch(plan.model, plan.loss, metrics, batch);
    recycle(batch);
    lossSum += scored.lossSum;
    seen += scored.weight;
    if (plan.yieldBetweenBatches) await yieldToEventLoop();
  }
  return lossSum / seen;
}

/** What one run of the loop carries from batch to batch. */
class Run {
  stopReason: StopReason | null = null;
  readonly context: FitContext;
  readonly batchBegin: Callback[];
  readonly batchEnd: Callback[];
  readonly batchLoss: Callback[];
  /** Weights the l1/l2 penalties apply to; parameters clipping applies to. */
  readonly penalized: Tensor[];
  readonly clipped: Tensor[];
  /** The buffers a training forward changes (BatchNorm's running statistics), to put back on a failed batch. */
  readonly buffers: StateTensor[];
  /** Hands a training batch back to the pool after its step (batchRecycler; never with an augmentation, which may be user code that keeps its input). */
  private readonly recycle: (batch: readonly Tensor[]) => void;
  readonly trainMetrics: Metric[];
  readonly valMetrics: Metric[];
  /** What the steps draw from (dropout masks, augmentations). */
  readonly generator: OwnGenerator;
  /** What a BackupAndRestore backup reads and puts back. */
  readonly state: LoopState;

  constructor(readonly plan: LoopPlan) {
    const { model, callbacks } = plan;
    const run = this;
    this.context = {
      model,
      optimizer: plan.optimizer,
      history: plan.history,
      params: plan.params,
      stopTraining: (reason: StopReason = 'callback') => {
        this.stopReason ??= reason;
      },
      get stopRequested() {
        return run.stopped() !== null;
      },
    };
    const having = (hook: Parameters<Callback['overrides']>[0]) => callbacks.filter((cb) => cb.overrides(hook));
    this.batchBegin = having('onBatchBegin');
    this.batchEnd = having('onBatchEnd');
    this.batchLoss = having('onBatchLoss');
    this.penalized = plan.l1 > 0 || plan.l2 > 0 ? decayedParameters(model) : [];
    this.clipped = plan.clipGradNorm !== null || plan.clipGradValue !== null ? model.parameters() : [];
    this.buffers = model.buffers();
    this.recycle = plan.augment ? () => {} : batchRecycler(plan.train.dataset, model);
    this.trainMetrics = resolveMetrics(plan.metrics);
    this.valMetrics = resolveMetrics(plan.metrics);
    this.generator = new OwnGenerator(plan.seed);
    this.state = {
      model, optimizer: plan.optimizer, scheduler: plan.scheduler, generator: this.generator, epochs: plan.history.epochs,
      callbacks: callbacks.filter((cb) => cb.runsWith === 'model'),
      identity: { seed: plan.seed, batchSize: plan.params.batchSize, samples: plan.params.samples },
    };
  }

  /** The stop asked for, by a callback or from outside (latched: once asked, it stays). */
  stopped(): StopReason | null {
    return (this.stopReason ??= this.plan.externalStop());
  }

  /**
   * One optimisation step on one batch; puts its data loss in `logs` and returns what that loss
   * weighs in the epoch's mean (batchLossWeight: the batch size, or its targets not ignored). A failure up to and including
   * the step (a shape error, TerminateOnNaN, a non-finite gradient, which the optimiser refuses to
   * apply) puts the buffers back, so the model is as the last step left it.
   */
  step(batch: readonly Tensor[], batchNumber: number, logs: BatchLogs): number {
    const { plan } = this;
    const { model, optimizer } = plan;
    checkPairs('fit', 'the training data', batch);
    const weights = sampleWeightsOf(batch, plan.classWeight);
    let [x, y] = batch as [Tensor, Tensor];
    if (plan.augment) {
      const augmented = plan.augment(x, y);
      x = augmented.x;
      y = augmented.y ?? y;
    }
    const saved = this.buffers.map((b) => b.data.slice());
    // zeroGrad(), recycling the last step's gradient arrays: fit's contract is that a gradient read
    // in a callback is valid until the next batch starts (README, Training). Saves the allocation —
    // and the garbage collections it triggers — of every parameter's gradient every step. An
    // optimiser that defines its own zeroGrad keeps it.
    if (optimizer.zeroGrad !== Optimizer.prototype.zeroGrad) optimizer.zeroGrad();
    else for (const group of optimizer.paramGroups) for (const p of group.params) releaseGrad(p);
    let out: Tensor, loss: Tensor;
    try {
      out = model.forward(x);
      loss = plan.loss.compute(out, y, weights);
      logs.loss = loss.item();
      // Before the step: a metric that cannot score this output (top5Accuracy of 3 classes) fails
      // with the model as it was.
      for (const m of this.trainMetrics) m.update(out.data, out.shape, y.data, y.shape);
      for (const cb of this.batchLoss) cb.onBatchLoss(batchNumber, logs);
      let total = loss;
      if (plan.l1 > 0) total = F.add(total, l1Penalty(this.penalized, plan.l1));
      if (plan.l2 > 0) total = F.add(total, l2Penalty(this.penalized, plan.l2));
      total.backward();
      if (plan.clipGradValue !== null) clipGradValue(this.clipped, plan.clipGradValue);
      if (plan.clipGradNorm !== null) clipGradNorm(this.clipped, plan.clipGradNorm);
      // Throws NonFiniteError, changing nothing, when a gradient is NaN or infinite.
      optimizer.step();
    } catch (e) {
      this.buffers.forEach((b, i) => b.data.set(saved[i] as never));
      throw e;
    }
    if (plan.scheduler && plan.schedulerInterval === 'batch') plan.scheduler.step();
    this.recycle(batch); // dead now: backward freed the graph that saved it
    return batchLossWeight(plan.loss, out, y, weights);
  }

  /**
   * One epoch: training batches, validation, the per-epoch schedule; its logs, or null when an abort or
   * a failed caller-side hook stopped it, or a stop came before its first batch.
   */
  async epoch(epoch: number): Promise<EpochLogs | null> {
    const { plan } = this;
    const { model, optimizer, callbacks } = plan;
    // Train mode first, so an onEpochBegin hook can keep a part frozen (e.g. a BatchNorm in eval).
    model.train();
    await each(callbacks, (cb) => cb.onEpochBegin(epoch));
    const started = performance.now();
    for (const m of this.trainMetrics) m.reset();
    let lossSum = 0, lossWeight = 0, seen = 0, batchNumber = 0;
    let lrs = optimizer.paramGroups.map((g) => g.lr);
    for (const batch of plan.train.batches(epoch - 1)) {
      const stop = this.stopped();
      if (stop === 'aborted' || stop === 'error' || (stop !== null && batchNumber === 0)) return null;
      if (stop !== null) break; // a callback's stop: the batches run so far make the epoch
      batchNumber++;
      const logs: BatchLogs = { epoch, size: batch[0]!.shape[0]!, loss: NaN };
      await each(this.batchBegin, (cb) => cb.onBatchBegin(batchNumber, logs));
      // A caller-side hook that threw in a worker comes back as an 'error' stop, not as the throw
      // itself: skip the step as the throw does on the caller's thread, so both modes end alike.
      if (this.stopped() === 'error') return null;
      lrs = optimizer.paramGroups.map((g) => g.lr); // the lrs this step uses
      const weight = this.generator.run(() => this.step(batch, batchNumber, logs));
      lossSum += logs.loss * weight;
      lossWeight += weight;
      seen += logs.size;
      await each(this.batchEnd, (cb) => cb.onBatchEnd(batchNumber, logs));
      if (plan.yieldBetweenBatches) await yieldToEventLoop();
    }
    if (this.stopped() === 'aborted') return null;
    const trainSeconds = (performance.now() - started) / 1000;
    const metrics: Record<string, number> = {};
    for (const m of this.trainMetrics) metrics[m.name] = m.result();
    let valLoss: number | undefined;
    if (plan.validation) {
      const validated = await validate(plan, plan.validation, this.valMetrics, () => this.stopped() === 'aborted');
      if (validated === null) return null;
      valLoss = validated;
      for (const m of this.valMetrics) metrics[validationKey(m.name)] = m.result();
    }
    const loss = lossSum / lossWeight;
    if (plan.scheduler && plan.schedulerInterval === 'epoch') {
      if (plan.scheduler instanceof ReduceLROnPlateau) {
        // A non-finite loss is an epoch without improvement (PyTorch's rule), not an end to training
        // before EarlyStopping can put the best weights back.
        const monitored = valLoss ?? loss;
        if (Number.isFinite(monitored)) plan.scheduler.step(monitored);
        else plan.scheduler.stepNonFinite();
      } else {
        plan.scheduler.step();
      }
    }
    return {
      epoch,
      loss,
      ...(valLoss === undefined ? {} : { valLoss }),
      metrics,
      lr: lrs,
      seconds: (performance.now() - started) / 1000,
      samplesPerSecond: seen / trainSeconds,
    };
  }
}

export async function runLoop(plan: LoopPlan): Promise<void> {
  const { model, history, callbacks } = plan;
  const run = new Run(plan);
  for (const cb of callbacks) cb.context = run.context;
  const modes = saveModes(model);
  const backup = callbacks.find((cb) => cb instanceof BackupAndRestore) ?? null;
  let lastEpoch = plan.initialEpoch;
  let ended = 0; // callbacks whose onTrainEnd has run (or is running)
  try {
    // An interrupted run's backup is put back first, so that onTrainBegin sees the epochs it ran; the
    // callbacks' own states after it, as onTrainBegin resets them.
    const resumed = backup && (await backup.restore(run.state));
    if (resumed) {
      for (const logs of resumed.epochs) history.record(logs);
      lastEpoch = plan.params.initialEpoch = resumed.epoch;
    }
    await each(callbacks, (cb) => cb.onTrainBegin({ epoch: lastEpoch }));
    resumed?.callbacks.forEach((state, i) => state && run.state.callbacks[i]!.restoreBackup(state));
    for (let epoch = lastEpoch + 1; epoch <= plan.epochs && run.stopped() === null; epoch++) {
      const logs = await run.epoch(epoch);
      if (!logs) break; // aborted mid-epoch: not recorded
      history.record(logs);
      lastEpoch = epoch;
      await each(callbacks, (cb) => cb.onEpochEnd(epoch, logs));
      await backup?.write(epoch, run.state);
    }
    history.stopped = run.stopReason ?? 'completed';
    for (const cb of callbacks) {
      ended++;
      await cb.onTrainEnd({ epoch: lastEpoch });
    }
  } catch (e) {
    history.stopped = e instanceof NonFiniteError ? 'nonFinite' : 'error';
    if (e instanceof NonFiniteLossError) e.history = history;
    // Callbacks still end (loggers close their files), each once: those whose onTrainEnd has not run
    // yet. What they throw now would hide the cause.
    for (const cb of callbacks.slice(ended)) {
      try {
        await cb.onTrainEnd({ epoch: lastEpoch });
      } catch {
        // the first error is the one to report
      }
    }
    throw e;
  } finally {
    restoreModes(modes);
  }
}
