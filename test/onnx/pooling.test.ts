// ONNX export of MaxPool1d, AvgPool1d (padding, ceilMode, countIncludePad as PyTorch) and
// AdaptiveAvgPool1d (GlobalAveragePool for size 1, AveragePool when the length divides; else refused).
import { describe, expect, test } from 'vitest';
import { AdaptiveAvgPool1d } from '../../src/nn/adaptive-avgpool1d.js';
import { AvgPool1d, type AvgPool1dOptions } from '../../src/nn/avgpool1d.js';
import { MaxPool1d, type MaxPool1dOptions } from '../../src/nn/maxpool1d.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel } from './ort.js';

describe('onnx export: pooling', () => {
  test.each<[number, MaxPool1dOptions, number]>([
    [2, {}, 10],
    [3, { stride: 2, padding: 1 }, 10],
    [3, { stride: 2, ceilMode: true }, 10],
    [2, { stride: 2, ceilMode: true }, 9],
    [3, { dilation: 2, padding: 1, stride: 1 }, 9],
  ])('MaxPool1d(%i, %j) on length %i matches keel', async (k, options, length) => {
    expect(await expectSameAsKeel(new MaxPool1d(k, options), { inputShape: [3, length] })).toBe(0);
  });

  test.each<[number, AvgPool1dOptions, number]>([
    [2, {}, 10],
    [3, { stride: 2, padding: 1 }, 10],
    [3, { stride: 2, padding: 1, countIncludePad: false }, 10],
    [3, { stride: 2, ceilMode: true }, 10],
    [2, { stride: 2, ceilMode: true }, 9],
    [3, { stride: 2, padding: 1, ceilMode: true }, 10],
    [3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }, 10],
  ])('AvgPool1d(%i, %j) on length %i matches keel', async (k, options, length) => {
    expect(await expectSameAsKeel(new AvgPool1d(k, options), { inputShape: [3, length] })).toBeLessThan(1e-6);
  });

  test.each([
    [1, 7, 'GlobalAveragePool'],
    [3, 12, 'AveragePool'],
  ])('AdaptiveAvgPool1d(%i) on length %i is a %s and matches keel', async (size, length, op) => {
    const model = new AdaptiveAvgPool1d(size);
    expect(Buffer.from(toOnnx(model, { inputShape: [3, length] })).includes(op)).toBe(true);
    expect(await expectSameAsKeel(model, { inputShape: [3, length] })).toBeLessThan(1e-6);
  });

  test('AdaptiveAvgPool1d with windows of unequal size is refused', () => {
    expect(() => toOnnx(new AdaptiveAvgPool1d(3), { inputShape: [2, 10] }))
      .toThrow(/onnx\.toOnnx: AdaptiveAvgPool1d\(outputSize=3\) needs an input length divisible by 3.*got \(batch, 2, 10\)/);
  });
});
