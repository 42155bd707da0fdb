/**
 * Modes are the library's job: training batches run in train(), validation, evaluate and predict in
 * eval() under noGrad, and afterwards every module is put back in the mode it had — per module, so a
 * model the user had partly frozen in eval (a BatchNorm kept in eval while fine-tuning) stays that way.
 */
import type { Module } from '../nn/module.js';

/** Every module's training flag, to put back with restoreModes. */
export type ModeSnapshot = ReadonlyArray<readonly [Module, boolean]>;

export function saveModes(model: Module): ModeSnapshot {
  return model.modules().map((m) => [m, m.training] as const);
}

export function restoreModes(snapshot: ModeSnapshot): void {
  for (const [m, training] of snapshot) m.training = training;
}

// When each model's latest inEvalMode call (running or waiting) has settled.
const lastInEvalMode = new WeakMap<Module, Promise<void>>();
const ignore = (): void => {};

/**
 * Runs fn with the model in eval(); the previous modes are restored after, even on throw. Grad mode is
 * not touched here: fn yields to the event loop, where other code must keep its own grad mode, so each
 * forward inside wraps itself in noGrad. Calls on one model run one after another: two predict or
 * evaluate calls at once (a server's concurrent requests) would otherwise switch each other's modes
 * between batches — one restoring train() under the other, or turning Monte-Carlo dropout off.
 */
export function inEvalMode<T>(model: Module, fn: () => Promise<T>): Promise<T> {
  const run = async () => {
    const modes = saveModes(model);
    model.eval();
    try {
      return await fn();
    } finally {
      restoreModes(modes);
    }
  };
  const before = lastInEvalMode.get(model);
  const result = before ? before.then(run) : run();
  lastInEvalMode.set(model, result.then(ignore, ignore));
  return result;
}
