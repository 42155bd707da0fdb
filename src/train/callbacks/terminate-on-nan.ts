/**
 * TerminateOnNaN: the first NaN or infinite training loss ends fit with a NonFiniteLossError naming the
 * epoch and the batch. It checks the loss before backward and the optimiser step, and fit rolls back the
 * BatchNorm running statistics that batch's forward changed, so the model is left exactly at the last
 * finite step (parameters, buffers and optimiser state). fit adds one unless `terminateOnNaN: false`.
 */
import { NonFiniteLossError } from '../errors.js';
import { type BatchLogs, type CallbackSpec, ModelCallback } from './callback.js';
import { registerCallbackType } from './registry.js';

/** Ends fit with a NonFiniteLossError at the first NaN or infinite training loss, before that batch's backward and step, so the model stays at its last finite state (Keras' TerminateOnNaN). fit adds one unless terminateOnNaN is false. */
export class TerminateOnNaN extends ModelCallback {
  override onBatchLoss(batch: number, logs: BatchLogs): void {
    if (!Number.isFinite(logs.loss)) throw new NonFiniteLossError(logs.epoch, batch, logs.loss);
  }

  override toSpec(): CallbackSpec {
    return { type: 'TerminateOnNaN', options: {}, state: {} };
  }
}

registerCallbackType('TerminateOnNaN', TerminateOnNaN, () => new TerminateOnNaN());
