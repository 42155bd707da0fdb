/**
 * augment.windowSlice: a random crop of each sample, stretched back to the original length (Le
 * Guennec et al. 2016; Iwana & Uchida 2021's default ratio 0.9):
 *   width   w = max(1, round(ratio·L)),  start s uniform in {0, …, L − w} (one per sample);
 *   output  y[n, c, t] = x_{n,c}(s + t·(w − 1)/(L − 1)),  read by linear interpolation (./resample.ts),
 * so output step 0 is input step s and output step L − 1 is input step s + w − 1. One crop per
 * sample, shared by its channels (they stay aligned). ratio = 1 is the identity. A constant series
 * stays constant and a monotone one monotone.
 */
import { checkOptions } from '../functional/validate.js';
import { uniforms } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { resampleLinear } from './resample.js';
import { applyProbability, checkSeries, chooseSamples, ratioIn01 } from './validate.js';

/** Options of augment.windowSlice. */
export interface WindowSliceOptions {
  /** Length of the crop as a fraction of L, in (0, 1]. Default 0.9. */
  ratio?: number;
  /** Probability of slicing each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.windowSlice';

/** Crops a random ratio·L window of each (N, C, L) sample (default ratio 0.9) and stretches it back to L steps by linear interpolation. */
export class WindowSlice extends Augmentation {
  readonly type = 'windowSlice';
  /** Length of the crop as a fraction of L. */
  readonly ratio: number;
  /** Probability of slicing each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: WindowSliceOptions) {
    super();
    const o = checkOptions(W, options, ['ratio', 'p']);
    this.ratio = o.ratio === undefined ? 0.9 : ratioIn01(W, 'ratio', o.ratio);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('WindowSlice.apply', x);
    const chosen = chooseSamples(this.p, n);
    const u = uniforms(n);
    const w = Math.max(1, Math.round(this.ratio * l));
    const pos = new Float64Array(l);
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      if ((chosen && !chosen[i]) || l < 2) continue;
      const s = Math.floor(u[i]! * (l - w + 1));
      for (let t = 0; t < l; t++) pos[t] = s + (t * (w - 1)) / (l - 1);
      for (let ch = 0; ch < c; ch++) resampleLinear(x.data, (i * c + ch) * l, l, pos, out, (i * c + ch) * l);
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { ratio: this.ratio, p: this.p } };
  }
}

/** Crops each sample to ratio·L steps at a random start and stretches it back to L (see the header). */
export function windowSlice(options?: WindowSliceOptions): WindowSlice {
  return new WindowSlice(options);
}
