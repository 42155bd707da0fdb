/**
 * Whether an augmentation mixes class labels, and over how many classes (internal): fit checks its
 * training labels before the first step (src/train/class-targets.ts) against what its MixUp or CutMix
 * accepts, instead of letting a bad label stop training at the batch holding it. Only the first mixing
 * transform in apply order reads the labels as given; any after it receives its mixed rows.
 */
import { Compose } from './compose.js';
import { CutMix } from './cutmix.js';
import { MixUp } from './mixup.js';

/** The mixing transforms of `a` (a transform, a list as fit takes, or anything else: none), in apply order. */
function* mixers(a: unknown): Generator<MixUp | CutMix> {
  if (a instanceof MixUp || a instanceof CutMix) yield a;
  else if (a instanceof Compose) for (const t of a.transforms) yield* mixers(t);
  else if (Array.isArray(a)) for (const t of a) yield* mixers(t);
}

/**
 * numClasses of the first MixUp or CutMix of `a` when it mixes class indices (targets 'classes'); null
 * when it mixes other targets, or `a` has none (a function's mixing cannot be known).
 */
export function mixedClassCount(a: unknown): number | null {
  const first = mixers(a).next();
  return !first.done && first.value.targets === 'classes' ? first.value.numClasses! : null;
}
