/**
 * Option checks shared by the callbacks: the monitored key and its direction. Errors name the callback,
 * the option and the value.
 */
import { OptionError } from '../../errors.js';
import { metricMode } from '../metrics.js';
import { show } from '../../nn/validate.js';
import { checkKnown, optionsObject } from '../../options.js';

/** Direction of improvement of a monitored value: 'min', 'max', or 'auto' (max for accuracy and r2, min otherwise). */
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

/** 'min' or 'max' for a monitored key: as given, or by the key's metric ('auto'). */
export function resolveMode(where: string, mode: unknown, monitor: string): 'min' | 'max' {
  if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new OptionError(`${where}: mode must be 'min', 'max' or 'auto', got ${show(mode)}`);
  return mode === 'auto' ? metricMode(monitor) : mode;
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
