/**
 * Linear: torch.nn.Linear, y = x Wᵀ + b on input (*, inFeatures). Weight (outFeatures, inFeatures),
 * initialised as PyTorch's reset_parameters: kaiming_uniform_(a = √5), i.e. U(±1/√inFeatures), and
 * bias U(±1/√inFeatures).
 */
import { linear, type LinearStatistics } from '../functional/linear.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultWeightAndBias_, filledParameter } from './init.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { boolean, checkInput, checkOptions, or, positiveInt } from './validate.js';
import { ShapeError } from '../errors.js';

/** Options of nn.Linear (torch.nn.Linear's keyword arguments). */
export interface LinearOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/** torch.nn.Linear: y = x·Wᵀ + b on input (*, inFeatures), output (*, outFeatures); initialised as PyTorch (U(±1/√inFeatures) for weight and bias). */
export class Linear extends Module {
  /** Size of the input's last dimension. */
  readonly inFeatures: number;
  /** Size of the output's last dimension. */
  readonly outFeatures: number;
  /** (outFeatures, inFeatures). */
  readonly weight: Tensor;
  /** (outFeatures), or null with bias: false. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions) {
    super();
    const o = checkOptions('Linear', options, ['bias']);
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    const bias = boolean('Linear', 'bias', or(o.bias, true));
    this.weight = this.registerParameter('weight', filledParameter(this.describe(), 'weight', [this.outFeatures, this.inFeatures]));
    this.bias = this.registerParameter('bias', bias ? filledParameter(this.describe(), 'bias', [this.outFeatures]) : null);
    this.resetParameters();
  }

  /** PyTorch's default initialisation (draws from the global generator: weight, then bias). */
  resetParameters(): void {
    defaultWeightAndBias_(this.weight, this.bias);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures})`;
  }

  forward(input: Tensor): Tensor {
    return this.forwardWith(input, this.weight, this.bias);
  }

  /**
   * This layer (its input checks and messages) with another weight and bias of the same shapes
   * (nn.Sequential's eval path runs it with BatchNorm folded into them), optionally also taking the
   * output's BatchNorm batch statistics as the GEMM writes it (src/functional/linear.ts).
   * @internal
   */
  forwardWith(input: Tensor, weight: Tensor, bias: Tensor | null, statistics: LinearStatistics | null = null): Tensor {
    checkInput(this.describe(), input);
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`${this.describe()}: expected input (*, ${this.inFeatures}), got ${formatShape(input.shape)}`);
    }
    return linear(input, weight, bias, statistics);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'Linear', options: { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null } };
  }
}
