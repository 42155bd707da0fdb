/** Flatten: torch.nn.Flatten, merges dimensions startDim..endDim (negative counts from the end) into one. */
import { flatten } from '../functional/shape.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { checkInput, checkOptions, integer, or } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.Flatten. */
export interface FlattenOptions {
  /** First dimension to flatten. Default 1 (keeps the batch dimension). */
  startDim?: number;
  /** Last dimension to flatten. Default -1. */
  endDim?: number;
}

/** torch.nn.Flatten: merges dimensions startDim..endDim into one, e.g. (N, C, L) → (N, C·L) with the defaults. */
export class Flatten extends Module {
  /** First dimension merged (negative counts from the end). */
  readonly startDim: number;
  /** Last dimension merged (negative counts from the end). */
  readonly endDim: number;

  /** `new Flatten()`, `new Flatten(1, -1)` or `new Flatten({ startDim: 1, endDim: -1 })`. */
  constructor(startDim?: number | FlattenOptions, endDim?: number) {
    super();
    const o = typeof startDim === 'number' || (startDim === undefined && endDim !== undefined)
      ? { startDim: startDim as number | undefined, endDim }
      : checkOptions('Flatten', startDim, ['startDim', 'endDim']);
    if (typeof startDim === 'object' && endDim !== undefined) throw new OptionError('Flatten: pass endDim in the options object, not as a second argument');
    this.startDim = integer('Flatten', 'startDim', or(o.startDim, 1));
    this.endDim = integer('Flatten', 'endDim', or(o.endDim, -1));
    if (Math.sign(this.startDim + 0.5) === Math.sign(this.endDim + 0.5) && this.startDim > this.endDim) {
      throw new OptionError(`Flatten: startDim (${this.startDim}) cannot come after endDim (${this.endDim})`);
    }
  }

  override describe(): string {
    return `Flatten(startDim=${this.startDim}, endDim=${this.endDim})`;
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    const n = Math.max(input.ndim, 1);
    const s = this.startDim < 0 ? this.startDim + n : this.startDim, e = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (s < 0 || s >= n || e < 0 || e >= n || s > e) {
      throw new ShapeError(`${this.describe()}: dimensions out of range (or start after end) for input ${formatShape(input.shape)}`);
    }
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }

  toJSON(): ModuleJSON {
    return { type: 'Flatten', options: { startDim: this.startDim, endDim: this.endDim } };
  }
}
