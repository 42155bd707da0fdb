/**
 * Optimisers and schedules as data (the worker-training path of fit): describe → structuredClone →
 * rebuild on a fresh copy of the model (nn.fromJSON + loadStateDict), then the same training steps
 * on both give bitwise the same parameters and the same lrs at every step; the rebuilt pair's state
 * loads back into the original, which then continues as the rebuilt one. What cannot move is
 * reported as a reason; bad specs and registrations throw.
 */
import { describe, expect, it } from 'vitest';
import { FormatError, KeelError, OptionError, StateError } from '../../src/errors.js';
import * as F from '../../src/functional/index.js';
import * as nn from '../../src/nn/index.js';
import {
  Adam,
  AdamW,
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LRScheduler,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  type OptimizerSpec,
  ReduceLROnPlateau,
  SGD,
  type Scheduler,
  type SchedulerSpec,
  SequentialLR,
  StepLR,
  describeOptimizer,
  describeScheduler,
  optimizerTypeModule,
  rebuildOptimizer,
  rebuildScheduler,
  registerOptimizerType,
  registerSchedulerType,
  schedulerSpecModules,
  schedulerTypeModule,
  unregisterOptimizerType,
  unregisterSchedulerType,
  weightDecayGroups,
} from '../../src/optim/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { bytes, input } from '../nn/helpers.js';

/** Conv1d(2→3, k3, no bias) → BatchNorm1d(3) → ReLU → Flatten → Linear(9→1), seeded. */
function makeModel(): nn.Module {
  manualSeed(7);
  return new nn.Sequential(new nn.Conv1d(2, 3, 3, { bias: false }), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(9, 1));
}

/** The worker's copy: rebuilt from the architecture JSON and the state dict, through structuredClone. */
function copyModel(model: nn.Module): nn.Module {
  const copy = nn.fromJSON(structuredClone(model.toJSON()));
  copy.loadStateDict(structuredClone(model.stateDict()));
  return copy;
}

/** A validation metric for ReduceLROnPlateau: improves, stalls, improves, stalls. */
const metric = (t: number) => [1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.7, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75][t]!;

interface Run {
  model: nn.Module;
  opt: Optimizer;
  sched?: Scheduler;
  /** Training steps taken (selects the batch and the metric). */
  t: number;
}

/** One training step on batch t (a real forward/backward in training mode), then the schedule's step. */
function trainStep(run: Run): void {
  const { model, opt, sched } = run;
  model.train();
  opt.zeroGrad();
  const x = input([4, 2, 5], 11 + run.t), y = input([4, 1], 101 + run.t);
  F.mseLoss(model.forward(x), y).backward();
  opt.step();
  if (sched instanceof ReduceLROnPlateau) sched.step(metric(run.t));
  else sched?.step();
  run.t++;
}

function groupOptions(opt: Optimizer): Array<Record<string, unknown>> {
  return opt.paramGroups.map(({ params: _params, ...rest }) => rest);
}

/** Parameters and buffers bitwise, every group option and lr exactly, the schedule's last lrs. */
function expectSameRun(got: Run, want: Run, what: string): void {
  const g = new Map([...got.model.namedParameters(), ...got.model.namedBuffers()].map(([k, t]) => [k, t.data]));
  const w = [...want.model.namedParameters(), ...want.model.namedBuffers()];
  expect([...g.keys()], what).toEqual(w.map(([k]) => k));
  for (const [k, t] of w) expect(Buffer.compare(Buffer.from(bytes(g.get(k)!)), Buffer.from(bytes(t.data))), `${what}: ${k} differs bitwise`).toBe(0);
  expect(groupOptions(got.opt), `${what}: group options`).toEqual(groupOptions(want.opt));
  if (want.sched) expect(got.sched!.getLastLr(), `${what}: getLastLr`).toEqual(want.sched.getLastLr());
}

function spec<T extends object>(d: T | { reason: string }): T {
  if ('reason' in d) throw new Error(`unexpected reason: ${d.reason}`);
  return d;
}

interface Scenario {
  name: string;
  optimizer(model: nn.Module): Optimizer;
  scheduler?(opt: Optimizer): Scheduler;
  /** Steps before describing (mid-run). */
  before: number;
}

const sgdMomentum = (m: nn.Module) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 });
const sgdNesterov = (m: nn.Module) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
const adamAmsgrad = (m: nn.Module) => new Adam(m.parameters(), { lr: 0.01, amsgrad: true, weightDecay: 1e-3 });
const adamwGroups = (m: nn.Module) => new AdamW(weightDecayGroups(m, 0.05), { lr: 0.01, betas: [0.8, 0.99] });

const SCENARIOS: Scenario[] = [
  { name: 'SGD momentum + dampening', optimizer: sgdMomentum, before: 3 },
  { name: 'SGD nesterov', optimizer: sgdNesterov, before: 3 },
  { name: 'Adam amsgrad', optimizer: adamAmsgrad, before: 3 },
  { name: 'AdamW weightDecayGroups (two groups)', optimizer: adamwGroups, before: 3 },
  { name: 'StepLR', optimizer: sgdNesterov, scheduler: (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }), before: 3 },
  { name: 'MultiStepLR', optimizer: adamAmsgrad, scheduler: (o) => new MultiStepLR(o, { milestones: [2, 5, 5, 7], gamma: 0.3 }), before: 3 },
  { name: 'ExponentialLR', optimizer: sgdMomentum, scheduler: (o) => new ExponentialLR(o, { gamma: 0.8 }), before: 3 },
  { name: 'ConstantLR', optimizer: adamwGroups, scheduler: (o) => new ConstantLR(o, { factor: 0.5, totalIters: 5 }), before: 3 },
  { name: 'LinearLR', optimizer: adamwGroups, scheduler: (o) => new LinearLR(o, { startFactor: 0.2, totalIters: 6 }), before: 3 },
  { name: 'CosineAnnealingLR (past tMax)', optimizer: sgdNesterov, scheduler: (o) => new CosineAnnealingLR(o, { tMax: 3, etaMin: 1e-3 }), before: 3 },
  {
    name: 'SequentialLR(LinearLR → CosineAnnealingLR)',
    optimizer: adamwGroups,
    scheduler: (o) => new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(o, { tMax: 5 })], [3]),
    before: 2,
  },
  { name: 'OneCycleLR mid-cycle (SGD momentum cycled)', optimizer: sgdNesterov, scheduler: (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 20 }), before: 5 },
  {
    name: 'OneCycleLR mid-cycle (AdamW beta1 cycled, per-group maxLr, three phases)',
    optimizer: adamwGroups,
    scheduler: (o) => new OneCycleLR(o, { maxLr: [0.02, 0.05], totalSteps: 20, threePhase: true, annealStrategy: 'linear' }),
    before: 5,
  },
  {
    name: 'ReduceLROnPlateau',
    optimizer: adamAmsgrad,
    scheduler: (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1, threshold: 0.01, minLr: 1e-4 }),
    before: 3,
  },
];

describe('describe → structuredClone → rebuild continues exactly', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, () => {
      const model = makeModel();
      const opt = sc.optimizer(model);
      const a: Run = { model, opt, ...(sc.scheduler ? { sched: sc.scheduler(opt) } : {}), t: 0 };
      for (let i = 0; i < sc.before; i++) trainStep(a);

      const os = structuredClone(spec(describeOptimizer(a.opt, a.model)));
      const ss = a.sched ? structuredClone(spec(describeScheduler(a.sched))) : undefined;
      const model2 = copyModel(a.model);
      const opt2 = rebuildOptimizer(os, model2);
      const b: Run = { model: model2, opt: opt2, ...(ss ? { sched: rebuildScheduler(ss, opt2) } : {}), t: a.t };

      expect(b.opt).toBeInstanceOf(a.opt.constructor);
      expect(b.opt.stateDict()).toEqual(a.opt.stateDict());
      if (a.sched) {
        expect(b.sched).toBeInstanceOf(a.sched.constructor);
        expect(b.sched!.stateDict()).toEqual(a.sched.stateDict());
      }
      expectSameRun(b, a, 'right after the rebuild');

      // The same steps on both: bitwise the same parameters, the same lrs, at every step.
      const lrs = new Set<number>();
      const first = Float32Array.from(a.model.parameters()[0]!.data);
      for (let k = 0; k < 6; k++) {
        trainStep(a);
        trainStep(b);
        expectSameRun(b, a, `step ${a.t}`);
        a.opt.paramGroups.forEach((g) => lrs.add(g.lr));
      }
      expect(Buffer.compare(Buffer.from(bytes(first)), Buffer.from(bytes(a.model.parameters()[0]!.data))), 'training moved the weights').not.toBe(0);
      if (a.sched) expect(lrs.size, 'the schedule changed the lr during the compared steps').toBeGreaterThan(1);

      // Back: the rebuilt pair trains on alone, then its state loads into the original's instances.
      trainStep(b);
      trainStep(b);
      a.model.loadStateDict(structuredClone(b.model.stateDict()));
      a.opt.loadStateDict(structuredClone(b.opt.stateDict()));
      if (a.sched) a.sched.loadStateDict(structuredClone(b.sched!.stateDict()));
      a.t = b.t;
      expectSameRun(a, b, 'after loading back');
      for (let k = 0; k < 3; k++) {
        trainStep(a);
        trainStep(b);
        expectSameRun(a, b, `step ${a.t} after loading back`);
      }
    });
  }
});

describe('what a description holds', () => {
  it('AdamW on weightDecayGroups: parameters by name, every group option, defaults, the state dict', () => {
    const model = makeModel();
    const opt = adamwGroups(model);
    const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 });
    const d = spec(describeOptimizer(opt, model));
    expect(d.type).toBe('AdamW');
    expect(d.groups.map((g) => g.params)).toEqual([['0.weight', '4.weight'], ['1.weight', '1.bias', '4.bias']]);
    expect(d.groups[0]!.options.weightDecay).toBe(0.05);
    expect(d.groups[1]!.options.weightDecay).toBe(0);
    // OneCycleLR's keys on the groups travel with them.
    expect(d.groups[1]!.options).toMatchObject({ initialLr: 0.1 / 25, maxLr: 0.1, minLr: 0.1 / 25 / 1e4, maxMomentum: 0.95, baseMomentum: 0.85, betas: [0.95, 0.99] });
    expect(d.defaults).toEqual({ lr: 0.01, betas: [0.8, 0.99], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false, allowNonFinite: false });
    expect(d.state).toEqual(opt.stateDict());
    // A snapshot: later changes to the optimiser do not reach it.
    sched.step();
    expect(d.groups[1]!.options.betas).toEqual([0.95, 0.99]);
    expect(opt.paramGroups[1]!.betas[0]).not.toBe(0.95);
  });

  it('schedules: type, the options as given, the state dict; SequentialLR describes its children', () => {
    const model = makeModel();
    const opt = sgdNesterov(model);
    const sched = new SequentialLR(opt, [new LinearLR(opt, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 5 })], [3]);
    const d = spec(describeScheduler(sched));
    expect(d).toEqual({
      type: 'SequentialLR',
      options: { schedulers: [{ type: 'LinearLR', options: { startFactor: 0.1, totalIters: 3 } }, { type: 'CosineAnnealingLR', options: { tMax: 5 } }], milestones: [3] },
      state: sched.stateDict(),
    });
    const plateau = new ReduceLROnPlateau(opt, { mode: 'max', patience: 2 });
    expect(plateau.toJSON()).toEqual({ type: 'ReduceLROnPlateau', options: { mode: 'max', patience: 2 } });
    expect(JSON.parse(JSON.stringify(new StepLR(opt, { stepSize: 4 })))).toEqual({ type: 'StepLR', options: { stepSize: 4 } });
    // ±Infinity in ReduceLROnPlateau's state survives (as strings).
    expect(spec(describeScheduler(plateau)).state.best).toBe('-Infinity');
  });

  it('interval: OneCycleLR per batch, every other built-in per epoch', () => {
    const opt = sgdNesterov(makeModel());
    const lin = () => new LinearLR(opt, { totalIters: 2 });
    const intervals = {
      StepLR: new StepLR(opt, { stepSize: 2 }).interval,
      MultiStepLR: new MultiStepLR(opt, { milestones: [2] }).interval,
      ExponentialLR: new ExponentialLR(opt, { gamma: 0.9 }).interval,
      LambdaLR: new LambdaLR(opt, { lrLambda: () => 1 }).interval,
      ConstantLR: new ConstantLR(opt).interval,
      LinearLR: lin().interval,
      CosineAnnealingLR: new CosineAnnealingLR(opt, { tMax: 3 }).interval,
      SequentialLR: new SequentialLR(opt, [lin(), lin()], [2]).interval,
      ReduceLROnPlateau: new ReduceLROnPlateau(opt).interval,
      OneCycleLR: new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 }).interval,
    };
    expect(intervals).toEqual({
      StepLR: 'epoch', MultiStepLR: 'epoch', ExponentialLR: 'epoch', LambdaLR: 'epoch', ConstantLR: 'epoch', LinearLR: 'epoch',
      CosineAnnealingLR: 'epoch', SequentialLR: 'epoch', ReduceLROnPlateau: 'epoch', OneCycleLR: 'batch',
    });
  });
});

describe('what cannot move is a reason, not an error', () => {
  it('LambdaLR, alone or inside SequentialLR: its function cannot move', () => {
    const opt = sgdNesterov(makeModel());
    const lambda = new LambdaLR(opt, { lrLambda: (e) => 0.9 ** e });
    const r = describeScheduler(lambda);
    expect('reason' in r && r.reason).toMatch(/^LambdaLR cannot be described as data: its lrLambda is a function, and functions cannot move to another thread/);
    const seq = new SequentialLR(opt, [new LinearLR(opt, { totalIters: 2 }), new LambdaLR(opt, { lrLambda: () => 1 })], [2]);
    const r2 = describeScheduler(seq);
    expect('reason' in r2 && r2.reason).toMatch(/^SequentialLR's schedulers\[1\]: LambdaLR cannot be described as data/);
  });

  it('a parameter that is not the model\'s', () => {
    const model = makeModel();
    const extra = new Tensor(new Float32Array(3), [3], { requiresGrad: true });
    const opt = new SGD([{ params: model.parameters() }, { params: [extra], lr: 0.1 }], { lr: 0.05 });
    const r = describeOptimizer(opt, model);
    expect(r).toEqual({ reason: "the optimizer's param group 1 holds a tensor (params[0], shape [3]) that is not a parameter of the model" });
    // Described against another model (the copy), the parameters are not the same tensors either.
    const r2 = describeOptimizer(sgdNesterov(model), copyModel(model));
    expect('reason' in r2 && r2.reason).toMatch(/param group 0 holds a tensor \(params\[0\], shape \[3,2,3\]\) that is not a parameter/);
  });

  it('an unregistered Optimizer subclass, and one that takes a built-in\'s name', () => {
    class MyAdam extends Adam {}
    const model = makeModel();
    const r = describeOptimizer(new MyAdam(model.parameters()), model);
    expect('reason' in r && r.reason).toMatch(/^the optimizer's class MyAdam is not a registered optimizer type, so it cannot be rebuilt from data \(register it: optim\.registerOptimizerType\('MyAdam'/);
    const Named = { SGD: class SGD extends Adam {} }.SGD;
    const r2 = describeOptimizer(new Named(model.parameters()), model);
    expect('reason' in r2 && r2.reason).toMatch(/^the optimizer's class SGD is not keel's SGD/);
  });

  it('a function or a tensor among the group options', () => {
    const model = makeModel();
    const withFn = new SGD([{ params: model.parameters(), lr: 0.1, onStep: () => 1 }]);
    expect(describeOptimizer(withFn, model)).toEqual({ reason: "the optimizer's param group 0 option onStep is a function, and functions cannot move to another thread" });
    const withTensor = new SGD([{ params: model.parameters(), lr: 0.1, tag: { mask: new Tensor(new Float32Array(1), [1]) } }]);
    expect(describeOptimizer(withTensor, model)).toEqual({
      reason: "the optimizer's param group 0 option tag.mask is a Tensor (plain numbers or arrays can move; tensors cannot)",
    });
  });

  it('an unregistered scheduler class, and a user scheduler without toJSON', () => {
    class HalfStepLR extends StepLR {}
    const opt = sgdNesterov(makeModel());
    const r = describeScheduler(new HalfStepLR(opt, { stepSize: 2 }));
    expect('reason' in r && r.reason).toMatch(/^HalfStepLR is not a registered scheduler type, so it cannot be rebuilt from data/);
    const plain: Scheduler = { optimizer: opt, interval: 'epoch', step: () => {}, getLastLr: () => [], stateDict: () => ({}), loadStateDict: () => {} };
    const r2 = describeScheduler(plain);
    expect('reason' in r2 && r2.reason).toMatch(/^Object cannot describe itself: it has no toJSON\(\)/);
  });
});

describe('user types', () => {
  it('a registered Optimizer subclass round-trips and reports its module', () => {
    class ScaledSGD extends SGD {}
    const url = 'file:///opt/app/scaled-sgd.js';
    registerOptimizerType('ScaledSGD', (params, defaults) => new ScaledSGD(params, defaults), { module: url });
    try {
      expect(optimizerTypeModule('ScaledSGD')).toBe(url);
      expect(optimizerTypeModule('SGD')).toBeUndefined();
      expect(() => registerOptimizerType('ScaledSGD', (p, d) => new ScaledSGD(p, d))).toThrow('registerOptimizerType: optimizer type "ScaledSGD" is already registered (pass { replace: true } to replace it)');
      const model = makeModel();
      const a: Run = { model, opt: new ScaledSGD(model.parameters(), { lr: 0.05, momentum: 0.5 }), t: 0 };
      trainStep(a);
      const model2 = copyModel(model);
      const b: Run = { model: model2, opt: rebuildOptimizer(structuredClone(spec(describeOptimizer(a.opt, model))), model2), t: a.t };
      expect(b.opt).toBeInstanceOf(ScaledSGD);
      for (let k = 0; k < 3; k++) {
        trainStep(a);
        trainStep(b);
        expectSameRun(b, a, `step ${a.t}`);
      }
    } finally {
      unregisterOptimizerType('ScaledSGD');
    }
    expect(optimizerTypeModule('ScaledSGD')).toBeUndefined();
  });

  it('a registered LRScheduler subclass inside SequentialLR: its module is listed, and it continues exactly', () => {
    /** Halves the lr every step. */
    class HalvingLR extends LRScheduler {
      constructor(optimizer: Optimizer, options: { lastEpoch?: number } = {}) {
        super(optimizer, options.lastEpoch, options);
        this.initialStep();
      }

      protected getLr(): number[] {
        return this.groupLrs().map((lr) => (this.lastEpoch === 0 ? lr : lr / 2));
      }
    }
    const url = 'file:///opt/app/halving.js';
    registerSchedulerType('HalvingLR', (o, options) => new HalvingLR(o, options), { module: url });
    try {
      expect(schedulerTypeModule('HalvingLR')).toBe(url);
      expect(schedulerTypeModule('StepLR')).toBeUndefined();
      const model = makeModel();
      const opt = adamAmsgrad(model);
      const a: Run = { model, opt, sched: new SequentialLR(opt, [new LinearLR(opt, { totalIters: 2 }), new HalvingLR(opt)], [2]), t: 0 };
      trainStep(a);
      const ss = structuredClone(spec(describeScheduler(a.sched!)));
      expect(schedulerSpecModules(ss)).toEqual([url]);
      expect(schedulerSpecModules(spec(describeScheduler(new StepLR(opt, { stepSize: 1 }))))).toEqual([]);
      const model2 = copyModel(model);
      const opt2 = rebuildOptimizer(structuredClone(spec(describeOptimizer(a.opt, model))), model2);
      const b: Run = { model: model2, opt: opt2, sched: rebuildScheduler(ss, opt2), t: a.t };
      for (let k = 0; k < 4; k++) {
        trainStep(a);
        trainStep(b);
        expectSameRun(b, a, `step ${a.t}`);
      }
      // LinearLR's 2/3 at step 1, kept by HalvingLR's start at the milestone (step 2), then halved 3 times.
      expect(a.sched!.getLastLr()[0]).toBeCloseTo((0.01 * 2) / 3 / 8, 17);
    } finally {
      unregisterSchedulerType('HalvingLR');
    }
  });
});

describe('bad input throws', () => {
  const model = makeModel();
  const opt = sgdNesterov(model);
  const good = (): OptimizerSpec => spec(describeOptimizer(opt, model));

  it('describe: arguments that are not an optimizer, a model or a scheduler', () => {
    expect(() => describeOptimizer({} as never, model)).toThrow(new OptionError('describeOptimizer: opt must be an Optimizer, got Object'));
    expect(() => describeOptimizer(opt, 3 as never)).toThrow(new OptionError('describeOptimizer: model must be a Module, got 3'));
    expect(() => describeScheduler(opt as never)).toThrow(/^describeScheduler: s must be a scheduler/);
    expect(() => describeOptimizer(opt, 3 as never)).toThrow(KeelError);
  });

  it('rebuildOptimizer: unknown type, unknown parameter name, malformed spec, a state that does not fit', () => {
    expect(() => rebuildOptimizer({ ...good(), type: 'Lion' }, model)).toThrow(new StateError('rebuildOptimizer: unknown optimizer type "Lion"; registered types: Adam, AdamW, SGD (import the module that registers it first)'));
    const renamed = good();
    renamed.groups[0]!.params[4] = '9.bias';
    expect(() => rebuildOptimizer(renamed, model)).toThrow(
      new FormatError('rebuildOptimizer: spec.groups[0].params[4]: "9.bias" is not a parameter of the model (its parameters are 0.weight, 1.weight, 1.bias, 4.weight, 4.bias)'),
    );
    expect(() => rebuildOptimizer({ ...good(), groups: 'all' } as never, model)).toThrow(new FormatError('rebuildOptimizer: spec.groups must be an array, got "all"'));
    expect(() => rebuildOptimizer({ ...good(), extra: 1 } as never, model)).toThrow(/^rebuildOptimizer: unknown option "extra"/);
    const { state: _state, ...noState } = good();
    expect(() => rebuildOptimizer(noState as never, model)).toThrow(new FormatError('rebuildOptimizer: spec.state is missing'));
    // A state from another optimiser type does not load.
    const adam: Run = { model, opt: adamAmsgrad(model), t: 0 };
    trainStep(adam);
    const adamState = spec(describeOptimizer(adam.opt, model)).state;
    expect(() => rebuildOptimizer({ ...good(), state: adamState }, model)).toThrow(new FormatError('SGD.loadStateDict: state["0"]: unexpected key "step" (SGD state has momentum_buffer)'));
    expect(() => rebuildOptimizer({ ...good(), state: adamState }, model)).toThrow(KeelError);
    expect(() => rebuildOptimizer({ ...good(), type: 'Lion' }, model)).toThrow(KeelError);
  });

  it('rebuildScheduler: unknown type, bad options, a bad state; the optimiser is left as it was', () => {
    const m = makeModel();
    const o = adamwGroups(m);
    const s = spec(describeScheduler(new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10 })));
    const before = structuredClone(groupOptions(o));
    expect(() => rebuildScheduler({ ...s, type: 'WarmupLR' }, o)).toThrow(/^rebuildScheduler: spec: unknown scheduler type "WarmupLR"; registered types: ConstantLR, CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau, SequentialLR, StepLR/);
    expect(() => rebuildScheduler({ ...s, options: { maxLr: 0.1 } }, o)).toThrow('OneCycleLR: You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    expect(() => rebuildScheduler({ ...s, state: { ...s.state, total_steps: 0 } }, o)).toThrow(/^OneCycleLR\.loadStateDict: total_steps must be an integer >= 1, got 0/);
    expect(groupOptions(o)).toEqual(before);
    const seq: SchedulerSpec = { type: 'SequentialLR', options: { schedulers: [{ type: 'StepLR' }], milestones: [] }, state: {} };
    expect(() => rebuildScheduler(seq, o)).toThrow(/^SequentialLR: options\.schedulers\[0\] must be \{ type: string, options: \{\} \}/);
  });

  it('register*Type: bad name, factory, options', () => {
    expect(() => registerOptimizerType('', () => opt)).toThrow(new OptionError('registerOptimizerType: name must be a non-empty string, got ""'));
    expect(() => registerOptimizerType('X', 'SGD' as never)).toThrow(new OptionError('registerOptimizerType: factory for "X" must be a function, got "SGD"'));
    expect(() => registerOptimizerType('X', () => opt, { modul: 'x' } as never)).toThrow(/^registerOptimizerType: unknown option "modul" \(options are replace, module\)/);
    expect(() => registerSchedulerType('X', () => new StepLR(opt, { stepSize: 1 }), { module: '' })).toThrow(new OptionError('registerSchedulerType: module must be a non-empty string (e.g. import.meta.url), got ""'));
    expect(() => registerSchedulerType('StepLR', () => new StepLR(opt, { stepSize: 1 }))).toThrow(new StateError('registerSchedulerType: scheduler type "StepLR" is already registered (pass { replace: true } to replace it)'));
    expect(() => registerSchedulerType('StepLR', () => new StepLR(opt, { stepSize: 1 }))).toThrow(KeelError);
    expect(() => registerOptimizerType('', () => opt)).toThrow(KeelError);
  });
});
