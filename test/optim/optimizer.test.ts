/**
 * Optimiser behaviour beyond the golden runs: option validation (errors name the option and the
 * value, with PyTorch's wording), parameter groups, zeroGrad, skipped parameters, closures.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, OptionError, ShapeError } from '../../src/errors.js';
import { Adam, AdamW, type Optimizer, SGD } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const param = (values: number[] = [1, -2, 3]) => new Tensor(Float32Array.from(values), [values.length], { requiresGrad: true });
const grad = (p: Tensor, values: number[]) => {
  p.grad = new Tensor(Float32Array.from(values), p.shape);
};

describe('option validation', () => {
  const p = () => [param()];
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['SGD lr < 0', () => new SGD(p(), { lr: -1 }), /SGD: Invalid learning rate: -1/],
    ['SGD lr NaN', () => new SGD(p(), { lr: NaN }), /Invalid learning rate: NaN/],
    ['SGD lr missing', () => new SGD(p()), /required optimization parameter lr/],
    ['SGD momentum < 0', () => new SGD(p(), { lr: 0.1, momentum: -0.5 }), /Invalid momentum value: -0.5/],
    ['SGD weightDecay < 0', () => new SGD(p(), { lr: 0.1, weightDecay: -1e-4 }), /Invalid weightDecay value: -0.0001/],
    ['SGD dampening Infinity', () => new SGD(p(), { lr: 0.1, dampening: Infinity }), /Invalid dampening value: Infinity/],
    ['SGD nesterov without momentum', () => new SGD(p(), { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ['SGD nesterov with dampening', () => new SGD(p(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), /Nesterov momentum requires a momentum and zero dampening/],
    ['SGD nesterov not boolean', () => new SGD(p(), { lr: 0.1, nesterov: 1 as never }), /option nesterov must be a boolean, got 1/],
    ['SGD lr not a number', () => new SGD(p(), { lr: '0.1' as never }), /option lr must be a number, got "0.1"/],
    ['SGD unknown option', () => new SGD(p(), { lr: 0.1, mommentum: 0.9 } as never), /unknown option "mommentum"/],
    ['SGD snake_case option', () => new SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never), /unknown option "weight_decay" \(did you mean weightDecay\?\)/],
    ['Adam lr < 0', () => new Adam(p(), { lr: -0.001 }), /Adam: Invalid learning rate: -0.001/],
    ['Adam eps < 0', () => new Adam(p(), { eps: -1e-8 }), /Invalid epsilon value: -1e-8/],
    ['Adam beta1 = 1', () => new Adam(p(), { betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1/],
    ['Adam beta2 < 0', () => new Adam(p(), { betas: [0.9, -0.1] }), /Invalid beta parameter at index 1: -0.1/],
    ['Adam betas not a pair', () => new Adam(p(), { betas: [0.9] as never }), /option betas must be a pair of numbers/],
    ['Adam weightDecay < 0', () => new Adam(p(), { weightDecay: -1 }), /Invalid weightDecay value: -1/],
    ['AdamW weightDecay < 0', () => new AdamW(p(), { weightDecay: -0.01 }), /AdamW: Invalid weightDecay value: -0.01/],
    ['AdamW amsgrad not boolean', () => new AdamW(p(), { amsgrad: 'no' as never }), /option amsgrad must be a boolean/],
    ['a group with a bad option', () => new SGD([{ params: p() }, { params: p(), lr: -2 }], { lr: 0.1 }), /SGD: param group 1: Invalid learning rate: -2/],
    ['a group with a snake_case option', () => new Adam([{ params: p(), weight_decay: 0.1 }]), /param group 0: unknown option "weight_decay" \(did you mean weightDecay\?\)/],
    ['a group without lr', () => new SGD([{ params: p() }]), /param group 0: parameter group didn't specify a value of required optimization parameter lr/],
    ['an empty parameter list', () => new SGD([], { lr: 0.1 }), /optimizer got an empty parameter list/],
    ['a Tensor instead of a list', () => new SGD(param() as never, { lr: 0.1 }), /should be an iterable of Tensors or dicts, but got a Tensor/],
    ['a number', () => new SGD(3 as never, { lr: 0.1 }), /should be an iterable of Tensors or parameter groups, but got 3/],
    ['a non-tensor in the list', () => new SGD([param(), [1, 2]] as never, { lr: 0.1 }), /optimizer can only optimize Tensors, but params\[1\] is \[1, 2\]/],
    ['a non-leaf tensor', () => new SGD([param().reshape(3, 1)], { lr: 0.1 }), /can't optimize a non-leaf Tensor/],
    ['a parameter twice in a group', () => {
      const q = param();
      return new SGD([q, q], { lr: 0.1 });
    }, /appears more than once/],
    ['a parameter in two groups', () => {
      const q = param();
      return new SGD([{ params: [q] }, { params: [q] }], { lr: 0.1 });
    }, /some parameters appear in more than one parameter group/],
    ['a Set of parameters', () => new SGD([{ params: new Set([param()]) }], { lr: 0.1 }), /ordered collections/],
    ['options not an object', () => new SGD(p(), 0.1 as never), /options must be an object/],
    ['a group option one letter off (a typo)', () => new SGD([{ params: p(), lrr: 0.1 }], { lr: 0.1 }), /SGD: param group 0: unknown option "lrr" \(did you mean lr\?\)/],
    ['a group option two letters off', () => new Adam([{ params: p(), wieghtDecay: 0.1 }]), /unknown option "wieghtDecay" \(did you mean weightDecay\?\)/],
    ['a group option in another case', () => new Adam([{ params: p(), weightdecay: 0.1 }]), /unknown option "weightdecay" \(did you mean weightDecay\?\)/],
  ];
  for (const [what, make, message] of bad) {
    it(what, () => {
      expect(make).toThrow(message);
      expect(make).toThrow(OptionError);
      expect(make).toThrow(KeelError);
    });
  }

  it('PyTorch defaults', () => {
    const sgd = new SGD([param()], { lr: 0.1 });
    expect(sgd.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    const adam = new Adam([param()]);
    expect(adam.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    const adamw = new AdamW([param()]);
    expect(adamw.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
    // undefined options mean "the default".
    expect(new Adam([param()], { lr: undefined }).paramGroups[0]!.lr).toBe(1e-3);
  });
});

describe('parameter groups', () => {
  it('groups override the defaults; extra keys are kept; addParamGroup checks and fills in', () => {
    const [a, b, c] = [param(), param(), param()];
    const opt = new SGD([{ params: [a], lr: 0.5, name: 'backbone' }, { params: b }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.name])).toEqual([[0.5, 0.9, 'backbone'], [0.1, 0.9, undefined]]);
    expect(opt.paramGroups[1]!.params).toEqual([b]);
    const g = opt.addParamGroup({ params: [c], weightDecay: 1e-3 });
    expect(g).toBe(opt.paramGroups[2]);
    expect(g).toMatchObject({ lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
    expect(() => opt.addParamGroup({ params: [param()], momentum: -1 })).toThrow(/param group 3: Invalid momentum value: -1/);
    expect(opt.paramGroups.length).toBe(3);
    // Group arrays are copies: changing the defaults' betas later changes no group.
    const betas: [number, number] = [0.9, 0.999];
    const adam = new Adam([param()], { betas });
    betas[0] = 0.1;
    expect(adam.paramGroups[0]!.betas).toEqual([0.9, 0.999]);
  });

  it('each group steps with its own options, and lr changes take effect at the next step', () => {
    const [a, b] = [param([1]), param([1])];
    const opt = new SGD([{ params: [a], lr: 0.5 }, { params: [b] }], { lr: 0.1 });
    grad(a, [1]);
    grad(b, [1]);
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([0.5, Math.fround(0.9)]);
    opt.paramGroups[1]!.lr = 0.25;
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([0, Math.fround(Math.fround(0.9) - 0.25)]);
  });
});

describe('step and zeroGrad', () => {
  it('zeroGrad sets gradients to null (PyTorch default) or fills zeros', () => {
    const a = param();
    const opt = new SGD([a], { lr: 0.1 });
    grad(a, [1, 2, 3]);
    const g = a.grad!;
    opt.zeroGrad(false);
    expect(a.grad).toBe(g);
    expect(Array.from(g.data)).toEqual([0, 0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('parameters without a gradient are skipped and get no state', () => {
    const [a, b] = [param(), param()];
    for (const opt of [new SGD([a, b], { lr: 0.1, momentum: 0.9 }), new Adam([a, b]), new AdamW([a, b])] as Optimizer[]) {
      grad(a, [1, 1, 1]);
      b.grad = null;
      const before = Array.from(b.data);
      opt.step();
      expect(Array.from(b.data)).toEqual(before);
      expect(opt.state.has(b)).toBe(false);
      expect(opt.state.has(a)).toBe(true);
    }
  });

  it('step(closure) returns what the closure returns, evaluated before the update', () => {
    const a = param([2]);
    const opt = new SGD([a], { lr: 0.5 });
    const loss = opt.step(() => {
      grad(a, [a.data[0]!]);
      return a.data[0]! ** 2;
    });
    expect(loss).toBe(4);
    expect(a.data[0]).toBe(1);
    expect(opt.step()).toBeUndefined();
  });

  it("an assigned gradient must be a Tensor of the parameter's shape (PyTorch checks .grad = g)", () => {
    const a = param();
    expect(() => { a.grad = new Tensor(new Float32Array(2), [2]); }).toThrow(new ShapeError('Tensor.grad: the assigned gradient shape (2) does not match tensor shape (3)'));
    expect(() => { a.grad = new Tensor(new Float32Array(3), [3, 1]); }).toThrow(ShapeError);
    expect(() => { a.grad = [1, 2, 3] as never; }).toThrow(new OptionError('Tensor.grad: the assigned gradient must be a Tensor or null, got [1, 2, 3]'));
    expect(a.grad).toBeNull();
  });

  it('a gradient whose array was transferred away is an error, and nothing changes', () => {
    const a = param(), b = param();
    const opt = new Adam([a, b]);
    grad(a, [1, 1, 1]);
    grad(b, [1, 1, 1]);
    structuredClone(b.grad!.data.buffer, { transfer: [b.grad!.data.buffer as ArrayBuffer] });
    expect(() => opt.step()).toThrow(new ShapeError('Adam.step: paramGroups[0].params[1], shape [3], has a gradient with 0 elements'));
    expect(Array.from(a.data)).toEqual([1, -2, 3]);
    expect(opt.state.size).toBe(0);
  });

  // A refused step changes no parameter, moment or step count, whichever group or parameter it is refused for.
  for (const make of [(ps: Tensor[]) => new Adam(ps, { lr: 0.1 }), (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 })]) {
    const optName = make([param()]).constructor.name;
    it(`${optName}: an option a user or scheduler set since construction is checked at step, before any change`, () => {
      const a = param(), b = param();
      const opt = make([a, b]);
      opt.addParamGroup({ params: [param()] });
      grad(a, [1, 1, 1]);
      grad(b, [1, 1, 1]);
      opt.step();
      const before = JSON.stringify(opt.stateDict().state), aBefore = Array.from(a.data);
      opt.paramGroups[1]!.lr = NaN;
      grad(opt.paramGroups[1]!.params[0]!, [1, 1, 1]);
      expect(() => opt.step()).toThrow(new OptionError(`${optName}.step: paramGroups[1]: Invalid learning rate: NaN (lr must be a finite number >= 0)`));
      expect(JSON.stringify(opt.stateDict().state)).toBe(before);
      expect(Array.from(a.data)).toEqual(aBefore);
    });

    it(`${optName}: a gradient sharing memory with a parameter is refused before any change`, () => {
      const a = param(), b = param();
      const opt = make([a, b]);
      grad(a, [1, 1, 1]);
      b.grad = new Tensor(a.data, [3]); // the update of a would overwrite b's gradient as it reads it
      expect(() => opt.step()).toThrow(new OptionError(
        `${optName}.step: paramGroups[0].params[1]: its gradient shares memory with a parameter, which the step would overwrite while reading it; give it a gradient of its own`,
      ));
      expect(Array.from(a.data)).toEqual([1, -2, 3]);
      expect(opt.state.size).toBe(0);
    });
  }

  it('SGD with momentum: first step copies the gradient into the buffer (PyTorch)', () => {
    const a = param([0]);
    const opt = new SGD([a], { lr: 1, momentum: 0.9, dampening: 0.5 });
    grad(a, [1]);
    opt.step();
    expect(a.data[0]).toBe(-1);
    opt.step();
    // buf = 0.9·1 + 0.5·1 = 1.4
    expect(a.data[0]).toBeCloseTo(-2.4, 6);
  });

  it('AdamW decays decoupled from the gradient, Adam adds the L2 term to it', () => {
    const a = param([1]), b = param([1]);
    const adamw = new AdamW([a], { lr: 0.1, weightDecay: 0.5 });
    const adam = new Adam([b], { lr: 0.1, weightDecay: 0.5 });
    grad(a, [0]);
    grad(b, [0]);
    adamw.step();
    adam.step();
    // AdamW: zero gradient → only the decay θ·(1 − lr·λ) = 0.95 (m = 0 → no Adam move).
    expect(a.data[0]).toBe(Math.fround(0.95));
    // Adam: the gradient becomes λθ = 0.5 → a full first step of lr.
    expect(b.data[0]).toBeCloseTo(0.9, 6);
  });
});
