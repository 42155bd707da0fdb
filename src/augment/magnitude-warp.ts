/**
 * augment.magnitudeWarp: multiplies each channel by a smooth random curve around 1 (Um et al. 2017;
 * Iwana & Uchida 2021) — a gain that drifts slowly over the window:
 *   y[n, c, t] = w_{n,c}(t) · x[n, c, t],
 *   w_{n,c} = the natural cubic spline (./spline.ts) through knots + 2 values v_k ~ N(1, σ²) placed
 *             evenly over the window, both ends included (t_k = k·(L − 1)/(knots + 1)),
 * a fresh curve per (sample, channel). E[w(t)] = 1 at every t, and the curve bends only between
 * knots. Defaults σ 0.2 and 4 knots (both papers); knots ≤ 100 (MAX_KNOTS, ./validate.ts).
 */
import { checkOptions, numberIn } from '../functional/validate.js';
import { normals } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { evalSpline, splineBasis } from './spline.js';
import { applyProbability, checkSeries, chooseSamples, knotCount } from './validate.js';

/** Options of augment.magnitudeWarp. */
export interface MagnitudeWarpOptions {
  /** Standard deviation of the curve's knot values (their mean is 1), ≥ 0. Default 0.2. */
  sigma?: number;
  /** Number of interior knots (the curve also has one at each end), an integer in [1, 100]. Default 4. */
  knots?: number;
  /** Probability of warping each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.magnitudeWarp';

/** Multiplies each channel of (N, C, L) samples by a smooth random curve around 1: a cubic spline through knots + 2 values from N(1, σ²) (defaults σ 0.2, 4 knots). */
export class MagnitudeWarp extends Augmentation {
  readonly type = 'magnitudeWarp';
  /** Standard deviation of the curve's knot values around 1. */
  readonly sigma: number;
  /** Interior knots of the spline (knots + 2 values in all). */
  readonly knots: number;
  /** Probability of warping each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: MagnitudeWarpOptions) {
    super();
    const o = checkOptions(W, options, ['sigma', 'knots', 'p']);
    this.sigma = o.sigma === undefined ? 0.2 : numberIn(W, 'sigma', o.sigma, 0);
    this.knots = o.knots === undefined ? 4 : knotCount(W, o.knots);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('MagnitudeWarp.apply', x);
    const chosen = chooseSamples(this.p, n);
    const m = this.knots + 2;
    const z = normals(n * c * m);
    const basis = splineBasis(m, l);
    const curve = new Float64Array(l);
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      if (chosen && !chosen[i]) continue;
      for (let ch = 0; ch < c; ch++) {
        // w = B·(1 + σz) = 1 + σ·B·z, since each row of B sums to 1.
        evalSpline(basis, m, z, (i * c + ch) * m, curve);
        const row = (i * c + ch) * l;
        for (let t = 0; t < l; t++) out[row + t] = (1 + this.sigma * curve[t]!) * x.data[row + t]!;
      }
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { sigma: this.sigma, knots: this.knots, p: this.p } };
  }
}

/** Multiplies each (sample, channel) by a smooth random curve around 1 (see the header). */
export function magnitudeWarp(options?: MagnitudeWarpOptions): MagnitudeWarp {
  return new MagnitudeWarp(options);
}
