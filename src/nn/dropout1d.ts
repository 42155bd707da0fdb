/**
 * Dropout1d: torch.nn.Dropout1d. In training, zeroes whole channels of (N, C, L) or unbatched (C, L)
 * input with probability p and scales the survivors by 1/(1 − p); eval is the identity.
 */
import { dropout1d } from '../functional/dropout.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { warnTrainingModeUnderNoGrad } from './mode-warning.js';
import { checkInput, checkOptions, or, probability } from './validate.js';
import { ShapeError } from '../errors.js';

/** Options of nn.Dropout1d. */
export interface Dropout1dOptions {
  /** Probability of zeroing a channel, in [0, 1]. Default 0.5. */
  p?: number;
}

/** torch.nn.Dropout1d: in training, zeroes whole channels of (N, C, L) or (C, L) input with probability p and scales the rest by 1/(1 − p); identity in eval. */
export class Dropout1d extends Module {
  /** Probability of zeroing a whole channel in training mode, in [0, 1]. */
  readonly p: number;

  /** `new Dropout1d(0.1)` or `new Dropout1d({ p: 0.1 })`. */
  constructor(p?: number | Dropout1dOptions) {
    super();
    // A number is p, as PyTorch's positional argument; anything but an options object is checked as p too.
    const o = typeof p === 'object' || p === undefined ? checkOptions('Dropout1d', p, ['p']) : { p };
    this.p = probability('Dropout1d', 'p', or(o.p, 0.5));
  }

  override describe(): string {
    return `Dropout1d(p=${this.p})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`${this.describe()}: expected input (N, C, L) or unbatched (C, L), got ${formatShape(input.shape)}`);
    }
    // Under noGrad, training mode is probably a forgotten model.eval() (./mode-warning.ts).
    if (this.training && this.p > 0) warnTrainingModeUnderNoGrad(this.describe(), 'it zeroed random channels, so its outputs are random');
    return dropout1d(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'Dropout1d', options: { p: this.p } };
  }
}
