/**
 * Joining tensors, as torch.cat and torch.stack: batching rows, or putting channels side by side.
 *
 *   cat(ts, dim):   sizes equal except along dim, where they add up:
 *                   y[…, o_k + j, …] = ts[k][…, j, …],   o_k = Σ_{m<k} ts[m].shape[dim]
 *   stack(ts, dim): shapes all equal; a new dimension of size ts.length inserted at dim:
 *                   y[…, k, …] = ts[k]   (stack(ts, dim) = cat of each t unsqueezed at dim)
 *
 * Both are the same copy in row-major order: with outer = Π shape[0..dim) the result is, for each
 * outer index, the concatenation of every input's contiguous block of shape[dim..] elements. The
 * gradient of each input is its block of the upstream gradient, copied back.
 *
 * As in PyTorch 1.13, cat skips 1-D empty tensors (shape (0)) whatever the other shapes (the
 * `cat([acc, t])` accumulator idiom starting from an empty tensor), and rejects 0-d tensors; dim may
 * be negative: in [−ndim, ndim) for cat, [−(ndim + 1), ndim] for stack.
 */
import { formatShape, numel, sameShape, type Shape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { fromOp, Tensor } from '../tensor/tensor.js';
import { checkTensor, normalizeDim, show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

function checkList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new OptionError(`${op}: tensors must be a non-empty array of Tensors, got ${show(tensors)}`);
  tensors.forEach((t, i) => {
    checkTensor(op, `tensors[${i}]`, t);
  });
  return tensors as Tensor[];
}

/**
 * The result of laying, for each of `outer` rows, the next block of every joined input end to end
 * (inputs[i] joins unless skip[i]); backward hands each input its blocks of the gradient. Works by
 * position, so a tensor passed twice gets both of its gradients.
 */
function join(op: string, inputs: Tensor[], skip: boolean[], outer: number, outShape: Shape): Tensor {
  const blocks = inputs.map((t, i) => (outer === 0 || skip[i] ? 0 : t.numel / outer));
  const offsets = blocks.map((_, i) => blocks.slice(0, i).reduce((a, b) => a + b, 0));
  const row = blocks.reduce((a, b) => a + b, 0);
  const y = emptyFloat32(outer * row);
  for (let o = 0; o < outer; o++) {
    inputs.forEach((t, i) => y.set(t.data.subarray(o * blocks[i]!, (o + 1) * blocks[i]!), o * row + offsets[i]!));
  }
  return fromOp(op, y, outShape, inputs, (g, needs) =>
    inputs.map((t, i) => {
      if (!needs[i]) return null;
      const dx = emptyFloat32(t.numel), b = blocks[i]!, at = offsets[i]!;
      for (let o = 0; o < outer; o++) dx.set(g.subarray(o * row + at, o * row + at + b), o * b);
      return dx;
    }),
  );
}

/** The tensors joined along the existing dimension `dim` (default 0). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = checkList('cat', tensors);
  list.forEach((t, i) => {
    if (t.ndim === 0) throw new ShapeError(`cat: zero-dimensional tensor (tensors[${i}]) cannot be concatenated; use stack, or reshape it to (1)`);
  });
  const skip = list.map((t) => t.ndim === 1 && t.numel === 0);
  const first = Math.max(skip.indexOf(false), 0);
  const ref = list[first]!.shape;
  const d = normalizeDim('cat', dim, ref);
  list.forEach((t, i) => {
    if (skip[i] || (t.ndim === ref.length && t.shape.every((s, j) => j === d || s === ref[j]))) return;
    throw new ShapeError(
      `cat: tensors[${i}] has shape ${formatShape(t.shape)}, expected (${ref.map((s, j) => (j === d ? '*' : s)).join(', ')}) ` +
        `(sizes must match tensors[${first}] ${formatShape(ref)} except in dimension ${d})`,
    );
  });
  const outShape = ref.map((s, j) => (j === d ? list.reduce((a, t, i) => (skip[i] ? a : a + t.shape[d]!), 0) : s));
  return join('cat', list, skip, numel(ref.slice(0, d)), outShape);
}

/** The tensors (all of one shape) stacked along a new dimension inserted at `dim` (default 0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = checkList('stack', tensors);
  const ref = list[0]!.shape, nd = ref.length;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -(nd + 1) || dim > nd) {
    throw new OptionError(`stack: dim ${show(dim)} out of range for stacking tensors of shape ${formatShape(ref)} (expected an integer in [${-(nd + 1)}, ${nd}])`);
  }
  const d = dim < 0 ? dim + nd + 1 : dim;
  list.forEach((t, i) => {
    if (!sameShape(t.shape, ref)) throw new ShapeError(`stack: tensors[${i}] has shape ${formatShape(t.shape)}, expected ${formatShape(ref)} (the shape of tensors[0])`);
  });
  const outShape = [...ref.slice(0, d), list.length, ...ref.slice(d)];
  return join('stack', list, list.map(() => false), numel(ref.slice(0, d)), outShape);
}
