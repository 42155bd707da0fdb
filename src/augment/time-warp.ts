/**
 * augment.timeWarp: a smooth, strictly increasing distortion of the time axis, resampled back to L
 * steps (Um et al. 2017; Iwana & Uchida 2021) — the same events, some sped up and some slowed down:
 *   speed      v(t) = exp(σ·g(t)), g = the natural cubic spline (./spline.ts) through knots + 2 values
 *                     z_k ~ N(0, 1) evenly over the window, both ends included;
 *   time       τ(t) = (L − 1)·S(t)/S(L − 1),  S(0) = 0,  S(t) = S(t − 1) + (v(t − 1) + v(t))/2
 *                     (the trapezoid integral of the speed, rescaled so τ(0) = 0 and τ(L − 1) = L − 1);
 *   output     y[n, c, t] = x_{n,c}(τ(t)), read by linear interpolation (./resample.ts).
 * Um et al. draw the speed's knots from N(1, σ²) directly (Iwana & Uchida scale the knot times by such
 * factors); exp(σz) is ≈ 1 + σz for the usual σ but always positive, so τ is strictly increasing for
 * every draw (a negative speed, or crossing knot times, would run time backwards). One warp per sample, shared by its channels: the channels are sensors on one clock,
 * and warping each on its own (Iwana & Uchida's code does) would shift them against each other.
 * The first and last steps are kept, a constant series stays constant and a monotone one monotone.
 * Defaults σ 0.2 and 4 knots (both papers); σ ≤ 1 and knots ≤ 100 (MAX_SIGMA below, MAX_KNOTS in ./validate.ts).
 */
import { checkOptions, numberIn } from '../functional/validate.js';
import { normals } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { resampleLinear } from './resample.js';
import { evalSpline, splineBasis } from './spline.js';
import { applyProbability, checkSeries, chooseSamples, knotCount } from './validate.js';

/** Options of augment.timeWarp. */
export interface TimeWarpOptions {
  /** Spread of the log-speed at the knots, in [0, 1] (0 leaves the series unchanged). Default 0.2. */
  sigma?: number;
  /** Number of interior knots (the speed curve also has one at each end), an integer in [1, 100]. Default 4. */
  knots?: number;
  /** Probability of warping each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.timeWarp';

/**
 * The largest σ, five times the papers' 0.2: at σ = 1 the fastest stretch of a window typically runs
 * some 13× the slowest (e^(σ·range of g), whose median range is 2.6). Much larger, the speeds' ratio
 * outgrows what float64 sums without losing the slow steps (τ would stop increasing), and with σ in
 * the hundreds exp(σ·g) overflows to NaN outputs.
 */
const MAX_SIGMA = 1;

/** Smoothly speeds up and slows down the time axis of (N, C, L) samples (a spline of knots + 2 N(0, 1) values, scaled by σ) and resamples to L steps (defaults σ 0.2, 4 knots). */
export class TimeWarp extends Augmentation {
  readonly type = 'timeWarp';
  /** Scale σ of the log-speed curve. */
  readonly sigma: number;
  /** Interior knots of the speed spline. */
  readonly knots: number;
  /** Probability of warping each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: TimeWarpOptions) {
    super();
    const o = checkOptions(W, options, ['sigma', 'knots', 'p']);
    this.sigma = o.sigma === undefined ? 0.2 : numberIn(W, 'sigma', o.sigma, 0, MAX_SIGMA);
    this.knots = o.knots === undefined ? 4 : knotCount(W, o.knots);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('TimeWarp.apply', x);
    const chosen = chooseSamples(this.p, n);
    const m = this.knots + 2;
    const z = normals(n * m);
    const basis = splineBasis(m, l);
    const g = new Float64Array(l), tau = new Float64Array(l);
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      if ((chosen && !chosen[i]) || l < 2) continue;
      evalSpline(basis, m, z, i * m, g);
      tau[0] = 0;
      let prev = Math.exp(this.sigma * g[0]!);
      for (let t = 1; t < l; t++) {
        const v = Math.exp(this.sigma * g[t]!);
        tau[t] = tau[t - 1]! + (prev + v) / 2;
        prev = v;
      }
      const scale = (l - 1) / tau[l - 1]!;
      for (let t = 1; t < l; t++) tau[t]! *= scale;
      for (let ch = 0; ch < c; ch++) resampleLinear(x.data, (i * c + ch) * l, l, tau, out, (i * c + ch) * l);
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { sigma: this.sigma, knots: this.knots, p: this.p } };
  }
}

/** Resamples each sample along a smooth random monotone time warp (see the header). */
export function timeWarp(options?: TimeWarpOptions): TimeWarp {
  return new TimeWarp(options);
}
