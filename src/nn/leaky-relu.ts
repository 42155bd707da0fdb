/** LeakyReLU: torch.nn.LeakyReLU, x for x ≥ 0 and negativeSlope·x below. */
import { leakyRelu } from '../functional/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { checkInput, checkOptions, numberIn, or } from './validate.js';

/** Options of nn.LeakyReLU. */
export interface LeakyReLUOptions {
  /** Slope for negative inputs. Default 0.01. */
  negativeSlope?: number;
}

/** torch.nn.LeakyReLU: x for x ≥ 0, negativeSlope·x below, on any shape. */
export class LeakyReLU extends Module {
  /** Slope applied to negative inputs (default 0.01). */
  readonly negativeSlope: number;

  /** `new LeakyReLU(0.2)` or `new LeakyReLU({ negativeSlope: 0.2 })`. */
  constructor(negativeSlope?: number | LeakyReLUOptions) {
    super();
    const o = typeof negativeSlope === 'number' ? { negativeSlope } : checkOptions('LeakyReLU', negativeSlope, ['negativeSlope']);
    this.negativeSlope = numberIn('LeakyReLU', 'negativeSlope', or(o.negativeSlope, 0.01));
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'LeakyReLU', options: { negativeSlope: this.negativeSlope } };
  }
}
