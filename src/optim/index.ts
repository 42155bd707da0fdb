/**
 * keel's `optim` namespace, as torch.optim (PyTorch 1.13 semantics, camelCase names): optimisers
 * (SGD, Adam, AdamW), learning-rate schedulers (StepLR, MultiStepLR, ExponentialLR, LambdaLR,
 * ConstantLR, LinearLR, CosineAnnealingLR, SequentialLR, OneCycleLR, ReduceLROnPlateau), and
 * regularisers (l1Penalty, l2Penalty, weightDecayGroups, decayedParameters), gradient clipping
 * (clipGradNorm, clipGradValue), and descriptions that move optimisers and schedules to a worker
 * thread as plain data (describeOptimizer / rebuildOptimizer, describeScheduler / rebuildScheduler).
 *
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
 *   const sched = new optim.SequentialLR(opt, [
 *     new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }),
 *     new optim.CosineAnnealingLR(opt, { tMax: 95 }),
 *   ], [5]);
 *   for (each epoch) { for (each batch) { opt.zeroGrad(); loss.backward(); opt.step(); } sched.step(); }
 *
 * @module
 */
export { Optimizer, camelToSnake, snakeToCamel } from './optimizer.js';
export type {
  BaseOptions,
  OptimizerOptions,
  OptimizerStateDict,
  OptionSpec,
  ParamGroup,
  ParamGroupInput,
  ParamState,
  ParamsInput,
  StateSpec,
  StateValue,
} from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam } from './adam.js';
export type { AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export { LRScheduler } from './lr-scheduler.js';
export type { LRSchedulerOptions, Scheduler, SchedulerInterval, SchedulerJSON } from './lr-scheduler.js';
export { ExponentialLR, LambdaLR, MultiStepLR, StepLR } from './lr-scheduler-decay.js';
export type { ExponentialLROptions, LambdaLROptions, MultiStepLROptions, StepLROptions } from './lr-scheduler-decay.js';
export { ConstantLR, LinearLR, SequentialLR } from './lr-scheduler-warmup.js';
export type { ConstantLROptions, LinearLROptions } from './lr-scheduler-warmup.js';
export { CosineAnnealingLR } from './lr-scheduler-cosine.js';
export type { CosineAnnealingLROptions } from './lr-scheduler-cosine.js';
export { OneCycleLR } from './lr-scheduler-one-cycle.js';
export type { OneCycleLROptions, OneCyclePhase } from './lr-scheduler-one-cycle.js';
export { ReduceLROnPlateau } from './lr-scheduler-plateau.js';
export type { ReduceLROnPlateauOptions } from './lr-scheduler-plateau.js';
export { decayedParameters, isNormLayer, l1Penalty, l2Penalty, noWeightDecay, parameterInfos, weightDecayGroups } from './regularization.js';
export type { ParameterInfo, WeightDecayGroupsOptions } from './regularization.js';
export { clipGradNorm, clipGradValue } from './clip-grad.js';
export type { ClipGradNormOptions } from './clip-grad.js';
export {
  describeOptimizer,
  describeScheduler,
  optimizerTypeModule,
  rebuildOptimizer,
  rebuildScheduler,
  registerOptimizerType,
  registerSchedulerType,
  registeredOptimizerTypes,
  registeredSchedulerTypes,
  schedulerSpecModules,
  schedulerTypeModule,
  unregisterOptimizerType,
  unregisterSchedulerType,
} from './describe.js';
export type { OptimizerFactory, OptimizerSpec, RegisterTypeOptions, SchedulerFactory, SchedulerSpec } from './describe.js';
