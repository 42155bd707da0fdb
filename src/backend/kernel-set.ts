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
import type { AdamUpdateParams, SgdUpdateParams } from '../ref/optim.js';
import type { EltwiseParams } from '../ref/relu.js';
import * as ref from '../ref/index.js';

type F32 = Float32Array;

export interface KernelSet {
  conv1dForward(y: F32, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  conv1dBackwardData(dx: F32, dy: F32, w: F32, params: Conv1dParams): void;
  conv1dBackwardWeight(dw: F32, x: F32, dy: F32, params: Conv1dParams): void;
  conv1dBackwardBias(db: F32, dy: F32, params: Conv1dParams): void;
  batchNorm1dTrainForward(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dParams,
  ): void;
  batchNorm1dEvalForward(
    y: F32, x: F32, runningMean: F32, runningVar: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dEvalParams,
  ): void;
  batchNorm1dBackward(
    dx: F32, dweight: F32 | null, dbias: F32 | null, dy: F32, x: F32, mean: F32, invstd: F32, weight: F32 | null,
    params: BatchNorm1dBackwardParams,
  ): void;
  dropoutMask(mask: Uint8Array, params: DropoutParams): void;
  dropoutForward(y: F32, x: F32, params: DropoutParams): void;
  dropoutBackward(dx: F32, dy: F32, params: DropoutParams): void;
  dropout1dMask(mask: Uint8Array, params: Dropout1dParams): void;
  dropout1dForward(y: F32, x: F32, params: Dropout1dParams): void;
  dropout1dBackward(dx: F32, dy: F32, params: Dropout1dParams): void;
  reluForward(y: F32, x: F32, params: EltwiseParams): void;
  reluBackward(dx: F32, dy: F32, y: F32, params: EltwiseParams): void;
  linearForward(y: F32, x: F32, w: F32, bias: F32 | null, params: LinearParams): void;
  linearBackwardData(dx: F32, dy: F32, w: F32, params: LinearParams): void;
  linearBackwardWeight(dw: F32, x: F32, dy: F32, params: LinearParams): void;
  linearBackwardBias(db: F32, dy: F32, params: LinearParams): void;
  batchNorm1dReluDropoutForward(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutParams,
  ): void;
  batchNorm1dReluDropoutBackward(
    dx: F32, dweight: F32 | null, dbias: F32 | null, dy: F32, x: F32, mean: F32, invstd: F32,
    weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutBackwardParams,
  ): void;
  batchNorm1dReluDropoutForwardWithStats(
    y: F32, saveMean: F32, saveInvstd: F32, runningMean: F32 | null, runningVar: F32 | null,
    x: F32, batchMean: Float64Array, batchVar: Float64Array, weight: F32 | null, bias: F32 | null, params: BatchNorm1dReluDropoutParams,
  ): void;
  conv1dForwardStats(y: F32, mean: Float64Array, variance: Float64Array, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  conv1dReluForward(y: F32, x: F32, w: F32, bias: F32 | null, params: Conv1dParams): void;
  adamUpdate(param: F32, expAvg: F32, expAvgSq: F32, maxExpAvgSq: F32 | null, grad: F32, params: AdamUpdateParams): void;
  sgdUpdate(param: F32, momentumBuffer: F32 | null, grad: F32, params: SgdUpdateParams): void;
}

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
];

/** The reference kernels as a kernel set (they also accept Float64Array, for float64 gradient checks). */
export const referenceKernels: KernelSet = Object.fromEntries(KERNEL_NAMES.map((name) => [name, ref[name]])) as unknown as KernelSet;
