/**
 * Conv1d reference kernels: the definition the native kernels are tested against. PyTorch's
 * cross-correlation; input (N, C_in, L_in), weight (C_out, C_in/groups, K), output (N, C_out, L_out),
 *
 *   L_out        = floor((L_in + padL + padR - d*(K-1) - 1) / s) + 1
 *   y[n, co, t]  = sum_{ci, j} x[n, g0 + ci, t*s - padL + j*d] * w[co, ci, j]  (+ b[co]),  g0 = group(co) * C_in/groups
 *   dx[n, g0 + ci, u] = sum_{co in group, j, t : t*s - padL + j*d = u} dy[n, co, t] * w[co, ci, j]
 *   dw[co, ci, j] = sum_{n, t} dy[n, co, t] * x[n, g0 + ci, t*s - padL + j*d]
 *   db[co]       = sum_{n, t} dy[n, co, t]
 *
 * Reads of x outside [0, L_in) are the zero padding. Sums run in double in the loop order below
 * (bias added last); native/src/conv1d/f32-conv1d-scalar.cc is a line-by-line port.
 */
import { OptionError, ShapeError } from '../errors.js';
import { type FloatArray, KernelArgs } from './args.js';

/** Shape of one conv1d call. padLeft/padRight are separate so that 'same' padding can be asymmetric. */
export interface Conv1dParams {
  /** N, the batch size. */
  batch: number;
  /** C_in, channels of x. */
  inChannels: number;
  /** L_in, length of x. */
  inLength: number;
  /** C_out, channels of y (and rows of w). */
  outChannels: number;
  /** K, taps of each filter. */
  kernelSize: number;
  /** s, step between output positions (≥ 1). */
  stride: number;
  /** Zeros read before x[…, 0]. */
  padLeft: number;
  /** Zeros read after x[…, L_in − 1]. */
  padRight: number;
  /** d, spacing between taps (≥ 1). */
  dilation: number;
  /** Channel groups; divides C_in and C_out (w is (C_out, C_in/groups, K)). */
  groups: number;
}

/** @internal A checked Conv1dParams with the derived sizes, shared by the conv1d kernels. */
export interface Conv1dShape extends Conv1dParams {
  outLength: number;
  cinG: number;
  coutG: number;
  args: KernelArgs;
}

/** PyTorch's padding argument: zeros on both sides, 'valid' (none) or 'same' (output length = input length). */
export type Conv1dPadding = number | 'same' | 'valid';

/**
 * [padLeft, padRight] for a PyTorch padding spec. 'same' pads d*(K-1) in total, the odd one on the
 * right (as torch.nn.Conv1d does), and, as in PyTorch, is not supported for strided convolutions.
 */
export function conv1dPadding(padding: Conv1dPadding, kernelSize: number, dilation: number, stride: number): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') {
    if (stride !== 1) throw new OptionError(`conv1d: padding='same' is not supported for strided convolutions (stride ${stride})`);
    const total = dilation * (kernelSize - 1);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new OptionError(`conv1d: padding must be a non-negative integer, 'same' or 'valid', got ${JSON.stringify(padding)}`);
  }
  return [padding, padding];
}

/** floor((L_in + padL + padR - d*(K-1) - 1) / s) + 1, or 0 when the kernel does not fit. */
export function conv1dOutLength(p: Conv1dParams): number {
  const span = p.dilation * (p.kernelSize - 1) + 1;
  const padded = p.inLength + p.padLeft + p.padRight;
  return padded < span ? 0 : Math.floor((padded - span) / p.stride) + 1;
}

/** @internal Reads and checks a conv1d params object (shared by the conv1d-epilogue kernels). */
export function conv1dShape(kernel: string, params: unknown): Conv1dShape {
  const a = new KernelArgs(kernel, params);
  const p: Conv1dParams = {
    batch: a.int('batch', 0),
    inChannels: a.int('inChannels', 1),
    inLength: a.int('inLength', 1),
    outChannels: a.int('outChannels', 1),
    kernelSize: a.int('kernelSize', 1),
    stride: a.int('stride', 1),
    padLeft: a.int('padLeft', 0),
    padRight: a.int('padRight', 0),
    dilation: a.int('dilation', 1),
    groups: a.int('groups', 1),
  };
  if (p.inChannels % p.groups !== 0 || p.outChannels % p.groups !== 0) {
    throw new OptionError(
      `${kernel}: params.groups must divide inChannels (${p.inChannels}) and outChannels (${p.outChannels}), got ${p.groups}`,
    );
  }
  const padded = a.limit('inLength+padLeft+padRight', p.inLength + p.padLeft + p.padRight);
  const span = a.limit('dilation*(kernelSize-1)+1', p.dilation * (p.kernelSize - 1) + 1);
  if (padded < span) {
    throw new ShapeError(
      `${kernel}: the padded input (inLength+padLeft+padRight = ${padded}) is shorter than the kernel span (dilation*(kernelSize-1)+1 = ${span})`,
    );
  }
  return { ...p, outLength: conv1dOutLength(p), cinG: p.inChannels / p.groups, coutG: p.outChannels / p.groups, args: a };
}

/** @internal The element counts of x, y, w and bias for a checked shape. */
export function conv1dSizes(s: Conv1dShape) {
  const a = s.args;
  return {
    x: a.size([['batch', s.batch], ['inChannels', s.inChannels], ['inLength', s.inLength]]),
    y: a.size([['batch', s.batch], ['outChannels', s.outChannels], ['outLength', s.outLength]]),
    w: a.size([['outChannels', s.outChannels], ['(inChannels/groups)', s.cinG], ['kernelSize', s.kernelSize]]),
    b: a.size([['outChannels', s.outChannels]]),
  };
}

/** y = conv1d(x, w) + bias; bias may be null. */
export function conv1dForward(y: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, params: Conv1dParams): void {
  const s = conv1dShape('conv1dForward', params);
  const z = conv1dSizes(s);
  s.args.floats('y', y, z.y);
  s.args.floats('x', x, z.x);
  s.args.floats('w', w, z.w);
  s.args.optionalFloats('bias', bias, z.b);
  s.args.disjoint({ y }, { x, w, bias });
  const { batch, inChannels, inLength: L, outChannels, kernelSize: K, stride, padLeft, dilation, outLength: Lout, cinG, coutG } = s;
  for (let n = 0; n < batch; n++) {
    for (let co = 0; co < outChannels; co++) {
      const g0 = Math.floor(co / coutG) * cinG;
      for (let t = 0; t < Lout; t++) {
        let acc = 0;
        for (let ci = 0; ci < cinG; ci++) {
          const xo = (n * inChannels + g0 + ci) * L, wo = (co * cinG + ci) * K;
          for (let j = 0; j < K; j++) {
            const u = t * stride - padLeft + j * dilation;
            if (u >= 0 && u < L) acc += x[xo + u]! * w[wo + j]!;
          }
        }
        if (bias) acc += bias[co]!;
        y[(n * outChannels + co) * Lout + t] = acc;
      }
    }
  }
}

/** dx = gradient of sum(dy * conv1d(x, w)) with respect to x. */
export function conv1dBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, params: Conv1dParams): void {
  const s = conv1dShape('conv1dBackwardData', params);
  const z = conv1dSizes(s);
  s.args.floats('dx', dx, z.x);
  s.args.floats('dy', dy, z.y);
  s.args.floats('w', w, z.w);
  s.args.disjoint({ dx }, { dy, w });
  const { batch, inChannels, inLength: L, outChannels, kernelSize: K, stride, padLeft, dilation, outLength: Lout, cinG, coutG } = s;
  for (let n = 0; n < batch; n++) {
    for (let ciAll = 0; ciAll < inChannels; ciAll++) {
      const g = Math.floor(ciAll / cinG), ci = ciAll - g * cinG;
      for (let u = 0; u < L; u++) {
        let acc = 0;
        for (let co = g * coutG; co < (g + 1) * coutG; co++) {
          const dyo = (n * outChannels + co) * Lout, wo = (co * cinG + ci) * K;
          for (let j = 0; j < K; j++) {
            const num = u + padLeft - j * dilation; // = t * stride
            if (num < 0 || num % stride !== 0) continue;
            const t = num / stride;
            if (t < Lout) acc += dy[dyo + t]! * w[wo + j]!;
          }
        }
        dx[(n * inChannels + ciAll) * L + u] = acc;
      }
    }
  }
}

/** dw = gradient of sum(dy * conv1d(x, w)) with respect to w. */
export function conv1dBackwardWeight(dw: FloatArray, x: FloatArray, dy: FloatArray, params: Conv1dParams): void {
  const s = conv1dShape('conv1dBackwardWeight', params);
  const z = conv1dSizes(s);
  s.args.floats('dw', dw, z.w);
  s.args.floats('x', x, z.x);
  s.args.floats('dy', dy, z.y);
  s.args.disjoint({ dw }, { x, dy });
  const { batch, inChannels, inLength: L, outChannels, kernelSize: K, stride, padLeft, dilation, outLength: Lout, cinG, coutG } = s;
  for (let co = 0; co < outChannels; co++) {
    const g0 = Math.floor(co / coutG) * cinG;
    for (let ci = 0; ci < cinG; ci++) {
      for (let j = 0; j < K; j++) {
        let acc = 0;
        for (let n = 0; n < batch; n++) {
          const dyo = (n * outChannels + co) * Lout, xo = (n * inChannels + g0 + ci) * L;
          for (let t = 0; t < Lout; t++) {
            const u = t * stride - padLeft + j * dilation;
            if (u >= 0 && u < L) acc += dy[dyo + t]! * x[xo + u]!;
          }
        }
        dw[(co * cinG + ci) * K + j] = acc;
      }
    }
  }
}

/** db[co] = sum over n, t of dy[n, co, t]. */
export function conv1dBackwardBias(db: FloatArray, dy: FloatArray, params: Conv1dParams): void {
  const s = conv1dShape('conv1dBackwardBias', params);
  const z = conv1dSizes(s);
  s.args.floats('db', db, z.b);
  s.args.floats('dy', dy, z.y);
  s.args.disjoint({ db }, { dy });
  const { batch, outChannels, outLength: Lout } = s;
  for (let co = 0; co < outChannels; co++) {
    let acc = 0;
    for (let n = 0; n < batch; n++) {
      const dyo = (n * outChannels + co) * Lout;
      for (let t = 0; t < Lout; t++) acc += dy[dyo + t]!;
    }
    db[co] = acc;
  }
}
