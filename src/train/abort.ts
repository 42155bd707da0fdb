/**
 * How keel's abortable calls (evaluate, predict, findLearningRate, recalibrateBatchNorm,
 * crossValidate) end when their AbortSignal fires: they reject with an AbortError naming the call,
 * whose `cause` is the signal's reason. So `instanceof AbortError` (and `name === 'AbortError'`) holds
 * whatever reason the caller aborted with, and that reason is still at hand. fit is not one of them:
 * an aborted fit resolves with the partial history (stopped: 'aborted').
 */
import { AbortError } from '../errors.js';

/** Throws an AbortError naming `where` (cause: the signal's reason) when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new AbortError(`${where}: aborted by its AbortSignal`, { cause: signal.reason });
}
