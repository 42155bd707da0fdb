/**
 * ReLU reference kernels (native/src/relu/f32-relu-scalar.cc is the port):
 *   forward:  y  = x < 0 ? 0 : x     NaN propagates, as PyTorch's clamp_min
 *   backward: dx = y > 0 ? dy : 0    from the forward output, as PyTorch's threshold_backward
 * Elementwise: an output may be an input exactly (in place), but must not overlap one otherwise (each
 * element would be read after a neighbour's result overwrote it, differently on each CPU level).
 */
import { type FloatArray, KernelArgs, sameView } from './args.js';

/** Size of an elementwise kernel call. */
export interface EltwiseParams {
  /** Elements in each array. */
  count: number;
}

/** y = max(0, x), NaN kept (PyTorch's clamp_min); y may be x. */
export function reluForward(y: FloatArray, x: FloatArray, params: EltwiseParams): void {
  const a = new KernelArgs('reluForward', params);
  const n = a.size([['count', a.int('count', 0)]]);
  a.floats('y', y, n);
  a.floats('x', x, n);
  a.disjoint({ y }, { x: sameView(y, x) ? null : x });
  for (let i = 0; i < n.value; i++) y[i] = x[i]! < 0 ? 0 : x[i]!;
}

/** dx = dy where the forward output y > 0, else 0 (PyTorch's threshold_backward); dx may be dy. */
export function reluBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, params: EltwiseParams): void {
  const a = new KernelArgs('reluBackward', params);
  const n = a.size([['count', a.int('count', 0)]]);
  a.floats('dx', dx, n);
  a.floats('dy', dy, n);
  a.floats('y', y, n);
  a.disjoint({ dx }, { dy: sameView(dx, dy) ? null : dy, y: sameView(dx, y) ? null : y });
  for (let i = 0; i < n.value; i++) dx[i] = y[i]! > 0 ? dy[i]! : 0;
}
