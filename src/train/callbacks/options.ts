/**
 * Option checks shared by the callbacks: the monitored key and its direction. Errors name the callback,
 * the option and the value.
 */
import { OptionError } from '../../errors.js';
import { metricMode } from '../metrics.js';
import { show } from '../../nn/validate.js';
import { checkKnown, optionsObject } from '../../options.js';
import type { FitParams } from './callback.js';

/**
 * Direction of improvement of a monitored value: 'min', 'max', or 'auto' (the direction the fit's loss
 * or metric that logs the key declares: 'min' for the losses, a metric's own mode for it and its 'val' key).
 */
export type MonitorMode = 'min' | 'max' | 'auto';

/** The options object, with unknown keys rejected. */
export function callbackOptions<T extends object>(where: string, options: T | undefined, known: readonly string[]): Partial<T> {
  const o = optionsObject(where, options) as Partial<T>;
  checkKnown(where, o, known);
  return o;
}

export function checkMonitor(where: string, monitor: unknown): string {
  if (typeof monitor !== 'string' || monitor === '') throw new OptionError(`${where}: monitor must be a log key such as 'valLoss' or 'valRmse', got ${show(monitor)}`);
  return monitor;
}

/** The mode option, checked. 'auto' stays 'auto': only a fit knows its metrics' directions (monitorDirection). */
export function checkMonitorMode(where: string, mode: unknown): MonitorMode {
  if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new OptionError(`${where}: mode must be 'min', 'max' or 'auto', got ${show(mode)}`);
  return mode;
}

/**
 * 'min' or 'max' for the monitored key in this fit: as given, or ('auto') as the fit's loss or metric
 * that logs the key declares it (params.modes) — a custom metric's `mode` included, which no rule on
 * the name could know. A key that nothing declares a direction for (lr, seconds) is refused rather
 * than guessed. A context built by hand without params.modes falls back to metricMode (the registry).
 * Call it after checkMonitorAvailable, so a key the fit does not log gets that message.
 */
export function monitorDirection(where: string, mode: MonitorMode, monitor: string, params: FitParams): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  if (params.modes === undefined) return metricMode(monitor);
  if (Object.hasOwn(params.modes, monitor)) return params.modes[monitor]!;
  throw new OptionError(
    `${where}: mode 'auto' cannot tell whether '${monitor}' is better small or large (only the loss and the metrics declare a direction, for: ${Object.keys(params.modes).join(', ')}); pass mode: 'min' or 'max'`,
  );
}

/** What a message about a log key the run lacks adds for a validation key: what logs it. */
export function validationKeyHint(key: string): string {
  return key.startsWith('val') ? ' (validation keys need validationData or validationSplit)' : '';
}

/** Throws at the start of training when the monitored key is not among the run's log keys. */
export function checkMonitorAvailable(where: string, monitor: string, logKeys: readonly string[]): void {
  if (!logKeys.includes(monitor)) {
    throw new OptionError(`${where}: monitor '${monitor}' is not logged by this fit; available: ${logKeys.join(', ')}${validationKeyHint(monitor)}`);
  }
}
