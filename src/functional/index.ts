/**
 * The functional API (`import { F } from 'keel'`): stateless ops on Tensors with autograd, PyTorch's
 * torch.nn.functional (and the torch.* math that losses and regularisers need) with names and
 * arguments in camelCase. Required arguments are positional; PyTorch's optional and keyword
 * arguments are an options object whose fields carry PyTorch's defaults.
 *
 * Kernel-backed (native or JS reference kernels): conv1d, batchNorm1d, dropout, dropout1d, relu,
 * linear, matmul. Plain TypeScript: everything else.
 *
 * @module
 */
export { conv1d, type Conv1dOptions } from './conv1d.js';
export type { Conv1dPadding } from '../ref/conv1d.js';
export { batchNorm1d, type BatchNorm1dFunctionalOptions } from './batchnorm1d.js';
export { dropout, dropout1d } from './dropout.js';
export { relu } from './relu.js';
export { linear } from './linear.js';
export { batchNorm1dReluDropout, type BatchNorm1dReluDropoutOptions } from './conv-block.js';

export { add, sub, mul, div, neg, pow, square, abs, exp, log, sqrt, sum, mean, type AddOptions, type Dims, type Operand, type ReduceOptions } from './arithmetic.js';
export { broadcastShapes } from './broadcast.js';
export { leakyRelu, gelu, sigmoid, tanh, type GeluApproximate, type GeluOptions } from './activation.js';
export { layerNorm, type LayerNormOptions } from './layernorm.js';
export { maxPool1d, avgPool1d, adaptiveAvgPool1d, pool1dOutLength, type AvgPool1dOptions, type MaxPool1dOptions } from './pooling.js';
export { flatten, reshape } from './shape.js';
export { softmax, logSoftmax } from './softmax.js';
export { permute, transpose } from './permute.js';
export { cat, stack } from './join.js';
export { indexSelect, narrow, slice, type IndexLike } from './indexing.js';
export { argmax, argmin, max, min, type ExtremeOptions, type ValuesIndices } from './extremes.js';
export { eq, ne, lt, le, gt, ge, where } from './compare.js';
export { clamp, type ClampOptions } from './clamp.js';
export { matmul } from './matmul.js';
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyWithLogitsOptions,
  type ClassTarget,
  type CrossEntropyOptions,
  type HuberLossOptions,
  type LossOptions,
  type Reduction,
  type SmoothL1LossOptions,
} from './loss.js';
