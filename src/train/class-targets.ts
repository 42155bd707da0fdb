/**
 * fit's class targets, checked before the first step, against the number of logits C the model gives
 * per sample, which one forward of two samples in eval mode (no gradients, no running-statistics
 * update) reveals. With loss 'crossEntropy', a y of class indices (a Tensor, for training or
 * validation) must hold integers in [0, C) — or the ignore index −100, though not only that. With metric 'accuracy' or
 * 'top<k>Accuracy', it must hold what the metric scores: class indices in [0, C), or 0 and 1 where
 * the model gives one logit per sample ('accuracy' only). Without this check a bad label stopped
 * training at the batch holding it — for a validation label, after a whole epoch — when the steps
 * before it had changed the model, with its index inside the batch instead of the sample's. So too
 * with an augmentation whose first MixUp or CutMix mixes class indices: the training y must be what it
 * accepts, class indices in [0, numClasses) and not −100 (mixCheck says why).
 */
import { DataError } from '../errors.js';
import { narrow } from '../functional/indexing.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { mixedClassCount } from '../augment/label-mixing.js';
import { IGNORE_INDEX } from './losses.js';
import type { FitOptions } from './options.js';


/** Throws a DataError naming the first value of y (and its sample) that is not `ok`. */
function checkEach(y: Tensor, name: string, ok: (v: number) => boolean, what: string): void {
  const perSample = y.numel / (y.shape[0] || 1);
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i]!;
    if (!ok(v)) throw new DataError(`fit: ${name} must hold ${what}, got ${v} at index ${i} (sample ${Math.floor(i / perSample)}); nothing was trained`);
  }
}

/** The model's output shape for the first samples of x, in eval mode; null when that forward fails (training will report it). */
function outputShape(model: Module, x: Tensor): readonly number[] | null {
  const modules = model.modules(), modes = modules.map((m) => m.training);
  model.eval();
  try {
    return noGrad(() => model.forward(narrow(x, 0, 0, Math.min(2, x.shape[0]!)))).shape;
  } catch {
    return null;
  } finally {
    modules.forEach((m, i) => (m.training = modes[i]!));
  }
}

/** What the run scores class targets with: crossEntropy as its loss, and the first accuracy metric it logs (null: none). */
export interface ClassTargetUse {
  crossEntropy: boolean;
  accuracy: string | null;
  /**
   * fit's `augment` option. When its first MixUp or CutMix mixes class indices (targets 'classes'), the
   * training targets (those named 'y', validationSplit's share included, as it is drawn from them) must
   * be what that transform accepts: class indices in [0, numClasses), the ignore index −100 refused.
   */
  augment?: FitOptions['augment'];
}

/**
 * Why −100 is refused rather than mixed: MixUp/CutMix turn labels into probability rows, and
 * crossEntropy on probability rows has no ignore index (as in PyTorch). A zero row for the sample would
 * still count in the batch mean, and the mixed inputs holding it would be scored on their partners'
 * labels alone: the sample would be trained on, not ignored.
 */
function mixCheck(numClasses: number): [(v: number) => boolean, string] {
  return [
    (v) => Number.isInteger(v) && v >= 0 && v < numClasses,
    `class indices in [0, ${numClasses}) for augment's MixUp or CutMix with targets 'classes' (they become probability rows, where the ignore index ${IGNORE_INDEX} has no meaning)`,
  ];
}

/**
 * A check of class targets against `model`: throws a DataError naming the first sample of `y` whose
 * target the loss or the accuracy metric cannot score. The model runs once, on the first x checked.
 * Null when nothing in the run scores classes.
 */
export function classTargetsCheck(model: Module, use: ClassTargetUse): ((x: Tensor, y: Tensor, name: string) => void) | null {
  const mixed = mixedClassCount(use.augment);
  if (!use.crossEntropy && use.accuracy === null && mixed === null) return null;
  let out: readonly number[] | null | undefined;
  return (x, y, name) => {
    if (out === undefined) out = outputShape(model, x);
    const logits = out; // a const, so the callbacks below see it narrowed
    const binary = logits !== null && (logits.length === 1 || (logits.length === 2 && logits[1] === 1));
    const C = logits?.[1] ?? 1;
    // Augmentation mixes training batches only. Mixed labels are rows of numClasses probabilities, which
    // the loss reads against the C logits: a count that differs is the cause to name, before the labels.
    if (mixed !== null && name === 'y') {
      if (logits !== null && logits.length === 2 && !binary && mixed !== C) {
        throw new DataError(`fit: augment's MixUp or CutMix turns labels into rows of numClasses (${mixed}) probabilities, but the model gives ${C} logits per sample; give it numClasses: ${C}; nothing was trained`);
      }
      checkEach(y, name, ...mixCheck(mixed));
    }
    if (logits === null || logits.length === 0) return;
    const probabilities = y.ndim === logits.length && y.shape.slice(1).every((s, i) => s === logits[i + 1]);
    const check = (ok: (v: number) => boolean, what: string) => checkEach(y, name, ok, what);
    const classIndex = (v: number) => Number.isInteger(v) && v >= 0 && v < C;
    if (use.crossEntropy && logits.length >= 2 && !probabilities) {
      check((v) => v === IGNORE_INDEX || classIndex(v), `class indices in [0, ${C}) for loss 'crossEntropy' (the model gives ${C} logits per sample)`);
      // Every sample ignored: the loss is a mean over nothing, NaN from the first batch on.
      if (y.data.length > 0 && y.data.every((v) => v === IGNORE_INDEX)) {
        throw new DataError(`fit: ${name} holds only the ignore index ${IGNORE_INDEX}, so loss 'crossEntropy' has no sample to score; nothing was trained`);
      }
    }
    const metric = use.accuracy;
    if (metric === null || (!binary && (probabilities || logits.length !== 2))) return;
    if (!binary) check(classIndex, `class indices in [0, ${C}) for metric '${metric}' (the model gives ${C} logits per sample)`);
    else if (metric === 'accuracy') check((v) => v === 0 || v === 1, `0 or 1 for metric 'accuracy' (the model gives one logit per sample)`);
  };
}
