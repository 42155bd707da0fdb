// Bad arguments: for every kernel entry point, wrong types, wrong lengths, missing, negative,
// non-integer, non-finite and oversized params, non-object params and overlapping outputs must throw
// a clear error — the same class and the same message from the reference and from every native set:
// a ShapeError for a wrong array length or a size past 2^53 - 1, an OptionError for the rest.
// A native crash here would take the test process down, so passing also shows there is none.
import { describe, it } from 'vitest';
import type { KernelName } from '../src/backend/kernel-set.js';
import { OptionError, ShapeError } from '../src/errors.js';
import { batchNorm1dAverageFactor } from '../src/ref/batchnorm1d.js';
import { conv1dPadding } from '../src/ref/conv1d.js';
import { allSets } from './helpers/backends.js';
import { describeBadArguments, expectError, type KernelSpec } from './helpers/bad-args.js';

const conv = { batch: 2, inChannels: 4, inLength: 9, outChannels: 6, kernelSize: 3, stride: 2, padLeft: 1, padRight: 2, dilation: 1, groups: 2 };
const convInts = Object.keys(conv);
// L_out = floor((9 + 3 - 2 - 1) / 2) + 1 = 5
const cx = 2 * 4 * 9, cy = 2 * 6 * 5, cw = 6 * 2 * 3;
const bn = { batch: 3, channels: 4, length: 5 };
const nx = 60;
const lin = { batch: 3, inFeatures: 5, outFeatures: 4 };
const drop = { count: 10, p: 0.2, seed: 1, stream: 0, offset: 0 };
const drop1d = { batch: 2, channels: 3, length: 4, p: 0.2, seed: 1, stream: 0, offset: 0 };
const random: Array<[string, number, number]> = [['p', 0, 1]];
const randomInts = ['seed', 'stream', 'offset'];

// The fused-block kernels' bad-argument cases are in test/fused.bad-args.test.ts, adamUpdateMulti's
// (a list of tensors, not flat arguments) in test/adam-multi.parity.test.ts.
const specs: Record<Exclude<KernelName, 'batchNorm1dReluDropoutForward' | 'batchNorm1dReluDropoutBackward' | 'batchNorm1dReluDropoutForwardWithStats' | 'batchNorm1dReluDropoutBackwardWithOutput' | 'adamUpdateMulti'>, KernelSpec> = {
  conv1dForward: { args: [{ name: 'y', size: cy }, { name: 'x', size: cx }, { name: 'w', size: cw }, { name: 'bias', size: 6, nullable: true }], params: conv, ints: convInts, disjoint: true },
  conv1dForwardStats: {
    args: [{ name: 'y', size: cy }, { name: 'mean', size: 6, doubles: true }, { name: 'variance', size: 6, doubles: true }, { name: 'x', size: cx },
      { name: 'w', size: cw }, { name: 'bias', size: 6, nullable: true }],
    params: conv, ints: convInts, disjoint: true,
  },
  conv1dReluForward: { args: [{ name: 'y', size: cy }, { name: 'x', size: cx }, { name: 'w', size: cw }, { name: 'bias', size: 6, nullable: true }], params: conv, ints: convInts, disjoint: true },
  conv1dBackwardData: { args: [{ name: 'dx', size: cx }, { name: 'dy', size: cy }, { name: 'w', size: cw }], params: conv, ints: convInts, disjoint: true },
  conv1dBackwardWeight: { args: [{ name: 'dw', size: cw }, { name: 'x', size: cx }, { name: 'dy', size: cy }], params: conv, ints: convInts, disjoint: true },
  conv1dBackwardBias: { args: [{ name: 'db', size: 6 }, { name: 'dy', size: cy }], params: conv, ints: convInts, disjoint: true },
  batchNorm1dTrainForward: {
    args: [{ name: 'y', size: nx }, { name: 'saveMean', size: 4 }, { name: 'saveInvstd', size: 4 }, { name: 'runningMean', size: 4, nullable: true },
      { name: 'runningVar', size: 4, nullable: true }, { name: 'x', size: nx }, { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...bn, eps: 1e-5, momentum: 0.1 }, ints: Object.keys(bn), numbers: [['eps', 0, Infinity], ['momentum', 0, 1]], disjoint: true,
  },
  batchNorm1dEvalForward: {
    args: [{ name: 'y', size: nx }, { name: 'x', size: nx }, { name: 'runningMean', size: 4 }, { name: 'runningVar', size: 4 },
      { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...bn, eps: 1e-5 }, ints: Object.keys(bn), numbers: [['eps', 0, Infinity]], disjoint: true,
  },
  batchNorm1dBackward: {
    args: [{ name: 'dx', size: nx }, { name: 'dweight', size: 4, nullable: true }, { name: 'dbias', size: 4, nullable: true }, { name: 'dy', size: nx },
      { name: 'x', size: nx }, { name: 'mean', size: 4 }, { name: 'invstd', size: 4 }, { name: 'weight', size: 4, nullable: true }],
    params: { ...bn, training: true }, ints: Object.keys(bn), bools: ['training'], disjoint: true,
  },
  dropoutMask: { args: [{ name: 'mask', size: 10, bytes: true }], params: drop, ints: ['count', ...randomInts], numbers: random, disjoint: false },
  dropoutForward: { args: [{ name: 'y', size: 10 }, { name: 'x', size: 10 }], params: drop, ints: ['count', ...randomInts], numbers: random, disjoint: false },
  dropoutBackward: { args: [{ name: 'dx', size: 10 }, { name: 'dy', size: 10 }], params: drop, ints: ['count', ...randomInts], numbers: random, disjoint: false },
  dropout1dMask: { args: [{ name: 'mask', size: 6, bytes: true }], params: drop1d, ints: ['batch', 'channels', 'length', ...randomInts], numbers: random, disjoint: false },
  dropout1dForward: { args: [{ name: 'y', size: 24 }, { name: 'x', size: 24 }], params: drop1d, ints: ['batch', 'channels', 'length', ...randomInts], numbers: random, disjoint: false },
  dropout1dBackward: { args: [{ name: 'dx', size: 24 }, { name: 'dy', size: 24 }], params: drop1d, ints: ['batch', 'channels', 'length', ...randomInts], numbers: random, disjoint: false },
  reluForward: { args: [{ name: 'y', size: 7 }, { name: 'x', size: 7 }], params: { count: 7 }, ints: ['count'], disjoint: false },
  reluBackward: { args: [{ name: 'dx', size: 7 }, { name: 'dy', size: 7 }, { name: 'y', size: 7 }], params: { count: 7 }, ints: ['count'], disjoint: false },
  linearForward: { args: [{ name: 'y', size: 12 }, { name: 'x', size: 15 }, { name: 'w', size: 20 }, { name: 'bias', size: 4, nullable: true }], params: lin, ints: Object.keys(lin), disjoint: true },
  gatherRows: {
    args: [{ name: 'out', size: 12 }, { name: 'src', size: 28 }, { name: 'indices', size: 3, indices: { bound: 7, name: 'srcRows' } }],
    params: { rows: 3, rowLength: 4, srcRows: 7 }, ints: ['rows', 'rowLength', 'srcRows'], disjoint: true,
  },
  linearForwardStats: {
    args: [{ name: 'y', size: 12 }, { name: 'mean', size: 4, doubles: true }, { name: 'variance', size: 4, doubles: true }, { name: 'x', size: 15 },
      { name: 'w', size: 20 }, { name: 'bias', size: 4, nullable: true }],
    params: lin, ints: Object.keys(lin), disjoint: true,
  },
  linearBackwardData: { args: [{ name: 'dx', size: 15 }, { name: 'dy', size: 12 }, { name: 'w', size: 20 }], params: lin, ints: Object.keys(lin), disjoint: true },
  linearBackwardWeight: { args: [{ name: 'dw', size: 20 }, { name: 'x', size: 15 }, { name: 'dy', size: 12 }], params: lin, ints: Object.keys(lin), disjoint: true },
  linearBackwardBias: { args: [{ name: 'db', size: 4 }, { name: 'dy', size: 12 }], params: lin, ints: Object.keys(lin), disjoint: true },
  adamUpdate: {
    args: [{ name: 'param', size: 6 }, { name: 'expAvg', size: 6 }, { name: 'expAvgSq', size: 6 }, { name: 'maxExpAvgSq', size: 6 }, { name: 'grad', size: 6 }],
    params: { count: 6, beta1: 0.9, beta2: 0.999, oneMinusBeta1: 0.1, oneMinusBeta2: 0.001, weightDecay: 0, eps: 1e-8, decay: 1, c2Sqrt: 0.03, negStep: -0.01,
      decoupled: false, maximize: false, amsgrad: true },
    ints: ['count'],
    numbers: [['beta1', 0, 1], ['beta2', 0, 1], ['oneMinusBeta1', 0, 1], ['oneMinusBeta2', 0, 1], ['weightDecay', 0, Infinity], ['eps', 0, Infinity],
      ['decay', -Infinity, Infinity], ['c2Sqrt', 0, 1], ['negStep', -Infinity, Infinity]],
    bools: ['decoupled', 'maximize', 'amsgrad'],
    disjoint: true,
  },
  sgdUpdate: {
    args: [{ name: 'param', size: 6 }, { name: 'momentumBuffer', size: 6, nullable: true }, { name: 'grad', size: 6 }],
    params: { count: 6, weightDecay: 1e-4, momentum: 0.9, oneMinusDampening: 0.9, negLr: -0.01, nesterov: false, maximize: false, firstStep: false },
    ints: ['count'],
    numbers: [['weightDecay', 0, Infinity], ['momentum', 0, Infinity], ['oneMinusDampening', -Infinity, Infinity], ['negLr', -Infinity, Infinity]],
    bools: ['nesterov', 'maximize', 'firstStep'],
    disjoint: true,
  },
  nonFiniteIndex: { args: [{ name: 'x', size: 7 }], params: { count: 7 }, ints: ['count'], disjoint: false },
};

describeBadArguments(specs);

describe('size arithmetic', () => {
  it.each(allSets)('rejects shapes whose element count exceeds 2^53 - 1 with a ShapeError ($name)', (set) => {
    const y = new Float32Array(1);
    const params = { ...conv, batch: 2 ** 30, inChannels: 2 ** 20, groups: 1 };
    expectError(() => set.kernels.conv1dForward(y, y, y, null, params), ShapeError, 'conv1dForward: batch*inChannels*inLength exceeds 2^53 - 1');
    expectError(() => set.kernels.dropoutForward(y, y, { ...drop, count: 1, offset: 2 ** 53 - 1 }), ShapeError, 'dropoutForward: offset+rows exceeds 2^53 - 1');
  });

  it.each(allSets)('names the layer geometry when the kernel does not fit ($name)', (set) => {
    const y = new Float32Array(1);
    expectError(() => set.kernels.conv1dForward(y, y, y, null, { ...conv, inLength: 1, padLeft: 0, padRight: 0, kernelSize: 5, groups: 1 }), ShapeError,
      'conv1dForward: the padded input (inLength+padLeft+padRight = 1) is shorter than the kernel span (dilation*(kernelSize-1)+1 = 5)');
    expectError(() => set.kernels.conv1dForward(y, y, y, null, { ...conv, groups: 3 }), OptionError,
      'conv1dForward: params.groups must divide inChannels (4) and outChannels (6), got 3');
    expectError(() => set.kernels.batchNorm1dTrainForward(y, y.slice(), y.slice(), null, null, y.slice(), null, null, { batch: 1, channels: 1, length: 1, eps: 1e-5, momentum: 0.1 }),
      ShapeError, 'batchNorm1dTrainForward: expected more than 1 value per channel when training, got batch*length = 1');
    const c = new Float32Array(4);
    expectError(() => set.kernels.batchNorm1dTrainForward(new Float32Array(nx), c.slice(), c.slice(), c.slice(), null, new Float32Array(nx), null, null, { ...bn, eps: 1e-5, momentum: 0.1 }),
      OptionError, 'batchNorm1dTrainForward: runningMean and runningVar must both be given or both be null');
  });
});

describe('the reference helpers layers call', () => {
  it('reject bad padding and counts with an OptionError', () => {
    expectError(() => conv1dPadding('same', 3, 1, 2), OptionError, "conv1d: padding='same' is not supported for strided convolutions (stride 2)");
    expectError(() => conv1dPadding(-1, 3, 1, 1), OptionError, "conv1d: padding must be a non-negative integer, 'same' or 'valid', got -1");
    expectError(() => batchNorm1dAverageFactor(null, 0), OptionError, 'batchNorm1d: numBatchesTracked must be an integer >= 1 after the increment, got 0');
  });
});
