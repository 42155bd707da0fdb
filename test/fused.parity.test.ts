// Fused BatchNorm1d → ReLU → Dropout kernels (batchNorm1dReluDropoutForward/Backward): every native
// CPU level against the JS reference over shapes that hit every SIMD tail, training and eval, affine
// on/off, running statistics on/off, p = 0, 0.15, 0.5 and 1, odd draw offsets and large seeds and
// streams; masks exactly equal to dropoutMask's; the reference against the unfused kernel chain;
// bitwise determinism across thread counts.
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/backend/kernel-set.js';
import { dropoutScale } from '../src/ref/philox.js';
import { addon, nativeSets, refSet } from './helpers/backends.js';
import { fillRandom, firstMismatch } from './helpers/compare.js';
import { type ArgSpec, type Outputs, runKernel } from './helpers/parity.js';
import type { Tolerance } from './tolerances.js';

/**
 * Native vs reference. The scalar variant is a line-by-line port (bitwise equal). The SIMD variants
 * compute v = float((x − mean)·invstd·w + b), the ReLU and dropout decisions and the dropout product
 * with the same double/float operations as the reference, so y and every mask are bitwise equal
 * given equal statistics; they only sum the per-channel statistics and gradient sums in a different
 * order (in double: relative error ≲ 1e-15), which can move float32(mean), dweight, dbias or dx by
 * one float32 rounding (2^-24 relative) on a tie — and dx = w·invstd·(g − Σg/M − xhat·Σg·xhat/M) has
 * cancellation, so dx gets an absolute allowance of 1e-6 of its O(1) terms.
 */
const KERNEL_TOL: Tolerance = { atol: 1e-6, rtol: 1e-6 };
/**
 * Fused reference vs the unfused reference chain (batchNorm1dTrainForward/EvalForward → reluForward →
 * dropoutForward and back). The fused kernels normalise with float32(mean), float32(invstd) (what
 * backward sees) where BatchNorm uses the double values: v differs by at most ≈ |x − mean|·invstd·2^-23
 * + one rounding ≈ 4 float32 ulps of O(1) values; gradients inherit that through sums of M terms.
 * Elements within that distance of the ReLU kink could take the other branch (absent in these cases).
 */
export const FUSED_CHAIN_TOL: Tolerance = { atol: 2e-6, rtol: 2e-6 };

interface Case {
  batch: number;
  channels: number;
  length: number;
  shift?: number;
  scale?: number;
}

const shapes: Case[] = [
  ...Array.from({ length: 17 }, (_, i): Case => ({ batch: 2, channels: 3, length: i + 1 })),
  { batch: 3, channels: 2, length: 31 },
  { batch: 2, channels: 3, length: 33 },
  { batch: 5, channels: 7, length: 30 },
  { batch: 1, channels: 2, length: 100 },
  { batch: 7, channels: 5, length: 1 },
  { batch: 2, channels: 2, length: 2100 }, // more than one 2048-element chunk per row
  { batch: 4, channels: 6, length: 33, shift: 1000, scale: 0.1 }, // mean 1e3, std 0.1
  // (N, C) input (the Linear block) runs across channels: every channel tail of 8/16-lane vectors up
  // to two vectors and more, several 64-channel blocks, and a large mean.
  ...Array.from({ length: 33 }, (_, i): Case => ({ batch: 3 + (i % 4), channels: i + 1, length: 1 })),
  { batch: 70, channels: 200, length: 1 },
  { batch: 9, channels: 37, length: 1, shift: 1000, scale: 0.1 },
];
const ps = [0, 0.15, 0.5, 1];

interface Opts extends Case {
  training: boolean;
  affine: boolean;
  running: boolean;
  p: number;
  offset: number;
  seed: number;
  stream: number;
}

const cases: Opts[] = shapes.flatMap((s, i) =>
  [true, false].flatMap((training) =>
    ps.map((p, j): Opts => ({
      ...s, training, p,
      affine: (i + j) % 2 === 0,
      running: !training || (i + j) % 3 !== 0,
      offset: (i + j) % 2 === 1 ? 7 : 0,
      seed: j % 2 === 0 ? 2 ** 40 + 3 : 5,
      stream: i % 2 === 0 ? 2 ** 33 + 11 : 9,
    }))),
);

const name = (c: Opts) =>
  `(${c.batch},${c.channels},${c.length}) ${c.training ? 'train' : 'eval'} p=${c.p} ${c.affine ? 'affine' : 'no-affine'} ` +
  `${c.running ? 'running' : 'no-running'} offset=${c.offset}${c.shift ? ` mean ${c.shift}` : ''}`;

function arg(n: string, kind: ArgSpec['kind'], size: number, present = true, extra: Partial<ArgSpec> = {}): ArgSpec {
  return present ? { name: n, kind, size, ...extra } : { name: n, kind: 'null', size: 0 };
}

const random = (c: Opts) => ({ p: c.p, seed: c.seed, stream: c.stream, offset: c.offset });

function forwardArgs(c: Opts): ArgSpec[] {
  const nx = c.batch * c.channels * c.length, C = c.channels;
  return [
    arg('y', 'out', nx), arg('saveMean', 'out', C), arg('saveInvstd', 'out', C),
    arg('runningMean', c.training ? 'inout' : 'in', C, c.running, { shift: c.shift ?? 0 }),
    arg('runningVar', c.training ? 'inout' : 'in', C, c.running, { scale: 0.5, shift: 1 }),
    arg('x', 'in', nx, true, { scale: c.scale ?? 1, shift: c.shift ?? 0 }),
    arg('weight', 'in', C, c.affine), arg('bias', 'in', C, c.affine, { scale: 0.5 }),
  ];
}
const forwardParams = (c: Opts) => ({ batch: c.batch, channels: c.channels, length: c.length, eps: 1e-5, momentum: 0.1, training: c.training, ...random(c) });

function backwardArgs(c: Opts): ArgSpec[] {
  const nx = c.batch * c.channels * c.length, C = c.channels;
  return [
    arg('dx', 'out', nx), arg('dweight', 'out', C, c.affine), arg('dbias', 'out', C, c.affine),
    arg('dy', 'in', nx), arg('x', 'in', nx, true, { scale: c.scale ?? 1, shift: c.shift ?? 0 }),
    arg('mean', 'in', C, true, { scale: 0.2, shift: c.shift ?? 0 }), arg('invstd', 'in', C, true, { scale: 0.5, shift: c.scale ? 10 : 1 }),
    arg('weight', 'in', C, c.affine), arg('bias', 'in', C, c.affine, { scale: 0.5 }),
  ];
}
const backwardParams = (c: Opts) => ({ batch: c.batch, channels: c.channels, length: c.length, training: c.training, ...random(c) });

function expectOutputs(where: string, got: Outputs, want: Outputs, tol: Tolerance): void {
  for (const k of Object.keys(want)) {
    const g = got[k]!, w = want[k]!;
    expect(g, `${where}: ${k} missing`).toBeDefined();
    const i = firstMismatch(g, w, tol);
    if (i >= 0) throw new Error(`${where}: ${k}[${i}] expected ${w[i]}, got ${g[i]} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

const exact: Tolerance = { atol: 0, rtol: 0 };
/** n deterministic float32 values in [shift - scale, shift + scale). */
const f32 = (n: number, seed: number, scale = 1, shift = 0): Float32Array => fillRandom(new Float32Array(n), seed, scale, shift) as Float32Array;
const tolFor = (setName: string) => (setName === 'native-scalar' ? exact : KERNEL_TOL);

describe.skipIf(nativeSets.length === 0).each(nativeSets)('fused parity: $name', (native) => {
  it.each(cases.map((c) => [name(c), c] as const))('forward %s', (label, c) => {
    const want = runKernel(refSet.kernels, 'batchNorm1dReluDropoutForward', forwardArgs(c), forwardParams(c), 1);
    const got = runKernel(native.kernels, 'batchNorm1dReluDropoutForward', forwardArgs(c), forwardParams(c), 1);
    expectOutputs(`batchNorm1dReluDropoutForward [${native.name}] ${label}`, got, want, tolFor(native.name));
  });

  it.each(cases.map((c) => [name(c), c] as const))('backward %s', (label, c) => {
    const want = runKernel(refSet.kernels, 'batchNorm1dReluDropoutBackward', backwardArgs(c), backwardParams(c), 2);
    const got = runKernel(native.kernels, 'batchNorm1dReluDropoutBackward', backwardArgs(c), backwardParams(c), 2);
    expectOutputs(`batchNorm1dReluDropoutBackward [${native.name}] ${label}`, got, want, tolFor(native.name));
  });

  // An empty batch is legal in eval (and in backward): once a division by the empty block's size
  // (an integer division by zero) killed the process on the (N, C) path.
  it.each([1, 7])('an empty batch (0, 5, %i): eval forward, backward both ways, as the reference', (length) => {
    for (const training of [false, true]) {
      const c: Opts = { batch: 0, channels: 5, length, training, p: 0.3, affine: true, running: true, offset: 0, seed: 3, stream: 4 };
      if (!training) {
        const want = runKernel(refSet.kernels, 'batchNorm1dReluDropoutForward', forwardArgs(c), forwardParams(c), 1);
        expectOutputs(`forward [${native.name}] N = 0`, runKernel(native.kernels, 'batchNorm1dReluDropoutForward', forwardArgs(c), forwardParams(c), 1), want, exact);
      }
      const want = runKernel(refSet.kernels, 'batchNorm1dReluDropoutBackward', backwardArgs(c), backwardParams(c), 2);
      expectOutputs(`backward [${native.name}] N = 0 ${training ? 'training' : 'eval'}`, runKernel(native.kernels, 'batchNorm1dReluDropoutBackward', backwardArgs(c), backwardParams(c), 2), want, exact);
    }
  });
});

// With bias ≥ 9 every normalised value is positive, so y ≠ 0 exactly where dropout keeps the element
// and backward passes dy exactly there: both masks must be dropoutMask's, bit for bit, on every path.
describe.each([refSet, ...nativeSets])('fused masks are dropoutMask: $name', (set) => {
  it.each([[2, 3, 17, 0], [3, 4, 30, 5], [2, 2, 1000, 3], [1, 3, 64, 1]] as const)('(%i,%i,%i) offset %i', (N, C, L, offset) => {
    const nx = N * C * L;
    const x = f32(nx, 7), w = f32(C, 8), b = new Float32Array(C).fill(10);
    const dy = new Float32Array(nx).fill(1);
    for (const training of [true, false]) {
      const params = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training, p: 0.3, seed: 1234, stream: 77, offset };
      const y = new Float32Array(nx), m = new Float32Array(C), s = new Float32Array(C);
      set.kernels.batchNorm1dReluDropoutForward(y, m, s, new Float32Array(C), new Float32Array(C).fill(1), x, w, b, params);
      const dx = new Float32Array(nx);
      set.kernels.batchNorm1dReluDropoutBackward(dx, null, null, dy, x, m, s, w, b, { ...params, training: false });
      const mask = new Uint8Array(nx);
      refSet.kernels.dropoutMask(mask, { count: nx, p: 0.3, seed: 1234, stream: 77, offset });
      for (let i = 0; i < nx; i++) {
        if ((y[i] !== 0 ? 1 : 0) !== mask[i]) throw new Error(`${set.name}: forward mask differs at ${i}`);
        if ((dx[i] !== 0 ? 1 : 0) !== mask[i]) throw new Error(`${set.name}: backward mask differs at ${i}`);
      }
      const kept = mask.reduce((a, v) => a + v, 0);
      // keep rate 0.7 within 5 standard deviations
      expect(Math.abs(kept - 0.7 * nx)).toBeLessThan(5 * Math.sqrt(0.21 * nx) + 1);
    }
  });
});

/** The unfused reference chain on the same inputs. */
function unfusedForward(k: KernelSet, c: Opts, x: Float32Array, w: Float32Array | null, b: Float32Array | null, rm: Float32Array | null, rv: Float32Array | null) {
  const nx = x.length, C = c.channels, shape = { batch: c.batch, channels: C, length: c.length };
  const bn = new Float32Array(nx), mean = new Float32Array(C), invstd = new Float32Array(C);
  if (c.training) k.batchNorm1dTrainForward(bn, mean, invstd, rm, rv, x, w, b, { ...shape, eps: 1e-5, momentum: 0.1 });
  else {
    k.batchNorm1dEvalForward(bn, x, rm!, rv!, w, b, { ...shape, eps: 1e-5 });
    mean.set(rm!);
    for (let i = 0; i < C; i++) invstd[i] = 1 / Math.sqrt(rv![i]! + 1e-5);
  }
  const r = new Float32Array(nx);
  k.reluForward(r, bn, { count: nx });
  const y = new Float32Array(nx);
  k.dropoutForward(y, r, { count: nx, ...random(c) });
  return { y, r, mean, invstd };
}

describe('fused reference = unfused reference chain (within FUSED_CHAIN_TOL)', () => {
  it.each(cases.filter((c) => !c.shift).map((c) => [name(c), c] as const))('%s', (_label, c) => {
    const k = refSet.kernels, nx = c.batch * c.channels * c.length, C = c.channels;
    const x = f32(nx, 11), dy = f32(nx, 12);
    const w = c.affine ? f32(C, 13) : null, b = c.affine ? f32(C, 14, 0.5) : null;
    const running = c.running ? () => [f32(C, 15, 0.2), f32(C, 16, 0.5, 1)] as const : () => [null, null] as const;
    const [rmU, rvU] = running(), [rmF, rvF] = running();
    const u = unfusedForward(k, c, x, w, b, rmU, rvU);
    const y = new Float32Array(nx), mean = new Float32Array(C), invstd = new Float32Array(C);
    k.batchNorm1dReluDropoutForward(y, mean, invstd, rmF, rvF, x, w, b, { ...forwardParams(c) });
    expectOutputs('forward', { y, mean, invstd, ...(rmF ? { rm: rmF, rv: rvF! } : {}) }, { y: u.y, mean: u.mean, invstd: u.invstd, ...(rmU ? { rm: rmU, rv: rvU! } : {}) }, FUSED_CHAIN_TOL);
    // backward: dropout → relu (by the forward's relu output) → batchnorm
    const g1 = new Float32Array(nx), g2 = new Float32Array(nx);
    k.dropoutBackward(g1, dy, { count: nx, ...random(c) });
    k.reluBackward(g2, g1, u.r, { count: nx });
    const dxU = new Float32Array(nx), dwU = new Float32Array(C), dbU = new Float32Array(C);
    k.batchNorm1dBackward(dxU, dwU, dbU, g2, x, u.mean, u.invstd, w, { batch: c.batch, channels: C, length: c.length, training: c.training });
    const dx = new Float32Array(nx), dw = new Float32Array(C), db = new Float32Array(C);
    k.batchNorm1dReluDropoutBackward(dx, dw, db, dy, x, mean, invstd, w, b, backwardParams(c));
    expectOutputs('backward', { dx, dw, db }, { dx: dxU, dw: dwU, db: dbU }, { atol: 1e-5, rtol: 1e-5 });
  });

  it('p = 1 gives zeros and zero gradients; p = 0 is relu(batchNorm)', () => {
    const k = refSet.kernels, N = 3, C = 2, L = 5, nx = N * C * L;
    const x = f32(nx, 3), dy = f32(nx, 4);
    const base = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training: true, seed: 1, stream: 2, offset: 0 };
    const y = new Float32Array(nx), m = new Float32Array(C), s = new Float32Array(C), dx = new Float32Array(nx);
    k.batchNorm1dReluDropoutForward(y, m, s, null, null, x, null, null, { ...base, p: 1 });
    expect(y.every((v) => Object.is(v, 0))).toBe(true);
    k.batchNorm1dReluDropoutBackward(dx, null, null, dy, x, m, s, null, null, { ...base, p: 1 });
    expect(dx.every((v) => v === 0)).toBe(true);
    k.batchNorm1dReluDropoutForward(y, m, s, null, null, x, null, null, { ...base, p: 0 });
    for (let i = 0; i < nx; i++) {
      const c = Math.floor(i / L) % C;
      const v = Math.fround((x[i]! - m[c]!) * s[c]!);
      expect(y[i]).toBe(v < 0 ? 0 : v);
    }
    expect(dropoutScale(0)).toBe(1);
  });
});

describe.skipIf(!addon)('fused kernels: bitwise identical for 1, 2, 3 and 4 threads', () => {
  // (64, 24, 1030): long rows, one channel at a time, 24 channels split into several tasks.
  // (256, 64, 30): short rows, channels in blocks whose starts depend on the task split.
  it.each(nativeSets.flatMap((s) => [[s.name, 64, 24, 1030, s], [s.name, 256, 64, 30, s]] as const))('%s (%i, %i, %i)', (_n, N, C, L, set) => {
    const before = addon!.numThreads();
    const nx = N * C * L;
    const x = f32(nx, 21, 2, 0.5), dy = f32(nx, 22);
    const w = f32(C, 23), b = f32(C, 24, 0.3);
    const params = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training: true, p: 0.15, seed: 99, stream: 3, offset: 1 };
    const run = () => {
      const y = new Float32Array(nx), m = new Float32Array(C), s = new Float32Array(C), rm = new Float32Array(C), rv = new Float32Array(C).fill(1);
      set.kernels.batchNorm1dReluDropoutForward(y, m, s, rm, rv, x, w, b, params);
      const dx = new Float32Array(nx), dw = new Float32Array(C), db = new Float32Array(C);
      set.kernels.batchNorm1dReluDropoutBackward(dx, dw, db, dy, x, m, s, w, b, params);
      return [y, m, s, rm, rv, dx, dw, db];
    };
    try {
      addon!.setNumThreads(1);
      const want = run();
      for (const t of [2, 3, 4]) {
        addon!.setNumThreads(t);
        const got = run();
        got.forEach((a, i) => expect(Buffer.from(a.buffer).equals(Buffer.from(want[i]!.buffer)), `${set.name} threads=${t} output ${i}`).toBe(true));
      }
    } finally {
      addon!.setNumThreads(before);
    }
  });
});

describe.each(nativeSets)('fused edge cases: $name', (native) => {
  it('batch 0 in eval, and NaN / ±Infinity inputs in eval and training, as the reference', () => {
    const C = 3, L = 5;
    const e = { batch: 0, channels: C, length: L, eps: 1e-5, momentum: 0.1, training: false, p: 0.5, seed: 1, stream: 2, offset: 0 };
    const rm = f32(C, 1, 0.1), rv = f32(C, 2, 0.2, 1);
    native.kernels.batchNorm1dReluDropoutForward(new Float32Array(0), new Float32Array(C), new Float32Array(C), rm, rv, new Float32Array(0), null, null, e);
    const N = 4, nx = N * C * L;
    const x = f32(nx, 3);
    x[2] = NaN, x[17] = Infinity, x[40] = -Infinity;
    for (const training of [false, true]) {
      const params = { ...e, batch: N, training };
      const run = (k: KernelSet) => {
        const y = new Float32Array(nx), m = new Float32Array(C), s = new Float32Array(C), dx = new Float32Array(nx);
        k.batchNorm1dReluDropoutForward(y, m, s, rm.slice(), rv.slice(), x, null, null, params);
        k.batchNorm1dReluDropoutBackward(dx, null, null, f32(nx, 4), x, m, s, null, null, params);
        return [y, m, s, dx];
      };
      const want = run(refSet.kernels), got = run(native.kernels);
      want.forEach((w, i) => expect(Array.from(got[i]!), `${training ? 'training' : 'eval'} output ${i}`).toEqual(Array.from(w)));
    }
  });
});

describe.each([refSet, ...nativeSets])('fused forward in place (y = x): $name', (set) => {
  it.each([[2, 3, 17], [4, 5, 30], [2, 2, 1500]] as const)('(%i, %i, %i) training and eval equal the out-of-place call', (N, C, L) => {
    const nx = N * C * L;
    for (const training of [true, false]) {
      const params = { batch: N, channels: C, length: L, eps: 1e-5, momentum: 0.1, training, p: 0.2, seed: 8, stream: 9, offset: 1 };
      const x = f32(nx, 31, 2, 0.3), w = f32(C, 32), b = f32(C, 33, 0.3);
      const run = (inPlace: boolean) => {
        const xs = x.slice(), y = inPlace ? xs : new Float32Array(nx), m = new Float32Array(C), s = new Float32Array(C);
        const rm = f32(C, 34, 0.1), rv = f32(C, 35, 0.2, 1);
        set.kernels.batchNorm1dReluDropoutForward(y, m, s, rm, rv, xs, w, b, params);
        return [y, m, s, rm, rv];
      };
      const want = run(false), got = run(true);
      want.forEach((a, i) => expect(Array.from(got[i]!), `${training ? 'training' : 'eval'} output ${i}`).toEqual(Array.from(a)));
    }
  });
});
