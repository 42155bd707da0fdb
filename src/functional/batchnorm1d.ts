/**
 * F.batchNorm1d: PyTorch's batch_norm for (N, C) and (N, C, L) inputs.
 *
 * With training = true, or without running statistics, the batch statistics normalise (and, when
 * training with running statistics, the running averages are updated in place with weight
 * `momentum`, which the module sets to 1/numBatchesTracked for a cumulative average). Otherwise the
 * running statistics normalise and nothing changes. Backward differentiates through whichever
 * statistics were used. A training batch that would make a running value NaN or infinite leaves the
 * running statistics as they were, unless `trackNonFinite` (./running-stats-guard.ts); its output
 * keeps the NaN/Inf either way.
 */
import { kernels } from '../backend/index.js';
import { formatShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { boolean, checkOptions, checkTensor, numberIn, optionalTensor } from './validate.js';
import { restoreIfNonFinite, saveRunningStats } from './running-stats-guard.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of F.batchNorm1d (torch.nn.functional.batch_norm's keyword arguments). */
export interface BatchNorm1dFunctionalOptions {
  /** Use batch statistics (and update the running ones, if given). Default false. */
  training?: boolean;
  /** Weight of the batch statistic in the running averages. Default 0.1. */
  momentum?: number;
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /**
   * Let a batch with NaN/Inf make the running statistics NaN/Inf, as PyTorch does. Default false: such
   * a batch leaves them as they were (the output still carries the NaN/Inf).
   */
  trackNonFinite?: boolean;
  /** @internal nn.BatchNorm1d only: called when the running statistics were left as they were (the batch is not counted). */
  onUntracked?: () => void;
}

/**
 * Batch normalisation of input (N, C) or (N, C, L) per channel (torch.nn.functional.batch_norm):
 * batch statistics in training or without running statistics (updating the running ones in place when
 * training), the running statistics otherwise; weight and bias (C) optional.
 */
export function batchNorm1d(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNorm1dFunctionalOptions = {},
): Tensor {
  checkTensor('batchNorm1d', 'input', input);
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    optionalTensor('batchNorm1d', name, t);
  }
  const o = checkOptions('batchNorm1d', options, ['training', 'momentum', 'eps', 'trackNonFinite', 'onUntracked']);
  const training = boolean('batchNorm1d', 'training', o.training ?? false);
  const momentum = numberIn('batchNorm1d', 'momentum', o.momentum ?? 0.1, 0, 1);
  const eps = numberIn('batchNorm1d', 'eps', o.eps ?? 1e-5, 0);
  const trackNonFinite = boolean('batchNorm1d', 'trackNonFinite', o.trackNonFinite ?? false);
  if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`batchNorm1d: expected input (N, C) or (N, C, L), got ${formatShape(input.shape)}`);
  const [N, C] = input.shape as [number, number];
  const L = input.shape[2] ?? 1;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new ShapeError(`batchNorm1d: expected ${name} (${C}) for input ${formatShape(input.shape)}, got ${formatShape(t.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new OptionError('batchNorm1d: runningMean and runningVar must both be given or both be null');
  const useBatchStats = training || runningMean === null;
  if (useBatchStats && N * L <= 1) {
    throw new ShapeError(`batchNorm1d: expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
  }
  const shape = { batch: N, channels: C, length: L };
  const x = input.data, w = weight?.data ?? null;
  const y = emptyFloat32(x.length), mean = emptyFloat32(C), invstd = emptyFloat32(C);
  if (useBatchStats) {
    const update = training && runningMean !== null;
    const saved = update && !trackNonFinite ? saveRunningStats(runningMean.data, runningVar!.data) : null;
    kernels.batchNorm1dTrainForward(y, mean, invstd, update ? runningMean.data : null, update ? runningVar!.data : null, x, w, bias?.data ?? null, { ...shape, eps, momentum });
    if (saved && restoreIfNonFinite(runningMean!.data, runningVar!.data, saved)) o.onUntracked?.();
  } else {
    kernels.batchNorm1dEvalForward(y, x, runningMean.data, runningVar!.data, w, bias?.data ?? null, { ...shape, eps });
    mean.set(runningMean.data);
    for (let c = 0; c < C; c++) invstd[c] = 1 / Math.sqrt(runningVar!.data[c]! + eps);
  }
  return fromOp('batchNorm1d', y, input.shape, [input, weight, bias], (dy, needs) => {
    const dx = emptyFloat32(x.length);
    const dw = needs[1] ? emptyFloat32(C) : null, db = needs[2] ? emptyFloat32(C) : null;
    kernels.batchNorm1dBackward(dx, dw, db, dy, x, mean, invstd, w, { ...shape, training: useBatchStats });
    return [needs[0] ? dx : null, dw, db];
  });
}
