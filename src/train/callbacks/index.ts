/**
 * The `callbacks` namespace: hooks into fit (Keras-style callback objects) — the base class, the
 * built-ins, and the registry that lets a user's model-side callback move into fit's worker thread.
 *
 *   await fit(model, { ..., callbacks: [new callbacks.ModelCheckpoint({ path: 'ckpt/best.safetensors', saveBestOnly: true })] });
 *
 * @module
 */
export { Callback, ModelCallback } from './callback.js';
export type { BatchLogs, CallbackBackup, CallbackSpec, FitContext, FitParams, TrainLogs } from './callback.js';
export { BackupAndRestore, type BackupAndRestoreOptions } from './backup-and-restore.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ModelCheckpoint, formatCheckpointPath, type ModelCheckpointOptions } from './model-checkpoint.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
export { CSVLogger, JSONLLogger, type CSVLoggerOptions, type FileLoggerOptions, type JSONLLoggerOptions } from './loggers.js';
export { ProgressLogger, progressMode, type ProgressMode, type ProgressStream } from './progress.js';
export { registerCallbackType, type RegisterCallbackTypeOptions } from './registry.js';
export type { MonitorMode } from './options.js';
