/**
 * fit's class-index targets, checked before the first step. With loss 'crossEntropy', a y of class
 * indices (a Tensor, for training or validation) must hold integers in [0, C) — or the ignore index
 * −100 — where C is the number of logits the model gives per sample, which one forward of two samples
 * in eval mode (no gradients, no running-statistics update) reveals. Without this check a bad label
 * stopped training at the batch holding it, after the steps before it had changed the model, with its
 * index inside the batch instead of the sample's.
 */
import { DataError } from '../errors.js';
import { narrow } from '../functional/indexing.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';

/** F.crossEntropy's default ignore index, which fit's named loss uses. */
const IGNORE_INDEX = -100;

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

/**
 * A check of class-index targets against `model`: throws a DataError naming the first sample of `y`
 * whose class index the model's logits cannot score. The model runs once, on the first x checked.
 */
export function classTargetsCheck(model: Module): (x: Tensor, y: Tensor, name: string) => void {
  let out: readonly number[] | null | undefined;
  return (x, y, name) => {
    if (out === undefined) out = outputShape(model, x);
    const logits = out; // a const, so the callback below sees it narrowed
    if (logits === null || logits.length < 2) return;
    const C = logits[1]!;
    const probabilities = y.ndim === logits.length && y.shape.slice(1).every((s, i) => s === logits[i + 1]);
    if (probabilities) return;
    const perSample = y.numel / (y.shape[0] || 1);
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i]!;
      if (v === IGNORE_INDEX || (Number.isInteger(v) && v >= 0 && v < C)) continue;
      throw new DataError(
        `fit: ${name} must hold class indices in [0, ${C}) for loss 'crossEntropy' (the model gives ${C} logits per sample), ` +
          `got ${v} at index ${i} (sample ${Math.floor(i / perSample)}); nothing was trained`,
      );
    }
  };
}
