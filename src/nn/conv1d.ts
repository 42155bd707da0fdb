/**
 * Conv1d: torch.nn.Conv1d. Input (N, C_in, L) or unbatched (C_in, L); weight (C_out, C_in/groups, K);
 * output length floor((L + 2p − d(K − 1) − 1)/s) + 1. Initialised as PyTorch's reset_parameters:
 * weight kaiming_uniform_(a = √5), i.e. U(±1/√fan_in), bias U(±1/√fan_in), fan_in = C_in/groups · K.
 */
import { conv1d, type Conv1dEpilogue } from '../functional/conv1d.js';
import { conv1dPadding } from '../ref/conv1d.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultWeightAndBias_, filledParameter } from './init.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { boolean, checkInput, checkOptions, nonNegativeInt, oneOf, or, positiveInt, show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.Conv1d (torch.nn.Conv1d's keyword arguments). */
export interface Conv1dOptions {
  /** Step between output positions. Default 1. */
  stride?: number;
  /**
   * Zeros added to each side: a count, 'valid' (none) or 'same' (output length = input length,
   * d(K − 1) in total with the odd one on the right; stride 1 only). Default 0.
   */
  padding?: number | 'same' | 'valid';
  /** Spacing between kernel taps. Default 1. */
  dilation?: number;
  /** Number of blocked channel groups; must divide inChannels and outChannels. Default 1. */
  groups?: number;
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
  /** How the padding is filled; only 'zeros' is supported. Default 'zeros'. */
  paddingMode?: 'zeros';
}

const OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'] as const;

/** torch.nn.Conv1d: input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, K), output length floor((L + 2p − d(K − 1) − 1)/s) + 1; initialised as PyTorch. */
export class Conv1d extends Module {
  /** Channels C_in of the (N, C_in, L) input. */
  readonly inChannels: number;
  /** Channels C_out of the (N, C_out, L_out) output. */
  readonly outChannels: number;
  /** Taps K of each filter. */
  readonly kernelSize: number;
  /** Step between output positions (options.stride). */
  readonly stride: number;
  /** Zero padding per side, or 'same' / 'valid', as given in the options. */
  readonly padding: number | 'same' | 'valid';
  /** Spacing between kernel taps (options.dilation). */
  readonly dilation: number;
  /** Blocked channel groups (options.groups). */
  readonly groups: number;
  /** How padding is filled: always 'zeros'. */
  readonly paddingMode: 'zeros';
  /** (outChannels, inChannels/groups, kernelSize). */
  readonly weight: Tensor;
  /** (outChannels), or null with bias: false. */
  readonly bias: Tensor | null;
  private readonly pads: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: number, options?: Conv1dOptions) {
    super();
    const L = 'Conv1d';
    const o = checkOptions(L, options, OPTIONS);
    this.inChannels = positiveInt(L, 'inChannels', inChannels);
    this.outChannels = positiveInt(L, 'outChannels', outChannels);
    this.kernelSize = positiveInt(L, 'kernelSize', kernelSize);
    this.stride = positiveInt(L, 'stride', or(o.stride, 1));
    this.dilation = positiveInt(L, 'dilation', or(o.dilation, 1));
    this.groups = positiveInt(L, 'groups', or(o.groups, 1));
    const padding = or(o.padding, 0);
    if (typeof padding === 'string') {
      this.padding = oneOf(L, 'padding', padding, ['same', 'valid'] as const);
      if (padding === 'same' && this.stride !== 1) throw new OptionError(`${L}: padding='same' is not supported for strided convolutions (stride ${this.stride})`);
    } else {
      this.padding = nonNegativeInt(L, 'padding', padding);
    }
    const bias = boolean(L, 'bias', or(o.bias, true));
    if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') {
      throw new OptionError(`${L}: paddingMode ${show(o.paddingMode)} is not supported (only 'zeros')`);
    }
    this.paddingMode = 'zeros';
    if (this.inChannels % this.groups !== 0) throw new OptionError(`${L}: inChannels (${this.inChannels}) must be divisible by groups (${this.groups})`);
    if (this.outChannels % this.groups !== 0) throw new OptionError(`${L}: outChannels (${this.outChannels}) must be divisible by groups (${this.groups})`);
    this.pads = conv1dPadding(this.padding, this.kernelSize, this.dilation, this.stride);

    const wShape = [this.outChannels, this.inChannels / this.groups, this.kernelSize];
    this.weight = this.registerParameter('weight', filledParameter(this.describe(), 'weight', wShape));
    this.bias = this.registerParameter('bias', bias ? filledParameter(this.describe(), 'bias', [this.outChannels]) : null);
    this.resetParameters();
  }

  /** PyTorch's default initialisation (draws from the global generator: weight, then bias). */
  resetParameters(): void {
    defaultWeightAndBias_(this.weight, this.bias);
  }

  override describe(): string {
    return `Conv1d(${this.inChannels}→${this.outChannels})`;
  }

  forward(input: Tensor): Tensor {
    return this.forwardWith(input, this.weight, this.bias);
  }

  /**
   * This convolution (its checks, stride, padding, dilation, groups) with another weight and bias of
   * the same shapes (nn.Sequential's eval path runs it with BatchNorm folded into them), and an
   * optional epilogue on the output (src/functional/conv1d.ts).
   * @internal
   */
  forwardWith(input: Tensor, weight: Tensor, bias: Tensor | null, epilogue: Conv1dEpilogue | null = null): Tensor {
    checkInput(this.describe(), input);
    const s = input.shape, C = this.inChannels;
    if (input.ndim === 2 ? s[0] !== C : input.ndim !== 3 || s[1] !== C) {
      const alt = input.ndim === 2 ? ` or unbatched (${C}, L)` : '';
      throw new ShapeError(`${this.describe()}: expected input (N, ${C}, L)${alt}, got ${formatShape(s)}`);
    }
    const length = s[input.ndim - 1]!;
    const padded = length + this.pads[0] + this.pads[1], span = this.dilation * (this.kernelSize - 1) + 1;
    if (padded < span) {
      throw new ShapeError(`${this.describe()}: input length ${length} (${padded} padded) is shorter than the kernel span ${span}, got input ${formatShape(s)}`);
    }
    return conv1d(input, weight, bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups }, epilogue);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}`;
    if (this.padding !== 0) s += `, padding=${typeof this.padding === 'string' ? `'${this.padding}'` : this.padding}`;
    if (this.dilation !== 1) s += `, dilation=${this.dilation}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=false';
    return s;
  }

  toJSON(): ModuleJSON {
    return {
      type: 'Conv1d',
      options: {
        inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
        padding: this.padding, dilation: this.dilation, groups: this.groups, bias: this.bias !== null, paddingMode: this.paddingMode,
      },
    };
  }
}
