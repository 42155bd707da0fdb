/**
 * The kernel set: the functions every layer calls, implemented twice — by the plain-JS reference
 * (src/ref) and by the native addon (native/) — with the same names, argument order (outputs,
 * inputs, params), checks and error messages. One set is chosen at load (./loader.ts); layers never
 * branch on the backend.
 */
import type { BatchNorm1dBackwardParams, BatchNorm1dEvalParams, BatchNorm1dParams } from '../ref/batchnorm1d.js';
import type { Conv1dParams } from '../ref/conv1d.js';
import type { Dropout1dParams, DropoutParams } from '../ref/dropout.js';
import type { BatchNorm1dReluDropoutBackwardParams, BatchNorm1dReluDropoutParams } from '../ref/fused.js';
import type { LinearParams } from '../ref/linear.js';
import type { AdamTensor, AdamUpdateParams, SgdUpdateParams } from '../ref/optim.js';
import type { EltwiseParams } from '../ref/relu.js';
import type { GatherParams } from '../ref/gather.js';
import * as ref from '../ref/index.js';

type F32 = Float32Array;

/**
 * The kernels every layer calls, outputs first, then inputs, then a params object. Two
 * implementations exist: {@link referenceKernels} (plain JS) and the native addon's; {@link kernels}
 * is the one selected at load ({@link backendInfo} says which).
 */
export interface KernelSet {
  /** y (N, C_out, L_out) = conv1d(x (N, C_in, L), w) + bias; as {@link ref.conv1dForward}. */
  conv1dForward(y: F32, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  /** dx (N, C_in, L) from dy and w; as {@link ref.conv1dBackwardData}. */
  conv1dBackwardData(dx: F32, dy: F32, w: F32, params: Conv1dParams): void;
  /** dw (C_out, C_in/groups, K) from x and dy; as {@link ref.conv1dBackwardWeight}. */
  conv1dBackwardWeight(dw: F32, x: F32, dy: F32, params: Conv1dParams): void;
  /** db[c] = Σ dy[:, c, :]; as {@link ref.conv1dBackwardBias}. */
  conv1dBackwardBias(db: F32, dy: F32, params: Conv1dParams): void;
  /** Training forward with batch statistics: writes y, the saved mean and 1/√(var + eps), and updates the running statistics when given; as {@link ref.batchNorm1dTrainForward}. */
  batchNorm1dTrainForward(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dParams,
  ): void;
  /** Eval forward with the running statistics; as {@link ref.batchNorm1dEvalForward}. */
  batchNorm1dEvalForward(
    y: F32, x: F32, runningMean: F32, runningVar: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dEvalParams,
  ): void;
  /** dx, and dweight/dbias when given, from dy and the saved statistics; as {@link ref.batchNorm1dBackward}. */
  batchNorm1dBackward(
    dx: F32, dweight: F32 | null, dbias: F32 | null, dy: F32, x: F32, mean: F32, invstd: F32, weight: F32 | null,
    params: BatchNorm1dBackwardParams,
  ): void;
  /** The keep mask (1 kept, 0 dropped) a dropout call with these params uses; as {@link ref.dropoutMask}. */
  dropoutMask(mask: Uint8Array, params: DropoutParams): void;
  /** y = x·1/(1 − p) where kept, else 0, the mask drawn from (seed, stream, offset); as {@link ref.dropoutForward}. */
  dropoutForward(y: F32, x: F32, params: DropoutParams): void;
  /** dx = dy·1/(1 − p) where kept, else 0, regenerating the forward mask; as {@link ref.dropoutBackward}. */
  dropoutBackward(dx: F32, dy: F32, params: DropoutParams): void;
  /** The per-(sample, channel) keep mask of a Dropout1d call; as {@link ref.dropout1dMask}. */
  dropout1dMask(mask: Uint8Array, params: Dropout1dParams): void;
  /** Whole channels of x (N, C, L) zeroed or scaled by 1/(1 − p); as {@link ref.dropout1dForward}. */
  dropout1dForward(y: F32, x: F32, params: Dropout1dParams): void;
  /** The Dropout1d backward with the forward call's params; as {@link ref.dropout1dBackward}. */
  dropout1dBackward(dx: F32, dy: F32, params: Dropout1dParams): void;
  /** y = max(0, x), NaN kept; as {@link ref.reluForward}. */
  reluForward(y: F32, x: F32, params: EltwiseParams): void;
  /** dx = dy where y > 0, else 0; as {@link ref.reluBackward}. */
  reluBackward(dx: F32, dy: F32, y: F32, params: EltwiseParams): void;
  /** y (N, out) = x·Wᵀ + bias; as {@link ref.linearForward}. */
  linearForward(y: F32, x: F32, w: F32, bias: F32 | null, params: LinearParams): void;
  /** linearForward plus each output feature's float64 mean and biased variance over the batch; as {@link ref.linearForwardStats}. */
  linearForwardStats(y: F32, mean: Float64Array, variance: Float64Array, x: F32, w: F32, bias: F32 | null, params: LinearParams): void;
  /** dx (N, in) = dy·W; as {@link ref.linearBackwardData}. */
  linearBackwardData(dx: F32, dy: F32, w: F32, params: LinearParams): void;
  /** dW (out, in) = dyᵀ·x; as {@link ref.linearBackwardWeight}. */
  linearBackwardWeight(dw: F32, x: F32, dy: F32, params: LinearParams): void;
  /** db = Σ_n dy[n, :]; as {@link ref.linearBackwardBias}. */
  linearBackwardBias(db: F32, dy: F32, params: LinearParams): void;
  /** BatchNorm1d → ReLU → Dropout in one pass (training or eval); as {@link ref.batchNorm1dReluDropoutForward}. */
  batchNorm1dReluDropoutForward(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutParams,
  ): void;
  /** The fused block's backward: dx, dweight, dbias through dropout, ReLU and BatchNorm; as {@link ref.batchNorm1dReluDropoutBackward}. */
  batchNorm1dReluDropoutBackward(
    dx: F32, dweight: F32 | null, dbias: F32 | null, dy: F32, x: F32, mean: F32, invstd: F32,
    weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutBackwardParams,
  ): void;
  /** The fused forward given the batch statistics already computed (by conv1dForwardStats); as {@link ref.batchNorm1dReluDropoutForwardWithStats}. */
  batchNorm1dReluDropoutForwardWithStats(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, batchMean: Float64Array, batchVar: Float64Array, weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutParams,
  ): void;
  /** The fused block's backward given its forward output y (no ReLU value or dropout draw recomputed); as {@link ref.batchNorm1dReluDropoutBackwardWithOutput}. */
  batchNorm1dReluDropoutBackwardWithOutput(
    dx: F32, dweight: F32 | null, dbias: F32 | null, dy: F32, x: F32, y: F32, mean: F32, invstd: F32,
    weight: F32 | null, params: BatchNorm1dReluDropoutBackwardParams,
  ): void;
  /** conv1dForward plus each output channel's float64 mean and biased variance; as {@link ref.conv1dForwardStats}. */
  conv1dForwardStats(y: F32, mean: Float64Array, variance: Float64Array, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  /** y = max(conv1d(x, w) + bias, 0); as {@link ref.conv1dReluForward}. */
  conv1dReluForward(y: F32, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  /** One Adam/AdamW step in place on a parameter and its moment buffers; as {@link ref.adamUpdate}. */
  adamUpdate(param: F32, expAvg: F32, expAvgSq: F32, maxExpAvgSq: F32 | null, grad: F32, params: AdamUpdateParams): void;
  /** One SGD step in place on a parameter and its momentum buffer; as {@link ref.sgdUpdate}. */
  sgdUpdate(param: F32, momentumBuffer: F32 | null, grad: F32, params: SgdUpdateParams): void;
  /** The index of the first NaN or ±Infinity of x, or −1 (the optimisers' non-finite guard); as {@link ref.nonFiniteIndex}. */
  nonFiniteIndex(x: F32, params: EltwiseParams): number;
  /** adamUpdate on every tensor of the list, in one native call (one parallel region); as {@link ref.adamUpdateMulti}. */
  adamUpdateMulti(tensors: ReadonlyArray<AdamTensor<F32>>): void;
  /** out row k = src row indices[k] (a batch out of a dataset's table); as {@link ref.gatherRows}. */
  gatherRows(out: F32, src: F32, indices: Int32Array, params: GatherParams): void;
}

/** The name of one kernel, e.g. 'conv1dForward'. */
export type KernelName = keyof KernelSet;

/** Every kernel name, in the order of the C ABI's dispatch table. */
export const KERNEL_NAMES: readonly KernelName[] = [
  'conv1dForward', 'conv1dBackwardData', 'conv1dBackwardWeight', 'conv1dBackwardBias',
  'batchNorm1dTrainForward', 'batchNorm1dEvalForward', 'batchNorm1dBackward',
  'dropoutMask', 'dropoutForward', 'dropoutBackward', 'dropout1dMask', 'dropout1dForward', 'dropout1dBackward',
  'reluForward', 'reluBackward',
  'linearForward', 'linearBackwardData', 'linearBackwardWeight', 'linearBackwardBias',
  'batchNorm1dReluDropoutForward', 'batchNorm1dReluDropoutBackward',
  'adamUpdate',
  'sgdUpdate',
  'conv1dForwardStats', 'conv1dReluForward', 'batchNorm1dReluDropoutForwardWithStats',
  'nonFiniteIndex',
  'adamUpdateMulti',
  'linearForwardStats',
  'gatherRows',
  'batchNorm1dReluDropoutBackwardWithOutput',
];

/** The reference kernels as a kernel set (they also accept Float64Array, for float64 gradient checks). */
export const referenceKernels: KernelSet = Object.fromEntries(KERNEL_NAMES.map((name) => [name, ref[name]])) as unknown as KernelSet;
