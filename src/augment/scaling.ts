/**
 * augment.scaling: multiplies each channel of each sample by one random factor (Um et al. 2017;
 * Iwana & Uchida 2021), which models sensors with different gains:
 *   y[n, c, t] = s_{n,c} · x[n, c, t],   s_{n,c} ~ N(1, σ²),
 * the same factor at every step, a fresh one per (sample, channel). Default σ 0.1 (both papers).
 * Scales about zero, so on standardised inputs it changes amplitude around the channel mean.
 */
import { checkOptions, numberIn } from '../functional/validate.js';
import { normals } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { applyProbability, checkSeries, chooseSamples } from './validate.js';

/** Options of augment.scaling. */
export interface ScalingOptions {
  /** Standard deviation of the factors (their mean is 1), ≥ 0. Default 0.1. */
  sigma?: number;
  /** Probability of scaling each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.scaling';

/** Multiplies each channel of each (N, C, L) sample by one factor s ~ N(1, σ²) (default σ 0.1): sensors with different gains. */
export class Scaling extends Augmentation {
  readonly type = 'scaling';
  /** Standard deviation of the factors around 1. */
  readonly sigma: number;
  /** Probability of scaling each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: ScalingOptions) {
    super();
    const o = checkOptions(W, options, ['sigma', 'p']);
    this.sigma = o.sigma === undefined ? 0.1 : numberIn(W, 'sigma', o.sigma, 0);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('Scaling.apply', x);
    const chosen = chooseSamples(this.p, n);
    const z = normals(n * c);
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      if (chosen && !chosen[i]) continue;
      for (let ch = 0; ch < c; ch++) {
        const s = 1 + this.sigma * z[i * c + ch]!;
        const row = (i * c + ch) * l;
        for (let t = row; t < row + l; t++) out[t] = s * x.data[t]!;
      }
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { sigma: this.sigma, p: this.p } };
  }
}

/** Multiplies each (sample, channel) by a factor ~ N(1, σ²) (see the header). */
export function scaling(options?: ScalingOptions): Scaling {
  return new Scaling(options);
}
