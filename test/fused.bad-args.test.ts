// Bad arguments for the fused BatchNorm1d → ReLU → Dropout kernels, as test/bad-args.test.ts does for
// the others: wrong types, wrong lengths, missing, negative, non-integer, non-finite and oversized
// params, non-object params and overlapping outputs throw the same class and the same message from
// the reference and from every native set (src/ref/fused.ts and native/binding/fused.cc).
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../src/backend/kernel-set.js';
import { KeelError, OptionError, ShapeError } from '../src/errors.js';
import { allSets, nativeSets } from './helpers/backends.js';
import { describeBadArguments, expectError, type KernelSpec } from './helpers/bad-args.js';

const dims = { batch: 3, channels: 4, length: 5 };
const nx = 60;
const random = { p: 0.2, seed: 1, stream: 0, offset: 0 };
const ints = [...Object.keys(dims), 'seed', 'stream', 'offset'];

const specs: Partial<Record<KernelName, KernelSpec>> = {
  batchNorm1dReluDropoutForward: {
    args: [{ name: 'y', size: nx }, { name: 'saveMean', size: 4 }, { name: 'saveInvstd', size: 4 }, { name: 'runningMean', size: 4, nullable: true },
      { name: 'runningVar', size: 4, nullable: true }, { name: 'x', size: nx }, { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...dims, eps: 1e-5, momentum: 0.1, training: true, ...random }, ints,
    numbers: [['eps', 0, Infinity], ['momentum', 0, 1], ['p', 0, 1]], bools: ['training'], disjoint: true,
  },
  batchNorm1dReluDropoutForwardWithStats: {
    args: [{ name: 'y', size: nx }, { name: 'saveMean', size: 4 }, { name: 'saveInvstd', size: 4 }, { name: 'runningMean', size: 4, nullable: true },
      { name: 'runningVar', size: 4, nullable: true }, { name: 'x', size: nx }, { name: 'batchMean', size: 4, doubles: true }, { name: 'batchVar', size: 4, doubles: true },
      { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...dims, eps: 1e-5, momentum: 0.1, training: true, ...random }, ints,
    numbers: [['eps', 0, Infinity], ['momentum', 0, 1], ['p', 0, 1]], bools: ['training'], disjoint: true,
  },
  batchNorm1dReluDropoutBackward: {
    args: [{ name: 'dx', size: nx }, { name: 'dweight', size: 4, nullable: true }, { name: 'dbias', size: 4, nullable: true }, { name: 'dy', size: nx },
      { name: 'x', size: nx }, { name: 'mean', size: 4 }, { name: 'invstd', size: 4 }, { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...dims, training: true, ...random }, ints, numbers: [['p', 0, 1]], bools: ['training'], disjoint: true,
  },
  batchNorm1dReluDropoutBackwardWithOutput: {
    args: [{ name: 'dx', size: nx }, { name: 'dweight', size: 4, nullable: true }, { name: 'dbias', size: 4, nullable: true }, { name: 'dy', size: nx },
      { name: 'x', size: nx }, { name: 'y', size: nx }, { name: 'mean', size: 4 }, { name: 'invstd', size: 4 }, { name: 'weight', size: 4, nullable: true }],
    params: { ...dims, training: true, ...random }, ints, numbers: [['p', 0, 1]], bools: ['training'], disjoint: true,
  },
};

describeBadArguments(specs);

const expectSame = (fn: (k: Record<string, (...a: unknown[]) => void>) => void, cls: typeof KeelError, message: string) => {
  for (const set of allSets) expectError(() => fn(set.kernels as unknown as Record<string, (...a: unknown[]) => void>), cls, message, set.name);
};

describe('fused kernels: shape-dependent errors', () => {
  const c = () => new Float32Array(4), x = () => new Float32Array(nx);
  it('training with one value per channel', () => {
    const y = new Float32Array(1);
    expectSame((k) => k.batchNorm1dReluDropoutForward!(y, y.slice(), y.slice(), null, null, y.slice(), null, null, { batch: 1, channels: 1, length: 1, eps: 1e-5, momentum: 0.1, training: true, ...random }),
      ShapeError, 'batchNorm1dReluDropoutForward: expected more than 1 value per channel when training, got batch*length = 1');
  });
  it('running statistics half given, or missing in eval', () => {
    expectSame((k) => k.batchNorm1dReluDropoutForward!(x(), c(), c(), c(), null, x(), null, null, { ...dims, eps: 1e-5, momentum: 0.1, training: true, ...random }),
      OptionError, 'batchNorm1dReluDropoutForward: runningMean and runningVar must both be given or both be null');
    expectSame((k) => k.batchNorm1dReluDropoutForward!(x(), c(), c(), null, null, x(), null, null, { ...dims, eps: 1e-5, momentum: 0.1, training: false, ...random }),
      OptionError, 'batchNorm1dReluDropoutForward: runningMean and runningVar are required when params.training is false');
  });
  it('given batch statistics outside training', () => {
    const d = () => new Float64Array(4);
    expectSame((k) => k.batchNorm1dReluDropoutForwardWithStats!(x(), c(), c(), c(), c(), x(), d(), d(), null, null, { ...dims, eps: 1e-5, momentum: 0.1, training: false, ...random }),
      OptionError, 'batchNorm1dReluDropoutForwardWithStats: params.training must be true when the batch statistics are given, got false');
  });
  it('statistics outputs overlapping each other', () => {
    const buf = new Float64Array(8);
    expectSame((k) => k.conv1dForwardStats!(new Float32Array(2 * 3 * 5), buf.subarray(0, 3), buf.subarray(2, 5), new Float32Array(2 * 2 * 5), new Float32Array(3 * 2 * 1), null,
      { batch: 2, inChannels: 2, inLength: 5, outChannels: 3, kernelSize: 1, stride: 1, padLeft: 0, padRight: 0, dilation: 1, groups: 1 }),
    OptionError, 'conv1dForwardStats: mean and variance share memory; outputs must not overlap other arguments');
  });
  it('draw indices past 2^53 - 1', () => {
    expectSame((k) => k.batchNorm1dReluDropoutBackward!(x(), null, null, x(), x(), c(), c(), null, null, { ...dims, training: true, ...random, offset: 2 ** 53 - 10 }),
      ShapeError, 'batchNorm1dReluDropoutBackward: offset+count exceeds 2^53 - 1');
  });
  it('an output overlapping another output', () => {
    const buf = new Float32Array(8);
    expectSame((k) => k.batchNorm1dReluDropoutBackward!(x(), buf.subarray(0, 4), buf.subarray(2, 6), x(), x(), c(), c(), null, null, { ...dims, training: true, ...random }),
      OptionError, 'batchNorm1dReluDropoutBackward: dweight and dbias share memory; outputs must not overlap other arguments');
  });
  it('nativeSets are present when required', () => {
    if (process.env.KEEL_REQUIRE_NATIVE) expect(nativeSets.length).toBeGreaterThan(0);
  });
});
