/**
 * keel's `augment` namespace: random transforms of training batches of time series (N, C, L) — the
 * augmentations of Um et al. 2017 and Iwana & Uchida 2021 (jitter, scaling, magnitude and time
 * warping, window slicing, time shift, channel dropout) and the batch-mixing ones with their target
 * mixing (MixUp, 1-D CutMix). Each is made by a factory with typed, validated options whose defaults
 * come from the literature; `apply(x, y)` returns a new batch and draws only from keel's generator,
 * so manualSeed makes it reproducible; `compose` chains them; `toSpec`/`fromSpec` carry one as JSON
 * (how fit's `augment` option, applied to training batches only, reaches its worker thread).
 *
 *   const aug = augment.compose([augment.jitter({ sigma: 0.03 }), augment.scaling(), augment.mixup({ targets: 'regression' })]);
 *   const { x, y } = aug.apply(xb, yb);
 *
 * @module
 */
export { Augmentation, compose, Compose, fromSpec } from './augmentation.js';
export type { AugmentedBatch, AugmentSpec, JsonValue } from './augmentation.js';
export { jitter, Jitter } from './jitter.js';
export type { JitterOptions } from './jitter.js';
export { scaling, Scaling } from './scaling.js';
export type { ScalingOptions } from './scaling.js';
export { magnitudeWarp, MagnitudeWarp } from './magnitude-warp.js';
export type { MagnitudeWarpOptions } from './magnitude-warp.js';
export { timeWarp, TimeWarp } from './time-warp.js';
export type { TimeWarpOptions } from './time-warp.js';
export { windowSlice, WindowSlice } from './window-slice.js';
export type { WindowSliceOptions } from './window-slice.js';
export { timeShift, TimeShift } from './time-shift.js';
export type { TimeShiftMode, TimeShiftOptions } from './time-shift.js';
export { channelDropout, ChannelDropout } from './channel-dropout.js';
export type { ChannelDropoutOptions } from './channel-dropout.js';
export { mixup, MixUp } from './mixup.js';
export type { MixUpOptions } from './mixup.js';
export { cutmix, CutMix } from './cutmix.js';
export type { CutMixOptions } from './cutmix.js';
export type { MixOptions, MixTargets } from './mixing.js';
