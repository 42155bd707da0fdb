/**
 * The tensor operations' backward (permute … matmul) against central finite differences of their
 * forward, through the autograd engine (method and error budget in ./helpers.ts). max/min run on
 * values spaced far apart (no near-ties to flip under the step), clamp away from its bounds.
 */
import { describe, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { avoid, distinct, gradcheckOp, rnd } from './helpers.js';

const mask = (values: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(values), shape);

describe('gradcheck: tensor operations', () => {
  const cases: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor]> = [
    ['permute (2,3,4) [2,0,1]', () => [rnd([2, 3, 4], 1)], (x) => F.permute(x!, [2, 0, 1])],
    ['permute (1,2,3,2) [3,1,0,2]', () => [rnd([1, 2, 3, 2], 2)], (x) => F.permute(x!, [3, 1, 0, -2])],
    ['transpose (2,3,4) 0 -1', () => [rnd([2, 3, 4], 3)], (x) => F.transpose(x!, 0, -1)],
    ['cat dim 1 of three', () => [rnd([2, 1, 3], 4), rnd([2, 2, 3], 5), rnd([2, 3, 3], 6)], (a, b, c) => F.cat([a!, b!, c!], 1)],
    ['cat the same tensor twice, and one without grad', () => [rnd([2, 3], 7), rnd([1, 3], 8, { requiresGrad: false })], (a, b) => F.cat([a!, b!, a!])],
    ['stack dim -1', () => [rnd([2, 3], 9), rnd([2, 3], 10)], (a, b) => F.stack([a!, b!], -1)],
    ['indexSelect with repeats', () => [rnd([4, 3], 11)], (x) => F.indexSelect(x!, 0, [3, 0, 0, 2, 0])],
    ['indexSelect dim -1', () => [rnd([2, 5, 3], 12)], (x) => F.indexSelect(x!, -1, new Int32Array([2, 2, 1]))],
    ['narrow', () => [rnd([3, 6], 13)], (x) => F.narrow(x!, 1, -4, 3)],
    ['slice step 2', () => [rnd([3, 8], 14)], (x) => F.slice(x!, 1, 1, -1, 2)],
    ['max all', () => [distinct([3, 4], 15)], (x) => F.max(x!)],
    ['min all', () => [distinct([3, 4], 16)], (x) => F.min(x!)],
    ['max dim 1', () => [distinct([3, 4, 2], 17)], (x) => F.max(x!, 1).values],
    ['min dim 0 keepdim', () => [distinct([3, 4], 18)], (x) => F.min(x!, 0, { keepdim: true }).values],
    ['where broadcast', () => [rnd([4, 1], 19), rnd([3], 20)], (x, y) => F.where(mask([1, 0, 1, 0, 0, 1], [2, 1, 3]), x!, y!)],
    ['where number other', () => [rnd([2, 3], 21)], (x) => F.where(mask([1, 0, 1], [3]), x!, 2)],
    ['clamp', () => [avoid(rnd([4, 5], 22, { scale: 2 }), [-0.5, 1])], (x) => F.clamp(x!, { min: -0.5, max: 1 })],
    ['matmul dot', () => [rnd([5], 23), rnd([5], 24)], (a, b) => F.matmul(a!, b!)],
    ['matmul (3,4)(4,2)', () => [rnd([3, 4], 25), rnd([4, 2], 26)], (a, b) => F.matmul(a!, b!)],
    ['matmul (4)(2,4,3)', () => [rnd([4], 27), rnd([2, 4, 3], 28)], (a, b) => F.matmul(a!, b!)],
    ['matmul (2,3,4)(4) ', () => [rnd([2, 3, 4], 29), rnd([4], 30)], (a, b) => F.matmul(a!, b!)],
    ['matmul (2,1,3,4)(3,4,2) broadcast batch', () => [rnd([2, 1, 3, 4], 31), rnd([3, 4, 2], 32)], (a, b) => F.matmul(a!, b!)],
    ['matmul (2,3,4)(4,5) folded batch', () => [rnd([2, 3, 4], 33), rnd([4, 5], 34)], (a, b) => F.matmul(a!, b!)],
    ['matmul of a tensor with itself', () => [rnd([3, 3], 35)], (a) => F.matmul(a!, a!)],
  ];
  for (const [name, make, fn] of cases) it(name, () => gradcheckOp({ name, inputs: make(), fn }));
});
