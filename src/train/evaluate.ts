/**
 * evaluate(model, { x, y }): the loss and metrics of a model on data, in eval() under noGrad (BatchNorm
 * uses and never changes its running statistics, Dropout is off), in batches that yield to the event
 * loop; every module's previous mode is restored afterwards (Keras' model.evaluate).
 */
import { DataError, OptionError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchRecycler, checkBatchSize, checkPairs, forEachBatch, inputsDataset, scoreBatch } from './batches.js';
import { type LossFunction, type LossName, resolveLoss } from './losses.js';
import { type MetricSpec, resolveMetrics } from './metrics.js';
import { inEvalMode } from './modes.js';
import { checkKnown, isObject } from '../options.js';

/** Options of evaluate (Keras' model.evaluate arguments, camelCase). */
export interface EvaluateOptions {
  /** Inputs (first dimension = sample); or `data`. */
  x?: Tensor;
  /** Targets. */
  y?: Tensor;
  /** A Dataset whose samples are [x, y] or [x, y, sampleWeight] (instead of x and y). */
  data?: Dataset;
  /** The loss, as fit's. Default 'mse'. */
  loss?: LossName | LossFunction;
  /** Metrics, as fit's. Default none. */
  metrics?: MetricSpec[];
  /** Samples per batch (results do not depend on it). Default 256. */
  batchSize?: number;
  /** Aborting it rejects with an AbortError (cause: the signal's reason) before the next batch. */
  signal?: AbortSignal;
}

const W = 'evaluate';

/** What evaluate resolves with: the loss (mean over samples) and each metric by its name. */
export type EvaluateResult = {
  /** The loss, as the mean over every sample (for crossEntropy, over the targets that are not the ignore index −100, as PyTorch's), whatever the batch size. */
  loss: number;
} & Record<string, number>;

/** Resolves with { loss, ...metrics } over every sample (the loss as the mean over samples). */
export async function evaluate(model: Module, options: EvaluateOptions): Promise<EvaluateResult> {
  if (!(model instanceof Module)) throw new OptionError(`${W}: model must be an nn.Module, got ${show(model)}`);
  if (!isObject(options as unknown)) throw new OptionError(`${W}: options must be an object { x, y, loss, metrics }, got ${show(options)}`);
  checkKnown(W, options, ['x', 'y', 'data', 'loss', 'metrics', 'batchSize', 'signal']);
  if (options.data !== undefined && (options.x !== undefined || options.y !== undefined)) throw new OptionError(`${W}: give either data or x and y, not both`);
  if (options.data === undefined && (options.x === undefined || options.y === undefined)) throw new OptionError(`${W}: give x and y (Tensors, first dimension = sample) or data (a Dataset)`);
  const data = options.data ?? inputsDataset(W, 'x', options.x, options.y);
  const batchSize = checkBatchSize(W, options.batchSize);
  if (data.length === 0) throw new DataError(`${W}: ${options.data === undefined ? 'x' : 'data'} has no samples`);
  const loss = resolveLoss(options.loss ?? 'mse', W);
  const metrics = resolveMetrics(options.metrics ?? [], W);
  let lossSum = 0, seen = 0;
  const recycle = batchRecycler(data, model);
  await inEvalMode(model, (inEval) =>
    forEachBatch(W, data, batchSize, options.signal, ['x', 'y'], (batch) => {
      checkPairs(W, 'the data', batch);
      const scored = inEval(() => scoreBatch(model, loss, metrics, batch));
      recycle(batch);
      lossSum += scored.lossSum;
      seen += scored.weight;
    }),
  );
  const out: EvaluateResult = { loss: lossSum / seen };
  for (const m of metrics) out[m.name] = m.result();
  return out;
}
