/** F.relu on the selected kernel set; backward masks by the output (y > 0). */
import { kernels } from '../backend/index.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';

export function relu(input: Tensor): Tensor {
  const count = input.numel;
  const y = new Float32Array(count);
  kernels.reluForward(y, input.data, { count });
  return fromOp('relu', y, input.shape, [input], (dy) => {
    const dx = new Float32Array(count);
    kernels.reluBackward(dx, dy, y, { count });
    return [dx];
  });
}
