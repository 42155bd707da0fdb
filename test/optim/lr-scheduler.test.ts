/**
 * Scheduler behaviour beyond the golden sequences: construction (initialLr, the initial step),
 * chaining with outside lr changes, resuming with lastEpoch, and option validation — a bad option
 * throws before the optimiser is touched.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, NonFiniteError, StateError } from '../../src/errors.js';
import {
  Adam,
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  Optimizer,
  type OptionSpec,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  type StateSpec,
  StepLR,
} from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const param = () => new Tensor(Float32Array.from([1, 2]), [2], { requiresGrad: true });
const sgd = (lr = 0.1, groups = 1) =>
  new SGD(Array.from({ length: groups }, (_, i) => ({ params: [param()], lr: lr * (i + 1) })), { lr, momentum: 0.9 });

describe('construction', () => {
  it('sets initialLr (once), records baseLrs and performs the initial step', () => {
    const opt = sgd(0.1, 2);
    const s = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    expect(s.baseLrs).toEqual([0.1, 0.2]);
    expect(s.lastEpoch).toBe(0);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.1]);
    expect(s.getLastLr()).toEqual([0.05, 0.1]);
    // A second scheduler keeps the first initialLr (PyTorch's setdefault).
    const t = new StepLR(opt, { stepSize: 1 });
    expect(t.baseLrs).toEqual([0.1, 0.2]);
  });

  it('is chainable: outside changes to lr compose with the schedule', () => {
    const opt = sgd(1);
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(opt.paramGroups[0]!.lr).toBe(0.5);
    opt.paramGroups[0]!.lr = 10;
    s.step();
    expect(opt.paramGroups[0]!.lr).toBe(5);
  });

  it('resumes with lastEpoch (needs initialLr on every group)', () => {
    expect(() => new StepLR(sgd(), { stepSize: 2, lastEpoch: 3 })).toThrow(/param 'initialLr' is not specified in paramGroups\[0\]/);
    const opt = sgd(0.1);
    opt.paramGroups[0]!.initialLr = 0.1;
    opt.paramGroups[0]!.lr = 0.05;
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5, lastEpoch: 3 });
    // The initial step goes to epoch 4, a multiple of stepSize: 0.05 · 0.5.
    expect(s.lastEpoch).toBe(4);
    expect(opt.paramGroups[0]!.lr).toBe(0.025);
  });

  it('CosineAnnealingLR resumed mid-schedule uses the closed form on its first step', () => {
    const opt = sgd(1);
    opt.paramGroups[0]!.initialLr = 1;
    const s = new CosineAnnealingLR(opt, { tMax: 4, lastEpoch: 1 });
    expect(s.lastEpoch).toBe(2);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.5, 15);
  });

  it('SequentialLR(LinearLR → CosineAnnealingLR): warm-up, then cosine from the base lr', () => {
    const opt = sgd(1);
    const s = new SequentialLR(opt, [new LinearLR(opt, { startFactor: 0.25, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 2 })], [3]);
    const lrs = [opt.paramGroups[0]!.lr];
    for (let i = 0; i < 5; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
    }
    expect(lrs.map((x) => +x.toFixed(12))).toEqual([0.25, 0.5, 0.75, 1, 0.5, 0]);
  });

  it('OneCycleLR cycles Adam beta1 (and keeps beta2), SGD momentum', () => {
    const adam = new Adam([param()], { betas: [0.8, 0.99] });
    new OneCycleLR(adam, { maxLr: 0.1, totalSteps: 10 });
    expect(adam.paramGroups[0]!.betas).toEqual([0.95, 0.99]);
    expect(adam.paramGroups[0]).toMatchObject({ initialLr: 0.004, maxLr: 0.1, maxMomentum: 0.95, baseMomentum: 0.85 });
    expect(adam.paramGroups[0]!.minLr).toBeCloseTo(4e-7, 20);
    const opt = sgd();
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 10, pctStart: 0.5, annealStrategy: 'linear' });
    for (let i = 0; i < 4; i++) s.step();
    expect(opt.paramGroups[0]!.lr).toBe(1);
    expect(opt.paramGroups[0]!.momentum).toBeCloseTo(0.85, 15);
  });

  it('ReduceLROnPlateau accepts a one-element tensor as the metric and respects minLr and eps', () => {
    const opt = sgd(0.1);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, minLr: 0.04 });
    s.step(new Tensor(Float32Array.from([1]), []));
    s.step(1);
    expect(opt.paramGroups[0]!.lr).toBe(0.05);
    s.step(1);
    expect(opt.paramGroups[0]!.lr).toBe(0.04);
    expect(s.getLastLr()).toEqual([0.04]);
    expect(() => s.step('1' as never)).toThrow(/the metric must be a number or a one-element Tensor/);
  });

  it('ReduceLROnPlateau: a NaN or infinite metric is a NonFiniteError and changes nothing (PyTorch counts NaN as a bad epoch)', () => {
    const opt = sgd(0.1);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(1);
    const before = JSON.stringify(s.stateDict());
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => s.step(bad)).toThrow(new NonFiniteError(`ReduceLROnPlateau.step: the metric must be finite, got ${bad}; nothing was changed`));
      expect(() => s.step(new Tensor(Float32Array.of(bad), []))).toThrow(KeelError);
    }
    expect(JSON.stringify(s.stateDict())).toBe(before);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
  });
});

describe('option validation', () => {
  class NoMomentum extends Optimizer<{ lr: number }> {
    constructor(params: Tensor[]) {
      super(params, { lr: 0.1 });
    }
    protected optionSpecs(): readonly OptionSpec[] {
      return [{ name: 'lr', kind: 'number' }];
    }
    protected stateSpecs(): readonly StateSpec[] {
      return [];
    }
    step<T>(closure?: () => T): T | undefined {
      return closure?.();
    }
  }

  const bad: Array<[string, (opt: SGD) => unknown, RegExp]> = [
    ['not an optimizer', () => new StepLR({} as never, { stepSize: 1 }), /^StepLR: optimizer must be an Optimizer, got Object$/],
    ['StepLR stepSize 0', (o) => new StepLR(o, { stepSize: 0 }), /StepLR: invalid stepSize: 0 \(must be >= 1\)/],
    ['StepLR stepSize 1.5', (o) => new StepLR(o, { stepSize: 1.5 }), /StepLR: stepSize must be an integer, got 1.5/],
    ['StepLR stepSize missing', (o) => new StepLR(o, {} as never), /stepSize must be an integer, got undefined/],
    ['StepLR gamma NaN', (o) => new StepLR(o, { stepSize: 1, gamma: NaN }), /gamma must be a finite number, got NaN/],
    ['StepLR unknown option', (o) => new StepLR(o, { stepSize: 1, step_size: 2 } as never), /unknown option "step_size"/],
    ['MultiStepLR decreasing milestones', (o) => new MultiStepLR(o, { milestones: [5, 2] }), /milestones must be non-decreasing/],
    ['MultiStepLR negative milestone', (o) => new MultiStepLR(o, { milestones: [-1] }), /milestones must be an array of non-negative integers/],
    ['ExponentialLR gamma < 0', (o) => new ExponentialLR(o, { gamma: -0.5 }), /invalid gamma: -0.5 \(must be >= 0\)/],
    ['LinearLR startFactor 0', (o) => new LinearLR(o, { startFactor: 0 }), /invalid startFactor: 0 \(must be > 0 and <= 1\)/],
    ['LinearLR startFactor > 1', (o) => new LinearLR(o, { startFactor: 1.5 }), /invalid startFactor: 1.5/],
    ['LinearLR endFactor > 1', (o) => new LinearLR(o, { endFactor: 2 }), /invalid endFactor: 2 \(must be >= 0 and <= 1\)/],
    ['LinearLR totalIters < 0', (o) => new LinearLR(o, { totalIters: -1 }), /invalid totalIters: -1/],
    ['ConstantLR factor 0', (o) => new ConstantLR(o, { factor: 0 }), /invalid factor: 0/],
    ['CosineAnnealingLR tMax 0', (o) => new CosineAnnealingLR(o, { tMax: 0 }), /invalid tMax: 0 \(must be >= 1\)/],
    ['CosineAnnealingLR etaMin < 0', (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: -1 }), /invalid etaMin: -1/],
    ['LambdaLR not a function', (o) => new LambdaLR(o, { lrLambda: 0.5 as never }), /lrLambda must be a function, got 0.5/],
    ['LambdaLR wrong count', (o) => new LambdaLR(o, { lrLambda: [() => 1, () => 1] }), /expected 1 lrLambdas \(one per param group\), but got 2/],
    ['LambdaLR returning a non-number', (o) => new LambdaLR(o, { lrLambda: () => '1' as never }), /returned "1", expected a number/],
    ['SequentialLR milestone count', (o) => new SequentialLR(o, [new LinearLR(o), new StepLR(o, { stepSize: 1 })], [2, 4]), /number of schedulers provided to be one more than the number of milestone points/],
    ['SequentialLR another optimizer', (o) => new SequentialLR(o, [new LinearLR(sgd())], []), /all schedulers to belong to the same optimizer/],
    ['SequentialLR nested plateau', (o) => new SequentialLR(o, [new ReduceLROnPlateau(o) as never], []), /not an LRScheduler/],
    ['SequentialLR decreasing milestones', (o) => new SequentialLR(o, [new LinearLR(o), new LinearLR(o), new LinearLR(o)], [4, 2]), /strictly increasing/],
    ['OneCycleLR without steps', (o) => new OneCycleLR(o, { maxLr: 0.1 }), /You must define either totalSteps OR \(epochs AND stepsPerEpoch\)/],
    ['OneCycleLR totalSteps 0', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 0 }), /invalid totalSteps: 0/],
    ['OneCycleLR epochs without stepsPerEpoch', (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 3 }), /stepsPerEpoch must be an integer, got undefined/],
    ['OneCycleLR pctStart > 1', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }), /invalid pctStart: 1.5 \(must be >= 0 and <= 1\)/],
    ['OneCycleLR empty warm-up', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }), /leaves the warm-up phase without steps/],
    ['OneCycleLR annealStrategy', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as never }), /annealStrategy must be one of 'cos', 'linear', got "exp"/],
    ['OneCycleLR maxLr per group count', (o) => new OneCycleLR(o, { maxLr: [0.1, 0.2], totalSteps: 10 }), /expected 1 values for maxLr, got 2/],
    ['OneCycleLR divFactor 0', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, divFactor: 0 }), /invalid divFactor: 0 \(must be > 0\)/],
    ['OneCycleLR momentum without support', () => new OneCycleLR(new NoMomentum([param()]), { maxLr: 0.1, totalSteps: 10 }), /optimizer must support momentum with `cycleMomentum` option enabled/],
    ['ReduceLROnPlateau factor 1', (o) => new ReduceLROnPlateau(o, { factor: 1 }), /Factor should be < 1.0/],
    ['ReduceLROnPlateau factor < 0', (o) => new ReduceLROnPlateau(o, { factor: -0.1 }), /invalid factor: -0.1/],
    ['ReduceLROnPlateau mode', (o) => new ReduceLROnPlateau(o, { mode: 'avg' as never }), /mode must be one of 'min', 'max', got "avg"/],
    ['ReduceLROnPlateau thresholdMode', (o) => new ReduceLROnPlateau(o, { thresholdMode: 'pct' as never }), /thresholdMode must be one of 'rel', 'abs'/],
    ['ReduceLROnPlateau patience', (o) => new ReduceLROnPlateau(o, { patience: -1 }), /invalid patience: -1/],
    ['ReduceLROnPlateau minLr count', (o) => new ReduceLROnPlateau(o, { minLr: [0, 0] }), /expected 1 values for minLr, got 2/],
    ['ReduceLROnPlateau unknown option', (o) => new ReduceLROnPlateau(o, { min_lr: 0 } as never), /unknown option "min_lr"/],
  ];
  // Failures after the optimiser was legitimately changed: SequentialLR's children were built first;
  // a lambda fails in the initial step (as in PyTorch).
  const changesFirst = new Set(['SequentialLR milestone count', 'SequentialLR decreasing milestones', 'LambdaLR returning a non-number']);
  for (const [what, make, message] of bad) {
    it(`${what}: throws${changesFirst.has(what) ? '' : ', optimizer untouched'}`, () => {
      const opt = sgd(0.1);
      const before = JSON.stringify(opt.paramGroups.map(({ params: _p, ...rest }) => rest));
      expect(() => make(opt)).toThrow(message);
      if (!changesFirst.has(what)) expect(JSON.stringify(opt.paramGroups.map(({ params: _p, ...rest }) => rest))).toBe(before);
    });
  }

  it('OneCycleLR raises past totalSteps, as PyTorch', () => {
    const s = new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    expect(() => s.step()).toThrow(/Tried to step 5 times. The specified number of total steps is 3/);
    expect(() => s.step()).toThrow(StateError);
    expect(() => s.step()).toThrow(KeelError);
  });
});
