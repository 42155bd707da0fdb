/**
 * augment.mixup: MixUp (Zhang et al. 2018) — each sample is blended with a random partner from the
 * same batch and its target blended in the same proportion:
 *   λ ~ Beta(α, α) (one per batch),  perm = randperm(N),
 *   x̃_i = λ·x_i + (1 − λ)·x_{perm[i]},   ỹ_i mixed with the same λ (./mixing.ts: regression values,
 *   class indices → (N, K) probabilities, or probability rows).
 * Default α 0.2 (the paper's ImageNet setting; 0.2–0.4 in the literature). Any (N, ...) inputs.
 */
import { randperm } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { sampleBeta } from './beta.js';
import { checkMixTargets, type MixOptions, type MixTargets, mixRows, mixSpecOptions, mixTargets, readMixOptions } from './mixing.js';
import { checkBatch } from './validate.js';

/** Options of augment.mixup (α default 0.2). */
export type MixUpOptions = MixOptions;

/** MixUp: x̃ = λ·x + (1 − λ)·x[perm], targets mixed with the same λ ~ Beta(α, α), one λ per batch (default α 0.2). Any (N, ...) batch. */
export class MixUp extends Augmentation {
  readonly type = 'mixup';
  /** α of λ ~ Beta(α, α). */
  readonly alpha: number;
  /** How targets are read and mixed. */
  readonly targets: MixTargets;
  /** Number of classes K when given (required for targets 'classes'); undefined otherwise. */
  readonly numClasses: number | undefined;

  constructor(options: MixUpOptions) {
    super();
    const o = readMixOptions('augment.mixup', options, 0.2);
    this.alpha = o.alpha;
    this.targets = o.targets;
    this.numClasses = o.numClasses;
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const op = 'MixUp.apply';
    const n = checkBatch(op, x);
    const yy = checkMixTargets(op, y, n, this.targets, this.numClasses);
    const lam = sampleBeta(this.alpha, this.alpha);
    const perm = randperm(n);
    return { x: mixRows(x, perm, lam), y: mixTargets(yy, this.targets, this.numClasses, perm, lam) };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: mixSpecOptions(this) };
  }
}

/** MixUp: blends each sample and its target with a random partner's (see the header). */
export function mixup(options: MixUpOptions): MixUp {
  return new MixUp(options);
}
