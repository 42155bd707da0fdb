/**
 * keel: neural-network training for Node.js with PyTorch's semantics on SIMD C++ kernels.
 *
 * This entry point exports the kernel layer: the selected kernel set (`kernels`), the plain-JS
 * reference kernels that define it (`ref`), and what was selected (`backendInfo()`).
 */
export { backendInfo, kernels } from './backend/index.js';
export { addonCandidates, loadBackend } from './backend/loader.js';
export type { Backend, BackendInfo, Isa, LoadOptions, LoadedBackend, NativeAddon } from './backend/loader.js';
export { KERNEL_NAMES, referenceKernels } from './backend/kernel-set.js';
export type { KernelName, KernelSet } from './backend/kernel-set.js';
export * as ref from './ref/index.js';
export { philox4x32, dropoutScale, dropoutThreshold } from './ref/philox.js';
export type { FloatArray } from './ref/args.js';
export type { Conv1dParams } from './ref/conv1d.js';
export type { BatchNorm1dBackwardParams, BatchNorm1dEvalParams, BatchNorm1dParams } from './ref/batchnorm1d.js';
export type { Dropout1dParams, DropoutParams, DropoutRandomness } from './ref/dropout.js';
export type { EltwiseParams } from './ref/relu.js';
export type { LinearParams } from './ref/linear.js';
export { conv1dOutLength, conv1dPadding } from './ref/conv1d.js';
export type { Conv1dPadding } from './ref/conv1d.js';
export { batchNorm1dAverageFactor } from './ref/batchnorm1d.js';
