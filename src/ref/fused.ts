/**
 * Fused BatchNorm1d → ReLU → Dropout reference kernels: the tail of a Conv1d → BatchNorm1d → ReLU →
 * Dropout block in one forward and one backward kernel. Over x (N, C, L), per channel c and its
 * M = N·L values, element i = (n·C + c)·L + l:
 *
 *   statistics  training: mean = (1/M) Σ x, var = (1/M) Σ (x − mean)² (two passes, as
 *                         batchNorm1dTrainForward), invstd = 1/√(var + eps); running stats (if given)
 *                         updated with weight f = params.momentum, running_var with var·M/(M − 1)
 *               eval:     mean = running_mean, invstd = 1/√(running_var + eps); nothing changes
 *               saveMean = float32(mean), saveInvstd = float32(invstd): every value below uses these
 *   forward     v = float32((x − saveMean)·saveInvstd·w + b)     r = v < 0 ? 0 : v  (NaN propagates)
 *               keep_i = draw(offset + i) ≥ floor(p·2³²)          (the dropout rule of ./philox.ts)
 *               y = keep_i ? float32(r · scale) : 0,  scale = float32(1/(1 − p))
 *   backward    v recomputed exactly as in forward, so the ReLU decision is the forward's bit for bit;
 *               the dropout mask is regenerated — nothing but x and the saved statistics is kept
 *               g = keep_i ∧ v > 0 ? float32(dy · scale) : 0
 *               (…WithOutput, given the forward's y: keep_i ∧ v > 0 is y > 0, since y is 0 unless
 *               keep_i, r · scale > 0 exactly when v > 0 (scale ≥ 1), and NaN > 0 is false)
 *               dbias = Σ g, dweight = Σ g·xhat, xhat = (x − mean)·invstd
 *               training: dx = w·invstd·(g − dbias/M − xhat·dweight/M);  eval: dx = w·invstd·g
 *
 * "float32(...)" is the precision of the arrays given: Float32Array in use, Float64Array in the
 * float64 gradient checks (intermediate values are written to the output array and read back).
 * This equals batchNorm1dTrainForward/EvalForward → reluForward → dropoutForward and their backward
 * kernels, except that v is normalised with the float32 statistics the backward kernel sees (the
 * unfused BatchNorm uses the unrounded double mean/invstd): v differs by a few float32 ulps, the
 * dropout mask is identical, and a ReLU decision can differ only for a v within those ulps of 0.
 * Using the saved float32 statistics in both directions makes forward and backward agree exactly on
 * every ReLU decision. The written tolerances are in test/fused.parity.test.ts (kernels) and
 * test/fused.sequential.test.ts (models).
 * p = 0 is no dropout (eval), p = 1 gives zeros. native/src/fused/f32-fused-scalar.cc is the port.
 */
import { OptionError, ShapeError } from '../errors.js';
import { type FloatArray, KernelArgs, sameView, type Size } from './args.js';
import { dropoutScale, dropoutThreshold, PhiloxDraws } from './philox.js';
import { channelStatistics, updateRunningStatistics } from './batchnorm1d.js';

/** Shape and dropout randomness of the fused BatchNorm1d → ReLU → Dropout backward over x (N, C, L). */
export interface BatchNorm1dReluDropoutBackwardParams {
  /** N, the batch size. */
  batch: number;
  /** C, the channels. */
  channels: number;
  /** L (1 for (N, C) input). */
  length: number;
  /** true: batch statistics (dx through them); false: running statistics (constants). */
  training: boolean;
  /** Drop probability in [0, 1] (0: no dropout, as in eval). */
  p: number;
  /** Philox key, an integer in [0, 2^53 - 1]. */
  seed: number;
  /** Philox stream of this call (one per layer and step). */
  stream: number;
  /** Draw index of element 0. */
  offset: number;
}

/** Params of the fused BatchNorm1d → ReLU → Dropout forward: the backward's plus eps and momentum. */
export interface BatchNorm1dReluDropoutParams extends BatchNorm1dReluDropoutBackwardParams {
  /** Added to the variance before the square root (1e-5 in PyTorch). */
  eps: number;
  /** Weight f of the batch statistic in the running averages (training only), in [0, 1]. */
  momentum: number;
}

interface Read {
  N: number;
  C: number;
  L: number;
  nx: Size;
  nc: Size;
  eps: number;
  momentum: number;
  training: boolean;
  p: number;
  seed: number;
  stream: number;
  offset: number;
}

function readParams(a: KernelArgs, forward: boolean): Read {
  const N = a.int('batch', 0), C = a.int('channels', 1), L = a.int('length', 1);
  const nx = a.size([['batch', N], ['channels', C], ['length', L]]), nc = a.size([['channels', C]]);
  const eps = forward ? a.number('eps', 0, Infinity) : 0, momentum = forward ? a.number('momentum', 0, 1) : 0;
  const training = a.bool('training');
  const p = a.number('p', 0, 1), seed = a.int('seed', 0), stream = a.int('stream', 0), offset = a.int('offset', 0);
  a.limit('offset+count', offset + nx.value);
  return { N, C, L, nx, nc, eps, momentum, training, p, seed, stream, offset };
}

/** keep(i) for element i; p = 0 and p = 1 decide without draws (same answer). */
function keeper(r: Read): (i: number) => boolean {
  const threshold = dropoutThreshold(r.p), draws = new PhiloxDraws(r.seed, r.stream);
  if (threshold === 0) return () => true;
  if (threshold >= 4294967296) return () => false;
  return (i) => draws.draw(r.offset + i) >= threshold;
}

/**
 * Forward: statistics (batch, or running when !training), then one normalise → ReLU → dropout pass.
 * saveMean/saveInvstd receive the statistics used (for backward). runningMean/runningVar: updated
 * when training and given; required (read only) when !training. y may be x itself (in place: each
 * channel's statistics are taken before its values are overwritten); any other overlap is an error.
 */
export function batchNorm1dReluDropoutForward(
  y: FloatArray, saveMean: FloatArray, saveInvstd: FloatArray,
  runningMean: FloatArray | null, runningVar: FloatArray | null,
  x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, params: BatchNorm1dReluDropoutParams,
): void {
  forward('batchNorm1dReluDropoutForward', y, saveMean, saveInvstd, runningMean, runningVar, x, null, weight, bias, params);
}

/**
 * Forward with the batch statistics given (training only): batchMean/batchVar (Float64Array, the
 * per-channel mean and BIASED variance of x, e.g. from conv1dForwardStats while the convolution wrote
 * x) replace the statistics pass; everything else — invstd, saveMean/saveInvstd, the running-stat
 * update with the unbiased variance var·M/(M − 1), y — is batchNorm1dReluDropoutForward's with those
 * values. params.training must be true.
 */
export function batchNorm1dReluDropoutForwardWithStats(
  y: FloatArray, saveMean: FloatArray, saveInvstd: FloatArray,
  runningMean: FloatArray | null, runningVar: FloatArray | null,
  x: FloatArray, batchMean: Float64Array, batchVar: Float64Array, weight: FloatArray | null, bias: FloatArray | null,
  params: BatchNorm1dReluDropoutParams,
): void {
  forward('batchNorm1dReluDropoutForwardWithStats', y, saveMean, saveInvstd, runningMean, runningVar, x, { batchMean, batchVar }, weight, bias, params);
}

function forward(
  kernel: string, y: FloatArray, saveMean: FloatArray, saveInvstd: FloatArray,
  runningMean: FloatArray | null, runningVar: FloatArray | null,
  x: FloatArray, given: { batchMean: unknown; batchVar: unknown } | null, weight: FloatArray | null, bias: FloatArray | null,
  params: BatchNorm1dReluDropoutParams,
): void {
  const a = new KernelArgs(kernel, params);
  const r = readParams(a, true);
  const { N, C, L, nx, nc } = r;
  a.floats('y', y, nx);
  a.floats('saveMean', saveMean, nc);
  a.floats('saveInvstd', saveInvstd, nc);
  const rm = a.optionalFloats('runningMean', runningMean, nc), rv = a.optionalFloats('runningVar', runningVar, nc);
  if ((rm === null) !== (rv === null)) {
    throw new OptionError(`${kernel}: runningMean and runningVar must both be given or both be null`);
  }
  if (given && !r.training) throw new OptionError(`${kernel}: params.training must be true when the batch statistics are given, got false`);
  if (!r.training && rm === null) {
    throw new OptionError(`${kernel}: runningMean and runningVar are required when params.training is false`);
  }
  a.floats('x', x, nx);
  const bm = given ? a.doubles('batchMean', given.batchMean, nc) : null, bv = given ? a.doubles('batchVar', given.batchVar, nc) : null;
  a.optionalFloats('weight', weight, nc);
  a.optionalFloats('bias', bias, nc);
  if (r.training && N * L <= 1) {
    throw new ShapeError(`${kernel}: expected more than 1 value per channel when training, got batch*length = ${N * L}`);
  }
  a.disjoint({ y, saveMean, saveInvstd, runningMean, runningVar }, { x: sameView(y, x) ? null : x, batchMean: bm, batchVar: bv, weight, bias });
  const M = N * L, f = r.momentum, scale = dropoutScale(r.p);
  for (let c = 0; c < C; c++) {
    if (r.training) {
      const { mean, variance: v } = bm && bv ? { mean: bm[c]!, variance: bv[c]! } : channelStatistics(x, N, C, L, c);
      saveMean[c] = mean;
      saveInvstd[c] = 1 / Math.sqrt(v + r.eps);
      if (rm && rv) updateRunningStatistics(rm, rv, c, f, mean, v, M);
    } else {
      saveMean[c] = rm![c]!;
      saveInvstd[c] = 1 / Math.sqrt(rv![c]! + r.eps);
    }
    const m = saveMean[c]!, is = saveInvstd[c]!;
    const w = weight ? weight[c]! : 1, b = bias ? bias[c]! : 0;
    const keep = keeper(r);
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        y[o + l] = (x[o + l]! - m) * is * w + b; // v, rounded to y's precision
        const v = y[o + l]!;
        y[o + l] = keep(o + l) ? (v < 0 ? 0 : v) * scale : 0;
      }
    }
  }
}

/**
 * Backward: dx always; dweight/dbias when given. mean/invstd are forward's saveMean/saveInvstd;
 * weight/bias and params (but eps and momentum) are forward's.
 */
export function batchNorm1dReluDropoutBackward(
  dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
  dy: FloatArray, x: FloatArray, mean: FloatArray, invstd: FloatArray, weight: FloatArray | null, bias: FloatArray | null,
  params: BatchNorm1dReluDropoutBackwardParams,
): void {
  backward('batchNorm1dReluDropoutBackward', false, dx, dweight, dbias, dy, x, null, mean, invstd, weight, bias, params);
}

/**
 * The backward given y, the forward's output for these x, statistics, weight, bias and params: the
 * same dx, dweight and dbias as batchNorm1dReluDropoutBackward, bit for bit, with g's condition read
 * off y (file header), so neither v nor the dropout draws are recomputed. params.seed, stream and
 * offset are checked but not used; bias is not needed.
 */
export function batchNorm1dReluDropoutBackwardWithOutput(
  dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
  dy: FloatArray, x: FloatArray, y: FloatArray, mean: FloatArray, invstd: FloatArray, weight: FloatArray | null,
  params: BatchNorm1dReluDropoutBackwardParams,
): void {
  backward('batchNorm1dReluDropoutBackwardWithOutput', true, dx, dweight, dbias, dy, x, y, mean, invstd, weight, null, params);
}

/** Both backward kernels: `output` — y follows x, there is no bias, and y decides g's condition. */
function backward(
  kernel: string, output: boolean, dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null, dy: FloatArray,
  x: FloatArray, y: FloatArray | null, mean: FloatArray, invstd: FloatArray, weight: FloatArray | null, bias: FloatArray | null,
  params: BatchNorm1dReluDropoutBackwardParams,
): void {
  const a = new KernelArgs(kernel, params);
  const r = readParams(a, false);
  const { N, C, L, nx, nc } = r;
  a.floats('dx', dx, nx);
  a.optionalFloats('dweight', dweight, nc);
  a.optionalFloats('dbias', dbias, nc);
  a.floats('dy', dy, nx);
  a.floats('x', x, nx);
  if (output) a.floats('y', y, nx);
  a.floats('mean', mean, nc);
  a.floats('invstd', invstd, nc);
  a.optionalFloats('weight', weight, nc);
  if (!output) a.optionalFloats('bias', bias, nc);
  a.disjoint({ dx, dweight, dbias }, { dy, x, y, mean, invstd, weight, bias });
  const M = N * L, scale = dropoutScale(r.p);
  for (let c = 0; c < C; c++) {
    const m = mean[c]!, is = invstd[c]!;
    const w = weight ? weight[c]! : 1, b = bias ? bias[c]! : 0;
    const keep = keeper(r);
    let sumG = 0, sumGXhat = 0;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        let pass: boolean;
        if (y) {
          pass = y[o + l]! > 0;
        } else {
          dx[o + l] = (x[o + l]! - m) * is * w + b; // v, rounded as forward rounded it
          pass = keep(o + l) && dx[o + l]! > 0;
        }
        dx[o + l] = pass ? dy[o + l]! * scale : 0; // g, rounded
        const g = dx[o + l]!;
        sumG += g;
        sumGXhat += g * ((x[o + l]! - m) * is);
      }
    }
    if (dweight) dweight[c] = sumGXhat;
    if (dbias) dbias[c] = sumG;
    const k = w * is, meanG = sumG / M, meanGXhat = sumGXhat / M;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        dx[o + l] = r.training ? k * (dx[o + l]! - meanG - (x[o + l]! - m) * is * meanGXhat) : k * dx[o + l]!;
      }
    }
  }
}
