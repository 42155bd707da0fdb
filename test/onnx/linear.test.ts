// ONNX export of Linear: Gemm(transB=1) for (N, in) input, MatMul (+ Add) for (N, L, in); bias or not.
import { describe, expect, test } from 'vitest';
import { Linear } from '../../src/nn/linear.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel } from './ort.js';

describe('onnx export: Linear', () => {
  test.each([
    [{}, [7], 'Gemm'],
    [{ bias: false }, [7], 'Gemm'],
    [{}, [3, 7], 'MatMul'],
    [{ bias: false }, [3, 7], 'MatMul'],
  ])('Linear(7, 4, %j) on %j matches keel as %s', async (options, inputShape, op) => {
    const model = new Linear(7, 4, options);
    expect(Buffer.from(toOnnx(model, { inputShape })).includes(op)).toBe(true);
    expect(await expectSameAsKeel(model, { inputShape })).toBeLessThan(1e-5);
  });
});
