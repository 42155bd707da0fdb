// ONNX export of LayerNorm: LayerNormalization from opset 17, the mean/variance formula in
// ReduceMean/Sub/Mul/Sqrt/Div before it; over one or two trailing dimensions, affine or not.
import { describe, expect, test } from 'vitest';
import { LayerNorm, type LayerNormOptions } from '../../src/nn/layernorm.js';
import { toOnnx } from '../../src/onnx/index.js';
import { manualSeed, normals } from '../../src/tensor/random.js';
import { expectSameAsKeel } from './ort.js';

function layerNorm(shape: number | number[], options?: LayerNormOptions): LayerNorm {
  const m = new LayerNorm(shape, options);
  manualSeed(3);
  for (const p of m.parameters()) p.data.set(Float32Array.from(normals(p.numel), (r) => 1 + 0.5 * r));
  return m;
}

describe('onnx export: LayerNorm', () => {
  test.each([
    [17, 6, [4, 6]],
    [13, 6, [4, 6]],
    [17, [4, 6], [4, 6]],
    [16, [4, 6], [4, 6]],
  ])('opset %i, normalizedShape %j on %j matches keel', async (opset, shape, inputShape) => {
    expect(await expectSameAsKeel(layerNorm(shape), { inputShape, opset })).toBeLessThan(1e-4);
    expect(await expectSameAsKeel(layerNorm(shape, { elementwiseAffine: false, eps: 1e-3 }), { inputShape, opset })).toBeLessThan(1e-4);
  });

  test('the op used depends on the opset', () => {
    const has = (opset: number) => Buffer.from(toOnnx(new LayerNorm(6), { inputShape: [6], opset })).includes('LayerNormalization');
    expect(has(17)).toBe(true);
    expect(has(16)).toBe(false);
  });
});
