/**
 * Forward behaviour of each layer through its functional op: output shapes for the layers' options,
 * a few exact values, and gradients reaching every parameter of a model built from them.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { ones, tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { input } from './helpers.js';

describe('layer forward', () => {
  it('Conv1d output lengths for padding, stride, dilation, same/valid, unbatched input', () => {
    const x = input([2, 4, 10], 1);
    expect(new nn.Conv1d(4, 6, 3).forward(x).shape).toEqual([2, 6, 8]);
    expect(new nn.Conv1d(4, 6, 3, { padding: 1 }).forward(x).shape).toEqual([2, 6, 10]);
    expect(new nn.Conv1d(4, 6, 4, { padding: 'same', dilation: 2 }).forward(x).shape).toEqual([2, 6, 10]);
    expect(new nn.Conv1d(4, 6, 3, { padding: 'valid', stride: 2 }).forward(x).shape).toEqual([2, 6, 4]);
    expect(new nn.Conv1d(4, 6, 3, { groups: 2 }).forward(x).shape).toEqual([2, 6, 8]);
    expect(new nn.Conv1d(4, 6, 3).forward(input([4, 10], 2)).shape).toEqual([6, 8]);
  });

  it('Linear on (*, in), Flatten, activations', () => {
    expect(new nn.Linear(5, 3).forward(input([2, 4, 5], 1)).shape).toEqual([2, 4, 3]);
    expect(new nn.Flatten().forward(input([2, 3, 4], 1)).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0, 1).forward(input([2, 3, 4], 1)).shape).toEqual([6, 4]);
    expect(new nn.Flatten({ startDim: -2 }).forward(input([2, 3, 4], 1)).shape).toEqual([2, 12]);
    const x = tensor([-2, -0.5, 0, 1.5]);
    expect(new nn.ReLU().forward(x).toArray()).toEqual([0, 0, 0, 1.5]);
    expect(new nn.LeakyReLU(0.25).forward(x).toArray()).toEqual([-0.5, -0.125, 0, 1.5]);
    const g = new nn.GELU().forward(x).toArray();
    expect(g[3]).toBeCloseTo(1.5 * 0.9331927987311419, 6);
    expect(g[0]).toBeCloseTo(-2 * 0.022750131948179195, 6);
    const gt = new nn.GELU('tanh').forward(x).toArray();
    expect(gt[3]).toBeCloseTo(0.5 * 1.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1.5 + 0.044715 * 1.5 ** 3))), 6);
  });

  it('LayerNorm normalises the trailing dimensions', () => {
    const ln = new nn.LayerNorm(4);
    const y = ln.forward(tensor([[1, 2, 3, 4], [10, 10, 10, 14]]));
    const row = y.toArray().slice(0, 4);
    const mean = row.reduce((a, b) => a + b) / 4;
    expect(mean).toBeCloseTo(0, 6);
    expect(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4).toBeCloseTo(1, 4);
  });

  it('pooling layers', () => {
    const x = tensor([[[1, 3, 2, 5, 4, 0, 7]]]);
    expect(new nn.MaxPool1d(2).forward(x).toArray()).toEqual([3, 5, 4]);
    expect(new nn.MaxPool1d(2, { ceilMode: true }).forward(x).toArray()).toEqual([3, 5, 4, 7]);
    expect(new nn.MaxPool1d(3, { stride: 1, padding: 1 }).forward(x).shape).toEqual([1, 1, 7]);
    expect(new nn.AvgPool1d(2).forward(x).toArray()).toEqual([2, 3.5, 2]);
    expect(new nn.AvgPool1d(2, { padding: 1 }).forward(x).toArray()).toEqual([0.5, 2.5, 4.5, 3.5]);
    expect(new nn.AvgPool1d(2, { padding: 1, countIncludePad: false }).forward(x).toArray()).toEqual([1, 2.5, 4.5, 3.5]);
    expect(new nn.AdaptiveAvgPool1d(1).forward(x).toArray()[0]).toBeCloseTo(22 / 7, 6);
    expect(new nn.AdaptiveAvgPool1d(3).forward(x).shape).toEqual([1, 1, 3]);
  });

  it('conv1dBackbone keeps the window length for odd and even kernels', () => {
    for (const kernelSize of [3, 4, 5]) {
      const model = nn.conv1dBackbone({ window: 10, widths: [4, 4], kernelSize, headHidden: 6, outputs: 2 });
      expect(model.forward(input([3, 14, 10], kernelSize)).shape).toEqual([3, 2]);
    }
    expect((nn.conv1dBackbone({ kernelSize: 4 }).at(0) as nn.Conv1d).padding).toBe('same');
    expect((nn.conv1dBackbone({ kernelSize: 5 }).at(0) as nn.Conv1d).padding).toBe(2);
  });

  it('mlp builds Linear → BatchNorm1d → ReLU → Dropout blocks (no Linear bias before BN) and a last Linear', () => {
    const model = nn.mlp({ inFeatures: 6, hidden: [8, 4], outputs: 3, dropout: 0.4, bnMomentum: 0.2 });
    expect(model.toJSON().children!.map((c) => c.type)).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear']);
    expect(Object.keys(model.stateDict()).filter((k) => k.endsWith('bias'))).toEqual(['1.bias', '5.bias', '8.bias']);
    expect((model.at(1) as nn.BatchNorm1d).momentum).toBe(0.2);
    expect((model.at(3) as nn.Dropout).p).toBe(0.4);
    expect(model.forward(input([5, 6], 1)).shape).toEqual([5, 3]);
    const plain = nn.mlp({ inFeatures: 6, hidden: [8], batchNorm: false });
    expect(plain.toJSON().children!.map((c) => c.type)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear']);
    expect(Object.keys(plain.stateDict())).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(nn.mlp({ inFeatures: 6, hidden: [] }).toJSON().children!.map((c) => c.type)).toEqual(['Linear']);
    expect(() => nn.mlp({ inFeatures: 6, hidden: [8, 0] })).toThrow(/mlp: hidden\[1\] must be a positive integer/);
    expect(() => nn.mlp({} as nn.MlpOptions)).toThrow(/mlp: inFeatures must be a positive integer, got undefined/);
  });

  it('gradients reach every parameter of a model built from the layers', () => {
    manualSeed(1);
    const model = new nn.Sequential(
      new nn.Conv1d(3, 8, 3, { padding: 1 }), new nn.BatchNorm1d(8), new nn.GELU(), new nn.MaxPool1d(2),
      new nn.Conv1d(8, 8, 3, { padding: 'same', bias: false }), new nn.LeakyReLU(0.1), new nn.AvgPool1d(2),
      new nn.Dropout1d(0.2), new nn.AdaptiveAvgPool1d(2), new nn.Flatten(), new nn.LayerNorm(16),
      new nn.Linear(16, 4), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(4, 1),
    );
    const y = model.forward(input([6, 3, 16], 2));
    expect(y.shape).toEqual([6, 1]);
    y.backward(ones(y.shape));
    for (const [k, p] of model.namedParameters()) {
      expect(p.grad, k).not.toBe(null);
      expect(p.grad!.shape, k).toEqual(p.shape);
      expect(p.grad!.toArray().every(Number.isFinite), k).toBe(true);
    }
  });
});
