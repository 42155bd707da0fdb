/**
 * Broadcasting (NumPy's and PyTorch's rules): shapes are aligned at their last dimension; each pair
 * of sizes must be equal or one of them 1 (a missing leading dimension counts as 1), and the result
 * takes the larger. A tensor broadcast to a bigger shape reads element
 *
 *   from[i_1 * s_1 + ... + i_k * s_k],   s_d = 0 where from's size is 1, its row-major stride otherwise,
 *
 * for output index (…, i_1, …, i_k); so the gradient of a broadcast input is the output gradient
 * summed over every output element that read it (reduceTo). Reductions over dimensions (sum, mean)
 * are the same map read the other way: the keepdim output shape broadcasts to the input shape.
 */
import { formatShape, numel, type Shape } from '../tensor/shape.js';
import { ShapeError } from '../errors.js';

/** The shape `a` and `b` broadcast to; throws naming `op` when they do not broadcast. */
export function broadcastPair(op: string, a: Shape, b: Shape, names: readonly [string, string] = ['', '']): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      const [na, nb] = names;
      throw new ShapeError(
        `${op}: ${na ? `${na} ` : ''}${formatShape(a)} and ${nb ? `${nb} ` : ''}${formatShape(b)} cannot be broadcast together: ` +
          `sizes ${da} and ${db} at dimension ${i} of the result differ and neither is 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** The shape all of `shapes` broadcast to (PyTorch's torch.broadcast_shapes). */
export function broadcastShapes(...shapes: Shape[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastPair('broadcastShapes', acc, s), []);
}

/** Whether `from` broadcasts to exactly `to` (no dimension of `to` grows from `from`'s side). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  for (let i = 0; i < from.length; i++) {
    const f = from[i]!, t = to[to.length - from.length + i]!;
    if (f !== t && f !== 1) return false;
  }
  return true;
}

/**
 * For each element of `to` (row-major), the flat index of the element of `from` it reads when `from`
 * is broadcast to `to`. `from` must broadcast to `to` (checked by the caller).
 */
export function broadcastIndex(from: Shape, to: Shape): Int32Array {
  const nd = to.length;
  const stride = new Array<number>(nd).fill(0);
  let s = 1;
  for (let d = from.length - 1; d >= 0; d--) {
    const td = d + nd - from.length;
    stride[td] = from[d] === 1 ? 0 : s;
    s *= from[d]!;
  }
  const total = numel(to);
  const out = new Int32Array(total);
  if (total === 0) return out;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < total; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      off += stride[d]!;
      if (idx[d]! < to[d]!) break;
      off -= stride[d]! * to[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Sums `values` (one per element of the broadcast shape) into `size` slots through `index`, in double. */
export function reduceTo(values: ArrayLike<number>, index: Int32Array, size: number): Float32Array {
  const acc = new Float64Array(size);
  for (let i = 0; i < index.length; i++) acc[index[i]!]! += values[i]!;
  return Float32Array.from(acc);
}
