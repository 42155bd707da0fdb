/**
 * augment.jitter: additive Gaussian noise, the plainest time-series augmentation (Um et al. 2017;
 * Iwana & Uchida 2021), which models sensor noise:
 *   y = x + ε,   ε ~ N(0, σ²) independently for every element,
 * so each element keeps its mean and its variance grows by σ². σ is in the units of x: the default
 * 0.03 (Iwana & Uchida's; 0.03–0.05 in the literature) assumes standardised inputs. Works on any
 * (N, ...) batch, not only (N, C, L).
 */
import { checkOptions, numberIn } from '../functional/validate.js';
import { normals } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { applyProbability, checkBatch, chooseSamples } from './validate.js';

/** Options of augment.jitter. */
export interface JitterOptions {
  /** Standard deviation of the noise, ≥ 0, in the units of x. Default 0.03. */
  sigma?: number;
  /** Probability of jittering each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.jitter';

/** Additive Gaussian noise: y = x + ε, ε ~ N(0, σ²) per element (default σ 0.03, for standardised inputs). Any (N, ...) batch. */
export class Jitter extends Augmentation {
  readonly type = 'jitter';
  /** Standard deviation of the noise, in the units of x. */
  readonly sigma: number;
  /** Probability of jittering each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: JitterOptions) {
    super();
    const o = checkOptions(W, options, ['sigma', 'p']);
    this.sigma = o.sigma === undefined ? 0.03 : numberIn(W, 'sigma', o.sigma, 0);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const n = checkBatch('Jitter.apply', x);
    const chosen = chooseSamples(this.p, n);
    const noise = normals(x.numel);
    const out = new Float32Array(x.data);
    const per = n === 0 ? 0 : x.numel / n;
    for (let i = 0; i < n; i++) {
      if (chosen && !chosen[i]) continue;
      for (let k = i * per; k < (i + 1) * per; k++) out[k] = x.data[k]! + this.sigma * noise[k]!;
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { sigma: this.sigma, p: this.p } };
  }
}

/** Adds N(0, σ²) noise to every element (see the header). */
export function jitter(options?: JitterOptions): Jitter {
  return new Jitter(options);
}
