/**
 * Shared fixtures of the augmentation tests: batches built from a formula, the series of one
 * (sample, channel), and the sample mean and variance (two-pass, in double) the statistical tests
 * compare against bounds computed from the number of draws.
 */
import { Tensor } from '../../src/tensor/tensor.js';

/** An (n, c, l) batch with x[i, ch, t] = f(i, ch, t). */
export function series(n: number, c: number, l: number, f: (i: number, ch: number, t: number) => number): Tensor {
  const data = new Float32Array(n * c * l);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let t = 0; t < l; t++) data[(i * c + ch) * l + t] = f(i, ch, t);
  return new Tensor(data, [n, c, l]);
}

/** The l values of x[i, ch, :] of an (N, C, L) tensor. */
export function row(x: Tensor, i: number, ch: number): number[] {
  const [, c, l] = x.shape as [number, number, number];
  return Array.from(x.data.subarray((i * c + ch) * l, (i * c + ch + 1) * l));
}

/** Sample mean and (biased) variance. */
export function meanVar(v: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, variance: q / v.length };
}
