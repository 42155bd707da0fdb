/**
 * l1Penalty / l2Penalty (values and gradients through autograd) and weightDecayGroups /
 * decayedParameters on a hand-made module tree (no dependency on the real layers: the classes below
 * only register parameters under the names and class names the rule looks at).
 */
import { describe, expect, it } from 'vitest';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { SGD, decayedParameters, isNormLayer, l1Penalty, l2Penalty, noWeightDecay, weightDecayGroups } from '../../src/optim/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor, fromOp } from '../../src/tensor/tensor.js';

const t = (values: number[], shape = [values.length], requiresGrad = true) => new Tensor(Float32Array.from(values), shape, { requiresGrad });

describe('l1Penalty', () => {
  it('is λ·Σ|w| with gradient λ·sign(w), 0 at w = 0', () => {
    const a = t([1.5, -2, 0, 0.25]);
    const b = t([-3, 4], [1, 2]);
    const pen = l1Penalty([a, b], 0.1);
    expect(pen.shape).toEqual([]);
    expect(pen.item()).toBeCloseTo(0.1 * (1.5 + 2 + 0 + 0.25 + 3 + 4), 6);
    expect(pen.requiresGrad).toBe(true);
    pen.backward();
    const l = Math.fround(0.1);
    expect(Array.from(a.grad!.data)).toEqual([l, -l, 0, l]);
    expect(Array.from(b.grad!.data)).toEqual([-l, l]);
  });

  it('scales with the upstream gradient and accumulates with the rest of the loss', () => {
    const w = t([2, -1]);
    // loss = 3·l1 + Σw (a local op standing in for the data loss)
    const sumW = fromOp('sum', Float32Array.from([w.data[0]! + w.data[1]!]), [], [w], (g) => [Float32Array.from([g[0]!, g[0]!])]);
    const pen = l1Penalty(w, 0.5);
    const loss = fromOp('axpy', Float32Array.from([3 * pen.item() + sumW.item()]), [], [pen, sumW], (g) => [Float32Array.from([3 * g[0]!]), g]);
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([1 + 1.5, 1 - 1.5]);
  });

  it('gives values captured at the call: a later update does not change the gradient', () => {
    const w = t([1, -1]);
    const pen = l1Penalty([w], 1);
    w.data[0] = -5;
    pen.backward();
    expect(Array.from(w.grad!.data)).toEqual([1, -1]);
  });
});

describe('l2Penalty', () => {
  it('is λ·Σw² with gradient 2λ·w', () => {
    const a = t([1.5, -2, 0]);
    const b = t([3], [1, 1]);
    const pen = l2Penalty([a, b], 0.01);
    expect(pen.item()).toBeCloseTo(0.01 * (2.25 + 4 + 9), 7);
    pen.backward();
    const c = 2 * Math.fround(0.01);
    expect(Array.from(a.grad!.data)).toEqual([1.5, -2, 0].map((x) => Math.fround(c * x)));
    expect(Array.from(b.grad!.data)).toEqual([Math.fround(c * 3)]);
  });

  it('matches SGD weight decay 2λ: one step with the penalty gradient = one step with weightDecay', () => {
    const w1 = t([0.5, -1.25, 2]), w2 = t([0.5, -1.25, 2]);
    l2Penalty([w1], 0.05).backward();
    new SGD([w1], { lr: 0.1 }).step();
    w2.grad = new Tensor(new Float32Array(3), [3]);
    new SGD([w2], { lr: 0.1, weightDecay: 0.1 }).step();
    for (let i = 0; i < 3; i++) expect(w1.data[i]).toBeCloseTo(w2.data[i]!, 7);
  });

  it('tensors that do not require grad get no gradient; under noGrad nothing is recorded', () => {
    const a = t([1, 2]), frozen = t([3], [1], false);
    const pen = l2Penalty([a, frozen], 1);
    expect(pen.item()).toBe(14);
    pen.backward();
    expect(frozen.grad).toBeNull();
    expect(Array.from(a.grad!.data)).toEqual([2, 4]);
    const off = noGrad(() => l2Penalty([a], 1));
    expect(off.requiresGrad).toBe(false);
    expect(off.item()).toBe(5);
  });

  it('empty lists give 0; bad arguments throw', () => {
    expect(l1Penalty([], 1).item()).toBe(0);
    expect(l2Penalty([], 1).item()).toBe(0);
    expect(() => l1Penalty([t([1])], -1)).toThrow(/l1Penalty: lambda must be a finite number >= 0, got -1/);
    expect(() => l2Penalty([t([1])], NaN)).toThrow(/lambda must be a finite number >= 0, got NaN/);
    expect(() => l2Penalty([1, 2] as never, 1)).toThrow(/params\[0\] is 1, not a Tensor/);
    expect(() => l1Penalty(5 as never, 1)).toThrow(/params must be a Tensor or an iterable of Tensors/);
  });
});

// A hand-made module tree: class names are what the rule reads.
abstract class Leafy extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  toJSON(): ModuleJSON {
    return { type: this.constructor.name };
  }
}
class LinearLike extends Leafy {
  constructor(inF: number, outF: number, bias = true) {
    super();
    this.registerParameter('weight', t(new Array(inF * outF).fill(0.1), [outF, inF]));
    this.registerParameter('bias', bias ? t(new Array(outF).fill(0)) : null);
  }
}
class ConvLike extends Leafy {
  constructor() {
    super();
    this.registerParameter('weight', t(new Array(2 * 3 * 3).fill(0.1), [2, 3, 3]));
  }
}
class BatchNorm1d extends Leafy {
  constructor(c: number) {
    super();
    this.registerParameter('weight', t(new Array(c).fill(1)));
    this.registerParameter('bias', t(new Array(c).fill(0)));
  }
}
class LayerNorm extends Leafy {
  constructor() {
    super();
    // 2-D affine parameters (normalizedShape (2, 2)): excluded by the class name, not the rank.
    this.registerParameter('weight', t([1, 1, 1, 1], [2, 2]));
    this.registerParameter('bias', t([0, 0, 0, 0], [2, 2]));
  }
}
class Scale extends Leafy {
  constructor() {
    super();
    this.registerParameter('alpha', t([1], []));
    this.registerParameter('table', t([1, 2, 3, 4], [2, 2]));
  }
}
class Block extends Leafy {
  constructor() {
    super();
    this.registerModule('ln', new LayerNorm());
    this.registerModule('scale', new Scale());
  }
}
class Net extends Leafy {
  readonly fc1: LinearLike;
  readonly tied: LinearLike;
  constructor() {
    super();
    this.registerModule('conv', new ConvLike());
    this.registerModule('bn', new BatchNorm1d(2));
    this.fc1 = this.registerModule('fc1', new LinearLike(4, 3));
    this.registerModule('block', new Block());
    this.tied = this.registerModule('head', new LinearLike(3, 2, false));
    // The head registered again under another name: its weight must be listed once.
    this.registerModule('head2', this.tied);
  }
}

describe('weightDecayGroups / decayedParameters', () => {
  const names = (model: Module, ps: Tensor[]) => {
    const byTensor = new Map(model.namedParameters().map(([n, p]) => [p, n]));
    return ps.map((p) => byTensor.get(p));
  };

  it('decays conv/linear weights; not biases, norm layers or 1-D/0-D parameters', () => {
    const net = new Net();
    const [decay, rest] = weightDecayGroups(net, 5e-4);
    expect(decay.weightDecay).toBe(5e-4);
    expect(rest.weightDecay).toBe(0);
    expect(names(net, decay.params)).toEqual(['conv.weight', 'fc1.weight', 'block.scale.table', 'head.weight']);
    expect(names(net, rest.params)).toEqual(['bn.weight', 'bn.bias', 'fc1.bias', 'block.ln.weight', 'block.ln.bias', 'block.scale.alpha']);
    // Every parameter exactly once.
    expect(decay.params.length + rest.params.length).toBe(net.parameters().length);
    expect(decayedParameters(net)).toEqual(decay.params);
  });

  it('is ready for an optimiser: the groups carry their weightDecay', () => {
    const net = new Net();
    const opt = new SGD(weightDecayGroups(net, 0.1), { lr: 0.01, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => g.weightDecay)).toEqual([0.1, 0]);
    for (const p of net.parameters()) p.grad = new Tensor(new Float32Array(p.numel), p.shape);
    opt.step();
    // Zero gradient: decayed weights shrink by lr·wd, the rest stay.
    const fc1w = net.namedParameters().find(([n]) => n === 'fc1.weight')![1];
    expect(fc1w.data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(-0.01) * Math.fround(Math.fround(0.1) * Math.fround(0.1))));
    const bnw = net.namedParameters().find(([n]) => n === 'bn.weight')![1];
    expect(Array.from(bnw.data)).toEqual([1, 1]);
  });

  it('takes a custom exclusion rule (e.g. also exclude a named parameter)', () => {
    const net = new Net();
    const [decay, rest] = weightDecayGroups(net, 1e-2, { exclude: (info) => noWeightDecay(info) || info.name === 'block.scale.table' });
    expect(names(net, decay.params)).toEqual(['conv.weight', 'fc1.weight', 'head.weight']);
    expect(names(net, rest.params)).toContain('block.scale.table');
    expect(decayedParameters(net, { exclude: () => true })).toEqual([]);
    expect(isNormLayer(new BatchNorm1d(1))).toBe(true);
    expect(isNormLayer(new LinearLike(1, 1))).toBe(false);
  });

  it('bad arguments throw', () => {
    expect(() => weightDecayGroups(new Net(), -1)).toThrow(/Invalid weightDecay value: -1/);
    expect(() => weightDecayGroups({} as never, 0.1)).toThrow(/expected a Module/);
    expect(() => weightDecayGroups(new Net(), 0.1, { exclude: 'bias' as never })).toThrow(/exclude must be a function/);
  });
});
