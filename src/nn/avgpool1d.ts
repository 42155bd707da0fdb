/**
 * AvgPool1d: torch.nn.AvgPool1d over (N, C, L) or unbatched (C, L). Output length
 * floor_or_ceil((L + 2p − k)/s) + 1; with countIncludePad the zero padding counts in the divisor.
 */
import { avgPool1d } from '../functional/pooling.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { boolean, checkInput, checkOptions, nonNegativeInt, or, positiveInt } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.AvgPool1d (torch.nn.AvgPool1d's keyword arguments). */
export interface AvgPool1dOptions {
  /** Step between windows; null (PyTorch's None) also means kernelSize. Default kernelSize. */
  stride?: number | null;
  /** Implicit zero padding on both sides, at most kernelSize/2. Default 0. */
  padding?: number;
  /** Round the output length up instead of down. Default false. */
  ceilMode?: boolean;
  /** Count the zero padding in the averaging divisor. Default true. */
  countIncludePad?: boolean;
}

/** torch.nn.AvgPool1d: the mean of each window of (N, C, L) or (C, L) input; output length floor((L + 2p − k)/s) + 1 (ceil with ceilMode). */
export class AvgPool1d extends Module {
  /** Window length. */
  readonly kernelSize: number;
  /** Step between windows (kernelSize unless given). */
  readonly stride: number;
  /** Implicit zero padding on each side. */
  readonly padding: number;
  /** Whether the output length rounds up. */
  readonly ceilMode: boolean;
  /** Whether padded zeros count in each window's divisor. */
  readonly countIncludePad: boolean;

  constructor(kernelSize: number, options?: AvgPool1dOptions) {
    super();
    const L = 'AvgPool1d';
    const o = checkOptions(L, options, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    this.kernelSize = positiveInt(L, 'kernelSize', kernelSize);
    this.stride = positiveInt(L, 'stride', o.stride === null ? this.kernelSize : or(o.stride, this.kernelSize));
    this.padding = nonNegativeInt(L, 'padding', or(o.padding, 0));
    this.ceilMode = boolean(L, 'ceilMode', or(o.ceilMode, false));
    this.countIncludePad = boolean(L, 'countIncludePad', or(o.countIncludePad, true));
    if (this.padding > Math.floor(this.kernelSize / 2)) {
      throw new OptionError(`${L}: padding should be at most half of kernelSize, but got padding=${this.padding} and kernelSize=${this.kernelSize}`);
    }
  }

  override describe(): string {
    return `AvgPool1d(kernelSize=${this.kernelSize})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`${this.describe()}: expected input (N, C, L) or unbatched (C, L), got ${formatShape(input.shape)}`);
    }
    const length = input.shape[input.ndim - 1]!;
    if (length + 2 * this.padding < this.kernelSize) {
      throw new ShapeError(`${this.describe()}: input length ${length} (${length + 2 * this.padding} padded) is shorter than the window ${this.kernelSize}, got input ${formatShape(input.shape)}`);
    }
    return avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}` +
      (this.ceilMode ? ', ceilMode=true' : '') + (this.countIncludePad ? '' : ', countIncludePad=false');
  }

  toJSON(): ModuleJSON {
    return {
      type: 'AvgPool1d',
      options: { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad },
    };
  }
}
