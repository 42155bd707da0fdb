/**
 * The optimisers' non-finite guard (src/optim/finite-grads.ts): for every optimiser, a NaN in one
 * gradient element or ±Infinity in another parameter's gradient makes step() throw NonFiniteError
 * naming the group, the parameter, the index and the value, with the parameters and the whole state
 * (moments, momentum buffers, step counts) bitwise as they were; allowNonFinite: true applies the
 * gradient as PyTorch does (the NaN reaches the parameter); finite gradients give bitwise the same
 * results with and without the guard. Also: the option's checks and its trip through
 * describeOptimizer / rebuildOptimizer.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, NonFiniteError, OptionError } from '../../src/errors.js';
import { Linear } from '../../src/nn/linear.js';
import { allFinite } from '../../src/tensor/finite.js';
import { Adam, AdamW, type Optimizer, type OptimizerOptions, SGD, describeOptimizer, rebuildOptimizer } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

type Make = (params: Tensor[], o?: OptimizerOptions) => Optimizer;

const OPTIMIZERS: Array<[string, Make]> = [
  ['SGD', (ps, o) => new SGD(ps, { lr: 0.1, ...o })],
  ['SGD momentum, nesterov, weightDecay', (ps, o) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2, ...o })],
  ['Adam', (ps, o) => new Adam(ps, { lr: 0.01, ...o })],
  ['Adam amsgrad, maximize', (ps, o) => new Adam(ps, { lr: 0.01, amsgrad: true, maximize: true, ...o })],
  ['AdamW', (ps, o) => new AdamW(ps, { lr: 0.01, ...o })],
];

/** Two parameters (3×2 and 4) with fixed values. */
function params(): Tensor[] {
  return [
    new Tensor(Float32Array.from([0.5, -1, 2, 0.25, -0.75, 1.5]), [3, 2], { requiresGrad: true }),
    new Tensor(Float32Array.from([1, -2, 0.125, 3]), [4], { requiresGrad: true }),
  ];
}

/** Sets every parameter's gradient from a seed (the values are arbitrary but fixed). */
function setGrads(ps: Tensor[], seed: number): void {
  ps.forEach((p, j) => {
    p.grad = new Tensor(Float32Array.from(p.data, (_, i) => Math.sin(seed * 7 + j * 3 + i) * 0.5), p.shape);
  });
}

/** The bits of every parameter and of every state buffer, and the step counts: what must not change. */
function snapshot(opt: Optimizer): unknown {
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
  const state = opt.stateDictForTransfer().state;
  return {
    params: opt.paramGroups.flatMap((g) => g.params.map((p) => bits(p.data))),
    state: Object.fromEntries(
      Object.entries(state).map(([k, s]) => [k, Object.fromEntries(Object.entries(s).map(([n, v]) => [n, v instanceof Float32Array ? bits(v) : v]))]),
    ),
  };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an exception');
}

describe.each(OPTIMIZERS)('%s', (name, make) => {
  const where = `${name.split(' ')[0]}.step`;

  it('NaN in one element, ±Infinity in another parameter: NonFiniteError, nothing changed', () => {
    const ps = params();
    const opt = make(ps);
    for (let t = 0; t < 2; t++) {
      setGrads(ps, t);
      opt.step();
    }
    const before = snapshot(opt);

    setGrads(ps, 5);
    ps[0]!.grad!.data[3] = NaN;
    const nan = thrown(() => opt.step());
    expect(nan).toBeInstanceOf(NonFiniteError);
    expect(nan).toBeInstanceOf(KeelError);
    expect(nan.name).toBe('NonFiniteError');
    expect(nan.message).toMatch(new RegExp(`^${where}: the gradient of paramGroups\\[0\\]\\.params\\[0\\], shape \\[3,2\\], has a non-finite value at index 3: NaN; nothing was changed`));
    expect(nan.message).toContain('allowNonFinite: true');
    expect(snapshot(opt)).toEqual(before);

    setGrads(ps, 5);
    ps[1]!.grad!.data[2] = Infinity;
    ps[1]!.grad!.data[3] = NaN;
    expect(() => opt.step()).toThrow(/paramGroups\[0\]\.params\[1\], shape \[4\], has a non-finite value at index 2: Infinity;/);
    expect(snapshot(opt)).toEqual(before);

    setGrads(ps, 5);
    ps[1]!.grad!.data[0] = -Infinity;
    expect(() => opt.step()).toThrow(/params\[1\], shape \[4\], has a non-finite value at index 0: -Infinity;/);
    expect(snapshot(opt)).toEqual(before);

    // The grads are fixed: the step goes through, from the state it had before the failures.
    setGrads(ps, 5);
    opt.step();
    expect(snapshot(opt)).not.toEqual(before);
  });

  it('checks the gradients the closure computed, before the first step creates any state', () => {
    const ps = params();
    const opt = make(ps);
    const before = snapshot(opt);
    let calls = 0;
    const closure = () => {
      calls++;
      setGrads(ps, 1);
      ps[1]!.grad!.data[1] = NaN;
      return 42;
    };
    expect(() => opt.step(closure)).toThrow(NonFiniteError);
    expect(calls).toBe(1);
    expect(opt.state.size).toBe(0);
    expect(snapshot(opt)).toEqual(before);
  });

  it('allowNonFinite: true applies the gradient as PyTorch does (the NaN reaches the parameter)', () => {
    const ps = params();
    const opt = make(ps, { allowNonFinite: true });
    expect(opt.allowNonFinite).toBe(true);
    setGrads(ps, 1);
    ps[0]!.grad!.data[3] = NaN;
    ps[1]!.grad!.data[2] = Infinity;
    opt.step();
    expect(ps[0]!.data[3]).toBeNaN();
    expect(Number.isFinite(ps[0]!.data[2]!)).toBe(true); // other elements are updated normally
    expect(Number.isFinite(ps[1]!.data[2]!)).toBe(false);
  });

  it('finite gradients: bitwise the same results with and without the guard', () => {
    const [a, b] = [params(), params()];
    const [guarded, unguarded] = [make(a), make(b, { allowNonFinite: true })];
    expect(guarded.allowNonFinite).toBe(false);
    for (let t = 0; t < 4; t++) {
      setGrads(a, t);
      setGrads(b, t);
      if (t === 2) a[1]!.grad = b[1]!.grad = null; // a parameter without a gradient is skipped
      guarded.step();
      unguarded.step();
    }
    expect(snapshot(guarded)).toEqual(snapshot(unguarded));
  });
});

describe('the allowNonFinite option', () => {
  it('names the group when it has a name', () => {
    const [p, q] = params();
    const opt = new SGD([{ params: [p!] }, { params: [q!], name: 'head' }], { lr: 0.1 });
    setGrads([p!, q!], 0);
    q!.grad!.data[1] = NaN;
    expect(() => opt.step()).toThrow(/^SGD\.step: the gradient of paramGroups\[1\]\.params\[0\] \(group "head"\), shape \[4\], has a non-finite value at index 1: NaN;/);
  });

  it('is a boolean of the optimiser, not of a group', () => {
    expect(() => new Adam(params(), { allowNonFinite: 1 as never })).toThrow(new OptionError('Adam: option allowNonFinite must be a boolean, got 1'));
    expect(() => new SGD([{ params: params(), allowNonFinite: true }], { lr: 0.1 })).toThrow(
      new OptionError('SGD: param group 0: allowNonFinite is an option of the optimizer, not of a parameter group'),
    );
    expect(() => new SGD(params(), { lr: 0.1, allowNonFinite: 'no' as never })).toThrow(KeelError);
  });

  it('is in defaults, so describeOptimizer / rebuildOptimizer carry it; state dicts do not', () => {
    const model = new Linear(3, 2);
    const opt = new AdamW(model.parameters(), { lr: 0.01, allowNonFinite: true });
    expect(opt.defaults.allowNonFinite).toBe(true);
    expect(JSON.stringify(opt.stateDict())).not.toContain('non_finite');
    const d = describeOptimizer(opt, model);
    if ('reason' in d) throw new Error(d.reason);
    expect(d.defaults.allowNonFinite).toBe(true);
    expect(rebuildOptimizer(d, model).allowNonFinite).toBe(true);
    const plain = describeOptimizer(new SGD(model.parameters(), { lr: 0.1 }), model);
    if ('reason' in plain) throw new Error(plain.reason);
    expect(rebuildOptimizer(plain, model).allowNonFinite).toBe(false);
  });
});

describe('allFinite', () => {
  it('is false exactly when some element is NaN or ±Infinity, at any position and length', () => {
    for (const n of [0, 1, 3, 4, 5, 8, 9]) {
      const g = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -3.4e38 : 1e-45));
      expect(allFinite(g)).toBe(true);
      for (let i = 0; i < n; i++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const h = g.slice();
          h[i] = bad;
          expect(allFinite(h)).toBe(false);
        }
      }
    }
    expect(allFinite(Float32Array.of(-0, 0, -0, -0, -0))).toBe(true);
    // The largest float32 values, a million of them, sum far below double's range: still finite.
    expect(allFinite(new Float32Array(1 << 20).fill(3.4028234663852886e38))).toBe(true);
  });
});
