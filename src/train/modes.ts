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
 * (through inEvalMode), a worker fit's copy of the trained state into the model, a learning-rate
 * sweep and a BatchNorm recalibration take turns this way: each yields to the event loop between
 * batches, and otherwise a predict's later batches would run on weights that arrived in the middle of
 * it, or on a sweep's trial weights, and a recalibration would count a predict's inputs.
 */
export function oneAtATime<T>(model: Module, fn: () => Promise<T>): Promise<T> {
  const before = lastCall.get(model);
  const result = before ? before.then(fn) : fn();
  lastCall.set(model, result.then(ignore, ignore));
  return result;
}

/**
 * Runs fn, one call at a time per model (oneAtATime), handing it `inEval`: inEval(batch) runs the
 * synchronous batch with every module in eval() but `training` (Monte-Carlo dropout's layers) in
 * train(), and puts back the modes it found, even on throw. The modes switch per batch, not around
 * the whole call, because fn yields to the event loop between batches, and there a fit of the same
 * model on the caller's thread may run a training step: one that found the model in eval() would
 * train without batch statistics and dropout. Grad mode is not touched here either: each forward
 * inside wraps itself in noGrad.
 */
export function inEvalMode<T>(model: Module, fn: (inEval: <R>(batch: () => R) => R) => Promise<T>, training: readonly Module[] = []): Promise<T> {
  return oneAtATime(model, () => {
    const evalModes: ModeSnapshot = model.modules().map((m) => [m, training.includes(m)] as const);
    return fn((batch) => {
      const found = saveModes(model);
      restoreModes(evalModes);
      try {
        return batch();
      } finally {
        restoreModes(found);
      }
    });
  });
}
