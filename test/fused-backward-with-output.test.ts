// batchNorm1dReluDropoutBackwardWithOutput: the fused block's backward given the forward's output y
// reads the ReLU and dropout decisions off y > 0 instead of recomputing v and regenerating the
// Philox draws. On every set (the reference and each native level) it must give the regular
// backward's dx, dweight and dbias bit for bit, when y is the same set's forward output: over shapes
// that hit every SIMD tail, the (N, C) path, long rows, training and eval, p = 0 / 0.15 / 0.5 / 1,
// affine on and off, NaN and ±Infinity inputs, an empty batch; and for any thread count.
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/backend/kernel-set.js';
import { addon, allSets, nativeSets } from './helpers/backends.js';
import { fillRandom } from './helpers/compare.js';

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
  { batch: 2, channels: 2, length: 2100 }, // rows of more than one 2048-element chunk
  { batch: 4, channels: 6, length: 33, shift: 1000, scale: 0.1 },
  ...Array.from({ length: 33 }, (_, i): Case => ({ batch: 3 + (i % 4), channels: i + 1, length: 1 })),
  { batch: 70, channels: 200, length: 1 },
];

const f32 = (n: number, seed: number, scale = 1, shift = 0) => fillRandom(new Float32Array(n), seed, scale, shift) as Float32Array;
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The forward, then both backward kernels from the same inputs: [regular, with output] results. */
function both(k: KernelSet, c: Case, training: boolean, p: number, affine: boolean, x: Float32Array, offset = 3) {
  const { batch, channels: C, length } = c, nx = x.length;
  const w = affine ? f32(C, 2) : null, b = affine ? f32(C, 3, 0.5) : null;
  const params = { batch, channels: C, length, eps: 1e-5, momentum: 0.1, training, p, seed: 2 ** 40 + 7, stream: 5, offset };
  const y = new Float32Array(nx), mean = new Float32Array(C), invstd = new Float32Array(C);
  k.batchNorm1dReluDropoutForward(y, mean, invstd, f32(C, 4, 0.1), f32(C, 5, 0.2, 1), x, w, b, params);
  const dy = f32(nx, 6);
  const run = (withOutput: boolean) => {
    const dx = new Float32Array(nx), dw = affine ? new Float32Array(C) : null, db = affine ? new Float32Array(C) : null;
    if (withOutput) k.batchNorm1dReluDropoutBackwardWithOutput(dx, dw, db, dy, x, y, mean, invstd, w, params);
    else k.batchNorm1dReluDropoutBackward(dx, dw, db, dy, x, mean, invstd, w, b, params);
    return [dx, ...(dw && db ? [dw, db] : [])];
  };
  return { want: run(false), got: run(true), y, dy, mean, invstd, w, params };
}

function expectBitwise(where: string, got: Float32Array[], want: Float32Array[]): void {
  want.forEach((a, i) => expect(bits(got[i]!).equals(bits(a)), `${where}: output ${['dx', 'dweight', 'dbias'][i]}`).toBe(true));
}

describe.each(allSets)('fused backward with output = fused backward, bit for bit: $name', (set) => {
  const cases = shapes.flatMap((s, i) => [true, false].flatMap((training) => [0, 0.15, 0.5, 1].map((p, j) => ({ s, training, p, affine: (i + j) % 2 === 0 }))));
  it.each(cases.map((c) => [`(${c.s.batch},${c.s.channels},${c.s.length}) ${c.training ? 'train' : 'eval'} p=${c.p} ${c.affine ? 'affine' : 'no-affine'}`, c] as const))(
    '%s', (label, { s, training, p, affine }) => {
      const x = f32(s.batch * s.channels * s.length, 1, s.scale ?? 1, s.shift ?? 0);
      const { want, got } = both(set.kernels, s, training, p, affine, x);
      expectBitwise(`${set.name} ${label}`, got, want);
    });

  it('NaN and ±Infinity inputs, training and eval', () => {
    const s = { batch: 4, channels: 3, length: 21 };
    const x = f32(4 * 3 * 21, 9);
    x[2] = NaN, x[17] = Infinity, x[40] = -Infinity, x[100] = NaN;
    for (const training of [true, false]) {
      const { want, got } = both(set.kernels, s, training, 0.3, true, x);
      // bits, so NaN payloads count too
      expectBitwise(`${set.name} non-finite ${training ? 'training' : 'eval'}`, got, want);
    }
  });

  it('an empty batch (0, 5, L) in eval', () => {
    for (const length of [1, 7]) {
      const { want, got } = both(set.kernels, { batch: 0, channels: 5, length }, false, 0.3, true, new Float32Array(0));
      expectBitwise(`${set.name} N = 0, L = ${length}`, got, want);
    }
  });

  it('reads its decisions off y: an element y makes 0 passes no gradient, and p only scales', () => {
    const s = { batch: 3, channels: 2, length: 19 };
    const { y, dy, mean, invstd, w, params } = both(set.kernels, s, false, 0.5, true, f32(3 * 2 * 19, 11, 1, 1));
    const i = y.findIndex((v) => v > 0);
    expect(i).toBeGreaterThanOrEqual(0);
    const dx = new Float32Array(y.length), yCut = y.slice();
    yCut[i] = 0;
    set.kernels.batchNorm1dReluDropoutBackwardWithOutput(dx, null, null, dy, f32(y.length, 12), yCut, mean, invstd, w, params);
    expect(dx[i]).toBe(0);
    // eval: dx = w·invstd·scale·dy wherever y > 0, scale = 1/(1 − p) = 2
    const j = y.findIndex((v, k) => v > 0 && k !== i), c = Math.floor(j / s.length) % s.channels;
    expect(dx[j]).toBe(Math.fround(w![c]! * invstd[c]! * Math.fround(dy[j]! * 2)));
  });
});

describe.skipIf(!addon)('fused backward with output: bitwise identical for 1, 2, 3 and 4 threads', () => {
  // (256, 64, 30): the backbone's blocks; (64, 24, 1030): long rows; (128, 512, 1): the MLP's (N, C) path.
  it.each(nativeSets.flatMap((set) => [[256, 64, 30], [64, 24, 1030], [128, 512, 1]].map(([N, C, L]) => [set.name, N!, C!, L!, set] as const)))(
    '%s (%i, %i, %i)', (_name, N, C, L, set) => {
      const before = addon!.numThreads();
      const x = f32(N * C * L, 21, 2, 0.5);
      try {
        addon!.setNumThreads(1);
        const want = both(set.kernels, { batch: N, channels: C, length: L }, true, 0.15, true, x).got;
        for (const t of [2, 3, 4]) {
          addon!.setNumThreads(t);
          expectBitwise(`${set.name} threads=${t}`, both(set.kernels, { batch: N, channels: C, length: L }, true, 0.15, true, x).got, want);
        }
      } finally {
        addon!.setNumThreads(before);
      }
    });
});
