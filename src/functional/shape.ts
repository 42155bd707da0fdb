/**
 * Shape ops as functions (Tensor has the same methods; these delegate). Tensors are contiguous, so
 * both share the data and the gradient flows back unchanged:
 *
 *   flatten(x, startDim, endDim): dimensions startDim..endDim (negative counting from the end) merged
 *     into one; a 0-d tensor becomes (1), as in PyTorch.
 *   reshape(x, shape): the same elements under `shape`; one dimension may be −1 (inferred).
 */
import type { Tensor } from '../tensor/tensor.js';
import { checkTensor, show } from './validate.js';
import { OptionError } from '../errors.js';

/** Merges dimensions startDim..endDim into one (PyTorch's defaults: 0, −1). */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'input', input);
  return input.flatten(startDim, endDim);
}

/** The same data under a new shape; one dimension may be −1. */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'input', input);
  if (!Array.isArray(shape)) throw new OptionError(`reshape: shape must be an array of integers, got ${show(shape)}`);
  return input.reshape(...shape);
}
