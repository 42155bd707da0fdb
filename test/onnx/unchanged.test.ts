// Export only reads the model: its state dict (parameters, running statistics,
// num_batches_tracked) and every module's training flag are the same afterwards, in either mode,
// and the export is the eval form whatever the mode.
import { describe, expect, test } from 'vitest';
import { conv1dBackbone } from '../../src/nn/backbone.js';
import { toOnnx } from '../../src/onnx/index.js';
import { randomizeBatchNorm } from './ort.js';

describe('onnx export leaves the model unchanged', () => {
  test.each([true, false])('training=%s: state dict, flags and bytes', (training) => {
    const model = conv1dBackbone({ widths: [8], window: 6, headHidden: 4 });
    randomizeBatchNorm(model);
    model.train(training);
    model.at(3).eval(); // a mixed tree: the flags must come back per module, not as one mode
    const flags = model.modules().map((m) => m.training);
    const before = model.stateDict();
    const bytes = toOnnx(model, { inputShape: [14, 6] });
    const after = model.stateDict();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const k of Object.keys(before)) expect(after[k]!.data).toEqual(before[k]!.data);
    expect(model.modules().map((m) => m.training)).toEqual(flags);
    model.eval();
    expect(toOnnx(model, { inputShape: [14, 6] })).toEqual(bytes); // same graph in either mode
  });
});
