/**
 * The "did you forget model.eval()?" warning. A forward with grad mode off (noGrad) through a
 * BatchNorm1d or a Dropout/Dropout1d that is still in training mode is almost always validation or
 * prediction without model.eval(): BatchNorm then overwrites its running statistics with the
 * validation batches (and normalises with batch statistics), and Dropout randomises the predictions.
 * Nothing fails and the numbers look plausible, so keel says it once per process, with
 * `process.emitWarning(message, { code: 'KEEL_TRAINING_MODE_NO_GRAD' })`, naming the module.
 *
 * The rule: warn when grad mode is off, the module is in training mode, the forward has an effect
 * that eval would not have (BatchNorm1d with running statistics; Dropout with p > 0), no warning has
 * been emitted yet in this process, and the forward is not inside intendedTrainingMode(fn) — the
 * wrapper for deliberate training-mode forwards (Monte-Carlo dropout, BatchNorm recalibration).
 */
import { isGradEnabled } from '../tensor/grad-mode.js';
import { OptionError } from '../errors.js';

/** The warning's code, for process.on('warning') filters and --disable-warning. */
export const TRAINING_MODE_NO_GRAD = 'KEEL_TRAINING_MODE_NO_GRAD';

let warned = false;
let intended = false;

/**
 * Runs fn with the training-mode-under-noGrad warning suppressed: for forwards that are meant to run
 * in training mode without recording a graph (Monte-Carlo dropout, recalibrating BatchNorm's running
 * statistics). Nesting-safe; the previous state is restored when fn returns or throws. As noGrad, it
 * covers the synchronous part of fn only (an async fn's awaited continuations are not covered).
 */
export function intendedTrainingMode<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new OptionError(`intendedTrainingMode: fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  const previous = intended;
  intended = true;
  try {
    return fn();
  } finally {
    intended = previous;
  }
}

/**
 * Called by a module's forward in training mode: emits the warning (once per process) unless grad
 * mode is on or the forward is inside intendedTrainingMode. `module` names the module
 * ("BatchNorm1d(64)"), `effect` says what the training-mode forward did. @internal
 */
export function warnTrainingModeUnderNoGrad(module: string, effect: string): void {
  if (warned || intended || isGradEnabled()) return;
  warned = true;
  const message = `${module} ran in training mode under noGrad(): ${effect}. Did you forget model.eval()? ` +
    '(Wrap deliberate training-mode forwards in nn.intendedTrainingMode(() => ...))';
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(message, { code: TRAINING_MODE_NO_GRAD });
  } else {
    console.warn(`${TRAINING_MODE_NO_GRAD}: ${message}`); // no Node process (a bundler's browser build)
  }
}

/** Lets the warning fire again (it fires once per process). For tests. @internal */
export function resetModeWarning(): void {
  warned = false;
}
