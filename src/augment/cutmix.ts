/**
 * augment.cutmix: 1-D CutMix (Yun et al. 2019, on the time axis) — a time segment of each sample is
 * replaced by the same segment of a random partner from the batch, and the target mixed by the
 * share of steps each one ends up with:
 *   λ ~ Beta(α, α),  S = round(L·(1 − λ)) steps,  start a uniform in {0, …, L − S},  perm = randperm(N)
 *   (one λ, segment and perm per batch, as the paper's code draws one box per batch);
 *   x̃[i, :, t] = x[perm[i], :, t] for a ≤ t < a + S, else x[i, :, t];
 *   ỹ_i mixed (./mixing.ts) with the TRUE share λ' = 1 − S/L of sample i's own steps, after rounding
 *   to whole steps (the paper's "adjust λ to the exact area ratio").
 * Unlike MixUp every value stays a real reading of some sample. Default α 1 (the paper's: λ uniform).
 */
import { randperm, uniforms } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { sampleBeta } from './beta.js';
import { checkMixTargets, type MixOptions, type MixTargets, mixSpecOptions, mixTargets, readMixOptions } from './mixing.js';
import { checkSeries } from './validate.js';

/** Options of augment.cutmix (α default 1: λ uniform). */
export type CutMixOptions = MixOptions;

/** 1-D CutMix: replaces a random time segment of length L·(1 − λ), λ ~ Beta(α, α), with a shuffled partner's and mixes targets by the true share of steps (default α 1). */
export class CutMix extends Augmentation {
  readonly type = 'cutmix';
  /** α of λ ~ Beta(α, α). */
  readonly alpha: number;
  /** How targets are read and mixed. */
  readonly targets: MixTargets;
  /** Number of classes K when given (required for targets 'classes'); undefined otherwise. */
  readonly numClasses: number | undefined;

  constructor(options: CutMixOptions) {
    super();
    const o = readMixOptions('augment.cutmix', options, 1);
    this.alpha = o.alpha;
    this.targets = o.targets;
    this.numClasses = o.numClasses;
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const op = 'CutMix.apply';
    const [n, c, l] = checkSeries(op, x);
    const yy = checkMixTargets(op, y, n, this.targets, this.numClasses);
    const lam = sampleBeta(this.alpha, this.alpha);
    const perm = randperm(n);
    const s = Math.round(l * (1 - lam));
    const a = Math.floor(uniforms(1)[0]! * (l - s + 1));
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const dst = (i * c + ch) * l, src = (perm[i]! * c + ch) * l;
        out.set(x.data.subarray(src + a, src + a + s), dst + a);
      }
    }
    const share = l === 0 ? 1 : 1 - s / l;
    return { x: new Tensor(out, x.shape), y: mixTargets(yy, this.targets, this.numClasses, perm, share) };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: mixSpecOptions(this) };
  }
}

/** 1-D CutMix: swaps a random time segment with a partner's and mixes targets by the true share (see the header). */
export function cutmix(options: CutMixOptions): CutMix {
  return new CutMix(options);
}
