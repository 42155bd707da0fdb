/** F.relu on the selected kernel set; backward masks by the output (y > 0). */
import { kernels } from '../backend/index.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkTensor } from './validate.js';

/** max(0, x) elementwise, NaN kept (torch.nn.functional.relu). */
export function relu(input: Tensor): Tensor {
  checkTensor('relu', 'input', input);
  const count = input.numel;
  const y = emptyFloat32(count);
  kernels.reluForward(y, input.data, { count });
  return fromOp('relu', y, input.shape, [input], (dy) => {
    const dx = emptyFloat32(count);
    kernels.reluBackward(dx, dy, y, { count });
    return [dx];
  });
}

/**
 * max(0, x) written over x's own data, no graph recorded: for a fresh output nobody else holds and
 * nothing differentiates (nn.Sequential's folded eval block). Not exported by F. @internal
 */
export function reluInPlace(input: Tensor): Tensor {
  kernels.reluForward(input.data, input.data, { count: input.numel });
  return input;
}
