// Linear and ReLU parity: every native kernel set against the JS reference. Feature counts sweep
// 1..17 (every tail of 4/8/16 lanes) on both the reduced and the output dimension; batch sweeps
// 1..25 (every row tail of the SIMD tiles); larger shapes cross K blocks (256) with tails, and the
// shapes the models use run with PyTorch-like weight scales (1/sqrt(in)).
import { afterAll, describe, expect, it } from 'vitest';
import { addon, nativeSets } from './helpers/backends.js';
import { type ArgSpec, expectParity, runKernel } from './helpers/parity.js';

const linearCases: Array<{ batch: number; inFeatures: number; outFeatures: number; bias: boolean; wScale?: number }> = [
  ...Array.from({ length: 17 }, (_, i) => ({ batch: 3, inFeatures: i + 1, outFeatures: 17 - i, bias: i % 2 === 0 })),
  { batch: 1, inFeatures: 1, outFeatures: 1, bias: true },
  { batch: 0, inFeatures: 4, outFeatures: 3, bias: true },
  { batch: 13, inFeatures: 64, outFeatures: 33, bias: false },
  { batch: 5, inFeatures: 127, outFeatures: 10, bias: true },
  // Batch 1..25 (every row tail of the 6- and 12-row GEMM tiles; batch < 12 or out < 16 take the
  // dot-product form of the forward), odd feature counts.
  ...Array.from({ length: 25 }, (_, i) => ({ batch: i + 1, inFeatures: 19 + 2 * i, outFeatures: 45 - i, bias: i % 3 !== 0 })),
  { batch: 5, inFeatures: 257, outFeatures: 7, bias: true },
  { batch: 30, inFeatures: 255, outFeatures: 15, bias: false },
  // Larger and odd: many K blocks of 256 with tails (K is in for the forward, out for backward-data,
  // batch for backward-weight), column tails of 16/32-wide panels, batch 1.
  { batch: 25, inFeatures: 2100, outFeatures: 33, bias: true },
  { batch: 1030, inFeatures: 9, outFeatures: 1100, bias: false },
  { batch: 37, inFeatures: 257, outFeatures: 45, bias: true },
  { batch: 25, inFeatures: 515, outFeatures: 97, bias: false },
  { batch: 300, inFeatures: 17, outFeatures: 65, bias: true },
  { batch: 513, inFeatures: 31, outFeatures: 7, bias: true },
  { batch: 1, inFeatures: 1920, outFeatures: 128, bias: true },
  { batch: 1, inFeatures: 1000, outFeatures: 129, bias: false },
  // The shapes that matter (DESIGN.md §1): the backbone head at batch 256, the MLP 784→512→256→10.
  { batch: 256, inFeatures: 1920, outFeatures: 128, bias: true, wScale: 1 / Math.sqrt(1920) },
  { batch: 256, inFeatures: 128, outFeatures: 1, bias: true, wScale: 1 / Math.sqrt(128) },
  { batch: 64, inFeatures: 784, outFeatures: 512, bias: true, wScale: 1 / Math.sqrt(784) },
  { batch: 64, inFeatures: 512, outFeatures: 256, bias: true, wScale: 1 / Math.sqrt(512) },
  { batch: 64, inFeatures: 256, outFeatures: 10, bias: true, wScale: 1 / Math.sqrt(256) },
];

describe.skipIf(nativeSets.length === 0).each(nativeSets)('linear parity: $name', (native) => {
  it.each(linearCases.map((c) => [`x(${c.batch},${c.inFeatures}) → ${c.outFeatures}${c.bias ? ' bias' : ''}`, c] as const))('%s', (label, c) => {
    const p = { batch: c.batch, inFeatures: c.inFeatures, outFeatures: c.outFeatures };
    const nx = c.batch * c.inFeatures, ny = c.batch * c.outFeatures, nw = c.outFeatures * c.inFeatures;
    expectParity(native, 'linearForward', label, [
      { name: 'y', kind: 'out', size: ny },
      { name: 'x', kind: 'in', size: nx },
      { name: 'w', kind: 'in', size: nw, scale: c.wScale },
      c.bias ? { name: 'bias', kind: 'in', size: c.outFeatures } : { name: 'bias', kind: 'null', size: 0 },
    ], p);
    expectParity(native, 'linearBackwardData', label, [
      { name: 'dx', kind: 'out', size: nx },
      { name: 'dy', kind: 'in', size: ny },
      { name: 'w', kind: 'in', size: nw, scale: c.wScale },
    ], p);
    expectParity(native, 'linearBackwardWeight', label, [
      { name: 'dw', kind: 'out', size: nw },
      { name: 'x', kind: 'in', size: nx },
      { name: 'dy', kind: 'in', size: ny },
    ], p);
    expectParity(native, 'linearBackwardBias', label, [
      { name: 'db', kind: 'out', size: c.outFeatures },
      { name: 'dy', kind: 'in', size: ny },
    ], p);
  });
});

// Bitwise determinism of the linear kernels across thread counts, on shapes that split into many
// tasks (column panels, and row blocks when there are few panels), with K-block tails.
const linearDeterminism = [
  { batch: 256, inFeatures: 1920, outFeatures: 128 },
  { batch: 300, inFeatures: 333, outFeatures: 50 },
  { batch: 1000, inFeatures: 130, outFeatures: 10 },
  { batch: 7, inFeatures: 2049, outFeatures: 700 },
];

describe.skipIf(!addon).each(nativeSets)('linear determinism across thread counts: $name', (native) => {
  const threadsBefore = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(threadsBefore));
  const bits = (t: ArrayBufferView) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

  it.each(linearDeterminism.map((c) => [`x(${c.batch},${c.inFeatures}) → ${c.outFeatures}`, c] as const))('%s', (label, p) => {
    const nx = p.batch * p.inFeatures, ny = p.batch * p.outFeatures, nw = p.outFeatures * p.inFeatures;
    const cases: Array<[Parameters<typeof runKernel>[1], ArgSpec[]]> = [
      ['linearForward', [{ name: 'y', kind: 'out', size: ny }, { name: 'x', kind: 'in', size: nx }, { name: 'w', kind: 'in', size: nw }, { name: 'bias', kind: 'in', size: p.outFeatures }]],
      ['linearBackwardData', [{ name: 'dx', kind: 'out', size: nx }, { name: 'dy', kind: 'in', size: ny }, { name: 'w', kind: 'in', size: nw }]],
      ['linearBackwardWeight', [{ name: 'dw', kind: 'out', size: nw }, { name: 'x', kind: 'in', size: nx }, { name: 'dy', kind: 'in', size: ny }]],
      ['linearBackwardBias', [{ name: 'db', kind: 'out', size: p.outFeatures }, { name: 'dy', kind: 'in', size: ny }]],
    ];
    for (const [kernel, args] of cases) {
      addon!.setNumThreads(1);
      const want = runKernel(native.kernels, kernel, args, p, 11);
      for (const threads of [2, 3, 4]) {
        addon!.setNumThreads(threads);
        const got = runKernel(native.kernels, kernel, args, p, 11);
        for (const name of Object.keys(want)) {
          expect(Buffer.compare(bits(got[name]!), bits(want[name]!)), `${kernel} [${native.name}] ${label}: ${name} with ${threads} threads differs from 1`).toBe(0);
        }
      }
    }
  });
});

const counts = [0, 1, ...Array.from({ length: 33 }, (_, i) => i + 2), 63, 64, 65, 1021, 4099];

describe.skipIf(nativeSets.length === 0).each(nativeSets)('relu parity: $name', (native) => {
  it.each(counts)('count %i', (count) => {
    expectParity(native, 'reluForward', `count ${count}`, [
      { name: 'y', kind: 'out', size: count },
      { name: 'x', kind: 'in', size: count },
    ], { count });
    expectParity(native, 'reluBackward', `count ${count}`, [
      { name: 'dx', kind: 'out', size: count },
      { name: 'dy', kind: 'in', size: count },
      { name: 'y', kind: 'in', size: count, shift: 0.2 },
    ], { count });
  });
});
