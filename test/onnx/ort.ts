// What the ONNX tests share: export a model, run the bytes in onnxruntime-node and keel's own eval
// forward on the same random input for batch sizes 1 and 5 (the batch dimension is dynamic), and
// compare. Tolerance: max |onnx − keel| <= 1e-4 · max(1, max |keel|) — float32 rounding of
// reordered sums, relative to the output's scale.
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { expect } from 'vitest';
import { BatchNorm1d } from '../../src/nn/batchnorm1d.js';
import type { Module } from '../../src/nn/module.js';
import { toOnnx, type OnnxExportOptions } from '../../src/onnx/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed, normals } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

export const RELATIVE_TOLERANCE = 1e-4;

/** Runs ONNX bytes on one float32 input; returns the output's data and dims. */
export async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new OrtTensor('float32', input, dims) });
    const t = out[session.outputNames[0]!]!;
    return { data: t.data as Float32Array, dims: t.dims };
  } finally {
    await session.release();
  }
}

/** keel's eval output, with the model's modes restored afterwards. */
export function keelEval(model: Module, input: Tensor): Tensor {
  const modes = model.modules().map((m) => m.training);
  model.eval();
  try {
    return noGrad(() => model.forward(input));
  } finally {
    model.modules().forEach((m, i) => (m.training = modes[i]!));
  }
}

/**
 * Exports model, compares onnxruntime with keel for batch sizes 1 and 5 and returns the largest
 * max |difference| seen (asserting the shapes match and the difference is within tolerance).
 */
export async function expectSameAsKeel(model: Module, options: OnnxExportOptions, seed = 1): Promise<number> {
  const bytes = toOnnx(model, options);
  manualSeed(seed);
  let worst = 0;
  for (const batch of [1, 5]) {
    const shape = [batch, ...options.inputShape];
    const input = new Tensor(Float32Array.from(normals(shape.reduce((a, b) => a * b, 1))), shape);
    const want = keelEval(model, input);
    const got = await runOnnx(bytes, input.data, shape);
    expect([...got.dims]).toEqual([...want.shape]);
    let diff = 0, scale = 1;
    for (let i = 0; i < want.data.length; i++) {
      diff = Math.max(diff, Math.abs(got.data[i]! - want.data[i]!));
      scale = Math.max(scale, Math.abs(want.data[i]!));
    }
    expect(diff).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale);
    worst = Math.max(worst, diff);
  }
  return worst;
}

/** Gives every BatchNorm1d running statistics and affine parameters that are far from the identity. */
export function randomizeBatchNorm(model: Module, seed = 7): void {
  manualSeed(seed);
  for (const m of model.modules()) {
    if (!(m instanceof BatchNorm1d)) continue;
    const fill = (t: Tensor | null, f: (r: number) => number) => {
      if (!t) return;
      const r = normals(t.numel);
      t.data.forEach((_, i) => (t.data[i] = f(r[i]!)));
    };
    fill(m.runningMean, (r) => 0.3 * r);
    fill(m.runningVar, (r) => 0.5 + Math.abs(r));
    fill(m.weight, (r) => 1 + 0.3 * r);
    fill(m.bias, (r) => 0.2 * r);
  }
}
