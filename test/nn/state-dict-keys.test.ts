/**
 * State-dict keys, order, shapes and dtypes of the reference networks equal PyTorch's for the same
 * module tree (fixture: test/fixtures/nn/state_dict_keys.json from make_nn_fixtures.py), so
 * weights move both ways through safetensors.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { loadFixture } from './helpers.js';

type KeyList = Array<[string, number[], string]>;
interface KeysFixture {
  backbone: KeyList;
  backbone_no_bn: KeyList;
  backbone_k5_two_blocks: KeyList;
  mlp: KeyList;
}

const fixture = loadFixture<KeysFixture>('state_dict_keys.json');

function keysOf(m: nn.Module): KeyList {
  return Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype]);
}

function mlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 512), new nn.BatchNorm1d(512), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(512, 256), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(256, 10),
  );
}

describe('state-dict keys equal PyTorch', () => {
  it('conv1dBackbone() (DESIGN.md §1 defaults)', () => {
    const model = nn.conv1dBackbone();
    expect(keysOf(model)).toEqual(fixture.backbone);
    expect(Object.keys(model.stateDict())[0]).toBe('0.weight');
    expect(keysOf(model).filter(([k]) => k.endsWith('.bias')).map(([k]) => k)).toEqual(['1.bias', '5.bias', '9.bias', '13.bias', '16.bias']);
  });

  it('conv1dBackbone({ batchNorm: false }): the convolutions get biases', () => {
    expect(keysOf(nn.conv1dBackbone({ batchNorm: false }))).toEqual(fixture.backbone_no_bn);
  });

  it('conv1dBackbone({ bnMomentum }): every BatchNorm1d takes it (and it survives toJSON)', () => {
    const model = nn.conv1dBackbone({ bnMomentum: 0.3 });
    const bns = [...model.modules()].filter((m) => m instanceof nn.BatchNorm1d);
    expect(bns.map((m) => m.momentum)).toEqual([0.3, 0.3, 0.3]);
    expect(JSON.stringify(model.toJSON())).toContain('"momentum":0.3');
  });

  it('conv1dBackbone with other sizes (kernel 5, two blocks)', () => {
    const model = nn.conv1dBackbone({ inChannels: 3, window: 16, widths: [8, 16], kernelSize: 5, headHidden: 32, outputs: 4 });
    expect(keysOf(model)).toEqual(fixture.backbone_k5_two_blocks);
  });

  it('the 784 → 512 → 256 → 10 MLP with BatchNorm and Dropout', () => {
    const model = mlp();
    expect(keysOf(model)).toEqual(fixture.mlp);
    expect(model.numParameters()).toBe(784 * 512 + 512 + 2 * 512 + 512 * 256 + 256 + 2 * 256 + 256 * 10 + 10);
  });

  it('parameters come before buffers within a module, and named iteration follows the same keys', () => {
    const model = mlp();
    const params = model.namedParameters().map(([k]) => k);
    const buffers = model.namedBuffers().map(([k]) => k);
    expect(params).toEqual(fixture.mlp.map(([k]) => k).filter((k) => !/running_|num_batches/.test(k)));
    expect(buffers).toEqual(fixture.mlp.map(([k]) => k).filter((k) => /running_|num_batches/.test(k)));
  });
});
