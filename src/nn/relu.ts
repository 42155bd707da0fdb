/** ReLU: torch.nn.ReLU, max(0, x) elementwise. */
import { relu } from '../functional/relu.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { checkInput } from './validate.js';

/** torch.nn.ReLU: max(0, x) elementwise, on any shape. */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    return relu(input);
  }

  toJSON(): ModuleJSON {
    return { type: 'ReLU' };
  }
}
