// conv1dForwardStats and conv1dReluForward (src/ref/conv1d-epilogue.ts) and the fused tail with given
// statistics (batchNorm1dReluDropoutForwardWithStats): every native CPU level against the reference
// over shapes with every SIMD tail of the output length, odd channel counts, groups, stride,
// dilation, an empty batch, rows longer than one flush of the float lanes, long ranges of samples,
// channels beyond one stack chunk, and mean 1e3 / std 0.1.
import { describe, expect, it } from 'vitest';
import { type Conv1dParams, conv1dOutLength } from '../src/ref/conv1d.js';
import { channelStatistics } from '../src/ref/batchnorm1d.js';
import { nativeSets, refSet } from './helpers/backends.js';
import { expectClose, fillRandom, firstMismatch } from './helpers/compare.js';
import { type ArgSpec, runKernel } from './helpers/parity.js';
import type { Tolerance } from './tolerances.js';

/**
 * Statistics of the native y against the double two-pass statistics of that same y (so the conv's
 * own rounding is not counted twice): the x86 SIMD variants sum a channel's deviations from one
 * centre per range of samples (the mean of its first row there), a row at a time in float lanes of
 * at most 64 values before flushing to double, ≤ 64·2⁻²⁴ ≈ 4e-6 relative to the values summed (the
 * √64 random walk, ≈ 5e-7, in practice), and the squared deviations likewise; the shift identity
 * corrects exactly for the centre. NEON sums each row about its own mean. mean: |Δ| ≤ 1e-5·max|y|;
 * variance: |Δ| ≤ 1e-5·variance + 1e-7·max|y|². The scalar variant is bitwise the reference.
 */
const STATS_MEAN_RTOL = 1e-5, STATS_VAR_RTOL = 1e-5, STATS_VAR_ATOL = 1e-7;
/** y of the epilogue kernels vs conv1dForward's: the same conv, bit for bit. */
const exact: Tolerance = { atol: 0, rtol: 0 };

type Case = Partial<Conv1dParams> & Pick<Conv1dParams, 'inChannels' | 'outChannels' | 'inLength' | 'kernelSize'> & { bias?: boolean; shift?: number };

const cases: Case[] = [
  ...Array.from({ length: 17 }, (_, i): Case => ({ batch: 3, inChannels: 3, outChannels: 5, inLength: i + 1, kernelSize: 3, padLeft: 1, padRight: 1, bias: i % 2 === 0 })),
  { batch: 1, inChannels: 1, outChannels: 1, inLength: 2, kernelSize: 1 },
  { batch: 3, inChannels: 7, outChannels: 11, inLength: 31, kernelSize: 5, stride: 2, padLeft: 2, padRight: 2 },
  { batch: 2, inChannels: 4, outChannels: 6, inLength: 29, kernelSize: 3, stride: 3, dilation: 2, bias: true },
  { batch: 2, inChannels: 6, outChannels: 4, inLength: 23, kernelSize: 4, padLeft: 1, padRight: 2, groups: 2, bias: true },
  { batch: 2, inChannels: 8, outChannels: 8, inLength: 19, kernelSize: 3, padLeft: 1, padRight: 1, groups: 8 },
  { batch: 5, inChannels: 14, outChannels: 64, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1 },
  { batch: 9, inChannels: 13, outChannels: 37, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1, bias: true },
  ...Array.from({ length: 13 }, (_, i): Case => ({ batch: 3, inChannels: 4, outChannels: i + 1, inLength: 70, kernelSize: 3, padLeft: 1, padRight: 1, bias: i % 2 === 0 })),
  { batch: 2, inChannels: 3, outChannels: 4, inLength: 2100, kernelSize: 3, padLeft: 1, padRight: 1, bias: true }, // > 64 vectors per row
  { batch: 4, inChannels: 3, outChannels: 5, inLength: 33, kernelSize: 3, padLeft: 1, padRight: 1, bias: true, shift: 1000 }, // mean 1e3
  { batch: 1100, inChannels: 2, outChannels: 3, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1, bias: true, shift: 1000 }, // ranges of 34 samples about one centre each
  { batch: 2, inChannels: 1, outChannels: 1100, inLength: 5, kernelSize: 3, padLeft: 1, padRight: 1 }, // channels in chunks; one range
  { batch: 1, inChannels: 2, outChannels: 3, inLength: 9, kernelSize: 40, padLeft: 20, padRight: 20 }, // > KMAX taps: scalar fallback
  { batch: 0, inChannels: 2, outChannels: 2, inLength: 5, kernelSize: 3 },
];

const withDefaults = (c: Case): Conv1dParams => {
  const { bias: _b, shift: _s, ...p } = c;
  return { batch: 1, stride: 1, padLeft: 0, padRight: 0, dilation: 1, groups: 1, ...p };
};
const label = (c: Case) => {
  const p = withDefaults(c);
  return `x(${p.batch},${p.inChannels},${p.inLength}) w(${p.outChannels},${p.inChannels / p.groups},${p.kernelSize}) s${p.stride} p${p.padLeft}/${p.padRight} ` +
    `d${p.dilation} g${p.groups}${c.bias ? ' bias' : ''}${c.shift ? ` +${c.shift}` : ''}`;
};

function args(c: Case, stats: boolean): ArgSpec[] {
  const p = withDefaults(c), Lout = conv1dOutLength(p);
  const x: ArgSpec = { name: 'x', kind: 'in', size: p.batch * p.inChannels * p.inLength, seed: 101 };
  const w: ArgSpec = { name: 'w', kind: 'in', size: p.outChannels * (p.inChannels / p.groups) * p.kernelSize, scale: c.shift ? 0.01 : 1, seed: 102 };
  const b: ArgSpec = c.bias ? { name: 'bias', kind: 'in', size: p.outChannels, shift: c.shift ?? 0, seed: 103 } : { name: 'bias', kind: 'null', size: 0 };
  const y: ArgSpec = { name: 'y', kind: 'out', size: p.batch * p.outChannels * Lout };
  return stats
    ? [y, { name: 'mean', kind: 'out', size: p.outChannels, doubles: true }, { name: 'variance', kind: 'out', size: p.outChannels, doubles: true }, x, w, b]
    : [y, x, w, b];
}

/** Double two-pass statistics of y per channel (what BatchNorm's training forward computes). */
function twoPass(y: Float32Array, p: Conv1dParams): { mean: number[]; variance: number[] } {
  const L = conv1dOutLength(p), mean: number[] = [], variance: number[] = [];
  for (let c = 0; c < p.outChannels; c++) {
    if (p.batch * L === 0) {
      mean.push(0);
      variance.push(0);
      continue;
    }
    const s = channelStatistics(y, p.batch, p.outChannels, L, c);
    mean.push(s.mean);
    variance.push(s.variance);
  }
  return { mean, variance };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('conv1dForwardStats reference: Chan-merged row statistics = two-pass statistics', () => {
  it.each(cases.map((c) => [label(c), c] as const))('%s', (_l, c) => {
    const p = withDefaults(c);
    const out = runKernel(refSet.kernels, 'conv1dForwardStats', args(c, true), p, 3);
    const conv = runKernel(refSet.kernels, 'conv1dForward', args(c, false), p, 3);
    expect(firstMismatch(out.y!, conv.y!, exact), 'y is conv1dForward').toBe(-1);
    const want = twoPass(out.y as Float32Array, p);
    expect(firstMismatch(out.mean!, want.mean, { atol: 1e-12 * (1 + maxAbs(out.y!)), rtol: 1e-12 }), 'mean').toBe(-1);
    expect(firstMismatch(out.variance!, want.variance, { atol: 1e-12 * (1 + maxAbs(out.y!) ** 2), rtol: 1e-11 }), 'variance').toBe(-1);
  });
});

describe.skipIf(nativeSets.length === 0).each(nativeSets)('conv1d epilogue parity: $name', (native) => {
  it.each(cases.map((c) => [label(c), c] as const))('conv1dForwardStats %s', (l, c) => {
    const p = withDefaults(c);
    const got = runKernel(native.kernels, 'conv1dForwardStats', args(c, true), p, 3);
    const conv = runKernel(native.kernels, 'conv1dForward', args(c, false), p, 3);
    expectClose({ kernel: 'conv1dForward', backend: native.name, case: `${l} (conv1dForwardStats y vs conv1dForward)`, output: 'y' }, got.y!, conv.y!, exact);
    if (native.name === 'native-scalar') {
      const want = runKernel(refSet.kernels, 'conv1dForwardStats', args(c, true), p, 3);
      for (const k of ['y', 'mean', 'variance']) expect(firstMismatch(got[k]!, want[k]!, exact), `${k} bitwise the reference`).toBe(-1);
    }
    const want = twoPass(got.y as Float32Array, p), m = maxAbs(got.y!);
    const where = { kernel: 'conv1dForward' as const, backend: native.name, case: `${l} conv1dForwardStats` };
    expectClose({ ...where, output: 'mean' }, got.mean!, want.mean, { atol: STATS_MEAN_RTOL * m, rtol: 0 });
    expectClose({ ...where, output: 'variance' }, got.variance!, want.variance, { atol: STATS_VAR_ATOL * m * m, rtol: STATS_VAR_RTOL });
  });

  it.each(cases.map((c) => [label(c), c] as const))('conv1dReluForward %s', (l, c) => {
    const p = withDefaults(c);
    const got = runKernel(native.kernels, 'conv1dReluForward', args(c, false), p, 4);
    const conv = runKernel(native.kernels, 'conv1dForward', args(c, false), p, 4);
    const relu = Float32Array.from(conv.y as Float32Array, (v) => (v < 0 ? 0 : v));
    expectClose({ kernel: 'conv1dForward', backend: native.name, case: `${l} conv1dReluForward = relu(conv1dForward)`, output: 'y' }, got.y!, relu, exact);
    const want = runKernel(refSet.kernels, 'conv1dReluForward', args(c, false), p, 4);
    expectClose({ kernel: 'conv1dForward', backend: native.name, case: `${l} conv1dReluForward`, output: 'y' }, got.y!, want.y!);
  });

  it('conv1dReluForward keeps NaN (and signed zeros) as reluForward does', () => {
    const p = withDefaults({ batch: 1, inChannels: 1, outChannels: 1, inLength: 20, kernelSize: 1 });
    const x = new Float32Array(20).map((_, i) => (i % 3 === 0 ? -1 : 1) * i);
    x[5] = NaN;
    x[7] = -0;
    const y = new Float32Array(20), conv = new Float32Array(20), want = new Float32Array(20);
    native.kernels.conv1dReluForward(y, x, new Float32Array([1]), null, p);
    native.kernels.conv1dForward(conv, x, new Float32Array([1]), null, p);
    refSet.kernels.reluForward(want, conv, { count: 20 });
    expect(Number.isNaN(y[5]!)).toBe(true);
    expect(Array.from(y).map((v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(want).map((v) => Object.is(v, -0) ? '-0' : String(v)));
  });
});

// The tail with given statistics = the tail taking its own, when the given ones are its own.
describe.each([refSet, ...nativeSets])('batchNorm1dReluDropoutForwardWithStats: $name', (set) => {
  const shapes = [[2, 3, 1], [2, 3, 17], [5, 7, 30], [3, 4, 33], [2, 2, 2100]] as const;
  it.each(shapes)('(%i,%i,%i) = batchNorm1dReluDropoutForward given the same statistics', (N, C, L) => {
    const nx = N * C * L, x = fillRandom(new Float32Array(nx), 9, 1.5, 0.4) as Float32Array;
    const w = fillRandom(new Float32Array(C), 10, 0.5, 1) as Float32Array, b = fillRandom(new Float32Array(C), 11, 0.3) as Float32Array;
    const params = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training: true, p: 0.3, seed: 2 ** 40 + 1, stream: 7, offset: 3 };
    const run = (given: boolean) => {
      const y = new Float32Array(nx), sm = new Float32Array(C), si = new Float32Array(C);
      const rm = new Float32Array(C).fill(0.25), rv = new Float32Array(C).fill(2);
      if (given) {
        // the reference's own statistics, in double
        const bm = new Float64Array(C), bv = new Float64Array(C);
        for (let c = 0; c < C; c++) ({ mean: bm[c], variance: bv[c] } = channelStatistics(x, N, C, L, c));
        set.kernels.batchNorm1dReluDropoutForwardWithStats(y, sm, si, rm, rv, x, bm, bv, w, b, params);
      } else {
        refSet.kernels.batchNorm1dReluDropoutForward(y, sm, si, rm, rv, x, w, b, params);
      }
      return { y, sm, si, rm, rv };
    };
    const want = run(false), got = run(true);
    // The native tails normalise exactly as the reference given equal float statistics (src/ref/fused.ts).
    for (const k of ['y', 'sm', 'si', 'rm', 'rv'] as const) expect(firstMismatch(got[k], want[k], exact), k).toBe(-1);
  });

  it('in place (y = x)', () => {
    const N = 3, C = 2, L = 9, x = fillRandom(new Float32Array(N * C * L), 5) as Float32Array, x2 = x.slice();
    const params = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training: true, p: 0, seed: 0, stream: 0, offset: 0 };
    const bm = new Float64Array([0.1, -0.2]), bv = new Float64Array([0.5, 2]);
    const out = new Float32Array(x.length);
    set.kernels.batchNorm1dReluDropoutForwardWithStats(out, new Float32Array(C), new Float32Array(C), null, null, x2, bm, bv, null, null, params);
    set.kernels.batchNorm1dReluDropoutForwardWithStats(x, new Float32Array(C), new Float32Array(C), null, null, x, bm, bv, null, null, params);
    expect(firstMismatch(x, out, exact)).toBe(-1);
  });
});
