/**
 * AdaptiveAvgPool1d: torch.nn.AdaptiveAvgPool1d over (N, C, L) or unbatched (C, L). Output i averages
 * input [floor(i·L/out), ceil((i + 1)·L/out)), so any input length maps to outputSize.
 */
import { adaptiveAvgPool1d } from '../functional/pooling.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { checkInput, checkOptions, positiveInt } from './validate.js';
import { ShapeError } from '../errors.js';

/** Options of nn.AdaptiveAvgPool1d. */
export interface AdaptiveAvgPool1dOptions {
  /** Output length. Required. */
  outputSize: number;
}

/** torch.nn.AdaptiveAvgPool1d: averages (N, C, L) or (C, L) input into outputSize windows, whatever L is. */
export class AdaptiveAvgPool1d extends Module {
  /** Output length L_out; window i averages input positions floor(i·L/L_out) to ceil((i+1)·L/L_out) − 1. */
  readonly outputSize: number;

  /** `new AdaptiveAvgPool1d(1)` or `new AdaptiveAvgPool1d({ outputSize: 1 })`. */
  constructor(outputSize: number | AdaptiveAvgPool1dOptions) {
    super();
    const o = typeof outputSize === 'number' ? { outputSize } : checkOptions('AdaptiveAvgPool1d', outputSize, ['outputSize']);
    this.outputSize = positiveInt('AdaptiveAvgPool1d', 'outputSize', o.outputSize);
  }

  override describe(): string {
    return `AdaptiveAvgPool1d(outputSize=${this.outputSize})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] === 0) {
      throw new ShapeError(`${this.describe()}: expected input (N, C, L) or unbatched (C, L) with L > 0, got ${formatShape(input.shape)}`);
    }
    return adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'AdaptiveAvgPool1d', options: { outputSize: this.outputSize } };
  }
}
