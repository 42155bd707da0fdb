/**
 * keel: neural-network training for Node.js with PyTorch's semantics on SIMD C++ kernels.
 *
 *   import { nn, optim, F, tensor, manualSeed, noGrad, save, load } from 'keel';
 *
 * Tensors with define-by-run autograd; `F` functional ops and losses; `nn` modules with
 * PyTorch-compatible state dicts; `optim` optimisers, schedules and regularisers; safetensors I/O;
 * `data` datasets, loaders, time-series windows, splits by unit, scalers and the CSV/IDX readers;
 * `datasets` (the built-in run-to-failure data, Fashion-MNIST); `augment` time-series augmentation;
 * training with fit / evaluate / predict, History and `callbacks`; `loadModelFolder` to predict with
 * what `keel train` wrote; and underneath, the kernel layer (`kernels`, the JS reference `ref`, `backendInfo()`).
 *
 * @packageDocumentation
 */

// Tensors and autograd (methods.js attaches x.sum(), a.mul(b), ... to Tensor)
import './tensor/methods.js';
export { Tensor, GradNode, fromOp } from './tensor/tensor.js';
export type { BackwardFn, TensorOptions } from './tensor/tensor.js';
export { tensor, zeros, ones, full, randn, rand, zerosLike, onesLike } from './tensor/create.js';
export { manualSeed, initialSeed, randperm } from './tensor/random.js';
export { noGrad, isGradEnabled, withGradMode } from './tensor/grad-mode.js';
export type { Shape } from './tensor/shape.js';

// Errors
export { KeelError, ShapeError, OptionError, DataError, FormatError, StateError, NonFiniteError, StorageError, BackendError, AbortError } from './errors.js';

// Layers, ops, optimisers, state
export * as F from './functional/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export { save, saveSync, load, loadSync, loadWithMetadata, loadWithMetadataSync, SafetensorsError } from './io/index.js';
export type { DType, LoadedEntry, LoadedStateDict, StateDict, StateTensor } from './io/index.js';
export { StateDictError } from './nn/index.js';

// Data and training
export * as data from './data/index.js';
export * as datasets from './datasets/index.js';
export * as augment from './augment/index.js';
export * as onnx from './onnx/index.js';
export type { OnnxExportOptions } from './onnx/index.js';
export { DataLoader, randomSplit, Subset, TensorDataset } from './data/index.js';
export type { Dataset, DataLoaderOptions } from './data/index.js';
export * from './train/index.js';

// The kernel layer
export { backendInfo, getNumThreads, kernels, setNumThreads } from './backend/index.js';
export { addonCandidates, loadBackend } from './backend/loader.js';
export type { Backend, BackendInfo, CacheSizes, Isa, LoadOptions, LoadedBackend, NativeAddon } from './backend/loader.js';
export { KERNEL_NAMES, referenceKernels } from './backend/kernel-set.js';
export type { KernelName, KernelSet } from './backend/kernel-set.js';
export * as ref from './ref/index.js';
export { philox4x32, dropoutScale, dropoutThreshold } from './ref/philox.js';
export type { FloatArray } from './ref/args.js';
export { conv1dOutLength, conv1dPadding } from './ref/conv1d.js';
export type { Conv1dPadding, Conv1dParams } from './ref/conv1d.js';
export { batchNorm1dAverageFactor } from './ref/batchnorm1d.js';
export type { BatchNorm1dBackwardParams, BatchNorm1dEvalParams, BatchNorm1dParams } from './ref/batchnorm1d.js';
export type { Dropout1dParams, DropoutParams, DropoutRandomness } from './ref/dropout.js';
export type { EltwiseParams } from './ref/relu.js';
export type { LinearParams } from './ref/linear.js';
export { regularisationStudy } from './study/regularisation.js';
export type { RegularisationStudy, RegularisationStudyOptions, VariantResult } from './study/regularisation.js';
export type { StudySource } from './study/data.js';
export { STUDY_VARIANTS, STUDY_VARIANT_NAMES } from './study/variants.js';
export type { StudyVariant, StudyVariantName } from './study/variants.js';
export { renderStudyReport, textTable, writeStudyReport } from './report/index.js';
export type { CurveSet, ReportColumn, ReportTable, StudyReport, WrittenReport } from './report/index.js';
export { backboneTrial, crossValidate, DEFAULT_CONFIG, grid, randomConfigs, sequenceTrial, tableTrial, tune, TUNE_KEYS } from './tune/index.js';
// A folder keel train wrote, loaded and used from Node
export { loadModelFolder, ModelFolder } from './model-folder/index.js';
export type { ClassPrediction, ModelFolderKind, ModelFolderPredictOptions, ModelInput, Prediction, Row, ValuePrediction, WindowPrediction } from './model-folder/index.js';
export type { BackboneTrialSettings, CrossValidateOptions, CrossValidation, CvFold, MakeTrial, SequenceTrialSettings, TableTrialSettings, TrialConfig, TrialResult, TuneOptions, TuneResult, TuneSpace } from './tune/index.js';
