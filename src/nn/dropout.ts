/**
 * Dropout: torch.nn.Dropout. In training, zeroes each element with probability p (a fresh mask from
 * the global generator on every call) and scales the survivors by 1/(1 − p); p = 1 gives zeros. In
 * eval, and with p = 0, it is the identity (the input is returned as is).
 */
import { dropout } from '../functional/dropout.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { warnTrainingModeUnderNoGrad } from './mode-warning.js';
import { checkInput, checkOptions, or, probability } from './validate.js';

/** Options of nn.Dropout. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1]. Default 0.5. */
  p?: number;
}

/** torch.nn.Dropout (inverted): in training, zeroes each element with probability p and scales the rest by 1/(1 − p); identity in eval and for p = 0; p = 1 gives zeros. */
export class Dropout extends Module {
  /** Probability of zeroing an element in training mode, in [0, 1]. */
  readonly p: number;

  /** `new Dropout(0.15)` or `new Dropout({ p: 0.15 })`. */
  constructor(p?: number | DropoutOptions) {
    super();
    // A number is p, as PyTorch's positional argument; anything but an options object is checked as p too.
    const o = typeof p === 'object' || p === undefined ? checkOptions('Dropout', p, ['p']) : { p };
    this.p = probability('Dropout', 'p', or(o.p, 0.5));
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    this.warnIfTrainingUnderNoGrad();
    return dropout(input, this.p, this.training);
  }

  /**
   * Warns once per process when this forward drops elements under noGrad (./mode-warning.ts:
   * probably a forgotten model.eval()); nn.Sequential's fused blocks call it too. @internal
   */
  warnIfTrainingUnderNoGrad(): void {
    if (this.training && this.p > 0) warnTrainingModeUnderNoGrad(this.describe(), 'it zeroed random elements, so its outputs are random');
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'Dropout', options: { p: this.p } };
  }
}
