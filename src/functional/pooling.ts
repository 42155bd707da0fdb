/**
 * 1-D pooling over the last dimension of (N, C, L) or unbatched (C, L) input, as PyTorch's
 * max_pool1d, avg_pool1d and adaptive_avg_pool1d. Window o covers input positions
 * start + j·dilation, j = 0…K−1, start = o·stride − padding.
 *
 * Output length (PyTorch's pooling_output_shape):
 *
 *   L_out = floor((L + 2p − d(K−1) − 1 + (ceilMode ? s − 1 : 0)) / s) + 1,
 *   and with ceilMode, L_out − 1 more if the last window would start at or past L + p (every window
 *   must start inside the input or the left padding).
 *
 * padding must be at most K/2 (floor), and L_out must be at least 1.
 *
 * maxPool1d: padding is −inf; y = max over the in-range taps, scanned left to right, taking a value
 *   when it is greater than the current maximum or NaN (so the first maximum wins ties and NaN
 *   propagates), starting from −inf at the first in-range tap. dx[argmax] += g.
 * avgPool1d (dilation 1): y = Σ_window x / D, with the window clipped to [−p, L + p) giving
 *   D = its size when countIncludePad, else the number of in-range taps. dx[i] += g/D for each
 *   in-range i of the window.
 * adaptiveAvgPool1d: window o is [floor(o·L/out), ceil((o+1)·L/out)); y = its mean; dx += g/size.
 */
import { formatShape } from '../tensor/shape.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { boolean, checkOptions, checkTensor, nonNegativeInt, positiveInt } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of maxPool1d (F.max_pool1d's optional arguments, camelCase). */
export interface MaxPool1dOptions {
  /** Step between windows; null means kernelSize. Default kernelSize. */
  stride?: number | null;
  /** Implicit −inf padding on both sides, at most kernelSize/2. Default 0. */
  padding?: number;
  /** Spacing between the taps of a window. Default 1. */
  dilation?: number;
  /** Round the output length up instead of down (the last window may then hang over the end). Default false. */
  ceilMode?: boolean;
}

/** Options of avgPool1d (F.avg_pool1d's optional arguments, camelCase). */
export interface AvgPool1dOptions {
  /** Step between windows; null means kernelSize. Default kernelSize. */
  stride?: number | null;
  /** Implicit zero padding on both sides, at most kernelSize/2. Default 0. */
  padding?: number;
  /** Round the output length up instead of down. Default false. */
  ceilMode?: boolean;
  /** Count the padding in each window's divisor. Default true. */
  countIncludePad?: boolean;
}

/** PyTorch's pooling output length (see the header); may be ≤ 0 for too-short inputs. */
export function pool1dOutLength(length: number, kernelSize: number, stride: number, padding: number, dilation: number, ceilMode: boolean): number {
  const num = length + 2 * padding - dilation * (kernelSize - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceilMode && (out - 1) * stride >= length + padding) out--;
  return out;
}

interface Geometry {
  batch: number;
  channels: number;
  length: number;
  /** Output shape for a given output length. */
  outShape(lout: number): number[];
}

function geometry(op: string, input: Tensor): Geometry {
  checkTensor(op, 'input', input);
  if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`${op}: expected input (N, C, L) or (C, L), got ${formatShape(input.shape)}`);
  const batched = input.ndim === 3;
  const [batch, channels, length] = batched ? (input.shape as [number, number, number]) : [1, input.shape[0]!, input.shape[1]!];
  if (channels === 0 || length === 0) {
    throw new ShapeError(`${op}: expected input with non-zero channels and length, got ${formatShape(input.shape)}`);
  }
  return { batch, channels, length, outShape: (lout) => (batched ? [batch, channels, lout] : [channels, lout]) };
}

function windowParams(op: string, kernelSize: number, options: { stride?: number | null; padding?: number; ceilMode?: boolean }) {
  const k = positiveInt(op, 'kernelSize', kernelSize);
  const stride = options.stride === undefined || options.stride === null ? k : positiveInt(op, 'stride', options.stride);
  const padding = nonNegativeInt(op, 'padding', options.padding ?? 0);
  const ceilMode = boolean(op, 'ceilMode', options.ceilMode ?? false);
  if (padding > Math.floor(k / 2)) {
    throw new OptionError(`${op}: padding should be at most half of kernelSize, but got padding=${padding} and kernelSize=${k}`);
  }
  return { k, stride, padding, ceilMode };
}

function outLength(op: string, input: Tensor, L: number, k: number, stride: number, padding: number, dilation: number, ceilMode: boolean): number {
  const lout = pool1dOutLength(L, k, stride, padding, dilation, ceilMode);
  if (lout < 1) {
    throw new ShapeError(
      `${op}: input ${formatShape(input.shape)} with kernelSize=${k}, stride=${stride}, padding=${padding}, dilation=${dilation}, ceilMode=${ceilMode} ` +
        `gives output length ${lout}; output size is too small`,
    );
  }
  return lout;
}

/** Max over sliding windows of the last dimension (−inf padding; the gradient goes to the first maximum). */
export function maxPool1d(input: Tensor, kernelSize: number, options: MaxPool1dOptions = {}): Tensor {
  const op = 'maxPool1d';
  const geo = geometry(op, input);
  const opts = checkOptions(op, options, ['stride', 'padding', 'dilation', 'ceilMode']);
  const { k, stride, padding, ceilMode } = windowParams(op, kernelSize, opts);
  const dilation = positiveInt(op, 'dilation', opts.dilation ?? 1);
  const L = geo.length;
  const lout = outLength(op, input, L, k, stride, padding, dilation, ceilMode);
  const rows = geo.batch * geo.channels;
  const x = input.data;
  const y = new Float32Array(rows * lout);
  const argmax = new Int32Array(rows * lout);
  for (let r = 0; r < rows; r++) {
    const xo = r * L, yo = r * lout;
    for (let o = 0; o < lout; o++) {
      let i0 = o * stride - padding;
      const i1 = Math.min(i0 + (k - 1) * dilation + 1, L);
      while (i0 < 0) i0 += dilation;
      let best = -Infinity, at = i0;
      for (let i = i0; i < i1; i += dilation) {
        const v = x[xo + i]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          at = i;
        }
      }
      y[yo + o] = best;
      argmax[yo + o] = at;
    }
  }
  return fromOp(op, y, geo.outShape(lout), [input], (g) => {
    const dx = new Float32Array(x.length);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < lout; o++) {
        const at = argmax[r * lout + o]!;
        if (at < L) dx[r * L + at]! += g[r * lout + o]!;
      }
    }
    return [dx];
  });
}

/** Mean over sliding windows of the last dimension (zero padding, counted or not). */
export function avgPool1d(input: Tensor, kernelSize: number, options: AvgPool1dOptions = {}): Tensor {
  const op = 'avgPool1d';
  const geo = geometry(op, input);
  const opts = checkOptions(op, options, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  const { k, stride, padding, ceilMode } = windowParams(op, kernelSize, opts);
  const countIncludePad = boolean(op, 'countIncludePad', opts.countIncludePad ?? true);
  const L = geo.length;
  const lout = outLength(op, input, L, k, stride, padding, 1, ceilMode);
  // Per output position: the in-range window [lo, hi) and its divisor (the same for every row).
  const lo = new Int32Array(lout), hi = new Int32Array(lout), div = new Float64Array(lout);
  for (let o = 0; o < lout; o++) {
    const s = o * stride - padding;
    const e = Math.min(s + k, L + padding);
    const a = Math.max(s, 0), b = Math.min(e, L);
    lo[o] = a;
    hi[o] = b;
    div[o] = countIncludePad ? e - s : b - a;
  }
  const rows = geo.batch * geo.channels;
  const x = input.data;
  const y = new Float32Array(rows * lout);
  for (let r = 0; r < rows; r++) {
    const xo = r * L;
    for (let o = 0; o < lout; o++) {
      if (lo[o]! >= hi[o]!) continue; // a window entirely in the padding averages to 0
      let s = 0;
      for (let i = lo[o]!; i < hi[o]!; i++) s += x[xo + i]!;
      y[r * lout + o] = s / div[o]!;
    }
  }
  return fromOp(op, y, geo.outShape(lout), [input], (g) => {
    const dx = new Float64Array(x.length);
    for (let r = 0; r < rows; r++) {
      const xo = r * L;
      for (let o = 0; o < lout; o++) {
        const v = g[r * lout + o]! / div[o]!;
        for (let i = lo[o]!; i < hi[o]!; i++) dx[xo + i]! += v;
      }
    }
    return [Float32Array.from(dx)];
  });
}

/** Mean over `outputSize` windows that tile the last dimension (PyTorch's adaptive windows). */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number): Tensor {
  const op = 'adaptiveAvgPool1d';
  const geo = geometry(op, input);
  const out = nonNegativeInt(op, 'outputSize', outputSize);
  const L = geo.length;
  const lo = new Int32Array(out), hi = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    lo[o] = Math.floor((o * L) / out);
    hi[o] = Math.ceil(((o + 1) * L) / out);
  }
  const rows = geo.batch * geo.channels;
  const x = input.data;
  const y = new Float32Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xo = r * L;
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = lo[o]!; i < hi[o]!; i++) s += x[xo + i]!;
      y[r * out + o] = s / (hi[o]! - lo[o]!);
    }
  }
  return fromOp(op, y, geo.outShape(out), [input], (g) => {
    const dx = new Float64Array(x.length);
    for (let r = 0; r < rows; r++) {
      const xo = r * L;
      for (let o = 0; o < out; o++) {
        const v = g[r * out + o]! / (hi[o]! - lo[o]!);
        for (let i = lo[o]!; i < hi[o]!; i++) dx[xo + i]! += v;
      }
    }
    return [Float32Array.from(dx)];
  });
}
