/**
 * conv1dBackbone against the same torch.nn.Sequential: PyTorch's state dict (random weights,
 * non-default BatchNorm buffers) loads by key, and the eval output, the training output (dropout
 * p = 0, BatchNorm batch statistics) and the updated buffers match PyTorch's
 * (fixture: test/fixtures/nn/backbone_forward.json from make_nn_fixtures.py).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, loadFixture, stateFromFixture } from './helpers.js';

type FixtureState = Record<string, { shape: number[]; dtype: string; data: number[] }>;
interface BackboneFixture {
  options: nn.Conv1dBackboneOptions;
  state: FixtureState;
  input: { shape: number[]; data: number[] };
  evalOutput: number[];
  trainOutput: number[];
  stateAfterTrain: FixtureState;
}

const fx = loadFixture<BackboneFixture>('backbone_forward.json');

describe('conv1dBackbone against PyTorch', () => {
  const build = () => {
    const model = nn.conv1dBackbone(fx.options);
    model.loadStateDict(stateFromFixture(fx.state));
    return model;
  };
  const x = new Tensor(Float32Array.from(fx.input.data), fx.input.shape);

  it('loads PyTorch\'s state dict by key and gives its eval output', () => {
    const model = build().eval();
    expectClose(noGrad(() => model.forward(x)).data, fx.evalOutput, 'eval output');
  });

  it('training forward: output and BatchNorm buffers as PyTorch updates them', () => {
    const model = build().train();
    expectClose(model.forward(x).data, fx.trainOutput, 'train output', 1e-4, 1e-4);
    const state = model.stateDict();
    for (const [k, v] of Object.entries(fx.stateAfterTrain)) {
      if (v.dtype === 'I64') expect(Array.from(state[k]!.data as BigInt64Array, Number), k).toEqual(v.data);
      else expectClose(state[k]!.data as Float32Array, v.data, k);
    }
    expect(state['1.num_batches_tracked']!.data).toEqual(new BigInt64Array([8n]));
  });
});
