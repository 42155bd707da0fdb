/**
 * Reordering dimensions, as torch.permute / torch.transpose: (N, L, C) ↔ (N, C, L) for conv1d, or a
 * matrix's transpose. keel tensors are always contiguous, so unlike PyTorch (which returns a strided
 * view sharing storage) these copy the data into the new row-major order; writing into the result
 * never changes the input.
 *
 *   permute(x, dims):  y.shape[i] = x.shape[dims[i]],  y[i_0, …, i_{n−1}] = x[j] with j_{dims[i]} = i_i
 *   transpose(x, a, b): permute with dims = identity with a and b swapped
 *
 * The gradient is the upstream gradient permuted back by the inverse permutation
 * (inv[dims[i]] = i). Dimensions may be negative (counting from the end); a 0-d tensor takes
 * permute(x, []) and transpose(x, 0, 0) / (x, −1, 0), as in PyTorch.
 */
import { formatShape, type Shape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkTensor, normalizeDim, show } from './validate.js';
import { OptionError } from '../errors.js';

/**
 * x (row-major, `shape`) with its dimensions reordered by `perm`: an odometer over the output whose
 * last dimension is a strided run through x.
 */
export function permuteData(x: Float32Array, shape: Shape, perm: readonly number[]): Float32Array {
  const nd = shape.length;
  const y = emptyFloat32(x.length);
  if (x.length === 0) return y;
  if (nd === 0) {
    y[0] = x[0]!;
    return y;
  }
  const inStride = new Array<number>(nd);
  for (let d = nd - 1, s = 1; d >= 0; d--) {
    inStride[d] = s;
    s *= shape[d]!;
  }
  const size = perm.map((p) => shape[p]!), stride = perm.map((p) => inStride[p]!);
  const last = size[nd - 1]!, step = stride[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let o = 0; o < y.length; o += last) {
    for (let k = 0, j = off; k < last; k++, j += step) y[o + k] = x[j]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      off += stride[d]!;
      if (idx[d]! < size[d]!) break;
      off -= stride[d]! * size[d]!;
      idx[d] = 0;
    }
  }
  return y;
}

/** The tensor with dimensions reordered by the permutation `perm` (already normalised). */
function permuted(op: string, input: Tensor, perm: number[]): Tensor {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  const outShape = perm.map((p) => input.shape[p]!);
  const y = permuteData(input.data, input.shape, perm);
  return fromOp(op, y, outShape, [input], (g) => [permuteData(g, outShape, inverse)]);
}

/** input with its dimensions in the order `dims` (a permutation of 0..ndim−1, negatives allowed); copies. */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', 'input', input);
  if (!Array.isArray(dims)) throw new OptionError(`permute: dims must be an array of dimension indices, got ${show(dims)}`);
  if (dims.length !== input.ndim) {
    throw new OptionError(`permute: dims ${show(dims)} must list each of the ${input.ndim} dimensions of input ${formatShape(input.shape)} once, got ${dims.length}`);
  }
  const perm = dims.map((d) => normalizeDim('permute', d, input.shape));
  const repeated = perm.find((p, i) => perm.indexOf(p) !== i);
  if (repeated !== undefined) throw new OptionError(`permute: dim ${repeated} appears more than once in dims ${show(dims)}`);
  return permuted('permute', input, perm);
}

/** input with dimensions dim0 and dim1 swapped (negatives allowed); copies. */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', 'input', input);
  const a = normalizeDim('transpose', dim0, input.shape), b = normalizeDim('transpose', dim1, input.shape);
  const perm = input.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permuted('transpose', input, perm);
}
