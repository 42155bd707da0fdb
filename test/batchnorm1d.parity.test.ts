// BatchNorm1d parity: every native kernel set against the JS reference, over (N, C) and (N, C, L)
// shapes with every tail length, affine on/off, running stats on/off, and a large-mean channel
// (mean 1e3, std 0.1) where a one-pass float variance would fail.
import { afterAll, describe, expect, it } from 'vitest';
import { batchNorm1dAverageFactor } from '../src/ref/batchnorm1d.js';
import { addon, nativeSets } from './helpers/backends.js';
import { type ArgSpec, expectParity, runKernel } from './helpers/parity.js';

interface Case {
  batch: number;
  channels: number;
  length: number;
  affine: boolean;
  running: boolean;
  shift?: number;
  scale?: number;
}

const cases: Case[] = [
  ...Array.from({ length: 17 }, (_, i): Case => ({ batch: 2, channels: 3, length: i + 1, affine: true, running: true })),
  { batch: 2, channels: 1, length: 1, affine: true, running: true },
  { batch: 7, channels: 5, length: 1, affine: false, running: true },
  { batch: 16, channels: 13, length: 1, affine: true, running: false },
  { batch: 3, channels: 17, length: 29, affine: false, running: false },
  { batch: 4, channels: 6, length: 33, affine: true, running: true, shift: 1000, scale: 0.1 },
  // Large: several tasks per call (a channel of 64 x 1000 floats is 250 KB: chunks of 4 channels),
  // rows longer than one reduction block (1024 floats) with a tail, and many rows of length 1.
  { batch: 64, channels: 10, length: 1000, affine: true, running: true },
  { batch: 64, channels: 9, length: 1000, affine: true, running: true, shift: 1000, scale: 0.1 },
  { batch: 3, channels: 5, length: 5000, affine: false, running: true },
  // 34 MB: past the streaming-store threshold (8 MB, native/src/cache.h), so y and dx are written
  // with non-temporal stores from unaligned rows.
  { batch: 64, channels: 133, length: 1000, affine: true, running: true },
  { batch: 4096, channels: 70, length: 1, affine: true, running: true, shift: -3, scale: 2 },
  // (N, C) input runs across channels (W = 8 or 16 per vector): every channel tail up to two vectors
  // and more, rows past one float32 block (64 rows), a large mean, and the MLP's (128, 512).
  ...Array.from({ length: 35 }, (_, i): Case => ({ batch: 5 + (i % 3), channels: i + 1, length: 1, affine: i % 2 === 0, running: i % 3 !== 1 })),
  { batch: 150, channels: 37, length: 1, affine: true, running: true, shift: 1000, scale: 0.1 },
  { batch: 128, channels: 512, length: 1, affine: true, running: true },
];

const name = (c: Case) =>
  `(${c.batch},${c.channels},${c.length}) ${c.affine ? 'affine' : 'no-affine'} ${c.running ? 'running' : 'no-running'}${c.shift ? ` mean ${c.shift}` : ''}`;

function arg(name: string, kind: ArgSpec['kind'], size: number, present = true, extra: Partial<ArgSpec> = {}): ArgSpec {
  return present ? { name, kind, size, ...extra } : { name, kind: 'null', size: 0 };
}

describe.skipIf(nativeSets.length === 0).each(nativeSets)('batchnorm1d parity: $name', (native) => {
  it.each(cases.map((c) => [name(c), c] as const))('train forward %s', (label, c) => {
    const nx = c.batch * c.channels * c.length, C = c.channels;
    const xs = { scale: c.scale ?? 1, shift: c.shift ?? 0 };
    expectParity(native, 'batchNorm1dTrainForward', label, [
      arg('y', 'out', nx),
      arg('saveMean', 'out', C),
      arg('saveInvstd', 'out', C),
      arg('runningMean', 'inout', C, c.running),
      arg('runningVar', 'inout', C, c.running, { shift: 2 }),
      arg('x', 'in', nx, true, xs),
      arg('weight', 'in', C, c.affine),
      arg('bias', 'in', C, c.affine),
    ], { batch: c.batch, channels: C, length: c.length, eps: 1e-5, momentum: 0.1 });
  });

  it.each(cases.map((c) => [name(c), c] as const))('eval forward %s', (label, c) => {
    const nx = c.batch * c.channels * c.length, C = c.channels;
    expectParity(native, 'batchNorm1dEvalForward', label, [
      arg('y', 'out', nx),
      arg('x', 'in', nx, true, { scale: c.scale ?? 1, shift: c.shift ?? 0 }),
      arg('runningMean', 'in', C, true, { shift: c.shift ?? 0 }),
      arg('runningVar', 'in', C, true, { scale: 0.5, shift: 1 }),
      arg('weight', 'in', C, c.affine),
      arg('bias', 'in', C, c.affine),
    ], { batch: c.batch, channels: C, length: c.length, eps: 1e-5 });
  });

  it.each(cases.flatMap((c) => [true, false].map((training) => [`${name(c)} ${training ? 'training' : 'eval'}`, c, training] as const)))(
    'backward %s',
    (label, c, training) => {
      const nx = c.batch * c.channels * c.length, C = c.channels;
      expectParity(native, 'batchNorm1dBackward', label, [
        arg('dx', 'out', nx),
        arg('dweight', 'out', C, c.affine),
        arg('dbias', 'out', C, c.affine),
        arg('dy', 'in', nx),
        arg('x', 'in', nx, true, { scale: c.scale ?? 1, shift: c.shift ?? 0 }),
        arg('mean', 'in', C, true, { shift: c.shift ?? 0, scale: 0.1 }),
        arg('invstd', 'in', C, true, { scale: 0.5, shift: 1.5 }),
        arg('weight', 'in', C, c.affine),
      ], { batch: c.batch, channels: C, length: c.length, training });
    },
  );
});

// Bitwise determinism across thread counts on shapes the pool splits into several chunks, with
// tails and a large mean (test/determinism.test.ts covers one more shape).
const detShapes: Case[] = [
  { batch: 64, channels: 13, length: 1000, affine: true, running: true, shift: 1000, scale: 0.1 },
  { batch: 2048, channels: 300, length: 1, affine: true, running: true },
  { batch: 16, channels: 67, length: 257, affine: false, running: false },
];

const bits = (t: ArrayBufferView) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

describe.skipIf(!addon || nativeSets.length === 0).each(nativeSets)('batchnorm1d determinism at 1-4 threads: $name', (native) => {
  const threadsBefore = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(threadsBefore));

  it.each(detShapes.map((c) => [name(c), c] as const))('%s', (_label, c) => {
    const nx = c.batch * c.channels * c.length, C = c.channels;
    const xs = { scale: c.scale ?? 1, shift: c.shift ?? 0 };
    const runs: Array<[Parameters<typeof runKernel>[1], ArgSpec[], object]> = [
      ['batchNorm1dTrainForward', [arg('y', 'out', nx), arg('saveMean', 'out', C), arg('saveInvstd', 'out', C),
        arg('runningMean', 'inout', C, c.running), arg('runningVar', 'inout', C, c.running, { shift: 2 }), arg('x', 'in', nx, true, xs),
        arg('weight', 'in', C, c.affine), arg('bias', 'in', C, c.affine)], { batch: c.batch, channels: C, length: c.length, eps: 1e-5, momentum: 0.1 }],
      ['batchNorm1dEvalForward', [arg('y', 'out', nx), arg('x', 'in', nx, true, xs), arg('runningMean', 'in', C, true, { shift: c.shift ?? 0 }),
        arg('runningVar', 'in', C, true, { scale: 0.5, shift: 1 }), arg('weight', 'in', C, c.affine), arg('bias', 'in', C, c.affine)],
      { batch: c.batch, channels: C, length: c.length, eps: 1e-5 }],
      ...[true, false].map((training): [Parameters<typeof runKernel>[1], ArgSpec[], object] => ['batchNorm1dBackward', [arg('dx', 'out', nx),
        arg('dweight', 'out', C, c.affine), arg('dbias', 'out', C, c.affine), arg('dy', 'in', nx), arg('x', 'in', nx, true, xs),
        arg('mean', 'in', C, true, { shift: c.shift ?? 0, scale: 0.1 }), arg('invstd', 'in', C, true, { scale: 0.5, shift: 1.5 }),
        arg('weight', 'in', C, c.affine)], { batch: c.batch, channels: C, length: c.length, training }]),
    ];
    for (const [kernel, args, params] of runs) {
      addon!.setNumThreads(1);
      const want = runKernel(native.kernels, kernel, args, params, 11);
      for (const threads of [2, 3, 4]) {
        addon!.setNumThreads(threads);
        const got = runKernel(native.kernels, kernel, args, params, 11);
        for (const out of Object.keys(want)) {
          expect(Buffer.compare(bits(got[out]!), bits(want[out]!)), `${kernel} ${out}: ${threads} threads differ from 1`).toBe(0);
        }
      }
    }
  });
});

describe('batchNorm1dAverageFactor', () => {
  it('is momentum, or 1/numBatchesTracked for a cumulative average (momentum null)', () => {
    expect(batchNorm1dAverageFactor(0.1, 7)).toBe(0.1);
    expect(batchNorm1dAverageFactor(null, 1)).toBe(1);
    expect(batchNorm1dAverageFactor(null, 4)).toBe(0.25);
    expect(() => batchNorm1dAverageFactor(null, 0)).toThrow('numBatchesTracked must be an integer >= 1');
  });
});
