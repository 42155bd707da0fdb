/**
 * The errors fit() ends with. Each carries the history up to the failure, so a caller can still see the
 * curves of a run that went wrong. Registered with reviveError, so a fit in a worker thread rejects with
 * the same class, fields and message as one on the caller's thread.
 */
import { NonFiniteError, registerErrorClass } from '../errors.js';
import type { History } from './history.js';

/** A training loss that is NaN or ±Infinity (TerminateOnNaN, on by default). `name` is 'NonFiniteLossError'. */
export class NonFiniteLossError extends NonFiniteError {
  /** Filled in by fit: the epochs completed before the failure. */
  history: History | null = null;

  constructor(
    /** The epoch (1-based) of the batch whose loss was not finite. */
    readonly epoch: number,
    /** The batch (1-based, within the epoch). */
    readonly batch: number,
    /** The loss: NaN, Infinity or −Infinity. */
    readonly value: number,
  ) {
    super(
      `fit: the training loss is ${value} at epoch ${epoch}, batch ${batch}: training stopped and the model is left at the last finite step ` +
        `(parameters, BatchNorm running statistics and optimiser state as they were before this batch). ` +
        `Common causes: a learning rate too high (try findLearningRate, or a lower lr), NaN/Infinity in the data, or a loss that needs logits (bce) given probabilities.`,
    );
  }
}

registerErrorClass(NonFiniteLossError);
