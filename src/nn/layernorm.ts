/**
 * LayerNorm: torch.nn.LayerNorm. Normalises over the trailing dimensions given by normalizedShape
 * (biased variance, per sample), then applies an elementwise weight (init 1) and bias (init 0).
 * Same computation in training and eval; no running statistics.
 */
import { layerNorm } from '../functional/layernorm.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { filledParameter } from './init.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { boolean, checkInput, checkOptions, numberIn, or, positiveInt, show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.LayerNorm (torch.nn.LayerNorm's keyword arguments). */
export interface LayerNormOptions {
  /** Added to the variance for numerical stability. Default 1e-5. */
  eps?: number;
  /** Learn an elementwise weight and bias of shape normalizedShape. Default true. */
  elementwiseAffine?: boolean;
}

/** torch.nn.LayerNorm: normalises each sample over the trailing normalizedShape dimensions (biased variance), then applies weight and bias; the same in training and eval. */
export class LayerNorm extends Module {
  /** The trailing dimensions normalised over, e.g. [64]. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
  /** Whether weight and bias are learnt (default true). */
  readonly elementwiseAffine: boolean;
  /** normalizedShape-shaped scale, or null without elementwiseAffine. */
  readonly weight: Tensor | null;
  /** normalizedShape-shaped shift, or null without elementwiseAffine. */
  readonly bias: Tensor | null;

  /** normalizedShape: the size of the last dimension, or the sizes of the last few. */
  constructor(normalizedShape: number | readonly number[], options?: LayerNormOptions) {
    super();
    const L = 'LayerNorm';
    const o = checkOptions(L, options, ['eps', 'elementwiseAffine']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0) {
      throw new OptionError(`${L}: normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`);
    }
    this.normalizedShape = Object.freeze(shape.map((d, i) => positiveInt(L, `normalizedShape[${i}]`, d)));
    this.eps = numberIn(L, 'eps', or(o.eps, 1e-5), 0);
    this.elementwiseAffine = boolean(L, 'elementwiseAffine', or(o.elementwiseAffine, true));
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? filledParameter(L, 'weight', this.normalizedShape, 1) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine ? filledParameter(L, 'bias', this.normalizedShape) : null);
  }

  /** weight 1, bias 0. */
  resetParameters(): void {
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  override describe(): string {
    return `LayerNorm([${this.normalizedShape.join(', ')}])`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    const k = this.normalizedShape.length, s = input.shape;
    if (input.ndim < k || !this.normalizedShape.every((d, i) => s[input.ndim - k + i] === d)) {
      throw new ShapeError(`${this.describe()}: expected input (*, ${this.normalizedShape.join(', ')}), got ${formatShape(s)}`);
    }
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'LayerNorm', options: { normalizedShape: [...this.normalizedShape], eps: this.eps, elementwiseAffine: this.elementwiseAffine } };
  }
}
