/**
 * recalibrateBatchNorm(model, data): recomputes every BatchNorm1d's population statistics (running_mean,
 * running_var) from training data after training — the "precise BN" technique (Wu & Johnson 2021,
 * "Rethinking 'Batch' in BatchNorm"). During training the running statistics are an exponential moving
 * average of batch statistics taken while the weights were still moving, so they lag behind the final
 * weights and carry the noise of the last few batches; evaluation then normalises with statistics that
 * no longer match the features. Here the weights are fixed and the statistics are measured again.
 *
 * How the model runs. BatchNorm layers are in training mode (each batch is normalised with its own
 * statistics, as in training, so the layers after a BatchNorm see the features they were trained on);
 * every other module is in eval — in particular Dropout is OFF (the identity, its inference behaviour):
 * the statistics are for the inference path, and at inference no unit is dropped, so a BatchNorm after
 * a Dropout must be calibrated on undropped inputs (with dropout on, the 1/(1 − p) scaling and the
 * zeros change the input's variance). Forwards run under noGrad inside nn.intendedTrainingMode (the
 * "forgot eval()?" warning is for accidents, not this), one batch at a time, yielding to the event loop
 * in between. Afterwards every module's mode is put back. Meanwhile a fit, a learning-rate sweep or
 * another recalibration of the model is refused (./claims.ts), and predict and evaluate calls on it
 * wait (./modes.ts): the observers would count their inputs too.
 *
 * The statistics are EXACT over every value each BatchNorm sees — per channel over N (and L) of every
 * batch — not a running average of batch variances: the mean of the batch variances misses the spread
 * between the batch means (Var = E[Var_b] + Var(E_b)), and so underestimates the population variance,
 * more so for small batches. Per channel, a count n, mean μ and sum of squared deviations M2 are kept in
 * float64; each batch's (n_b, μ_b, M2_b) is computed in two passes and merged with Chan et al.'s formula:
 *
 *   δ = μ_b − μ;   n' = n + n_b;   μ' = μ + δ·n_b/n';   M2' = M2 + M2_b + δ²·n·n_b/n'
 *
 * At the end running_mean = μ and running_var = M2/(n − 1) (unbiased, as PyTorch's running_var);
 * num_batches_tracked is left as it was (recalibration is not training). A BatchNorm's input is seen
 * through a tiny internal hook (BatchNorm1d.inputObserver, called from beginForward, which both the
 * plain forward and nn.Sequential's fused Conv→BN→ReLU→Dropout path call with the BN input).
 * On a throw or an abort every running statistic is put back: nothing is half-done.
 *
 * Non-finite values are refused, not averaged: one NaN would make every statistic it reaches NaN, in
 * every BatchNorm after it. A Tensor x is scanned whole before anything runs (DataError naming the
 * first bad index); a Dataset's samples exist only as they are gathered, so each batch is scanned
 * before its forward (DataError naming the sample). A non-finite BatchNorm input from finite data (a
 * layer before it with non-finite weights, or an overflow) is a NonFiniteError naming the layer.
 */
import { DataError, NonFiniteError, OptionError, ShapeError } from '../errors.js';
import { DataLoader } from '../data/dataloader.js';
import { type Dataset, isDataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import { intendedTrainingMode } from '../nn/mode-warning.js';
import { Module } from '../nn/module.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { inputsDataset } from './batches.js';
import { yieldToEventLoop } from './batches.js';
import { throwIfAborted } from './abort.js';
import { checkFiniteData, nonFiniteIndex } from './finite-data.js';
import { changeAlone } from './claims.js';
import { restoreModes, saveModes } from './modes.js';
import { checkInt, checkKnown, isObject } from '../options.js';

/** Options of recalibrateBatchNorm. */
export interface RecalibrateBatchNormOptions {
  /**
   * How many batches to accumulate over: that many batches of a seeded shuffle of the data, or, when
   * the data has no more batches than this, one pass over all of it, shuffled (every sample once; the
   * summary's `batches` says how many ran). Shuffled always, so that batches mix units as training's
   * do (in stored order they would not: windows come sorted by unit and time). Default 200.
   */
  batches?: number;
  /** Samples per batch (a last batch of one sample is merged into the one before it). Default 64. */
  batchSize?: number;
  /** Seed of the shuffle that picks the batches when the data has more than `batches`. Default 0. */
  seed?: number;
  /** Aborting it rejects with an AbortError (cause: the signal's reason) before the next batch; the model is left as it was. */
  signal?: AbortSignal;
}

/** What recalibration changed in one BatchNorm1d layer. */
export interface BatchNormRecalibration {
  /** The layer's name in model.namedModules() ('' for the model itself). */
  name: string;
  /** Mean over channels of |new mean − old mean| / √(old var + eps): how far the means moved, in old standard deviations. */
  meanShift: number;
  /** Mean over channels of (new var + eps) / (old var + eps): above 1, the old running variance was too small. */
  varRatio: number;
}

/** What recalibrateBatchNorm did: batches and samples run, and the change in every BatchNorm1d layer. */
export interface RecalibrationSummary {
  /** Batches run. */
  batches: number;
  /** Samples seen. */
  samples: number;
  /** Every BatchNorm1d with running statistics, in model order. */
  layers: BatchNormRecalibration[];
}

const W = 'recalibrateBatchNorm';

/** Per-channel count, mean and M2 in float64, merged batch by batch (the rule in the header). */
class ChannelMoments {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  constructor(readonly channels: number) {
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
  }

  /** Adds every value of an (N, C) or (N, C, L) input: channel c of sample i at ((i·C + c)·L + l). */
  add(input: Tensor): void {
    const d = input.data, N = input.shape[0]!, C = this.channels, L = input.shape[2] ?? 1, nb = N * L;
    const batchMean = new Float64Array(C), batchM2 = new Float64Array(C);
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < C; c++) {
        const base = (i * C + c) * L;
        let s = 0;
        for (let l = 0; l < L; l++) s += d[base + l]!;
        batchMean[c]! += s;
      }
    }
    for (let c = 0; c < C; c++) batchMean[c]! /= nb;
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < C; c++) {
        const base = (i * C + c) * L, m = batchMean[c]!;
        let s = 0;
        for (let l = 0; l < L; l++) {
          const dev = d[base + l]! - m;
          s += dev * dev;
        }
        batchM2[c]! += s;
      }
    }
    const n = this.count, total = n + nb;
    for (let c = 0; c < C; c++) {
      const delta = batchMean[c]! - this.mean[c]!;
      this.mean[c]! += (delta * nb) / total;
      this.m2[c]! += batchM2[c]! + (delta * delta * n * nb) / total;
    }
    this.count = total;
  }
}

interface Tracked {
  name: string;
  bn: BatchNorm1d;
  moments: ChannelMoments;
  /** running_mean, running_var, num_batches_tracked as they were. */
  saved: { mean: Float32Array; variance: Float32Array; tracked: BigInt64Array };
}

function checkOptions(options: unknown): Required<Omit<RecalibrateBatchNormOptions, 'signal'>> & { signal?: AbortSignal } {
  if (options === undefined) options = {};
  if (!isObject(options)) throw new OptionError(`${W}: options must be an object { batches, batchSize, seed, signal }, got ${show(options)}`);
  checkKnown(W, options, ['batches', 'batchSize', 'seed', 'signal']);
  const o = options as RecalibrateBatchNormOptions;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new OptionError(`${W}: signal must be an AbortSignal, got ${show(o.signal)}`);
  const seed = checkInt(W, 'seed', o.seed ?? 0, 0);
  if (!Number.isSafeInteger(seed)) throw new OptionError(`${W}: invalid seed: ${seed} (must be <= 2^53 - 1)`);
  return {
    batches: checkInt(W, 'batches', o.batches ?? 200, 1),
    batchSize: checkInt(W, 'batchSize', o.batchSize ?? 64, 1),
    seed,
    signal: o.signal,
  };
}

/** The batches to run: the first `count` batches of a seeded shuffle (all of them, each sample once, when there are no more). */
function chooseBatches(data: Dataset, batchSize: number, count: number, seed: number): { loader: DataLoader; count: number } {
  // Always a seeded shuffle, as in training: the layers after a BatchNorm are calibrated on features
  // normalised by the statistics of a batch, so the batches must look like training's. Data in its
  // stored order (windows sorted by unit and time) would give batches of one unit's neighbouring
  // windows, and deeper layers' statistics far from the population's.
  const minBatchSize = Math.min(2, batchSize); // BatchNorm cannot take batch statistics of one sample
  const loader = new DataLoader(data, { batchSize, minBatchSize, shuffle: true, seed });
  return { loader, count: Math.min(count, loader.length) };
}

/** Batch k's x from a Dataset, before its forward: DataError naming the sample (by its index in the Dataset). */
function checkFiniteBatch(x: Tensor, loader: DataLoader, k: number): void {
  const at = nonFiniteIndex(x);
  if (at < 0) return;
  const perSample = x.numel / x.shape[0]!, row = Math.floor(at / perSample);
  const sample = loader.batchIndices(0)[k]![row]!; // the same order loader.batches(0) gathered
  throw new DataError(`${W}: data must be finite, got ${x.data[at]} in sample ${sample} (index ${at - row * perSample} of its x); the model was not changed`);
}

/** A BatchNorm's input from finite data: NonFiniteError naming the layer when a layer before it made a NaN or ±Infinity. */
function checkFiniteInput(name: string, input: Tensor): void {
  const at = nonFiniteIndex(input);
  if (at < 0) return;
  throw new NonFiniteError(
    `${W}: the input of BatchNorm1d layer '${name}' has ${input.data[at]} at index ${at} although data is finite: a layer before it ` +
      'made it (non-finite weights, or an overflow); the model was not changed',
  );
}

/**
 * Recomputes the population statistics of every BatchNorm1d (with running statistics) in `model` from
 * `data` — x (a Tensor, first dimension = sample) or a Dataset whose samples start with x — and resolves
 * with what changed. See the file header for the rule.
 */
export async function recalibrateBatchNorm(model: Module, data: Tensor | Dataset, options?: RecalibrateBatchNormOptions): Promise<RecalibrationSummary> {
  if (!(model instanceof Module)) throw new OptionError(`${W}: model must be an nn.Module, got ${show(model)}`);
  // No fit, sweep or other recalibration of the model meanwhile (./claims.ts), and predict and evaluate
  // calls on it wait until the statistics are in: BatchNorm's observers would count their inputs.
  return changeAlone(model, W, () => recalibrate(model, data, options));
}

async function recalibrate(model: Module, data: Tensor | Dataset, options?: RecalibrateBatchNormOptions): Promise<RecalibrationSummary> {
  const dataset = inputsDataset(W, 'data', data);
  const o = checkOptions(options);
  if (dataset.length === 0) throw new DataError(`${W}: data has no samples`);
  const seen = new Set<Module>();
  const layers: Tracked[] = [];
  for (const [name, m] of model.namedModules()) {
    if (seen.has(m)) continue;
    seen.add(m);
    if (!(m instanceof BatchNorm1d) || m.runningMean === null) continue;
    layers.push({
      name,
      bn: m,
      moments: new ChannelMoments(m.numFeatures),
      saved: { mean: m.runningMean.data.slice(), variance: m.runningVar!.data.slice(), tracked: m.numBatchesTracked!.data.slice() },
    });
  }
  if (layers.length === 0) throw new OptionError(`${W}: the model has no BatchNorm1d layer with running statistics (trackRunningStats) to recalibrate`);
  // A Tensor is scanned whole now, a Dataset batch by batch as its samples are gathered (see the header).
  const scanBatches = isDataset(data);
  if (!scanBatches) checkFiniteData(W, 'data', data, 'the model was not changed');
  throwIfAborted(o.signal, W);
  const { loader, count } = chooseBatches(dataset, o.batchSize, o.batches, o.seed);

  const modes = saveModes(model);
  let samples = 0, ok = false;
  try {
    model.eval();
    for (const m of model.modules()) if (m instanceof BatchNorm1d) m.training = true;
    for (const t of layers) {
      t.bn.inputObserver = (input) => {
        checkFiniteInput(t.name, input);
        t.moments.add(input);
      };
    }
    const batches = loader.batches(0); // gathered lazily: only the batches run are gathered
    for (let k = 0; k < count; k++) {
      throwIfAborted(o.signal, W);
      const x = batches.next().value![0]!;
      if (scanBatches) checkFiniteBatch(x, loader, k);
      intendedTrainingMode(() => noGrad(() => model.forward(x)));
      samples += x.shape[0]!;
      await yieldToEventLoop();
    }
    throwIfAborted(o.signal, W);
    for (const t of layers) {
      if (t.moments.count < 2) {
        throw new ShapeError(`${W}: BatchNorm1d layer '${t.name}' saw ${t.moments.count === 0 ? 'no input' : 'one value per channel'} during recalibration (is it used by the model's forward?)`);
      }
    }
    ok = true;
  } finally {
    for (const t of layers) t.bn.inputObserver = null;
    restoreModes(modes);
    for (const t of layers) {
      const { bn, saved } = t;
      bn.numBatchesTracked!.data.set(saved.tracked);
      if (!ok) {
        bn.runningMean!.data.set(saved.mean);
        bn.runningVar!.data.set(saved.variance);
      }
    }
  }
  // Everything ran: write the statistics (μ, M2/(n − 1)) and say what moved.
  const summary: BatchNormRecalibration[] = [];
  for (const { name, bn, moments, saved } of layers) {
    const C = bn.numFeatures, mean = bn.runningMean!.data, variance = bn.runningVar!.data;
    let shift = 0, ratio = 0;
    for (let c = 0; c < C; c++) {
      mean[c] = moments.mean[c]!;
      variance[c] = moments.m2[c]! / (moments.count - 1);
      shift += Math.abs(mean[c]! - saved.mean[c]!) / Math.sqrt(saved.variance[c]! + bn.eps);
      ratio += (variance[c]! + bn.eps) / (saved.variance[c]! + bn.eps);
    }
    summary.push({ name, meanShift: shift / C, varRatio: ratio / C });
  }
  return { batches: count, samples, layers: summary };
}
