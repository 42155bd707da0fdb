/**
 * ReduceLROnPlateau as a callback (Keras' idea): optim.ReduceLROnPlateau on fit's optimiser, stepped
 * once per epoch with the monitored log value. It counts as PyTorch's scheduler does — the lr drops
 * after MORE than `patience` epochs without improvement (Keras' callback drops after `patience`). A NaN
 * or infinite monitored value counts as an epoch without improvement, as in PyTorch and Keras (the
 * scheduler's own step() refuses it), so a diverging epoch does not end fit before EarlyStopping can
 * act. Its state (best, bad epochs, cooldown) carries over between fits and back from a worker thread.
 */
import { ReduceLROnPlateau as PlateauScheduler, type ReduceLROnPlateauOptions as SchedulerOptions } from '../../optim/lr-scheduler-plateau.js';
import { SGD } from '../../optim/sgd.js';
import { zeros } from '../../tensor/create.js';
import type { EpochLogs } from '../history.js';
import { logValue } from '../logs.js';
import { type CallbackBackup, type CallbackSpec, ModelCallback, type TrainLogs } from './callback.js';
import { type MonitorMode, callbackOptions, checkMonitor, checkMonitorAvailable, checkMonitorMode, monitorDirection } from './options.js';
import { registerCallbackType } from './registry.js';

/** Options of the ReduceLROnPlateau callback: optim.ReduceLROnPlateau's, plus the log key to watch. */
export interface ReduceLROnPlateauOptions extends Omit<SchedulerOptions, 'mode'> {
  /** The log key to watch. Default 'valLoss'. */
  monitor?: string;
  /** 'min', 'max', or 'auto' (as the fit's loss or metric that logs the key declares; see EarlyStopping's). Default 'auto'. */
  mode?: MonitorMode;
}

const W = 'ReduceLROnPlateau';
const SCHEDULER_KEYS = ['factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;

/** optim.ReduceLROnPlateau as a callback: steps it on fit's optimiser once per epoch with the monitored log value; the lr drops after more than patience epochs without improvement, as in PyTorch. */
export class ReduceLROnPlateau extends ModelCallback {
  /** The log key watched, e.g. 'valLoss'. */
  readonly monitor: string;
  private readonly options: ReduceLROnPlateauOptions;
  private readonly modeOption: MonitorMode;
  /** The scheduler's options but its mode, which 'auto' resolves at the start of each fit. */
  private readonly schedulerOptions: Omit<SchedulerOptions, 'mode'>;
  /** The scheduler driving the optimiser (created at the start of training). */
  scheduler: PlateauScheduler | null = null;
  private savedState: Record<string, unknown> | null = null;

  /** Options: optim.ReduceLROnPlateau's (factor 0.1, patience 10, ...) plus `monitor`. */
  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    const o = callbackOptions(W, options, ['monitor', 'mode', ...SCHEDULER_KEYS]);
    this.monitor = checkMonitor(W, o.monitor ?? 'valLoss');
    const { monitor: _m, mode, ...rest } = o;
    this.modeOption = checkMonitorMode(W, mode ?? 'auto');
    this.schedulerOptions = rest;
    this.options = { ...o };
    // Check the scheduler's options now (its messages name the option), on a stand-in optimiser; a
    // per-group minLr list can only be checked against the real one.
    if (!Array.isArray(rest.minLr)) new PlateauScheduler(new SGD([zeros([1], { requiresGrad: true })], { lr: 1 }), rest);
  }

  override onTrainBegin(_logs: TrainLogs): void {
    checkMonitorAvailable(W, this.monitor, this.context.params.logKeys);
    const mode = monitorDirection(W, this.modeOption, this.monitor, this.context.params);
    this.scheduler = new PlateauScheduler(this.context.optimizer, { ...this.schedulerOptions, mode });
    if (this.savedState) this.scheduler.loadStateDict(this.savedState);
  }

  override onEpochEnd(_epoch: number, logs: EpochLogs): void {
    const v = logValue(logs, this.monitor);
    if (v === undefined) return;
    if (Number.isFinite(v)) this.scheduler!.step(v);
    else this.scheduler!.stepNonFinite();
  }

  override onTrainEnd(_logs: TrainLogs): void {
    this.savedState = this.scheduler!.stateDict();
  }

  override backupState(): CallbackBackup {
    return { values: { scheduler: this.scheduler!.stateDict() } };
  }

  override restoreBackup(s: CallbackBackup): void {
    this.scheduler!.loadStateDict(s.values.scheduler as Record<string, unknown>);
  }

  override toSpec(): CallbackSpec {
    return { type: W, options: { ...this.options }, state: this.exportState() };
  }

  override exportState(): Record<string, unknown> {
    return this.savedState ? { scheduler: this.savedState } : {};
  }

  override importState(s: Record<string, unknown>): void {
    if (s.scheduler && typeof s.scheduler === 'object') this.savedState = s.scheduler as Record<string, unknown>;
  }
}

registerCallbackType(W, ReduceLROnPlateau, (o) => new ReduceLROnPlateau(o as ReduceLROnPlateauOptions));
