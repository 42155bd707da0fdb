// ONNX export of whole models: the §1 conv1dBackbone (with and without BatchNorm, folded and not),
// the 784→512→256→10 MLP (Linear→BatchNorm1d→ReLU→Dropout), nested Sequentials, every opset.
import { describe, expect, test } from 'vitest';
import { conv1dBackbone } from '../../src/nn/backbone.js';
import { BatchNorm1d } from '../../src/nn/batchnorm1d.js';
import { Conv1d } from '../../src/nn/conv1d.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Flatten } from '../../src/nn/flatten.js';
import { GELU } from '../../src/nn/gelu.js';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Linear } from '../../src/nn/linear.js';
import { MaxPool1d } from '../../src/nn/maxpool1d.js';
import { ReLU } from '../../src/nn/relu.js';
import { Sequential } from '../../src/nn/sequential.js';
import { expectSameAsKeel, randomizeBatchNorm } from './ort.js';

function mlp(): Sequential {
  const block = (i: number, o: number) => [new Linear(i, o), new BatchNorm1d(o), new ReLU(), new Dropout(0.5)];
  const model = new Sequential(...block(784, 512), ...block(512, 256), new Linear(256, 10));
  randomizeBatchNorm(model);
  return model;
}

describe('onnx export: models', () => {
  test.each([true, false])('conv1dBackbone with BatchNorm (foldBatchNorm %s) matches keel', async (foldBatchNorm) => {
    const model = conv1dBackbone();
    randomizeBatchNorm(model);
    expect(await expectSameAsKeel(model, { inputShape: [14, 30], foldBatchNorm })).toBeLessThan(1e-4);
  });

  test('conv1dBackbone without BatchNorm matches keel', async () => {
    expect(await expectSameAsKeel(conv1dBackbone({ batchNorm: false, widths: [16, 32], window: 24 }), { inputShape: [14, 24] })).toBeLessThan(1e-4);
  });

  test.each([true, false])('the 784→512→256→10 MLP (foldBatchNorm %s) matches keel', async (foldBatchNorm) => {
    expect(await expectSameAsKeel(mlp(), { inputShape: [784], foldBatchNorm })).toBeLessThan(1e-4);
  });

  test('nested Sequentials, folding across their boundary', async () => {
    const model = new Sequential(
      new Sequential(new Conv1d(4, 8, 3, { padding: 1 })),
      new Sequential(new BatchNorm1d(8), new GELU('tanh'), new MaxPool1d(2)),
      new Sequential(new Sequential(new Flatten(), new LayerNorm(40)), new Linear(40, 3)),
    );
    randomizeBatchNorm(model);
    for (const opset of [13, 17, 21]) {
      expect(await expectSameAsKeel(model, { inputShape: [4, 10], opset })).toBeLessThan(1e-4);
    }
  });
});
