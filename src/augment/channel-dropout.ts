/**
 * augment.channelDropout: zeroes whole channels of each sample at random — a sensor that is missing
 * for a window — so a model cannot lean on one channel alone:
 *   y[n, c, :] = 0 with probability p, else x[n, c, :]   (one coin u_{n,c} < p per (sample, channel)).
 * Survivors are NOT rescaled by 1/(1 − p): unlike nn.Dropout1d (a regulariser inside the model whose
 * rescaling keeps activations' expectation between training and eval), an augmentation should show
 * the model realistic inputs, and a surviving sensor reads what it read. A zero is the channel's
 * mean on standardised inputs. Default p 0.1.
 */
import { checkOptions, numberIn } from '../functional/validate.js';
import { uniforms } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { checkSeries } from './validate.js';

/** Options of augment.channelDropout. */
export interface ChannelDropoutOptions {
  /** Probability of zeroing each (sample, channel), in [0, 1]. Default 0.1. */
  p?: number;
}

const W = 'augment.channelDropout';

/** Zeroes whole channels of (N, C, L) samples with probability p (default 0.1), without rescaling the survivors (unlike nn.Dropout1d). */
export class ChannelDropout extends Augmentation {
  readonly type = 'channelDropout';
  /** Probability of zeroing each (sample, channel), in [0, 1]. */
  readonly p: number;

  constructor(options?: ChannelDropoutOptions) {
    super();
    const o = checkOptions(W, options, ['p']);
    this.p = o.p === undefined ? 0.1 : numberIn(W, 'p', o.p, 0, 1);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('ChannelDropout.apply', x);
    const u = uniforms(n * c);
    const out = new Float32Array(x.data);
    for (let k = 0; k < n * c; k++) if (u[k]! < this.p) out.fill(0, k * l, (k + 1) * l);
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { p: this.p } };
  }
}

/** Zeroes each (sample, channel) with probability p, without rescaling the rest (see the header). */
export function channelDropout(options?: ChannelDropoutOptions): ChannelDropout {
  return new ChannelDropout(options);
}
