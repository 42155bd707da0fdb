/**
 * The fused tail of a Conv1d → BatchNorm1d → ReLU → Dropout block: F.batchNorm1dReluDropout computes
 * relu(batchNorm1d(x)) followed by dropout with the kernels batchNorm1dReluDropoutForward and
 * batchNorm1dReluDropoutBackwardWithOutput — one statistics pass and one normalise → ReLU → dropout
 * pass forward, one fused backward; nothing but x, the output and the per-channel statistics is kept
 * (the backward reads the ReLU and dropout decisions off the output, y > 0, as PyTorch's ReLU keeps
 * its output for its backward). nn.Sequential uses it for [Conv1d, BatchNorm1d, ReLU, Dropout] and
 * [Conv1d, BatchNorm1d, ReLU] children (see setFusion in src/nn/sequential.ts).
 *
 * Same semantics, state updates and random streams as
 *   dropout(relu(batchNorm1d(x, runningMean, runningVar, weight, bias, { training, momentum, eps })), p, dropoutTraining)
 * — the dropout stream is taken from the global generator exactly when F.dropout would take one
 * (dropoutTraining and p > 0), so both paths draw the same masks. Results equal the unfused ops
 * within the tolerance written in test/fused.sequential.test.ts (src/ref/fused.ts says why), and the
 * same non-finite guard of the running statistics (./running-stats-guard.ts, option trackNonFinite).
 */
import { kernels } from '../backend/index.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { takeStream } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import { emptyFloat32, recycleFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkDropoutP } from './dropout.js';
import { restoreIfNonFinite, saveRunningStats } from './running-stats-guard.js';
import { boolean, checkOptions, checkTensor, numberIn, optionalTensor } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of F.batchNorm1dReluDropout: batchNorm1d's, plus the dropout probability and mode. */
export interface BatchNorm1dReluDropoutOptions {
  /** BatchNorm: use batch statistics (and update the running ones, if given). Default false. */
  training?: boolean;
  /** BatchNorm: weight of the batch statistic in the running averages. Default 0.1. */
  momentum?: number;
  /** BatchNorm: added to the variance. Default 1e-5. */
  eps?: number;
  /**
   * BatchNorm: let a batch with NaN/Inf make the running statistics NaN/Inf, as PyTorch does. Default
   * false: such a batch leaves them as they were (the output still carries the NaN/Inf).
   */
  trackNonFinite?: boolean;
  /** @internal nn.Sequential only: called when the running statistics were left as they were (the batch is not counted). */
  onUntracked?: () => void;
  /** Dropout probability. Default 0 (no dropout: conv → BN → ReLU). */
  p?: number;
  /** Dropout is active (the Dropout module's training flag). Default: `training`. */
  dropoutTraining?: boolean;
  /**
   * @internal nn.Sequential only: the input is a temporary nobody else holds (a convolution's or
   * Linear's fresh output), so when no graph is recorded the result may be written over it, and when
   * one is, its array goes back to the storage pool once backward frees the graph (saving allocations).
   */
  reuseInput?: boolean;
  /**
   * @internal nn.Sequential only: the batch statistics of the input — per channel mean and BIASED
   * variance in double — already taken (by conv1dForwardStats while the convolution wrote it), so the
   * kernel skips its statistics pass (batchNorm1dReluDropoutForwardWithStats). Used only when batch
   * statistics normalise (training, or no running statistics).
   */
  batchStatistics?: { mean: Float64Array; variance: Float64Array };
}

/**
 * dropout(relu(batchNorm1d(input, …)), p) in one fused pass forward and one backward, with the same
 * results, running-statistics updates and dropout masks as the three ops (see the file header).
 */
export function batchNorm1dReluDropout(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNorm1dReluDropoutOptions = {},
): Tensor {
  const op = 'batchNorm1dReluDropout';
  checkTensor(op, 'input', input);
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    optionalTensor(op, name, t);
  }
  const o = checkOptions(op, options, ['training', 'momentum', 'eps', 'p', 'dropoutTraining', 'trackNonFinite', 'reuseInput', 'batchStatistics', 'onUntracked']);
  const training = boolean(op, 'training', o.training ?? false);
  const momentum = numberIn(op, 'momentum', o.momentum ?? 0.1, 0, 1);
  const eps = numberIn(op, 'eps', o.eps ?? 1e-5, 0);
  const p = checkDropoutP(op, o.p ?? 0);
  const dropoutTraining = boolean(op, 'dropoutTraining', o.dropoutTraining ?? training);
  const trackNonFinite = boolean(op, 'trackNonFinite', o.trackNonFinite ?? false);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(`batchNorm1dReluDropout: expected input (N, C) or (N, C, L), got ${formatShape(input.shape)}`);
  }
  const [N, C] = input.shape as [number, number];
  const L = input.shape[2] ?? 1;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(`batchNorm1dReluDropout: expected ${name} (${C}) for input ${formatShape(input.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  if ((runningMean === null) !== (runningVar === null)) throw new OptionError('batchNorm1dReluDropout: runningMean and runningVar must both be given or both be null');
  const useBatchStats = training || runningMean === null;
  if (useBatchStats && N * L <= 1) {
    throw new ShapeError(`batchNorm1dReluDropout: expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
  }
  const update = training && runningMean !== null;
  // Taken exactly when F.dropout would take it, so fused and unfused models consume the same streams.
  const active = dropoutTraining && p > 0;
  const random = active ? { p, offset: 0, ...takeStream() } : { p: 0, seed: 0, stream: 0, offset: 0 };
  const shape = { batch: N, channels: C, length: L };
  const x = input.data, w = weight?.data ?? null, b = bias?.data ?? null;
  // In place only when nothing will need x again: no backward is recorded.
  const recorded = isGradEnabled() && [input, weight, bias].some((t) => t?.requiresGrad);
  const y = o.reuseInput && !recorded ? x : emptyFloat32(x.length);
  const mean = new Float32Array(C), invstd = new Float32Array(C);
  const rm = useBatchStats ? (update ? runningMean.data : null) : runningMean!.data;
  const rv = useBatchStats ? (update ? runningVar!.data : null) : runningVar!.data;
  const params = { ...shape, eps, momentum, training: useBatchStats, ...random };
  const given = useBatchStats ? o.batchStatistics : undefined;
  const saved = update && !trackNonFinite ? saveRunningStats(rm!, rv!) : null;
  if (given) kernels.batchNorm1dReluDropoutForwardWithStats(y, mean, invstd, rm, rv, x, given.mean, given.variance, w, b, params);
  else kernels.batchNorm1dReluDropoutForward(y, mean, invstd, rm, rv, x, w, b, params);
  if (saved && restoreIfNonFinite(rm!, rv!, saved)) o.onUntracked?.();
  return fromOp('batchNorm1dReluDropout', y, input.shape, [input, weight, bias], (dy, needs) => {
    const dx = emptyFloat32(x.length);
    const dw = needs[1] ? new Float32Array(C) : null, db = needs[2] ? new Float32Array(C) : null;
    kernels.batchNorm1dReluDropoutBackwardWithOutput(dx, dw, db, dy, x, y, mean, invstd, w, { ...shape, training: useBatchStats, ...random });
    return [needs[0] ? dx : null, dw, db];
  }, o.reuseInput ? () => recycleFloat32(x) : null); // x, nobody else's, is dead once the graph is freed
}
