/**
 * augment.compose: several augmentations applied one after another, as torchvision's Compose — each
 * sees the batch (and targets) the previous one returned. Its spec nests the specs of its parts:
 * { type: 'compose', options: { transforms: [spec, …] } }. An empty list is the identity (a copy of x).
 */
import { describe } from '../data/validate.js';
import { OptionError } from '../errors.js';
import { checkTensor } from '../functional/validate.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';

/** Applies several augmentations in order, each to the batch and targets the previous one returned (torchvision's Compose); an empty list is the identity. */
export class Compose extends Augmentation {
  readonly type = 'compose';
  /** The augmentations, applied in this order. */
  readonly transforms: readonly Augmentation[];

  constructor(transforms: readonly Augmentation[]) {
    super();
    if (!Array.isArray(transforms)) throw new OptionError(`augment.compose: transforms must be an array of augmentations, got ${describe(transforms)}`);
    transforms.forEach((t, i) => {
      if (!(t instanceof Augmentation)) throw new OptionError(`augment.compose: transforms[${i}] must be an Augmentation (e.g. augment.jitter()), got ${describe(t)}`);
    });
    this.transforms = Object.freeze([...transforms]);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    // With no transform to make it, the copy base.ts promises: a fresh tensor outside autograd, never x itself.
    if (this.transforms.length === 0) {
      const t = checkTensor('Compose.apply', 'x', x);
      return { x: new Tensor(new Float32Array(t.data), t.shape), y };
    }
    let batch: AugmentedBatch = { x, y };
    for (const t of this.transforms) batch = t.apply(batch.x, batch.y);
    return batch;
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { transforms: this.transforms.map((t) => t.toSpec()) } };
  }
}

/** Applies `transforms` in order (see the header). */
export function compose(transforms: readonly Augmentation[]): Compose {
  return new Compose(transforms);
}
