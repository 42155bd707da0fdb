/**
 * F.linear: y = x W^T + b on the selected kernel set, for input (*, in_features); leading dimensions
 * are flattened into the batch. Weight (out_features, in_features) as PyTorch stores it.
 */
import { kernels } from '../backend/index.js';
import { formatShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkTensor, optionalTensor } from './validate.js';
import { ShapeError } from '../errors.js';

/**
 * @internal nn.Sequential's fused Linear → BatchNorm1d blocks: arrays (out) that receive each output
 * feature's mean and biased variance over the rows of y, taken by the GEMM as it writes y
 * (linearForwardStats, src/ref/linear.ts); the result and its gradient are linear's.
 */
export interface LinearStatistics {
  mean: Float64Array;
  variance: Float64Array;
}

/** y = input·weightᵀ + bias for input (*, in) and weight (out, in) (torch.nn.functional.linear); bias (out) optional. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null, statistics: LinearStatistics | null = null): Tensor {
  checkTensor('linear', 'input', input);
  checkTensor('linear', 'weight', weight);
  optionalTensor('linear', 'bias', bias);
  if (weight.ndim !== 2) throw new ShapeError(`linear: expected weight (out_features, in_features), got ${formatShape(weight.shape)}`);
  const [O, I] = weight.shape as [number, number];
  if (input.ndim < 1 || input.shape[input.ndim - 1] !== I) {
    throw new ShapeError(`linear: expected input (*, ${I}) for weight ${formatShape(weight.shape)}, got ${formatShape(input.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new ShapeError(`linear: expected bias (${O}), got ${formatShape(bias.shape)}`);
  const batch = input.numel / I;
  const p = { batch, inFeatures: I, outFeatures: O };
  const x = input.data, w = weight.data;
  const y = emptyFloat32(batch * O);
  if (statistics) kernels.linearForwardStats(y, statistics.mean, statistics.variance, x, w, bias?.data ?? null, p);
  else kernels.linearForward(y, x, w, bias?.data ?? null, p);
  return fromOp('linear', y, [...input.shape.slice(0, -1), O], [input, weight, bias], (dy, needs) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null, db: Float32Array | null = null;
    if (needs[0]) kernels.linearBackwardData((dx = emptyFloat32(x.length)), dy, w, p);
    if (needs[1]) kernels.linearBackwardWeight((dw = emptyFloat32(w.length)), x, dy, p);
    if (needs[2]) kernels.linearBackwardBias((db = emptyFloat32(O)), dy, p);
    return [dx, dw, db];
  });
}
