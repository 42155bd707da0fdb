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

// When each model's latest oneAtATime call (running or waiting) has settled.
const lastCall = new WeakMap<Module, Promise<void>>();
const ignore = (): void => {};

/**
 * Runs fn once every earlier oneAtATime call on the same model has settled. predict and evaluate
 * (through inEvalMode) and a worker fit's copy of the trained state into the model take turns this
 * way: each yields to the event loop between batches, and two at once would switch each other's modes
 * — one restoring train() under the other, or turning Monte-Carlo dropout off — or one call's later
 * batches would run on weights that arrived in the middle of it.
 */
export function oneAtATime<T>(model: Module, fn: () => Promise<T>): Promise<T> {
  const before = lastCall.get(model);
  const result = before ? before.then(fn) : fn();
  lastCall.set(model, result.then(ignore, ignore));
  return result;
}

/**
 * Runs fn with the model in eval(), one call at a time per model (oneAtATime); the previous modes are
 * restored after, even on throw. Grad mode is not touched here: fn yields to the event loop, where
 * other code must keep its own grad mode, so each forward inside wraps itself in noGrad.
 */
export function inEvalMode<T>(model: Module, fn: () => Promise<T>): Promise<T> {
  return oneAtATime(model, async () => {
    const modes = saveModes(model);
    model.eval();
    try {
      return await fn();
    } finally {
      restoreModes(modes);
    }
  });
}
