/**
 * softmax and logSoftmax along one dimension `dim` (negative counting from the end), numerically
 * stable: each slice along dim is shifted by its maximum before exponentiating, in double.
 *
 *   m = max x,   S = Σ e^(x − m)
 *   softmax:     y = e^(x − m) / S          dx = y·(g − Σ g·y)
 *   logSoftmax:  y = x − m − log S          dx = g − e^y·Σ g
 *
 * (sums over the slice along dim). A slice of all −inf gives NaN, as in PyTorch. A 0-d input is one
 * slice of one element (dim 0 or −1).
 */
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkTensor, normalizeDim } from './validate.js';

function along(op: 'softmax' | 'logSoftmax', input: Tensor, dim: number): Tensor {
  checkTensor(op, 'input', input);
  const d = normalizeDim(op, dim, input.shape);
  const size = input.ndim === 0 ? 1 : input.shape[d]!;
  const inner = input.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const x = input.data, n = x.length;
  const outer = size * inner === 0 ? 0 : n / (size * inner);
  const y = new Float32Array(n);
  const e = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * size * inner + j;
      let m = -Infinity;
      for (let c = 0; c < size; c++) {
        const v = x[base + c * inner]!;
        if (v > m || Number.isNaN(v)) m = v;
      }
      let s = 0;
      for (let c = 0; c < size; c++) s += e[c] = Math.exp(x[base + c * inner]! - m);
      if (op === 'softmax') for (let c = 0; c < size; c++) y[base + c * inner] = e[c]! / s;
      else {
        const ls = Math.log(s);
        for (let c = 0; c < size; c++) y[base + c * inner] = x[base + c * inner]! - m - ls;
      }
    }
  }
  return fromOp(op, y, input.shape, [input], (g) => {
    const dx = new Float32Array(n);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * size * inner + j;
        let s = 0;
        if (op === 'softmax') {
          for (let c = 0; c < size; c++) s += g[base + c * inner]! * y[base + c * inner]!;
          for (let c = 0; c < size; c++) {
            const k = base + c * inner;
            dx[k] = y[k]! * (g[k]! - s);
          }
        } else {
          for (let c = 0; c < size; c++) s += g[base + c * inner]!;
          for (let c = 0; c < size; c++) {
            const k = base + c * inner;
            dx[k] = g[k]! - Math.exp(y[k]!) * s;
          }
        }
      }
    }
    return [dx];
  });
}

/** e^x / Σ e^x along `dim`. */
export function softmax(input: Tensor, dim: number): Tensor {
  return along('softmax', input, dim);
}

/** log(softmax(x)) along `dim`, computed as x − max − log Σ e^(x − max). */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return along('logSoftmax', input, dim);
}
