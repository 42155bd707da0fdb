// ONNX export drops Dropout and Dropout1d (the identity in eval), even when the model is in
// training mode; a model of identities alone still has one Identity node from input to output.
import { describe, expect, test } from 'vitest';
import { Dropout } from '../../src/nn/dropout.js';
import { Dropout1d } from '../../src/nn/dropout1d.js';
import { Linear } from '../../src/nn/linear.js';
import { Sequential } from '../../src/nn/sequential.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel } from './ort.js';

describe('onnx export: Dropout', () => {
  test('Dropout and Dropout1d write no node, in either mode', async () => {
    const model = new Sequential(new Dropout1d(0.5), new Linear(6, 3), new Dropout(0.5)).train();
    const bytes = Buffer.from(toOnnx(model, { inputShape: [4, 6] }));
    expect(bytes.includes('Dropout')).toBe(false);
    expect(await expectSameAsKeel(model, { inputShape: [4, 6] })).toBeLessThan(1e-5);
  });

  test('a model of identities alone is an Identity node', async () => {
    const model = new Sequential(new Dropout(0.3));
    expect(Buffer.from(toOnnx(model, { inputShape: [3] })).includes('Identity')).toBe(true);
    expect(await expectSameAsKeel(model, { inputShape: [3] })).toBe(0);
  });
});
