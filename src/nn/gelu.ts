/**
 * GELU: torch.nn.GELU, x·Φ(x) ('none', exact with erf) or its tanh approximation
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) ('tanh').
 */
import { gelu } from '../functional/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { checkInput, checkOptions, oneOf, or } from './validate.js';

/** GELU's form: 'none' is the exact x·Φ(x) with erf, 'tanh' the tanh approximation (PyTorch's `approximate`). */
export type GeluApproximate = 'none' | 'tanh';

/** Options of nn.GELU. */
export interface GELUOptions {
  /** 'none' (exact, erf) or 'tanh' (the tanh approximation). Default 'none'. */
  approximate?: GeluApproximate;
}

/** torch.nn.GELU: x·Φ(x) with the exact erf ('none', default) or its tanh approximation ('tanh'). */
export class GELU extends Module {
  /** The form computed: 'none' (exact) or 'tanh'. */
  readonly approximate: GeluApproximate;

  /** `new GELU('tanh')` or `new GELU({ approximate: 'tanh' })`. */
  constructor(approximate?: GeluApproximate | GELUOptions) {
    super();
    const o = typeof approximate === 'string' ? { approximate } : checkOptions('GELU', approximate, ['approximate']);
    this.approximate = oneOf('GELU', 'approximate', or(o.approximate, 'none'), ['none', 'tanh'] as const);
  }

  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    return gelu(input, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }

  toJSON(): ModuleJSON {
    return { type: 'GELU', options: { approximate: this.approximate } };
  }
}
