/**
 * F.conv1d: PyTorch's conv1d on the selected kernel set. Input (N, C_in, L) or unbatched (C_in, L),
 * weight (C_out, C_in/groups, K), optional bias (C_out). Backward: dx, dW, db from the three
 * backward kernels, each run only when that input requires grad.
 */
import { kernels } from '../backend/index.js';
import { type Conv1dPadding, type Conv1dParams, conv1dOutLength, conv1dPadding } from '../ref/conv1d.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { checkAllocatable, formatShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkOptions, checkTensor, nonNegativeInt, oneOf, optionalTensor, positiveInt } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of F.conv1d (torch.nn.functional.conv1d's keyword arguments). */
export interface Conv1dOptions {
  /** Step between output positions. Default 1. */
  stride?: number;
  /** Zero padding on both sides, 'same' or 'valid'. Default 0. */
  padding?: Conv1dPadding;
  /** Spacing between kernel taps. Default 1. */
  dilation?: number;
  /** Blocked connections from input to output channels. Default 1. */
  groups?: number;
}

/**
 * @internal nn.Sequential's fused blocks: work done on the convolution's output while the kernel
 * writes it (src/ref/conv1d-epilogue.ts).
 * - stats: also the per-channel mean and biased variance of the output (conv1dForwardStats), written
 *   into the given (C_out) arrays; the result and its gradient are conv1d's.
 * - relu: the output is max(conv, 0) (conv1dReluForward); no graph may be recorded.
 */
export type Conv1dEpilogue = { kind: 'stats'; mean: Float64Array; variance: Float64Array } | { kind: 'relu' };

/** Largest numeric padding: the kernels index padded positions with 32-bit integers. */
const MAX_PADDING = 2 ** 31 - 1;

/** F.conv1d's options with their defaults, each checked (a typo or a bad value is an OptionError). */
function checkConv1dOptions(options: Conv1dOptions | undefined): Required<Conv1dOptions> {
  const o = checkOptions('conv1d', options, ['stride', 'padding', 'dilation', 'groups']);
  let padding = o.padding ?? 0;
  if (typeof padding === 'string') padding = oneOf('conv1d', 'padding', padding, ['same', 'valid'] as const);
  else if (nonNegativeInt('conv1d', 'padding', padding) > MAX_PADDING) {
    throw new OptionError(`conv1d: padding must be an integer in [0, 2^31 - 1], 'same' or 'valid', got ${padding}`);
  }
  return {
    stride: positiveInt('conv1d', 'stride', o.stride ?? 1),
    padding,
    dilation: positiveInt('conv1d', 'dilation', o.dilation ?? 1),
    groups: positiveInt('conv1d', 'groups', o.groups ?? 1),
  };
}

/**
 * 1-D cross-correlation (torch.nn.functional.conv1d): input (N, C_in, L) or (C_in, L), weight
 * (C_out, C_in/groups, K), optional bias (C_out); output length floor((L + 2p − d(K − 1) − 1)/s) + 1.
 */
export function conv1d(
  input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}, epilogue: Conv1dEpilogue | null = null,
): Tensor {
  checkTensor('conv1d', 'input', input);
  checkTensor('conv1d', 'weight', weight);
  optionalTensor('conv1d', 'bias', bias);
  const { stride, padding, dilation, groups } = checkConv1dOptions(options);
  if (input.ndim === 2) {
    const y = conv1d(input.reshape(1, ...input.shape), weight, bias, options, epilogue);
    return y.reshape(...y.shape.slice(1));
  }
  if (input.ndim !== 3) throw new ShapeError(`conv1d: expected input (N, C_in, L) or (C_in, L), got ${formatShape(input.shape)}`);
  if (weight.ndim !== 3) throw new ShapeError(`conv1d: expected weight (C_out, C_in/groups, K), got ${formatShape(weight.shape)}`);
  const [N, Cin, L] = input.shape as [number, number, number];
  const [Cout, CinG, K] = weight.shape as [number, number, number];
  if (CinG * groups !== Cin) {
    throw new ShapeError(`conv1d: weight ${formatShape(weight.shape)} with groups=${groups} expects ${CinG * groups} input channels, got input ${formatShape(input.shape)}`);
  }
  if (Cout % groups !== 0) {
    throw new ShapeError(`conv1d: weight ${formatShape(weight.shape)} has ${Cout} output channels, which groups=${groups} does not divide`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout)) {
    throw new ShapeError(`conv1d: expected bias (${Cout}), got ${formatShape(bias.shape)}`);
  }
  const [padLeft, padRight] = conv1dPadding(padding, K, dilation, stride);
  const p: Conv1dParams = { batch: N, inChannels: Cin, inLength: L, outChannels: Cout, kernelSize: K, stride, padLeft, padRight, dilation, groups };
  const Lout = conv1dOutLength(p);
  checkAllocatable('conv1d', [N, Cout, Lout]);
  const y = emptyFloat32(N * Cout * Lout);
  if (epilogue?.kind === 'stats') {
    kernels.conv1dForwardStats(y, epilogue.mean, epilogue.variance, input.data, weight.data, bias?.data ?? null, p);
  } else if (epilogue?.kind === 'relu') {
    if (isGradEnabled() && [input, weight, bias].some((t) => t?.requiresGrad)) {
      throw new Error('conv1d: the relu epilogue has no backward; it is for graphs that are not recorded');
    }
    kernels.conv1dReluForward(y, input.data, weight.data, bias?.data ?? null, p);
  } else {
    kernels.conv1dForward(y, input.data, weight.data, bias?.data ?? null, p);
  }
  const x = input.data, w = weight.data;
  return fromOp('conv1d', y, [N, Cout, Lout], [input, weight, bias], (dy, needs) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null, db: Float32Array | null = null;
    if (needs[0]) kernels.conv1dBackwardData((dx = emptyFloat32(x.length)), dy, w, p);
    if (needs[1]) kernels.conv1dBackwardWeight((dw = emptyFloat32(w.length)), x, dy, p);
    if (needs[2]) kernels.conv1dBackwardBias((db = emptyFloat32(Cout)), dy, p);
    return [dx, dw, db];
  });
}
