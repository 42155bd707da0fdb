// ONNX export of Flatten: Flatten(axis=1) when the range is 1…last, a Reshape to the computed shape
// with the batch kept dynamic otherwise (also when the batch itself is merged).
import { describe, expect, test } from 'vitest';
import { Flatten } from '../../src/nn/flatten.js';
import { Linear } from '../../src/nn/linear.js';
import { Sequential } from '../../src/nn/sequential.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel } from './ort.js';

describe('onnx export: Flatten', () => {
  test.each([
    [1, -1, [3, 4], 'Flatten'],
    [1, 2, [3, 4, 2], 'Reshape'],
    [-2, -1, [3, 4, 2], 'Reshape'],
    [0, 1, [3, 4], 'Reshape'],
    [0, -1, [3, 4], 'Reshape'],
  ])('Flatten(%i, %i) on %j is a %s and matches keel', async (startDim, endDim, inputShape, op) => {
    const model = new Flatten(startDim, endDim);
    expect(Buffer.from(toOnnx(model, { inputShape })).includes(op)).toBe(true);
    expect(await expectSameAsKeel(model, { inputShape })).toBe(0);
  });

  test('merging the batch keeps the output dimension symbolic, as batch*k', () => {
    expect(Buffer.from(toOnnx(new Flatten(0, 1), { inputShape: [3, 4] })).includes('batch*3')).toBe(true);
  });

  test('the flattened size feeds the next layer\'s shape check', async () => {
    const model = new Sequential(new Flatten(2, 3), new Linear(20, 2));
    expect(await expectSameAsKeel(model, { inputShape: [3, 4, 5] })).toBeLessThan(1e-5);
    expect(() => toOnnx(model, { inputShape: [3, 5, 5] })).toThrow(/Linear\(20→2\) expected input \(batch, …, 20\), got \(batch, 3, 25\)/);
  });
});
