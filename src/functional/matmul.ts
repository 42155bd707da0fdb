/**
 * matmul, as torch.matmul: the matrix product with NumPy's rules for 1-D and batched operands.
 *
 *   (K)·(K)            → ()          dot product
 *   (M, K)·(K, N)      → (M, N)      matrix product
 *   (K)·(…, K, N)      → (…, N)      a 1-D first operand is a row (1, K), the 1 removed afterwards
 *   (…, M, K)·(K)      → (…, M)      a 1-D second operand is a column (K, 1), the 1 removed afterwards
 *   (…a, M, K)·(…b, K, N) → (…, M, N) with … the broadcast of the batch dimensions …a and …b
 *
 * Per matrix of the batch: Y = A·B, dA = G·Bᵀ, dB = Aᵀ·G; a matrix broadcast to several products
 * gets the sum of their gradients. Computed by the selected kernel set's Linear GEMM kernels (native
 * SIMD, or the JS reference in double), with the roles that need no transposed copy; with
 * p = {batch: M, inFeatures: N, outFeatures: K}:
 *
 *   Y  = linearBackwardData(dy = A, w = B)          (dx = dy·W)
 *   dA = linearForward(x = G, w = B)                (y = x·Wᵀ)
 *   dB = linearBackwardWeight(x = G, dy = A)        (dW = dyᵀ·x)
 *
 * When the second operand has no batch (…, M, K)·(K, N) (a Linear-like x·W), the first operand's
 * batch folds into M: one GEMM for the whole batch. Products with K = 0 are zeros, as in PyTorch.
 */
import { kernels } from '../backend/index.js';
import { formatShape, numel, type Shape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { broadcastIndex, broadcastPair } from './broadcast.js';
import { checkTensor } from './validate.js';
import { ShapeError } from '../errors.js';

/** The matrix product of input and other with torch.matmul's shape rules (see the header). */
export function matmul(input: Tensor, other: Tensor): Tensor {
  checkTensor('matmul', 'input', input);
  checkTensor('matmul', 'other', other);
  if (input.ndim === 0 || other.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least one dimension, got input ${formatShape(input.shape)} and other ${formatShape(other.shape)}`);
  }
  const aShape: Shape = input.ndim === 1 ? [1, input.shape[0]!] : input.shape;
  const bShape: Shape = other.ndim === 1 ? [other.shape[0]!, 1] : other.shape;
  const [M, K] = aShape.slice(-2) as [number, number];
  const [K2, N] = bShape.slice(-2) as [number, number];
  if (K !== K2) {
    throw new ShapeError(
      `matmul: input ${formatShape(input.shape)} and other ${formatShape(other.shape)} cannot be multiplied: ` +
        `input's last dimension (${K}) must equal other's ${other.ndim === 1 ? 'size' : 'second-to-last dimension'} (${K2})`,
    );
  }
  const batchA = aShape.slice(0, -2), batchB = bShape.slice(0, -2);
  const batch = broadcastPair('matmul', batchA, batchB, ['input batch', 'other batch']);
  const outShape = [...batch, ...(input.ndim === 1 ? [] : [M]), ...(other.ndim === 1 ? [] : [N])];

  // Fold the first operand's batch into its rows when the second has none.
  const fold = numel(batchB) === 1;
  const T = fold ? 1 : numel(batch);
  const rows = fold ? numel(batchA) * M : M;
  const ia = fold ? null : broadcastIndex(batchA, batch), ib = fold ? null : broadcastIndex(batchB, batch);
  const sa = rows * K, sb = K * N, sy = rows * N;
  const a = input.data, b = other.data;
  const empty = rows === 0 || K === 0 || N === 0;
  const p = { batch: rows, inFeatures: N, outFeatures: K };
  const at = (t: number): number => (ia ? ia[t]! : t), bt = (t: number): number => (ib ? ib[t]! : t);

  const y = empty ? new Float32Array(T * sy) : emptyFloat32(T * sy);
  if (!empty) {
    for (let t = 0; t < T; t++) {
      kernels.linearBackwardData(y.subarray(t * sy, (t + 1) * sy), a.subarray(at(t) * sa, (at(t) + 1) * sa), b.subarray(bt(t) * sb, (bt(t) + 1) * sb), p);
    }
  }
  return fromOp('matmul', y, outShape, [input, other], (g, needs) => {
    /** Σ over the products of f(t, out) into the operand's matrices; out is written whole by f. */
    const gradOf = (size: number, count: number, slot: (t: number) => number, f: (t: number, out: Float32Array) => void): Float32Array => {
      const grad = new Float32Array(count * size);
      if (empty) return grad;
      const tmp = count === T ? null : emptyFloat32(size);
      for (let t = 0; t < T; t++) {
        const s = slot(t);
        if (!tmp) f(t, grad.subarray(s * size, (s + 1) * size));
        else {
          f(t, tmp);
          for (let i = 0; i < size; i++) grad[s * size + i]! += tmp[i]!;
        }
      }
      return grad;
    };
    const gt = (t: number): Float32Array => g.subarray(t * sy, (t + 1) * sy);
    return [
      needs[0] ? gradOf(sa, fold ? 1 : numel(batchA), at, (t, out) => kernels.linearForward(out, gt(t), b.subarray(bt(t) * sb, (bt(t) + 1) * sb), null, p)) : null,
      needs[1] ? gradOf(sb, numel(batchB), bt, (t, out) => kernels.linearBackwardWeight(out, gt(t), a.subarray(at(t) * sa, (at(t) + 1) * sa), p)) : null,
    ];
  });
}
