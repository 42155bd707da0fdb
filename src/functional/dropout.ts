/**
 * F.dropout and F.dropout1d: inverted dropout on the selected kernel set. In training, each call
 * takes a fresh Philox stream from the global generator (manualSeed), zeroes elements (or whole
 * channels) with probability p and scales survivors by 1/(1 - p); backward regenerates the same mask
 * from (seed, stream) instead of storing it. In eval, or with p = 0, the input is returned as is.
 */
import { kernels } from '../backend/index.js';
import { takeStream } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { boolean, checkTensor } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

export function checkDropoutP(where: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new OptionError(`${where}: dropout probability has to be between 0 and 1, but got ${p}`);
  }
  return p;
}

/** Inverted dropout (torch.nn.functional.dropout): in training, zeroes each element with probability p (default 0.5) and scales the rest by 1/(1 − p); the identity when not training or p = 0. */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout', 'input', input);
  checkDropoutP('dropout', p);
  boolean('dropout', 'training', training);
  if (!training || p === 0) return input;
  const params = { count: input.numel, p, offset: 0, ...takeStream() };
  const y = emptyFloat32(input.numel);
  kernels.dropoutForward(y, input.data, params);
  return fromOp('dropout', y, input.shape, [input], (dy) => {
    const dx = emptyFloat32(dy.length);
    kernels.dropoutBackward(dx, dy, params);
    return [dx];
  });
}

/** Zeroes whole channels of (N, C, L) or (C, L) input. */
export function dropout1d(input: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout1d', 'input', input);
  checkDropoutP('dropout1d', p);
  boolean('dropout1d', 'training', training);
  if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`dropout1d: expected input (N, C, L) or (C, L), got ${formatShape(input.shape)}`);
  if (!training || p === 0) return input;
  const [batch, channels, length] = input.ndim === 3 ? (input.shape as [number, number, number]) : [1, input.shape[0]!, input.shape[1]!];
  const params = { batch, channels, length, p, offset: 0, ...takeStream() };
  const y = emptyFloat32(input.numel);
  kernels.dropout1dForward(y, input.data, params);
  return fromOp('dropout1d', y, input.shape, [input], (dy) => {
    const dx = emptyFloat32(dy.length);
    kernels.dropout1dBackward(dx, dy, params);
    return [dx];
  });
}
