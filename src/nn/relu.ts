/** ReLU: torch.nn.ReLU, max(0, x) elementwise. */
import { relu } from '../functional/relu.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }

  toJSON(): ModuleJSON {
    return { type: 'ReLU' };
  }
}
