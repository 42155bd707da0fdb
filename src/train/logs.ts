/**
 * Reading one quantity out of an epoch's logs by its key — the names users give to EarlyStopping's
 * `monitor`, ModelCheckpoint's path template and History.values: 'loss', 'valLoss', a metric ('rmse',
 * 'valRmse'), 'lr' (the first parameter group's), 'lr1', 'lr2', ... (the others'), 'seconds',
 * 'samplesPerSecond'.
 */
import type { EpochLogs } from './history.js';

/** 'lr' (the first parameter group's learning rate), 'lr1', 'lr2', ... (the others'). */
export const LR_KEY = /^lr(?:[1-9][0-9]*)?$/;

/** The value of `key` in `logs`, or undefined when the logs do not have it. */
export function logValue(logs: EpochLogs, key: string): number | undefined {
  switch (key) {
    case 'loss':
      return logs.loss;
    case 'valLoss':
      return logs.valLoss;
    case 'seconds':
      return logs.seconds;
    case 'samplesPerSecond':
      return logs.samplesPerSecond;
    case 'epoch':
      return logs.epoch;
  }
  if (LR_KEY.test(key)) return logs.lr[key === 'lr' ? 0 : Number(key.slice(2))];
  return Object.hasOwn(logs.metrics, key) ? logs.metrics[key] : undefined;
}

/** The validation twin of a training key: 'loss' → 'valLoss', 'rmse' → 'valRmse'. */
export function validationKey(key: string): string {
  return `val${key[0]!.toUpperCase()}${key.slice(1)}`;
}
