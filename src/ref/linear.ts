/**
 * Linear (GEMM with bias) reference kernels, x (N, in), weight (out, in) as PyTorch stores it:
 *   y[n, o]  = sum_i x[n, i] w[o, i] (+ b[o])     y  = x W^T + b
 *   dx[n, i] = sum_o dy[n, o] w[o, i]             dx = dy W
 *   dw[o, i] = sum_n dy[n, o] x[n, i]             dW = dy^T x
 *   db[o]    = sum_n dy[n, o]
 * Sums in double, bias added last; native/src/linear/f32-linear-scalar.cc is the port.
 */
import { type FloatArray, KernelArgs } from './args.js';

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
  const { N, I, O } = s;
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
