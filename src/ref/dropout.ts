/**
 * Dropout and Dropout1d reference kernels. The mask rule (Philox draws, threshold, scale) is
 * specified in ./philox.ts. Row r (r = 0..rows-1) is one element for dropout and one whole (n, c)
 * channel of `length` elements for dropout1d; with keep_r = draw(offset + r) >= floor(p * 2^32):
 *
 *   mask:     m_r = keep_r ? 1 : 0
 *   forward:  y   = keep ? x  * float32(1/(1-p)) : 0
 *   backward: dx  = keep ? dy * float32(1/(1-p)) : 0     (the mask is regenerated, never stored)
 *
 * native/src/dropout/f32-dropout-scalar.cc is the port.
 */
import { type FloatArray, KernelArgs, sameView, type Size } from './args.js';
import { dropoutScale, dropoutThreshold, PhiloxDraws } from './philox.js';

/** Randomness of one dropout call; see ./philox.ts. */
export interface DropoutRandomness {
  /** Drop probability in [0, 1]. */
  p: number;
  /** Philox key, an integer in [0, 2^53 - 1]. */
  seed: number;
  /** Philox stream: one per (layer, step), an integer in [0, 2^53 - 1]. */
  stream: number;
  /** Index of this call's first draw in the stream. */
  offset: number;
}

/** Size and randomness of an elementwise dropout kernel call: one keep/drop draw per element. */
export interface DropoutParams extends DropoutRandomness {
  /** Number of elements. */
  count: number;
}

/** Shape and randomness of a Dropout1d kernel call over x (N, C, L): one keep/drop draw per (n, c). */
export interface Dropout1dParams extends DropoutRandomness {
  /** N, the batch size. */
  batch: number;
  /** C, the channels (one draw each per sample). */
  channels: number;
  /** L, elements per channel that share the draw. */
  length: number;
}

interface Rows {
  args: KernelArgs;
  rows: number;
  length: number;
  mask: Size;
  data: Size;
  random: DropoutRandomness;
}

function randomness(a: KernelArgs, rows: number): DropoutRandomness {
  const r = { p: a.number('p', 0, 1), seed: a.int('seed', 0), stream: a.int('stream', 0), offset: a.int('offset', 0) };
  a.limit('offset+rows', r.offset + rows);
  return r;
}

function dropoutRows(kernel: string, params: unknown): Rows {
  const a = new KernelArgs(kernel, params);
  const count = a.int('count', 0);
  const size = a.size([['count', count]]);
  return { args: a, rows: count, length: 1, mask: size, data: size, random: randomness(a, count) };
}

function dropout1dRows(kernel: string, params: unknown): Rows {
  const a = new KernelArgs(kernel, params);
  const batch = a.int('batch', 0), channels = a.int('channels', 1), length = a.int('length', 1);
  const mask = a.size([['batch', batch], ['channels', channels]]);
  const data = a.size([['batch', batch], ['channels', channels], ['length', length]]);
  return { args: a, rows: mask.value, length, mask, data, random: randomness(a, mask.value) };
}

function fillMask(mask: Uint8Array, r: Rows): void {
  const { p, seed, stream, offset } = r.random;
  const threshold = dropoutThreshold(p), draws = new PhiloxDraws(seed, stream);
  for (let i = 0; i < r.rows; i++) mask[i] = draws.draw(offset + i) >= threshold ? 1 : 0;
}

/** out = keep ? in * scale : 0, row by row; shared by forward and backward. */
function applyMask(out: FloatArray, input: FloatArray, r: Rows): void {
  const { p, seed, stream, offset } = r.random;
  const threshold = dropoutThreshold(p), scale = dropoutScale(p), draws = new PhiloxDraws(seed, stream);
  const L = r.length;
  for (let i = 0; i < r.rows; i++) {
    const keep = draws.draw(offset + i) >= threshold;
    for (let l = 0; l < L; l++) out[i * L + l] = keep ? input[i * L + l]! * scale : 0; // one rounding: the float32 product
  }
}

function maskKernel(kernel: string, rows: (k: string, p: unknown) => Rows) {
  return (mask: Uint8Array, params: unknown): void => {
    const r = rows(kernel, params);
    r.args.bytes('mask', mask, r.mask);
    fillMask(mask, r);
  };
}

function applyKernel(kernel: string, rows: (k: string, p: unknown) => Rows, outName: string, inName: string) {
  return (out: FloatArray, input: FloatArray, params: unknown): void => {
    const r = rows(kernel, params);
    r.args.floats(outName, out, r.data);
    r.args.floats(inName, input, r.data);
    // In place (the same view) is fine; any other overlap would read results already written.
    r.args.disjoint({ [outName]: out }, { [inName]: sameView(out, input) ? null : input });
    applyMask(out, input, r);
  };
}

/** mask[i] = 1 if element i is kept, else 0. */
export const dropoutMask: (mask: Uint8Array, params: DropoutParams) => void = maskKernel('dropoutMask', dropoutRows);
/** y = mask ? x * scale : 0. y may be x (in place). */
export const dropoutForward: (y: FloatArray, x: FloatArray, params: DropoutParams) => void =
  applyKernel('dropoutForward', dropoutRows, 'y', 'x');
/** dx = mask ? dy * scale : 0 with the forward call's params; dx may be dy. */
export const dropoutBackward: (dx: FloatArray, dy: FloatArray, params: DropoutParams) => void =
  applyKernel('dropoutBackward', dropoutRows, 'dx', 'dy');
/** mask[n*C + c] = 1 if channel (n, c) is kept. */
export const dropout1dMask: (mask: Uint8Array, params: Dropout1dParams) => void = maskKernel('dropout1dMask', dropout1dRows);
/** Whole channels of x (N, C, L) zeroed or scaled. */
export const dropout1dForward: (y: FloatArray, x: FloatArray, params: Dropout1dParams) => void =
  applyKernel('dropout1dForward', dropout1dRows, 'y', 'x');
/** dx = dy·scale on kept channels, 0 on dropped ones, with the forward call's params; dx may be dy. */
export const dropout1dBackward: (dx: FloatArray, dy: FloatArray, params: Dropout1dParams) => void =
  applyKernel('dropout1dBackward', dropout1dRows, 'dx', 'dy');
