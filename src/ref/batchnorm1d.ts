/**
 * BatchNorm1d reference kernels over (N, C) (length 1) or (N, C, L). Per channel c, over its
 * M = N*L values x_i:
 *
 *   training forward  mean   = (1/M) sum x_i                        pass 1
 *                     var    = (1/M) sum (x_i - mean)^2             pass 2 (never E[x^2] - E[x]^2)
 *                     invstd = 1 / sqrt(var + eps)
 *                     y_i    = (x_i - mean) * invstd * w + b
 *                     running_mean = (1 - f) running_mean + f mean
 *                     running_var  = (1 - f) running_var  + f var M / (M - 1)     (unbiased)
 *   eval forward      y_i = (x_i - running_mean) / sqrt(running_var + eps) * w + b
 *   backward          xhat_i = (x_i - mean) invstd,  dbias = sum dy_i,  dweight = sum dy_i xhat_i
 *                     training: dx_i = w invstd (dy_i - dbias/M - xhat_i dweight/M)
 *                     eval:     dx_i = w invstd dy_i
 *
 * f is PyTorch's momentum (0.1 by default), or 1/num_batches_tracked for momentum = None: the
 * module computes it and passes it as params.momentum. Sums are in double, so they stay exact far
 * past 2^24 values per channel. native/src/batchnorm1d/f32-batchnorm1d-scalar.cc is the port.
 */
import { OptionError, ShapeError } from '../errors.js';
import { type FloatArray, KernelArgs } from './args.js';

/** Shape and constants of a BatchNorm1d training forward over x (N, C, L). */
export interface BatchNorm1dParams {
  /** N, the batch size. */
  batch: number;
  /** C, the channels (one mean and variance each). */
  channels: number;
  /** 1 for (N, C) input. */
  length: number;
  /** Added to the variance before the square root (1e-5 in PyTorch). */
  eps: number;
  /** Weight f of the batch statistic in the running average, in [0, 1]. */
  momentum: number;
}

/** Params of the eval forward: the training ones without momentum (running statistics are only read). */
export type BatchNorm1dEvalParams = Omit<BatchNorm1dParams, 'momentum'>;

/** Shape of a BatchNorm1d backward over x (N, C, L). */
export interface BatchNorm1dBackwardParams {
  /** N, the batch size. */
  batch: number;
  /** C, the channels. */
  channels: number;
  /** L (1 for (N, C) input). */
  length: number;
  /** true: mean/invstd are batch statistics (training); false: running statistics (eval). */
  training: boolean;
}

/**
 * The weight f of the batch statistic in the running averages, as BatchNorm1d computes it for one
 * training step: `momentum`, or 1/numBatchesTracked (counted after this step's increment) when
 * momentum is null (a cumulative moving average).
 */
export function batchNorm1dAverageFactor(momentum: number | null, numBatchesTracked: number): number {
  if (momentum !== null) return momentum;
  if (!Number.isInteger(numBatchesTracked) || numBatchesTracked < 1) {
    throw new OptionError(`batchNorm1d: numBatchesTracked must be an integer >= 1 after the increment, got ${numBatchesTracked}`);
  }
  return 1 / numBatchesTracked;
}

/** Mean and biased variance of channel c of x (N, C, L): two passes, double sums, in element order. */
export function channelStatistics(x: FloatArray, N: number, C: number, L: number, c: number): {
  /** (1/M)·Σ x over the channel's M = N·L values. */
  mean: number;
  /** (1/M)·Σ (x − mean)², the biased variance. */
  variance: number;
} {
  const M = N * L;
  let sum = 0;
  for (let n = 0; n < N; n++) for (let l = 0, o = (n * C + c) * L; l < L; l++) sum += x[o + l]!;
  const mean = sum / M;
  let sq = 0;
  for (let n = 0; n < N; n++) {
    for (let l = 0, o = (n * C + c) * L; l < L; l++) {
      const d = x[o + l]! - mean;
      sq += d * d;
    }
  }
  return { mean, variance: sq / M };
}

/** running = (1 − f)·running + f·batch, with the unbiased variance var·M/(M − 1). */
export function updateRunningStatistics(rm: FloatArray, rv: FloatArray, c: number, f: number, mean: number, variance: number, M: number): void {
  rm[c] = (1 - f) * rm[c]! + f * mean;
  rv[c] = (1 - f) * rv[c]! + f * ((variance * M) / (M - 1));
}

function dims(a: KernelArgs) {
  const batch = a.int('batch', 0), channels = a.int('channels', 1), length = a.int('length', 1);
  return {
    batch, channels, length,
    x: a.size([['batch', batch], ['channels', channels], ['length', length]]),
    c: a.size([['channels', channels]]),
  };
}

/** Training forward: normalises with batch statistics, saves mean/invstd, updates running stats (if given). */
export function batchNorm1dTrainForward(
  y: FloatArray, saveMean: FloatArray, saveInvstd: FloatArray,
  runningMean: FloatArray | null, runningVar: FloatArray | null,
  x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, params: BatchNorm1dParams,
): void {
  const kernel = 'batchNorm1dTrainForward';
  const a = new KernelArgs(kernel, params);
  const { batch: N, channels: C, length: L, x: nx, c: nc } = dims(a);
  const eps = a.number('eps', 0, Infinity), f = a.number('momentum', 0, 1);
  a.floats('y', y, nx);
  a.floats('saveMean', saveMean, nc);
  a.floats('saveInvstd', saveInvstd, nc);
  const rm = a.optionalFloats('runningMean', runningMean, nc), rv = a.optionalFloats('runningVar', runningVar, nc);
  if ((rm === null) !== (rv === null)) {
    throw new OptionError(`${kernel}: runningMean and runningVar must both be given or both be null`);
  }
  a.floats('x', x, nx);
  a.optionalFloats('weight', weight, nc);
  a.optionalFloats('bias', bias, nc);
  if (N * L <= 1) {
    throw new ShapeError(`${kernel}: expected more than 1 value per channel when training, got batch*length = ${N * L}`);
  }
  a.disjoint({ y, saveMean, saveInvstd, runningMean, runningVar }, { x, weight, bias });
  const M = N * L;
  for (let c = 0; c < C; c++) {
    const { mean, variance: v } = channelStatistics(x, N, C, L, c);
    const invstd = 1 / Math.sqrt(v + eps);
    saveMean[c] = mean;
    saveInvstd[c] = invstd;
    if (rm && rv) updateRunningStatistics(rm, rv, c, f, mean, v, M);
    const w = weight ? weight[c]! : 1, b = bias ? bias[c]! : 0;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) y[o + l] = (x[o + l]! - mean) * invstd * w + b;
    }
  }
}

/** Eval forward: normalises with the running statistics; changes no state. */
export function batchNorm1dEvalForward(
  y: FloatArray, x: FloatArray, runningMean: FloatArray, runningVar: FloatArray,
  weight: FloatArray | null, bias: FloatArray | null, params: BatchNorm1dEvalParams,
): void {
  const a = new KernelArgs('batchNorm1dEvalForward', params);
  const { batch: N, channels: C, length: L, x: nx, c: nc } = dims(a);
  const eps = a.number('eps', 0, Infinity);
  a.floats('y', y, nx);
  a.floats('x', x, nx);
  a.floats('runningMean', runningMean, nc);
  a.floats('runningVar', runningVar, nc);
  a.optionalFloats('weight', weight, nc);
  a.optionalFloats('bias', bias, nc);
  a.disjoint({ y }, { x, runningMean, runningVar, weight, bias });
  for (let c = 0; c < C; c++) {
    const mean = runningMean[c]!, invstd = 1 / Math.sqrt(runningVar[c]! + eps);
    const w = weight ? weight[c]! : 1, b = bias ? bias[c]! : 0;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) y[o + l] = (x[o + l]! - mean) * invstd * w + b;
    }
  }
}

/**
 * Backward: dx always; dweight/dbias when given (null: not wanted). weight null means affine=False.
 * mean/invstd are the saved batch statistics (training) or running mean and 1/sqrt(running_var + eps) (eval).
 */
export function batchNorm1dBackward(
  dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
  dy: FloatArray, x: FloatArray, mean: FloatArray, invstd: FloatArray, weight: FloatArray | null,
  params: BatchNorm1dBackwardParams,
): void {
  const a = new KernelArgs('batchNorm1dBackward', params);
  const { batch: N, channels: C, length: L, x: nx, c: nc } = dims(a);
  const training = a.bool('training');
  a.floats('dx', dx, nx);
  a.optionalFloats('dweight', dweight, nc);
  a.optionalFloats('dbias', dbias, nc);
  a.floats('dy', dy, nx);
  a.floats('x', x, nx);
  a.floats('mean', mean, nc);
  a.floats('invstd', invstd, nc);
  a.optionalFloats('weight', weight, nc);
  a.disjoint({ dx, dweight, dbias }, { dy, x, mean, invstd, weight });
  const M = N * L;
  for (let c = 0; c < C; c++) {
    const mu = mean[c]!, is = invstd[c]!;
    let sumDy = 0, sumDyXhat = 0;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        sumDy += dy[o + l]!;
        sumDyXhat += dy[o + l]! * ((x[o + l]! - mu) * is);
      }
    }
    if (dweight) dweight[c] = sumDyXhat;
    if (dbias) dbias[c] = sumDy;
    const k = (weight ? weight[c]! : 1) * is;
    const meanDy = sumDy / M, meanDyXhat = sumDyXhat / M;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        dx[o + l] = training ? k * (dy[o + l]! - meanDy - (x[o + l]! - mu) * is * meanDyXhat) : k * dy[o + l]!;
      }
    }
  }
}
