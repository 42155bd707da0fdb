// Conv1d parity: every native kernel set against the JS reference over a table of shapes. Output
// lengths sweep 1..17 (every tail of 4-, 8- and 16-wide vectors), channel counts include 1 and primes,
// and every option (stride, padding incl. asymmetric, dilation, groups incl. depthwise, bias) appears.
import { afterAll, describe, expect, it } from 'vitest';
import type { Conv1dParams } from '../src/ref/conv1d.js';
import { conv1dOutLength, conv1dPadding } from '../src/ref/conv1d.js';
import { addon, nativeSets } from './helpers/backends.js';
import { type ArgSpec, expectParity, runKernel } from './helpers/parity.js';

type Case = Partial<Conv1dParams> & Pick<Conv1dParams, 'inChannels' | 'outChannels' | 'inLength' | 'kernelSize'> & { bias?: boolean };

const cases: Case[] = [
  // every output length 1..17 with k=3, padding 1 (tails of 4/8/16)
  ...Array.from({ length: 17 }, (_, i): Case => ({ batch: 2, inChannels: 3, outChannels: 5, inLength: i + 1, kernelSize: 3, padLeft: 1, padRight: 1, bias: true })),
  { batch: 1, inChannels: 1, outChannels: 1, inLength: 1, kernelSize: 1 },
  { batch: 3, inChannels: 7, outChannels: 11, inLength: 31, kernelSize: 5, stride: 2, padLeft: 2, padRight: 2 },
  { batch: 2, inChannels: 4, outChannels: 6, inLength: 29, kernelSize: 3, stride: 3, dilation: 2, bias: true },
  { batch: 2, inChannels: 6, outChannels: 4, inLength: 23, kernelSize: 4, padLeft: 1, padRight: 2, groups: 2, bias: true },
  { batch: 2, inChannels: 8, outChannels: 8, inLength: 19, kernelSize: 3, padLeft: 1, padRight: 1, groups: 8 },
  { batch: 1, inChannels: 5, outChannels: 10, inLength: 13, kernelSize: 2, dilation: 3, padLeft: 3, padRight: 0, groups: 5, bias: true },
  { batch: 2, inChannels: 14, outChannels: 16, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1 },
  { batch: 2, inChannels: 17, outChannels: 13, inLength: 37, kernelSize: 7, stride: 2, dilation: 2, padLeft: 4, padRight: 1, bias: true },
  { batch: 0, inChannels: 2, outChannels: 2, inLength: 5, kernelSize: 3 },
  // SIMD register tiles: output lengths that end a 1..4-vector tile of 8 or 16 lanes (left border,
  // dense middle, masked right border), output-channel counts 1..13 (every tile height and the
  // balanced blocks), padding wider than the input, long dilated and strided rows.
  ...[31, 33, 47, 49, 63, 64, 65, 66, 97, 130].map((L): Case => ({ batch: 2, inChannels: 3, outChannels: 4, inLength: L, kernelSize: 3, padLeft: 1, padRight: 1 })),
  ...Array.from({ length: 13 }, (_, i): Case => ({ batch: 2, inChannels: 4, outChannels: i + 1, inLength: 70, kernelSize: 3, padLeft: 1, padRight: 1, bias: i % 2 === 0 })),
  ...Array.from({ length: 13 }, (_, i): Case => ({ batch: 1, inChannels: i + 1, outChannels: 3, inLength: 45, kernelSize: 3, padLeft: 1, padRight: 1 })),
  { batch: 2, inChannels: 3, outChannels: 4, inLength: 5, kernelSize: 3, padLeft: 5, padRight: 6, bias: true },
  { batch: 2, inChannels: 3, outChannels: 4, inLength: 40, kernelSize: 5, dilation: 3, padLeft: 0, padRight: 7 },
  { batch: 2, inChannels: 3, outChannels: 5, inLength: 100, kernelSize: 3, stride: 4, padLeft: 3, padRight: 2 },
  { batch: 3, inChannels: 9, outChannels: 6, inLength: 70, kernelSize: 9, padLeft: 4, padRight: 4, groups: 3, bias: true },
  { batch: 2, inChannels: 12, outChannels: 20, inLength: 90, kernelSize: 3, padLeft: 1, padRight: 1, dilation: 2, groups: 4 },
  { batch: 2, inChannels: 32, outChannels: 24, inLength: 517, kernelSize: 3, padLeft: 1, padRight: 1, bias: true },
  { batch: 1, inChannels: 2, outChannels: 3, inLength: 9, kernelSize: 40, padLeft: 20, padRight: 20 },
  { batch: 2, inChannels: 70, outChannels: 9, inLength: 40, kernelSize: 2, padLeft: 1, padRight: 0 },
  { batch: 2, inChannels: 6, outChannels: 150, inLength: 50, kernelSize: 4, padLeft: 2, padRight: 1 },
  { batch: 2, inChannels: 3, outChannels: 5, inLength: 600, kernelSize: 5, stride: 3, dilation: 4, padLeft: 2, padRight: 2, bias: true },
  { batch: 3, inChannels: 5, outChannels: 3, inLength: 1, kernelSize: 3, padLeft: 1, padRight: 1 },
  // K = 3 with weights packed per register block (AVX-512, AVX2): several task blocks of rows, several
  // chunks of channels (forward; backward-data reads the weights transposed), dilated taps.
  { batch: 2, inChannels: 6, outChannels: 150, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1, bias: true },
  { batch: 2, inChannels: 100, outChannels: 40, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1 },
  { batch: 2, inChannels: 40, outChannels: 100, inLength: 45, kernelSize: 3, padLeft: 1, padRight: 1 },
  { batch: 2, inChannels: 5, outChannels: 7, inLength: 40, kernelSize: 3, dilation: 2, padLeft: 2, padRight: 2 },
];

function withDefaults(c: Case): Conv1dParams {
  return { batch: 1, stride: 1, padLeft: 0, padRight: 0, dilation: 1, groups: 1, ...c };
}

function name(c: Case): string {
  const p = withDefaults(c);
  return `x(${p.batch},${p.inChannels},${p.inLength}) w(${p.outChannels},${p.inChannels / p.groups},${p.kernelSize}) ` +
    `s${p.stride} p${p.padLeft}/${p.padRight} d${p.dilation} g${p.groups}${c.bias ? ' bias' : ''}`;
}

function sizes(c: Case) {
  const p = withDefaults(c);
  return {
    p,
    x: p.batch * p.inChannels * p.inLength,
    y: p.batch * p.outChannels * conv1dOutLength(p),
    w: p.outChannels * (p.inChannels / p.groups) * p.kernelSize,
    b: p.outChannels,
  };
}

describe.skipIf(nativeSets.length === 0).each(nativeSets)('conv1d parity: $name', (native) => {
  it.each(cases.map((c) => [name(c), c] as const))('forward %s', (label, c) => {
    const s = sizes(c);
    const args: ArgSpec[] = [
      { name: 'y', kind: 'out', size: s.y },
      { name: 'x', kind: 'in', size: s.x },
      { name: 'w', kind: 'in', size: s.w },
      c.bias ? { name: 'bias', kind: 'in', size: s.b } : { name: 'bias', kind: 'null', size: 0 },
    ];
    expectParity(native, 'conv1dForward', label, args, s.p);
  });

  it.each(cases.map((c) => [name(c), c] as const))('backward %s', (label, c) => {
    const s = sizes(c);
    expectParity(native, 'conv1dBackwardData', label, [
      { name: 'dx', kind: 'out', size: s.x },
      { name: 'dy', kind: 'in', size: s.y },
      { name: 'w', kind: 'in', size: s.w },
    ], s.p);
    expectParity(native, 'conv1dBackwardWeight', label, [
      { name: 'dw', kind: 'out', size: s.w },
      { name: 'x', kind: 'in', size: s.x },
      { name: 'dy', kind: 'in', size: s.y },
    ], s.p);
    expectParity(native, 'conv1dBackwardBias', label, [
      { name: 'db', kind: 'out', size: s.b },
      { name: 'dy', kind: 'in', size: s.y },
    ], s.p);
  });
});

// Bitwise determinism across 1..4 threads for every conv1d kernel on shapes the pool splits into
// many tasks (several samples, several channel blocks; stride, groups and the backbone's L=30).
const threadCases: Case[] = [
  { batch: 5, inChannels: 40, outChannels: 36, inLength: 300, kernelSize: 3, padLeft: 1, padRight: 1, bias: true },
  { batch: 33, inChannels: 64, outChannels: 64, inLength: 30, kernelSize: 3, padLeft: 1, padRight: 1 },
  { batch: 3, inChannels: 24, outChannels: 20, inLength: 257, kernelSize: 5, stride: 2, padLeft: 2, padRight: 2, dilation: 2, groups: 2, bias: true },
  { batch: 2, inChannels: 128, outChannels: 128, inLength: 512, kernelSize: 3, padLeft: 1, padRight: 1 },
];

describe.skipIf(nativeSets.length === 0 || !addon).each(nativeSets)('conv1d determinism across threads: $name', (native) => {
  const before = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(before));
  it.each(threadCases.map((c) => [name(c), c] as const))('%s', (_label, c) => {
    const s = sizes(c);
    const calls: Array<[Parameters<typeof runKernel>[1], ArgSpec[]]> = [
      ['conv1dForward', [{ name: 'y', kind: 'out', size: s.y }, { name: 'x', kind: 'in', size: s.x }, { name: 'w', kind: 'in', size: s.w },
        c.bias ? { name: 'bias', kind: 'in', size: s.b } : { name: 'bias', kind: 'null', size: 0 }]],
      ['conv1dBackwardData', [{ name: 'dx', kind: 'out', size: s.x }, { name: 'dy', kind: 'in', size: s.y }, { name: 'w', kind: 'in', size: s.w }]],
      ['conv1dBackwardWeight', [{ name: 'dw', kind: 'out', size: s.w }, { name: 'x', kind: 'in', size: s.x }, { name: 'dy', kind: 'in', size: s.y }]],
      ['conv1dBackwardBias', [{ name: 'db', kind: 'out', size: s.b }, { name: 'dy', kind: 'in', size: s.y }]],
    ];
    for (const [kernel, args] of calls) {
      addon!.setNumThreads(1);
      const one = runKernel(native.kernels, kernel, args, s.p, 5);
      for (const threads of [2, 3, 4]) {
        addon!.setNumThreads(threads);
        const got = runKernel(native.kernels, kernel, args, s.p, 5);
        for (const out of Object.keys(one)) {
          const a = new Uint32Array((one[out] as Float32Array).buffer.slice(0));
          const b = new Uint32Array((got[out] as Float32Array).buffer.slice(0));
          let firstDiff = -1;
          for (let i = 0; i < a.length && firstDiff < 0; i++) if (a[i] !== b[i]) firstDiff = i;
          expect(firstDiff, `${kernel} ${native.name} ${name(c)}: ${out} differs at ${firstDiff} with ${threads} threads`).toBe(-1);
        }
      }
    }
  });
});

describe('conv1dPadding (PyTorch padding spec)', () => {
  it.each([
    [0, 3, 1, 1, [0, 0]],
    [2, 3, 1, 2, [2, 2]],
    ['valid', 5, 2, 3, [0, 0]],
    ['same', 3, 1, 1, [1, 1]],
    ['same', 4, 1, 1, [1, 2]],
    ['same', 2, 3, 1, [1, 2]],
    ['same', 1, 1, 1, [0, 0]],
  ] as const)('padding %j, k=%i, d=%i, s=%i → %j', (padding, k, d, s, want) => {
    expect(conv1dPadding(padding, k, d, s)).toEqual(want);
  });

  it('rejects what PyTorch rejects', () => {
    expect(() => conv1dPadding('same', 3, 1, 2)).toThrow("padding='same' is not supported for strided convolutions (stride 2)");
    expect(() => conv1dPadding(-1, 3, 1, 1)).toThrow('padding must be a non-negative integer');
    expect(() => conv1dPadding(1.5, 3, 1, 1)).toThrow('padding must be a non-negative integer');
  });
});
