// Bitwise determinism across thread counts: every kernel on every native CPU level, on shapes big
// enough for the thread pool to split (several MB), gives identical bits with 1, 2, 3 and 4 threads.
// Work is divided by shape, never by thread count (native/src/parallel.h), so this must hold exactly.
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelName } from '../src/backend/kernel-set.js';
import { addon, nativeSets } from './helpers/backends.js';
import { type ArgSpec, runKernel } from './helpers/parity.js';

const conv = { batch: 4, inChannels: 64, inLength: 1024, outChannels: 64, kernelSize: 3, stride: 1, padLeft: 1, padRight: 1, dilation: 1, groups: 1 };
const cx = 4 * 64 * 1024, cw = 64 * 64 * 3;
const bn = { batch: 16, channels: 64, length: 1024 };
const nx = 16 * 64 * 1024, C = 64;
const short = { batch: 256, channels: 64, length: 30, training: true, p: 0.15, seed: 3, stream: 4, offset: 5 };
const sx = 256 * 64 * 30;
const lin = { batch: 512, inFeatures: 384, outFeatures: 256 };
const drop = { count: nx, p: 0.15, seed: 3, stream: 4, offset: 5 };
const drop1d = { ...bn, p: 0.15, seed: 3, stream: 4, offset: 5 };

const a = (name: string, kind: ArgSpec['kind'], size: number, extra: Partial<ArgSpec> = {}): ArgSpec => ({ name, kind, size, ...extra });

const cases: Array<[KernelName, ArgSpec[], object]> = [
  ['conv1dForward', [a('y', 'out', cx), a('x', 'in', cx), a('w', 'in', cw), a('bias', 'in', 64)], conv],
  ['conv1dForwardStats', [a('y', 'out', cx), a('mean', 'out', 64, { doubles: true }), a('variance', 'out', 64, { doubles: true }), a('x', 'in', cx),
    a('w', 'in', cw), a('bias', 'in', 64)], conv],
  ['conv1dForwardStats', [a('y', 'out', 256 * 64 * 30), a('mean', 'out', 64, { doubles: true }), a('variance', 'out', 64, { doubles: true }),
    a('x', 'in', 256 * 64 * 30), a('w', 'in', 64 * 64 * 3), a('bias', 'null', 0)], { ...conv, batch: 256, inLength: 30 }], // the backbone's blocks
  ['conv1dReluForward', [a('y', 'out', cx), a('x', 'in', cx), a('w', 'in', cw), a('bias', 'in', 64)], conv],
  ['conv1dBackwardData', [a('dx', 'out', cx), a('dy', 'in', cx), a('w', 'in', cw)], conv],
  ['conv1dBackwardWeight', [a('dw', 'out', cw), a('x', 'in', cx), a('dy', 'in', cx)], conv],
  ['conv1dBackwardBias', [a('db', 'out', 64), a('dy', 'in', cx)], conv],
  ['batchNorm1dTrainForward', [a('y', 'out', nx), a('saveMean', 'out', C), a('saveInvstd', 'out', C), a('runningMean', 'inout', C),
    a('runningVar', 'inout', C, { shift: 2 }), a('x', 'in', nx, { shift: 3 }), a('weight', 'in', C), a('bias', 'in', C)], { ...bn, eps: 1e-5, momentum: 0.1 }],
  ['batchNorm1dEvalForward', [a('y', 'out', nx), a('x', 'in', nx), a('runningMean', 'in', C), a('runningVar', 'in', C, { shift: 2 }),
    a('weight', 'in', C), a('bias', 'in', C)], { ...bn, eps: 1e-5 }],
  ['batchNorm1dBackward', [a('dx', 'out', nx), a('dweight', 'out', C), a('dbias', 'out', C), a('dy', 'in', nx), a('x', 'in', nx),
    a('mean', 'in', C, { scale: 0.1 }), a('invstd', 'in', C, { scale: 0.2, shift: 1 }), a('weight', 'in', C)], { ...bn, training: true }],
  ['batchNorm1dReluDropoutForwardWithStats', [a('y', 'out', nx), a('saveMean', 'out', C), a('saveInvstd', 'out', C), a('runningMean', 'inout', C),
    a('runningVar', 'inout', C, { shift: 2 }), a('x', 'in', nx, { shift: 3 }), a('batchMean', 'in', C, { doubles: true, shift: 3 }),
    a('batchVar', 'in', C, { doubles: true, scale: 0.1, shift: 0.4 }), a('weight', 'in', C), a('bias', 'in', C)],
  { ...bn, eps: 1e-5, momentum: 0.1, training: true, p: 0.15, seed: 3, stream: 4, offset: 5 }],
  // Short rows: the backbone's (256, 64, 30) blocks of channels, chunked per thread (fused-blocks.h).
  ['batchNorm1dReluDropoutForwardWithStats', [a('y', 'out', sx), a('saveMean', 'out', C), a('saveInvstd', 'out', C), a('runningMean', 'inout', C),
    a('runningVar', 'inout', C, { shift: 2 }), a('x', 'in', sx, { shift: 3 }), a('batchMean', 'in', C, { doubles: true, shift: 3 }),
    a('batchVar', 'in', C, { doubles: true, scale: 0.1, shift: 0.4 }), a('weight', 'in', C), a('bias', 'in', C)], { ...short, eps: 1e-5, momentum: 0.1 }],
  ['batchNorm1dReluDropoutBackwardWithOutput', [a('dx', 'out', sx), a('dweight', 'out', C), a('dbias', 'out', C), a('dy', 'in', sx),
    a('x', 'in', sx), a('y', 'in', sx, { shift: 0.2 }), a('mean', 'in', C, { scale: 0.1 }), a('invstd', 'in', C, { scale: 0.2, shift: 1 }),
    a('weight', 'in', C)], short],
  ['dropoutMask', [a('mask', 'out', nx, { bytes: true })], drop],
  ['dropoutForward', [a('y', 'out', nx), a('x', 'in', nx)], drop],
  ['dropoutBackward', [a('dx', 'out', nx), a('dy', 'in', nx)], drop],
  ['dropout1dMask', [a('mask', 'out', 16 * C, { bytes: true })], drop1d],
  ['dropout1dForward', [a('y', 'out', nx), a('x', 'in', nx)], drop1d],
  ['dropout1dBackward', [a('dx', 'out', nx), a('dy', 'in', nx)], drop1d],
  ['reluForward', [a('y', 'out', nx), a('x', 'in', nx)], { count: nx }],
  ['reluBackward', [a('dx', 'out', nx), a('dy', 'in', nx), a('y', 'in', nx)], { count: nx }],
  ['linearForward', [a('y', 'out', 512 * 256), a('x', 'in', 512 * 384), a('w', 'in', 256 * 384), a('bias', 'in', 256)], lin],
  ['linearForwardStats', [a('y', 'out', 512 * 256), a('mean', 'out', 256, { doubles: true }), a('variance', 'out', 256, { doubles: true }),
    a('x', 'in', 512 * 384), a('w', 'in', 256 * 384), a('bias', 'in', 256)], lin],
  ['linearForwardStats', [a('y', 'out', 1000 * 50), a('mean', 'out', 50, { doubles: true }), a('variance', 'out', 50, { doubles: true }),
    a('x', 'in', 1000 * 130), a('w', 'in', 50 * 130), a('bias', 'null', 0)], { batch: 1000, inFeatures: 130, outFeatures: 50 }], // row blocks: a pass of their own
  ['linearBackwardData', [a('dx', 'out', 512 * 384), a('dy', 'in', 512 * 256), a('w', 'in', 256 * 384)], lin],
  ['linearBackwardWeight', [a('dw', 'out', 256 * 384), a('x', 'in', 512 * 384), a('dy', 'in', 512 * 256)], lin],
  ['linearBackwardBias', [a('db', 'out', 256), a('dy', 'in', 512 * 256)], lin],
  ['adamUpdate', [a('param', 'inout', nx), a('expAvg', 'inout', nx, { scale: 0.01 }), a('expAvgSq', 'inout', nx, { scale: 1e-4, shift: 1e-4 }),
    a('maxExpAvgSq', 'inout', nx, { scale: 1e-4, shift: 1.5e-4 }), a('grad', 'in', nx)],
    { count: nx, beta1: 0.9, beta2: 0.999, oneMinusBeta1: 0.1, oneMinusBeta2: 0.001, weightDecay: 0.01, eps: 1e-8, decay: 1, c2Sqrt: 0.05, negStep: -0.01,
      decoupled: false, maximize: false, amsgrad: true }],
  ['sgdUpdate', [a('param', 'inout', nx), a('momentumBuffer', 'inout', nx), a('grad', 'in', nx)],
    { count: nx, weightDecay: 0.01, momentum: 0.9, oneMinusDampening: 0.9, negLr: -0.01, nesterov: false, maximize: false, firstStep: false }],
];

const bits = (t: ArrayBufferView) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

describe.skipIf(!addon).each(nativeSets)('determinism across thread counts: $name', (native) => {
  const threadsBefore = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(threadsBefore));

  it.each(cases)('%s', (kernel, args, params) => {
    addon!.setNumThreads(1);
    const want = runKernel(native.kernels, kernel, args, params, 7);
    for (const threads of [2, 3, 4]) {
      addon!.setNumThreads(threads);
      const got = runKernel(native.kernels, kernel, args, params, 7);
      for (const name of Object.keys(want)) {
        expect(Buffer.compare(bits(got[name]!), bits(want[name]!)), `${kernel} ${name}: ${threads} threads differ from 1`).toBe(0);
      }
    }
  });
});
