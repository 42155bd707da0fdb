/**
 * EarlyStopping: stop when the monitored quantity has stopped improving, and optionally put back the
 * weights of the best epoch — Keras' EarlyStopping (2.13+, restoring at the end of every run) with
 * Lightning's stoppingThreshold, divergenceThreshold and checkFinite.
 *
 * Each epoch (after startFromEpoch), with `current` the monitored value and Δ = minDelta:
 *   improvement  ⇔  current < best − Δ   (mode 'min'; current > best + Δ for 'max')
 *   wait ← wait + 1
 *   improvement: best ← current, bestEpoch ← epoch, snapshot the weights; wait ← 0 unless a baseline is
 *                set and current does not beat it
 *   otherwise:   stop when wait ≥ patience
 *   and at once: stop when current is not finite (checkFinite), beats stoppingThreshold, or is worse than
 *                divergenceThreshold.
 * restoreBestWeights restores the parameters AND the buffers (BatchNorm running statistics and
 * num_batches_tracked) of the best epoch whenever training ends — early stop, last epoch, abort, or
 * another callback's stop. A fit that ends with an error (a non-finite loss) is left where the error
 * says.
 */
import type { StateDict } from '../../io/state.js';
import type { EpochLogs } from '../history.js';
import { logValue } from '../logs.js';
import { type CallbackBackup, type CallbackSpec, ModelCallback, type TrainLogs } from './callback.js';
import { type MonitorMode, callbackOptions, checkMonitor, checkMonitorAvailable, checkMonitorMode, monitorDirection } from './options.js';
import { registerCallbackType } from './registry.js';
import { checkBoolean, checkInt, checkNumber } from '../../options.js';

/** Options of EarlyStopping (Keras' arguments, camelCase, with Lightning's thresholds). */
export interface EarlyStoppingOptions {
  /** The log key to watch. Default 'valLoss'. */
  monitor?: string;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. Default 0 (Keras'). */
  patience?: number;
  /**
   * 'min', 'max', or 'auto': as the fit's loss or metric that logs the monitored key declares ('min'
   * for losses; a metric's mode, a custom metric's `mode` included). A key nothing declares a
   * direction for (lr, seconds) needs an explicit mode. Default 'auto'.
   */
  mode?: MonitorMode;
  /** Put back the weights and BatchNorm buffers of the best epoch when training ends. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to train before monitoring starts (a warm-up). Default 0. */
  startFromEpoch?: number;
  /**
   * A value to beat: improvements that do not beat it do not restart the wait, so training stops at
   * the first epoch without improvement once `patience` epochs have passed without beating it (Keras'
   * rule). Default none.
   */
  baseline?: number;
  /** Stop at once when the value beats this (Lightning's stopping_threshold). Default none. */
  stoppingThreshold?: number;
  /** Stop at once when the value is worse than this (Lightning's divergence_threshold). Default none. */
  divergenceThreshold?: number;
  /** Stop at once when the value is NaN or infinite. Default true. */
  checkFinite?: boolean;
}

const W = 'EarlyStopping';
const KEYS = ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights', 'startFromEpoch', 'baseline', 'stoppingThreshold', 'divergenceThreshold', 'checkFinite'] as const;

/** Stops training when the monitored value (default valLoss) has not improved for patience epochs and, with restoreBestWeights, puts back the best epoch's parameters and BatchNorm buffers (Keras' EarlyStopping). */
export class EarlyStopping extends ModelCallback {
  /** The log key watched, e.g. 'valLoss'. */
  readonly monitor: string;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs without improvement after which training stops. */
  readonly patience: number;
  /** Whether the best epoch's parameters and BatchNorm buffers are put back when training ends. */
  readonly restoreBestWeights: boolean;
  /** Epochs trained before monitoring starts. */
  readonly startFromEpoch: number;
  /** The value to beat, or undefined. */
  readonly baseline: number | undefined;
  /** Stop at once when the value beats this, or undefined. */
  readonly stoppingThreshold: number | undefined;
  /** Stop at once when the value is worse than this, or undefined. */
  readonly divergenceThreshold: number | undefined;
  /** Stop at once on a NaN or infinite value. */
  readonly checkFinite: boolean;
  private readonly options: EarlyStoppingOptions;
  readonly #modeOption: MonitorMode;
  /** The direction in use: set at the start of each fit (or carried back from a worker). */
  #direction: 'min' | 'max' | null = null;

  /** The best monitored value so far (±Infinity before the first). */
  best = NaN;
  /** The epoch number of the best value; null before one. */
  bestEpoch: number | null = null;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch number at which this callback stopped training; null if it did not. */
  stoppedEpoch: number | null = null;
  /** Whether the best weights were put back at the end of the last run. */
  restored = false;
  private bestWeights: StateDict | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    const o = callbackOptions(W, options, KEYS);
    this.monitor = checkMonitor(W, o.monitor ?? 'valLoss');
    this.minDelta = Math.abs(checkNumber(W, 'minDelta', o.minDelta ?? 0));
    this.patience = checkInt(W, 'patience', o.patience ?? 0, 0);
    this.#modeOption = checkMonitorMode(W, o.mode ?? 'auto');
    if (this.#modeOption !== 'auto') this.#direction = this.#modeOption;
    this.restoreBestWeights = checkBoolean(W, 'restoreBestWeights', o.restoreBestWeights ?? false);
    this.startFromEpoch = checkInt(W, 'startFromEpoch', o.startFromEpoch ?? 0, 0);
    const optional = (name: 'baseline' | 'stoppingThreshold' | 'divergenceThreshold') =>
      o[name] === undefined ? undefined : checkNumber(W, name, o[name]);
    this.baseline = optional('baseline');
    this.stoppingThreshold = optional('stoppingThreshold');
    this.divergenceThreshold = optional('divergenceThreshold');
    this.checkFinite = checkBoolean(W, 'checkFinite', o.checkFinite ?? true);
    this.options = { ...o };
  }

  /**
   * The direction of improvement: 'min' or 'max' as given; with 'auto', the direction the last fit
   * resolved from its loss and metrics, and 'auto' before any fit has started.
   */
  get mode(): MonitorMode {
    return this.#direction ?? this.#modeOption;
  }

  /** Whether a beats b by more than minDelta in this callback's direction. */
  private improves(a: number, b: number): boolean {
    return this.mode === 'min' ? a < b - this.minDelta : a > b + this.minDelta;
  }

  override onTrainBegin(_logs: TrainLogs): void {
    checkMonitorAvailable(W, this.monitor, this.context.params.logKeys);
    this.#direction = monitorDirection(W, this.#modeOption, this.monitor, this.context.params);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = null;
    this.bestWeights = null;
    this.wait = 0;
    this.stoppedEpoch = null;
    this.restored = false;
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    const current = logValue(logs, this.monitor);
    if (current === undefined || epoch <= this.startFromEpoch) return;
    const stop = () => {
      this.stoppedEpoch = epoch;
      this.context.stopTraining('earlyStopping');
    };
    if (this.checkFinite && !Number.isFinite(current)) return stop();
    const beats = (t: number | undefined) => t !== undefined && (this.mode === 'min' ? current < t : current > t);
    const worse = (t: number | undefined) => t !== undefined && (this.mode === 'min' ? current > t : current < t);
    if (beats(this.stoppingThreshold) || worse(this.divergenceThreshold)) stop();
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.context.model.stateDict();
      // The wait restarts only when the value beats both the best so far and the baseline (Keras).
      if (this.baseline === undefined || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience) stop();
  }

  override onTrainEnd(_logs: TrainLogs): void {
    const failed = this.context.history.stopped === 'nonFinite' || this.context.history.stopped === 'error';
    if (this.restoreBestWeights && this.bestWeights && !failed) {
      this.context.model.loadStateDict(this.bestWeights);
      this.restored = true;
    }
    this.bestWeights = null;
  }

  override backupState(): CallbackBackup {
    return { values: this.exportState(), ...(this.bestWeights ? { tensors: this.bestWeights } : {}) };
  }

  override restoreBackup(s: CallbackBackup): void {
    this.importState(s.values);
    this.bestWeights = s.tensors ?? null;
  }

  override toSpec(): CallbackSpec {
    return { type: W, options: { ...this.options }, state: this.exportState() };
  }

  override exportState(): Record<string, unknown> {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch, restored: this.restored, mode: this.#direction };
  }

  override importState(s: Record<string, unknown>): void {
    if (typeof s.best === 'number') this.best = s.best;
    if (s.bestEpoch === null || typeof s.bestEpoch === 'number') this.bestEpoch = s.bestEpoch;
    if (typeof s.wait === 'number') this.wait = s.wait;
    if (s.stoppedEpoch === null || typeof s.stoppedEpoch === 'number') this.stoppedEpoch = s.stoppedEpoch;
    if (typeof s.restored === 'boolean') this.restored = s.restored;
    // The direction a worker's copy resolved at the start of its fit.
    if (s.mode === 'min' || s.mode === 'max') this.#direction = s.mode;
  }
}

registerCallbackType(W, EarlyStopping, (o) => new EarlyStopping(o as EarlyStoppingOptions));
