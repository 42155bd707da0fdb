// linearForwardStats (src/ref/linear.ts; native/src/linear/linear-stats.h): y is linearForward's bit
// for bit, and mean/variance are BatchNorm's two-pass statistics of that y bit for bit — the numbers
// batchNorm1dReluDropoutForward would take itself, so the fused (N, C) tail given them writes the same
// y, saved statistics and running statistics as without them. Every native level, over shapes that
// take each path: the dot-product forward (few rows or few outputs, statistics in a pass of their
// own), the GEMM with whole-column tasks (statistics in the task, while its panel is in cache) and
// with row blocks (few column panels: a pass of their own), column tails of 16/32-wide panels, an
// empty batch, and outputs with mean 1e3.
import { describe, expect, it } from 'vitest';
import { channelStatistics } from '../src/ref/batchnorm1d.js';
import type { LinearParams } from '../src/ref/linear.js';
import { nativeSets, refSet } from './helpers/backends.js';
import { fillRandom, firstMismatch } from './helpers/compare.js';
import { type ArgSpec, runKernel } from './helpers/parity.js';

const exact = { atol: 0, rtol: 0 };

type Case = LinearParams & { bias?: boolean; shift?: number };
const cases: Case[] = [
  ...Array.from({ length: 17 }, (_, i): Case => ({ batch: 3, inFeatures: i + 1, outFeatures: 17 - i, bias: i % 2 === 0 })), // dot form
  ...Array.from({ length: 9 }, (_, i): Case => ({ batch: 20 + i, inFeatures: 37, outFeatures: 16 + 7 * i, bias: i % 2 === 1 })), // panel tails
  { batch: 300, inFeatures: 17, outFeatures: 65, bias: true }, // few panels: row blocks
  { batch: 129, inFeatures: 300, outFeatures: 200 }, // whole-column tasks, a K tail
  { batch: 128, inFeatures: 784, outFeatures: 512, bias: true }, // the MLP's blocks
  { batch: 128, inFeatures: 512, outFeatures: 256 },
  { batch: 40, inFeatures: 9, outFeatures: 70, bias: true, shift: 1000 }, // mean 1e3
  { batch: 0, inFeatures: 4, outFeatures: 20, bias: true },
];
const label = (c: Case) => `x(${c.batch},${c.inFeatures}) → ${c.outFeatures}${c.bias ? ' bias' : ''}${c.shift ? ` +${c.shift}` : ''}`;

function args(c: Case, stats: boolean): ArgSpec[] {
  const x: ArgSpec = { name: 'x', kind: 'in', size: c.batch * c.inFeatures, seed: 201 };
  const w: ArgSpec = { name: 'w', kind: 'in', size: c.outFeatures * c.inFeatures, scale: 1 / Math.sqrt(c.inFeatures), seed: 202 };
  const b: ArgSpec = c.bias ? { name: 'bias', kind: 'in', size: c.outFeatures, shift: c.shift ?? 0, seed: 203 } : { name: 'bias', kind: 'null', size: 0 };
  const y: ArgSpec = { name: 'y', kind: 'out', size: c.batch * c.outFeatures };
  return stats
    ? [y, { name: 'mean', kind: 'out', size: c.outFeatures, doubles: true }, { name: 'variance', kind: 'out', size: c.outFeatures, doubles: true }, x, w, b]
    : [y, x, w, b];
}

/** channelStatistics of y per output feature (0 and 0 for an empty batch). */
function twoPass(y: Float32Array, c: Case): { mean: number[]; variance: number[] } {
  const mean: number[] = [], variance: number[] = [];
  for (let o = 0; o < c.outFeatures; o++) {
    const s = c.batch === 0 ? { mean: 0, variance: 0 } : channelStatistics(y, c.batch, c.outFeatures, 1, o);
    mean.push(s.mean);
    variance.push(s.variance);
  }
  return { mean, variance };
}

describe.each([refSet, ...nativeSets])('linearForwardStats: $name', (set) => {
  it.each(cases.map((c) => [label(c), c] as const))('%s: y is linearForward, the statistics are two-pass of y, bit for bit', (_l, c) => {
    const { bias: _b, shift: _s, ...p } = c;
    const got = runKernel(set.kernels, 'linearForwardStats', args(c, true), p, 5);
    const plain = runKernel(set.kernels, 'linearForward', args(c, false), p, 5);
    expect(firstMismatch(got.y!, plain.y!, exact), 'y').toBe(-1);
    const want = twoPass(got.y as Float32Array, c);
    expect(firstMismatch(got.mean!, want.mean, exact), 'mean').toBe(-1);
    expect(firstMismatch(got.variance!, want.variance, exact), 'variance').toBe(-1);
  });

  // What the statistics are for: the Linear → BatchNorm1d → ReLU → Dropout block.
  it.each([[128, 512], [37, 70], [12, 16], [5, 3]] as const)('(%i, %i): the fused tail given them = the fused tail taking its own', (N, C) => {
    const x = fillRandom(new Float32Array(N * 9), 31, 1) as Float32Array, wt = fillRandom(new Float32Array(C * 9), 32, 0.4) as Float32Array;
    const h = new Float32Array(N * C), mean = new Float64Array(C), variance = new Float64Array(C);
    set.kernels.linearForwardStats(h, mean, variance, x, wt, null, { batch: N, inFeatures: 9, outFeatures: C });
    const gamma = fillRandom(new Float32Array(C), 33, 0.5, 1) as Float32Array, beta = fillRandom(new Float32Array(C), 34, 0.3) as Float32Array;
    const params = { batch: N, channels: C, length: 1, eps: 1e-5, momentum: 0.1, training: true, p: 0.5, seed: 9, stream: 4, offset: 0 };
    const run = (given: boolean) => {
      const y = new Float32Array(N * C), sm = new Float32Array(C), si = new Float32Array(C);
      const rm = new Float32Array(C).fill(0.25), rv = new Float32Array(C).fill(2);
      if (given) set.kernels.batchNorm1dReluDropoutForwardWithStats(y, sm, si, rm, rv, h, mean, variance, gamma, beta, params);
      else set.kernels.batchNorm1dReluDropoutForward(y, sm, si, rm, rv, h, gamma, beta, params);
      return { y, sm, si, rm, rv };
    };
    const own = run(false), given = run(true);
    for (const k of ['y', 'sm', 'si', 'rm', 'rv'] as const) expect(firstMismatch(given[k], own[k], exact), k).toBe(-1);
  });
});
