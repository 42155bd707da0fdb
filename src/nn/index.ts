/**
 * The `nn` namespace: modules (layers with their options), Sequential, the §1 Conv1d backbone and MLP,
 * initialisation (nn.init), architecture serialisation (toJSON / nn.fromJSON), and
 * intendedTrainingMode (silences the "did you forget model.eval()?" warning for deliberate
 * training-mode forwards under noGrad).
 *
 * @module
 */
export { Module } from './module.js';
export { StateDictError } from './state-dict-error.js';
export type { LoadStateDictOptions, LoadStateDictResult, ModuleJSON } from './module.js';
export { moduleRepr } from './repr.js';
export { Sequential, setFusion, fusionEnabled } from './sequential.js';
// resetModeWarning is @internal (for tests): its own comment hides it from the API reference.
export { intendedTrainingMode, resetModeWarning, TRAINING_MODE_NO_GRAD } from './mode-warning.js';
export { Conv1d, type Conv1dOptions } from './conv1d.js';
export { BatchNorm1d, type BatchNorm1dOptions } from './batchnorm1d.js';
export { Linear, type LinearOptions } from './linear.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Dropout1d, type Dropout1dOptions } from './dropout1d.js';
export { ReLU } from './relu.js';
export { LeakyReLU, type LeakyReLUOptions } from './leaky-relu.js';
export { GELU, type GELUOptions, type GeluApproximate } from './gelu.js';
export { Flatten, type FlattenOptions } from './flatten.js';
export { LayerNorm, type LayerNormOptions } from './layernorm.js';
export { MaxPool1d, type MaxPool1dOptions } from './maxpool1d.js';
export { AvgPool1d, type AvgPool1dOptions } from './avgpool1d.js';
export { AdaptiveAvgPool1d, type AdaptiveAvgPool1dOptions } from './adaptive-avgpool1d.js';
export { conv1dBackbone, type Conv1dBackboneOptions } from './backbone.js';
export { mlp, type MlpOptions } from './mlp.js';
export { fromJSON, moduleTypeSource, registerModuleType, registeredModuleTypes, unregisterModuleType } from './serialize.js';
export type { ModuleFactory, RegisterModuleTypeOptions } from './serialize.js';
export * as init from './init.js';
