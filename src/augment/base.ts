/**
 * The base class every augmentation extends: `apply(x, y)` returns a new augmented batch (never
 * mutating its inputs), and `toSpec()` returns the plain JSON { type, options } that fromSpec
 * (./registry.ts) rebuilds it from — which is how fit moves a user's augmentation into its
 * worker thread. Randomness comes only from keel's global generator (src/tensor/random.ts), so a
 * run under manualSeed (or fit's seed) is reproducible in a worker and in-thread alike.
 *
 * Augmentation is data preparation: outputs are fresh tensors outside the autograd graph, whatever
 * x.requiresGrad says (the same as augmenting x.detach()).
 */
import type { Tensor } from '../tensor/tensor.js';

/** A value JSON can carry unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What fromSpec rebuilds an augmentation from: its registry name and every option, defaults filled.
 * (A type, not an interface, so a spec is itself a JsonValue and specs can nest.)
 */
export type AugmentSpec = {
  /** The registry name, e.g. 'jitter'. */
  type: string;
  /** Every option, defaults filled in, as JSON. */
  options: Record<string, JsonValue>;
};

/** An augmented batch: the inputs and, when targets were given, the (possibly mixed) targets. */
export interface AugmentedBatch {
  /** The augmented inputs, a fresh tensor of x's shape. */
  x: Tensor;
  /** The targets, mixed by MixUp/CutMix ((N, K) probabilities for class indices); absent when none were given. */
  y?: Tensor;
}

/** Base class of the time-series augmentations: apply(x, y) returns a fresh augmented batch (inputs untouched, outside autograd); toSpec() gives the JSON that augment.fromSpec rebuilds it from. */
export abstract class Augmentation {
  /** Registry name, e.g. 'jitter'. */
  abstract readonly type: string;

  /**
   * Returns the augmented batch. x: (N, C, L) for the time-series transforms, (N, ...) for the
   * elementwise ones; y: the batch's targets (only the mixing transforms read or change them; the
   * others pass it through). All randomness comes from keel's global generator. Never mutates inputs.
   */
  abstract apply(x: Tensor, y?: Tensor): AugmentedBatch;

  /** What the worker rebuilds it from: { type, options } with every option spelled out (defaults filled). */
  abstract toSpec(): AugmentSpec;
}
