/**
 * Conv1d forward with an epilogue on its output, reference kernels (native: conv1d-stats-simd.h for
 * AVX2/AVX-512, a per-sample twin for scalar and NEON). y is exactly conv1dForward's.
 *
 * conv1dForwardStats: y = conv1d(x, w) + bias and, per output channel c over its M = N·L_out values,
 *   the BatchNorm batch statistics mean[c] and biased variance[c] (Float64Array). Per row (n, c):
 *     row_mean = (1/T) Σ_t y,   row_m2 = Σ_t (y − row_mean)²                      (T = L_out, two passes)
 *   merged over n = 0, 1, … with Chan et al.'s parallel formula (a = n·T values merged, b = T):
 *     δ = row_mean − mean,   mean += δ·b/(a + b),   m2 += row_m2 + δ²·a·b/(a + b)
 *   and variance = m2 / M (0 and 0 when M = 0). Never E[y²] − E[y]².
 *   The statistics equal batchNorm1dTrainForward's two-pass ones up to double rounding (≈ 1e-16
 *   relative). The SIMD variants (native/src/conv1d/conv1d-stats-simd.h) take a row's moments about
 *   a float centre in float lanes (flushed to double every 64 vectors, corrected exactly for the
 *   centre) and merge rows within up to 32 sample ranges, then the ranges: ≈ 1e-7 of the row's scale
 *   (tolerances in test/conv1d-epilogue.parity.test.ts).
 * conv1dReluForward: y = max(conv1d(x, w) + bias, 0) as reluForward (v < 0 ? 0 : v; NaN propagates):
 *   the eval Conv1d → BatchNorm1d → ReLU block once BatchNorm is folded into w and bias.
 * Checks as conv1dForward; mean/variance must be Float64Array of outChannels values and no output may
 * overlap another argument.
 */
import { type FloatArray, KernelArgs } from './args.js';
import { type Conv1dParams, conv1dForward, conv1dShape, conv1dSizes } from './conv1d.js';

/** y = conv1d(x, w) + bias, plus each output channel's mean and biased variance over (N, L_out) in float64 (Chan's merge, never E[y²] − E[y]²): the statistics BatchNorm needs, taken as y is written. */
export function conv1dForwardStats(
  y: FloatArray, mean: Float64Array, variance: Float64Array, x: FloatArray, w: FloatArray, bias: FloatArray | null, params: Conv1dParams,
): void {
  const s = conv1dShape('conv1dForwardStats', params);
  const z = conv1dSizes(s), a: KernelArgs = s.args;
  a.floats('y', y, z.y);
  a.doubles('mean', mean, z.b);
  a.doubles('variance', variance, z.b);
  a.floats('x', x, z.x);
  a.floats('w', w, z.w);
  a.optionalFloats('bias', bias, z.b);
  a.disjoint({ y, mean, variance }, { x, w, bias });
  conv1dForward(y, x, w, bias, params);
  const { batch: N, outChannels: C, outLength: T } = s;
  for (let c = 0; c < C; c++) {
    let m = 0, m2 = 0;
    for (let n = 0; n < N && T > 0; n++) {
      const o = (n * C + c) * T;
      let sum = 0;
      for (let t = 0; t < T; t++) sum += y[o + t]!;
      const rowMean = sum / T;
      let q = 0;
      for (let t = 0; t < T; t++) {
        const d = y[o + t]! - rowMean;
        q += d * d;
      }
      if (n === 0) {
        m = rowMean;
        m2 = q;
      } else {
        const na = n * T, nb = T, delta = rowMean - m; // weights b/(a+b), a·b/(a+b) as native chan_step
        m += delta * (nb / (na + nb));
        m2 += q + delta * delta * ((na * nb) / (na + nb));
      }
    }
    const M = N * T;
    mean[c] = M === 0 ? 0 : m;
    variance[c] = M === 0 ? 0 : m2 / M;
  }
}

/** y = max(conv1d(x, w) + bias, 0), NaN kept: the eval Conv1d → BatchNorm1d → ReLU block with BatchNorm folded into w and bias. */
export function conv1dReluForward(y: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, params: Conv1dParams): void {
  const s = conv1dShape('conv1dReluForward', params);
  const z = conv1dSizes(s), a = s.args;
  a.floats('y', y, z.y);
  a.floats('x', x, z.x);
  a.floats('w', w, z.w);
  a.optionalFloats('bias', bias, z.b);
  a.disjoint({ y }, { x, w, bias });
  conv1dForward(y, x, w, bias, params);
  for (let i = 0; i < y.length; i++) y[i] = y[i]! < 0 ? 0 : y[i]!;
}
