// ONNX export of BatchNorm1d: folded into the Conv1d or Linear before it (the default) or kept as
// BatchNormalization with the running statistics; affine or not; (N, C) and (N, C, L) inputs.
import { describe, expect, test } from 'vitest';
import { BatchNorm1d } from '../../src/nn/batchnorm1d.js';
import { Conv1d } from '../../src/nn/conv1d.js';
import { Linear } from '../../src/nn/linear.js';
import type { Module } from '../../src/nn/module.js';
import { Sequential } from '../../src/nn/sequential.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel, randomizeBatchNorm } from './ort.js';

const has = (bytes: Uint8Array, op: string) => Buffer.from(bytes).includes(op);

const CASES: Array<[string, () => Module, number[]]> = [
  ['alone on (N, C)', () => new BatchNorm1d(6), [6]],
  ['alone on (N, C, L)', () => new BatchNorm1d(4), [4, 7]],
  ['without affine', () => new BatchNorm1d(4, { affine: false }), [4, 7]],
  ['after Conv1d', () => new Sequential(new Conv1d(3, 4, 3, { bias: false }), new BatchNorm1d(4)), [3, 8]],
  ['after Conv1d with bias', () => new Sequential(new Conv1d(3, 4, 3), new BatchNorm1d(4, { eps: 1e-3 })), [3, 8]],
  ['after Linear', () => new Sequential(new Linear(5, 6), new BatchNorm1d(6)), [5]],
  ['after Linear without bias, no affine', () => new Sequential(new Linear(5, 6, { bias: false }), new BatchNorm1d(6, { affine: false })), [5]],
];

describe('onnx export: BatchNorm1d', () => {
  test.each(CASES)('%s matches keel, folded and not', async (_name, make, inputShape) => {
    const model = make();
    randomizeBatchNorm(model);
    for (const foldBatchNorm of [true, false]) {
      expect(await expectSameAsKeel(model, { inputShape, foldBatchNorm })).toBeLessThan(1e-4);
    }
  });

  test('folding removes the BatchNormalization node only when there is a layer to fold into', () => {
    const conv = new Sequential(new Conv1d(3, 4, 3), new BatchNorm1d(4));
    expect(has(toOnnx(conv, { inputShape: [3, 8] }), 'BatchNormalization')).toBe(false);
    expect(has(toOnnx(conv, { inputShape: [3, 8], foldBatchNorm: false }), 'BatchNormalization')).toBe(true);
    expect(has(toOnnx(new BatchNorm1d(4), { inputShape: [4, 8] }), 'BatchNormalization')).toBe(true);
  });

  test('without running statistics it is refused (eval would normalise with the batch)', () => {
    expect(() => toOnnx(new BatchNorm1d(4, { trackRunningStats: false }), { inputShape: [4, 8] }))
      .toThrow(/onnx\.toOnnx: BatchNorm1d\(4\) has no running statistics/);
  });
});
