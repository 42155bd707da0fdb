/**
 * Training (`import { fit, evaluate, predict, callbacks } from 'keel'`): fit() with validation,
 * metrics, schedules, penalties, clipping, early stopping and callbacks, in a worker thread so the
 * caller's event loop never blocks; evaluate() and predict() (with Monte-Carlo dropout); History with
 * the epoch where validation loss diverges from training loss; the pitfall guard check(); and the tools
 * around training: BatchNorm recalibration and the learning-rate range test.
 *
 * @module
 */
export { fit, type FitHistory } from './fit.js';
export type { AugmentFunction, FitOptions, ScheduleInfo, ValidationData } from './options.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { predict, type MCDropoutOptions, type MCDropoutPrediction, type PredictOptions } from './predict.js';
export { History, type EpochLogs, type HistoryJSON, type HistoryOptions, type StopReason } from './history.js';
export { divergenceIndex, type DivergenceOptions } from './divergence.js';
export { NonFiniteLossError } from './errors.js';
export { check, warnFindings, type CheckOptions, type Finding, type FindingCode } from './check.js';
export { classWeightsFor, resolveLoss, type LossFunction, type LossName, type ResolvedLoss } from './losses.js';
export { metricMode, registerMetric, resolveMetrics, type CustomMetricSpec, type Metric, type MetricSpec, type RegisterMetricOptions } from './metrics.js';
export { phm08Score, rmse, type RulValues } from './metrics/rul.js';
export type { ClassWeight } from './loop.js';
export { recalibrateBatchNorm, type BatchNormRecalibration, type RecalibrateBatchNormOptions, type RecalibrationSummary } from './recalibrate-batchnorm.js';
export { findLearningRate, type FindLearningRateOptions, type LearningRateFinderResult } from './lr-finder.js';
export * as callbacks from './callbacks/index.js';
