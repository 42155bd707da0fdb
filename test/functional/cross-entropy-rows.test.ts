// crossEntropy's (N, C) class-index path (no class weights, no smoothing) against the general path,
// bit for bit: class weights of exactly 1 send the same call through the general code with the same
// arithmetic, so loss and gradient must match to the last bit, including ignored rows, the unbatched
// (C) form, every reduction and logits at the edges (±large, −Infinity, NaN).
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

function lossAndGrad(x: Float32Array, shape: number[], target: number[], options: F.CrossEntropyOptions): { loss: Float32Array; grad: Float32Array } {
  const input = new Tensor(x.slice(), shape, { requiresGrad: true });
  const loss = F.crossEntropy(input, target, options);
  const g = options.reduction === 'none' ? new Tensor(Float32Array.from({ length: loss.numel }, (_, i) => 0.5 + i), loss.shape) : undefined;
  loss.backward(g);
  return { loss: loss.data, grad: input.grad!.data };
}

function logits(n: number, c: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * c }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 12);
}

describe('crossEntropy (N, C) class-index path', () => {
  const cases: Array<{ name: string; x: Float32Array; shape: number[]; target: number[]; ignoreIndex?: number }> = [
    { name: '(128, 10)', x: logits(128, 10, 1), shape: [128, 10], target: Array.from({ length: 128 }, (_, i) => (i * 7) % 10) },
    { name: '(5, 3) with ignored rows', x: logits(5, 3, 2), shape: [5, 3], target: [0, -100, 2, 1, -100] },
    { name: '(4, 2), ignoreIndex 1', x: logits(4, 2, 3), shape: [4, 2], target: [0, 1, 1, 0], ignoreIndex: 1 },
    { name: 'unbatched (7)', x: logits(1, 7, 4), shape: [7], target: [3] },
    {
      name: 'edge logits',
      x: Float32Array.from([1e30, -1e30, 0, -Infinity, 5, 5, 88, 89, -88, NaN, 1, 2]),
      shape: [4, 3],
      target: [0, 1, 2, 0],
    },
    { name: 'all rows ignored', x: logits(3, 4, 5), shape: [3, 4], target: [-100, -100, -100] },
  ];
  for (const c of cases) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`${c.name}, reduction ${reduction}: the general path's numbers bit for bit`, () => {
        const classes = c.shape.at(-1)!;
        const base = { reduction, ...(c.ignoreIndex !== undefined && { ignoreIndex: c.ignoreIndex }) };
        const fast = lossAndGrad(c.x, c.shape, c.target, base);
        const general = lossAndGrad(c.x, c.shape, c.target, { ...base, weight: new Tensor(new Float32Array(classes).fill(1), [classes]) });
        expect(Array.from(fast.loss)).toEqual(Array.from(general.loss)); // toEqual tells +0 from −0 and matches NaN
        expect(Array.from(fast.grad)).toEqual(Array.from(general.grad));
      });
    }
  }
});
