/**
 * One changer at a time per model. fit, findLearningRate and recalibrateBatchNorm change a model's
 * weights or BatchNorm statistics over many turns of the event loop, and findLearningRate and a
 * failed recalibration put back what they found when they end. Two of them at once on one model (or
 * on models sharing a layer) would interleave their steps, or one would overwrite what the other did
 * — a sweep ending after a worker fit would put back the weights from before the fit. So each claims
 * every module of the model while it runs, and a second claim is refused with a StateError that names
 * the call holding it.
 */
import { StateError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { oneAtATime } from './modes.js';

/** The calls that claim a model, and what each does to it (for the refusal). */
const DOING = { fit: 'trained', findLearningRate: 'swept through learning rates', recalibrateBatchNorm: 'recalibrated' } as const;
export type Claimant = keyof typeof DOING;

const holders = new WeakMap<Module, Claimant>();

/**
 * Claims every module of `model` for `caller` and returns the release (call it once, when the call
 * ends, however it ends); throws a StateError, claiming nothing, when one of them is claimed already.
 */
export function claimModel(model: Module, caller: Claimant): () => void {
  const modules = model.modules();
  const busy = modules.find((m) => holders.has(m));
  if (busy) {
    const holder = holders.get(busy)!;
    const what = busy === model ? 'this model' : `a layer of this model (${busy.describe()})`;
    const call = `${holder === caller ? 'another' : 'a'} ${holder}() call`;
    throw new StateError(`${caller}: ${what} is already being ${DOING[holder]} by ${call}; await that call (or abort it) before starting another`);
  }
  for (const m of modules) holders.set(m, caller);
  return () => {
    for (const m of modules) holders.delete(m);
  };
}

/**
 * Runs fn with the model claimed for `caller` and in its turn among the model's predict and evaluate
 * calls (oneAtATime): those already running finish first, and those started meanwhile wait, so none
 * sees the half-changed model (a sweep's trial weights, a recalibration's observers).
 */
export async function changeAlone<T>(model: Module, caller: Claimant, fn: () => Promise<T>): Promise<T> {
  const release = claimModel(model, caller);
  try {
    return await oneAtATime(model, fn);
  } finally {
    release();
  }
}
