/**
 * Linear (GEMM with bias) reference kernels, x (N, in), weight (out, in) as PyTorch stores it:
 *   y[n, o]  = sum_i x[n, i] w[o, i] (+ b[o])     y  = x W^T + b
 *   dx[n, i] = sum_o dy[n, o] w[o, i]             dx = dy W
 *   dw[o, i] = sum_n dy[n, o] x[n, i]             dW = dy^T x
 *   db[o]    = sum_n dy[n, o]
 * Sums in double, bias added last; native/src/linear/f32-linear-scalar.cc is the port.
 *
 * linearForwardStats: y as linearForward and, per output feature o (a channel of the BatchNorm1d
 * after the Linear), BatchNorm's batch statistics of y over the N rows in float64 — exactly
 * channelStatistics' two-pass numbers (mean = Σ y / N, variance = Σ (y − mean)² / N, the biased one;
 * 0 and 0 when N = 0) — so batchNorm1dReluDropoutForwardWithStats given them computes what
 * batchNorm1dReluDropoutForward computes. Natively the task that writes a column panel takes its
 * statistics while the panel is in cache (native/src/linear/linear-stats.h).
 */
import { type FloatArray, KernelArgs } from './args.js';
import { channelStatistics } from './batchnorm1d.js';

/** Shape of one linear call: x (batch, inFeatures), w (outFeatures, inFeatures), y (batch, outFeatures). */
export interface LinearParams {
  /** Rows of x and y. */
  batch: number;
  /** Columns of x and of w. */
  inFeatures: number;
  /** Columns of y, rows of w (and the length of bias). */
  outFeatures: number;
}

function shape(kernel: string, params: unknown) {
  const a = new KernelArgs(kernel, params);
  const N = a.int('batch', 0), I = a.int('inFeatures', 1), O = a.int('outFeatures', 1);
  return {
    a, N, I, O,
    x: a.size([['batch', N], ['inFeatures', I]]),
    y: a.size([['batch', N], ['outFeatures', O]]),
    w: a.size([['outFeatures', O], ['inFeatures', I]]),
    b: a.size([['outFeatures', O]]),
  };
}

/** y = x·Wᵀ + b (bias may be null), summed in double. */
export function linearForward(y: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, params: LinearParams): void {
  const s = shape('linearForward', params);
  s.a.floats('y', y, s.y);
  s.a.floats('x', x, s.x);
  s.a.floats('w', w, s.w);
  s.a.optionalFloats('bias', bias, s.b);
  s.a.disjoint({ y }, { x, w, bias });
  gemmForward(y, x, w, bias, s);
}

/** linearForward plus each output feature's float64 mean and biased variance over the batch: the statistics BatchNorm needs, taken as y is written. */
export function linearForwardStats(
  y: FloatArray, mean: Float64Array, variance: Float64Array, x: FloatArray, w: FloatArray, bias: FloatArray | null, params: LinearParams,
): void {
  const s = shape('linearForwardStats', params);
  s.a.floats('y', y, s.y);
  s.a.doubles('mean', mean, s.b);
  s.a.doubles('variance', variance, s.b);
  s.a.floats('x', x, s.x);
  s.a.floats('w', w, s.w);
  s.a.optionalFloats('bias', bias, s.b);
  s.a.disjoint({ y, mean, variance }, { x, w, bias });
  gemmForward(y, x, w, bias, s);
  for (let o = 0; o < s.O; o++) {
    const st = s.N === 0 ? { mean: 0, variance: 0 } : channelStatistics(y, s.N, s.O, 1, o);
    mean[o] = st.mean;
    variance[o] = st.variance;
  }
}

function gemmForward(y: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, { N, I, O }: { N: number; I: number; O: number }): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let acc = 0;
      for (let i = 0; i < I; i++) acc += x[n * I + i]! * w[o * I + i]!;
      if (bias) acc += bias[o]!;
      y[n * O + o] = acc;
    }
  }
}

/** dx = dy·W. */
export function linearBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, params: LinearParams): void {
  const s = shape('linearBackwardData', params);
  s.a.floats('dx', dx, s.x);
  s.a.floats('dy', dy, s.y);
  s.a.floats('w', w, s.w);
  s.a.disjoint({ dx }, { dy, w });
  const { N, I, O } = s;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let o = 0; o < O; o++) acc += dy[n * O + o]! * w[o * I + i]!;
      dx[n * I + i] = acc;
    }
  }
}

/** dW = dyᵀ·x, summed in double (dw is overwritten). */
export function linearBackwardWeight(dw: FloatArray, x: FloatArray, dy: FloatArray, params: LinearParams): void {
  const s = shape('linearBackwardWeight', params);
  s.a.floats('dw', dw, s.w);
  s.a.floats('x', x, s.x);
  s.a.floats('dy', dy, s.y);
  s.a.disjoint({ dw }, { x, dy });
  const { N, I, O } = s;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let n = 0; n < N; n++) acc += dy[n * O + o]! * x[n * I + i]!;
      dw[o * I + i] = acc;
    }
  }
}

/** db[o] = Σ_n dy[n, o]. */
export function linearBackwardBias(db: FloatArray, dy: FloatArray, params: LinearParams): void {
  const s = shape('linearBackwardBias', params);
  s.a.floats('db', db, s.b);
  s.a.floats('dy', dy, s.y);
  s.a.disjoint({ db }, { dy });
  const { N, O } = s;
  for (let o = 0; o < O; o++) {
    let acc = 0;
    for (let n = 0; n < N; n++) acc += dy[n * O + o]!;
    db[o] = acc;
  }
}
