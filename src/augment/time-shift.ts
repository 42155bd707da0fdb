/**
 * augment.timeShift: moves each sample along the time axis by a random whole number of steps, the
 * same shift for all its channels (they stay aligned):
 *   d uniform in {−D, …, D},  D = ⌊maxShift·L⌋ (one d per sample);
 *   y[n, c, t] = x[n, c, t − d]   (d > 0 delays the series, d < 0 advances it),
 * and the d steps that come from outside the window are filled by `mode`, with PyTorch's F.pad names:
 *   'replicate' (default): the nearest kept step — the level stays where the sensor was, with no jump;
 *   'constant':  zeros (the mean after standardisation; far out of range on raw sensors);
 *   'circular':  what left at the other end (torch.roll) — a jump where the ends meet.
 * Replicate is the default because a window of a slowly degrading signal has no natural zero and
 * does not wrap around.
 */
import { OptionError } from '../errors.js';
import { checkOptions, oneOf, show } from '../functional/validate.js';
import { uniforms } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from './base.js';
import { applyProbability, checkSeries, chooseSamples } from './validate.js';

/** How timeShift fills the steps shifted in, with F.pad's names: 'replicate' the nearest kept step, 'constant' zeros, 'circular' the steps shifted out (torch.roll). */
export type TimeShiftMode = 'replicate' | 'constant' | 'circular';

/** Options of augment.timeShift. */
export interface TimeShiftOptions {
  /** Largest shift as a fraction of L, in [0, 1): shifts go up to ⌊maxShift·L⌋ steps either way. Default 0.1. */
  maxShift?: number;
  /** How the vacated steps are filled: 'replicate', 'constant' (zeros) or 'circular'. Default 'replicate'. */
  mode?: TimeShiftMode;
  /** Probability of shifting each sample, in [0, 1]. Default 1 (every sample). */
  p?: number;
}

const W = 'augment.timeShift';
const MODES: readonly TimeShiftMode[] = ['replicate', 'constant', 'circular'];

/** Shifts each (N, C, L) sample along time by a random whole number of steps in ±⌊maxShift·L⌋, filling the gap by mode ('replicate' by default). */
export class TimeShift extends Augmentation {
  readonly type = 'timeShift';
  /** Largest shift as a fraction of L. */
  readonly maxShift: number;
  /** How the steps shifted in are filled. */
  readonly mode: TimeShiftMode;
  /** Probability of shifting each sample, in [0, 1]. */
  readonly p: number;

  constructor(options?: TimeShiftOptions) {
    super();
    const o = checkOptions(W, options, ['maxShift', 'mode', 'p']);
    if (o.maxShift !== undefined && !(typeof o.maxShift === 'number' && o.maxShift >= 0 && o.maxShift < 1)) {
      throw new OptionError(`${W}: maxShift must be a fraction of the length in [0, 1), got ${show(o.maxShift)}`);
    }
    this.maxShift = o.maxShift ?? 0.1;
    this.mode = o.mode === undefined ? 'replicate' : oneOf(W, 'mode', o.mode, MODES);
    this.p = applyProbability(W, o.p);
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    const [n, c, l] = checkSeries('TimeShift.apply', x);
    const chosen = chooseSamples(this.p, n);
    const u = uniforms(n);
    const D = Math.floor(this.maxShift * l);
    const out = new Float32Array(x.data);
    for (let i = 0; i < n; i++) {
      const d = Math.floor(u[i]! * (2 * D + 1)) - D;
      if ((chosen && !chosen[i]) || d === 0) continue;
      for (let ch = 0; ch < c; ch++) {
        const row = (i * c + ch) * l;
        for (let t = 0; t < l; t++) {
          let src = t - d;
          if (src < 0 || src >= l) {
            if (this.mode === 'constant') {
              out[row + t] = 0;
              continue;
            }
            src = this.mode === 'replicate' ? Math.min(Math.max(src, 0), l - 1) : ((src % l) + l) % l;
          }
          out[row + t] = x.data[row + src]!;
        }
      }
    }
    return { x: new Tensor(out, x.shape), y };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { maxShift: this.maxShift, mode: this.mode, p: this.p } };
  }
}

/** Shifts each sample by a random number of steps, filling the vacated steps by `mode` (see the header). */
export function timeShift(options?: TimeShiftOptions): TimeShift {
  return new TimeShift(options);
}
