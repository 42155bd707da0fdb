// The autograd engine: gradients accumulate into leaves as in PyTorch, flow through shared
// subexpressions, stop at detach() and under noGrad, and the graph's saved values are released
// after backward (a second backward is an error unless the graph was retained).
import { describe, expect, it } from 'vitest';
import { linear } from '../../src/functional/linear.js';
import { relu } from '../../src/functional/relu.js';
import { tensor } from '../../src/tensor/create.js';
import { isGradEnabled, noGrad } from '../../src/tensor/grad-mode.js';
import { fromOp, type Tensor } from '../../src/tensor/tensor.js';

/** y = a * b elementwise, recorded with fromOp, as a minimal test op. */
function mul(a: Tensor, b: Tensor): Tensor {
  const y = a.data.map((v, i) => v * b.data[i]!);
  return fromOp('mul', y, a.shape, [a, b], (g, needs) => [
    needs[0] ? g.map((v, i) => v * b.data[i]!) : null,
    needs[1] ? g.map((v, i) => v * a.data[i]!) : null,
  ]);
}

function sum(a: Tensor): Tensor {
  return fromOp('sum', new Float32Array([a.data.reduce((s, v) => s + v, 0)]), [], [a], (g) => [new Float32Array(a.numel).fill(g[0]!)]);
}

describe('backward', () => {
  it('computes the gradient of a scalar with respect to every leaf that requires it', () => {
    const a = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const b = tensor([4, 5, 6]);
    sum(mul(a, b)).backward();
    expect(a.grad!.toArray()).toEqual([4, 5, 6]);
    expect(b.grad).toBeNull();
  });

  it('accumulates into .grad across backward calls, like PyTorch', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    sum(mul(a, a)).backward();
    sum(mul(a, a)).backward();
    expect(a.grad!.toArray()).toEqual([4, 8]); // 2 · 2a
  });

  it('sums gradients over every path through a shared tensor', () => {
    const a = tensor([3], undefined, { requiresGrad: true });
    const b = mul(a, a); // a²
    sum(mul(b, b)).backward(); // a⁴ → 4a³ = 108
    expect(a.grad!.item()).toBe(108);
  });

  it('releases saved values: a second backward is an error unless retainGraph', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const again = sum(mul(a, a));
    again.backward(undefined, { retainGraph: true });
    again.backward();
    expect(() => again.backward()).toThrow(/backward through the graph a second time/);
  });

  it('handles a graph deeper than the JS stack allows recursion', () => {
    let x = tensor([1], undefined, { requiresGrad: true });
    const leaf = x;
    for (let i = 0; i < 20000; i++) x = x.reshape(1);
    sum(x).backward();
    expect(leaf.grad!.item()).toBe(1);
  });

  it('needs an explicit gradient for non-scalar outputs and checks its shape', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(a, a);
    expect(() => y.backward()).toThrow('gradient can be implicit only for one-element outputs, got shape (2)');
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow('gradient shape (3) does not match tensor shape (2)');
    y.backward(tensor([1, 0.5]));
    expect(a.grad!.toArray()).toEqual([2, 2]);
  });

  it('refuses backward on a tensor that does not require grad', () => {
    expect(() => sum(tensor([1, 2])).backward()).toThrow(/does not require grad/);
  });
});

describe('graph recording', () => {
  it('detach() and noGrad cut the graph; noGrad restores the mode even after a throw', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    expect(mul(a.detach(), a.detach()).requiresGrad).toBe(false);
    const y = noGrad(() => mul(a, a));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('records only when an input requires grad', () => {
    const y = mul(tensor([1]), tensor([2]));
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
  });

  it('reshape, view and flatten pass gradients through unchanged', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [1, 2, 3], { requiresGrad: true });
    expect(a.flatten(1).shape).toEqual([1, 6]);
    expect(a.view(-1, 3).shape).toEqual([2, 3]);
    sum(mul(a.reshape(3, 2), tensor([1, 2, 3, 4, 5, 6], [3, 2]))).backward();
    expect(a.grad!.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => a.reshape(4, -1)).toThrow('cannot reshape 6 elements into (4, -1)');
  });

  it('flows through kernel-backed ops (linear → relu)', () => {
    const x = tensor([1, -2, 3, 0.5], [2, 2], { requiresGrad: true });
    const w = tensor([1, 1, -1, 2], [2, 2], { requiresGrad: true });
    const b = tensor([0, 1], undefined, { requiresGrad: true });
    sum(relu(linear(x, w, b))).backward();
    // y = x W^T + b = [[-1, -4], [3.5, -1]] → relu passes only y[1, 0]
    expect(b.grad!.toArray()).toEqual([1, 0]);
    expect(w.grad!.toArray()).toEqual([3, 0.5, 0, 0]); // dW = dy^T x
    expect(x.grad!.toArray()).toEqual([0, 0, 1, 1]); // dx = dy W
  });
});
