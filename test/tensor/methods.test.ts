// Tensor methods as PyTorch users write them, through the package entry point (which attaches them).
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';

describe('Tensor methods', () => {
  it('chain like PyTorch and differentiate', () => {
    const x = tensor([[1, -2], [3, 4]], undefined, { requiresGrad: true });
    const loss = x.mul(2).add(1).relu().square().mean();
    // 2x + 1 = [[3, -3], [7, 9]] → relu → [[3, 0], [7, 9]] → squares / 4
    expect(loss.item()).toBeCloseTo((9 + 49 + 81) / 4, 5);
    loss.backward();
    // d/dx mean((2x+1)^2) = (2x+1)·2·2/4 where 2x+1 > 0
    expect(x.grad!.toArray()).toEqual([3, 0, 7, 9]);
  });

  it('reduce over dimensions and normalise', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.sum(1).toArray()).toEqual([6, 15]);
    expect(x.mean(0, { keepdim: true }).shape).toEqual([1, 3]);
    const p = x.softmax(1);
    expect(p.sum(1).toArray().map((v) => Number(v.toFixed(6)))).toEqual([1, 1]);
    expect(x.logSoftmax(1).exp().toArray()).toEqual(p.toArray().map((v) => expect.closeTo(v, 6)));
  });

  it('cover the elementwise functions', () => {
    const x = tensor([0.25, 4]);
    expect(x.sqrt().toArray()).toEqual([0.5, 2]);
    expect(x.neg().abs().toArray()).toEqual([0.25, 4]);
    expect(x.pow(2).toArray()).toEqual([0.0625, 16]);
    expect(x.div(x).toArray()).toEqual([1, 1]);
    expect(x.sub(x).toArray()).toEqual([0, 0]);
    expect(x.log().exp().toArray()[1]).toBeCloseTo(4, 5);
    expect(tensor([0]).sigmoid().item()).toBe(0.5);
    expect(tensor([0]).tanh().item()).toBe(0);
  });
});
