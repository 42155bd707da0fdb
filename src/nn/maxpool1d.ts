/**
 * MaxPool1d: torch.nn.MaxPool1d over (N, C, L) or unbatched (C, L). Output length
 * floor_or_ceil((L + 2p − d(k − 1) − 1)/s) + 1 (with ceilMode, a window must start inside the input
 * or left padding). Padding is −∞, so it never wins.
 */
import { maxPool1d } from '../functional/pooling.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { boolean, checkInput, checkOptions, nonNegativeInt, or, positiveInt } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.MaxPool1d (torch.nn.MaxPool1d's keyword arguments). */
export interface MaxPool1dOptions {
  /** Step between windows; null (PyTorch's None) also means kernelSize. Default kernelSize. */
  stride?: number | null;
  /** Implicit −∞ padding on both sides, at most kernelSize/2. Default 0. */
  padding?: number;
  /** Spacing between elements of a window. Default 1. */
  dilation?: number;
  /** Round the output length up instead of down. Default false. */
  ceilMode?: boolean;
}

/** torch.nn.MaxPool1d: the maximum of each window of (N, C, L) or (C, L) input; output length floor((L + 2p − d(k − 1) − 1)/s) + 1 (ceil with ceilMode). */
export class MaxPool1d extends Module {
  /** Window length. */
  readonly kernelSize: number;
  /** Step between windows (kernelSize unless given). */
  readonly stride: number;
  /** Implicit −∞ padding on each side. */
  readonly padding: number;
  /** Spacing between elements of a window. */
  readonly dilation: number;
  /** Whether the output length rounds up. */
  readonly ceilMode: boolean;

  constructor(kernelSize: number, options?: MaxPool1dOptions) {
    super();
    const L = 'MaxPool1d';
    const o = checkOptions(L, options, ['stride', 'padding', 'dilation', 'ceilMode']);
    this.kernelSize = positiveInt(L, 'kernelSize', kernelSize);
    this.stride = positiveInt(L, 'stride', o.stride === null ? this.kernelSize : or(o.stride, this.kernelSize));
    this.padding = nonNegativeInt(L, 'padding', or(o.padding, 0));
    this.dilation = positiveInt(L, 'dilation', or(o.dilation, 1));
    this.ceilMode = boolean(L, 'ceilMode', or(o.ceilMode, false));
    if (this.padding > Math.floor(this.kernelSize / 2)) {
      throw new OptionError(`${L}: padding should be at most half of kernelSize, but got padding=${this.padding} and kernelSize=${this.kernelSize}`);
    }
  }

  override describe(): string {
    return `MaxPool1d(kernelSize=${this.kernelSize})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`${this.describe()}: expected input (N, C, L) or unbatched (C, L), got ${formatShape(input.shape)}`);
    }
    const length = input.shape[input.ndim - 1]!, span = this.dilation * (this.kernelSize - 1) + 1;
    if (length + 2 * this.padding < span) {
      throw new ShapeError(`${this.describe()}: input length ${length} (${length + 2 * this.padding} padded) is shorter than the window span ${span}, got input ${formatShape(input.shape)}`);
    }
    return maxPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceilMode=${this.ceilMode}`;
  }

  toJSON(): ModuleJSON {
    return {
      type: 'MaxPool1d',
      options: { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode },
    };
  }
}
