/**
 * State dicts: an optimiser and its scheduler saved mid-run through JSON and loaded into fresh
 * instances continue exactly as the uninterrupted run (parameters bitwise, lrs exactly); loading a
 * bad state dict throws a clear error and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { FormatError, KeelError } from '../../src/errors.js';
import {
  Adam,
  AdamW,
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
} from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { AnyScheduler } from './helpers.js';

const SHAPES = [[2, 3], [4], [3, 1, 2]];

function makeParams(values?: number[][]): Tensor[] {
  return SHAPES.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const data = values ? Float32Array.from(values[i]!) : Float32Array.from({ length: n }, (_, k) => Math.cos(1.7 * k + i) * (i + 1));
    return new Tensor(data, s, { requiresGrad: true });
  });
}

/** Deterministic gradients; parameter 2 has none at step 2. */
function setGrads(params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    if (i === 2 && step === 2) {
      p.grad = null;
      return;
    }
    const g = Float32Array.from({ length: p.numel }, (_, k) => Math.sin(1.3 * step + 0.7 * k + i) * (i === 1 ? 1e-3 : 1));
    p.grad = new Tensor(g, p.shape);
  });
}

const metric = (step: number) => [1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85][step]!;

interface Scenario {
  name: string;
  optimizer(params: Tensor[]): Optimizer;
  scheduler(opt: Optimizer): AnyScheduler;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'SGD nesterov + weightDecay, StepLR',
    optimizer: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }),
    scheduler: (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
  },
  {
    name: 'SGD groups with dampening, MultiStepLR',
    optimizer: (p) => new SGD([{ params: [p[0]!], lr: 0.2 }, { params: [p[1]!, p[2]!], dampening: 0.5 }], { lr: 0.05, momentum: 0.8 }),
    scheduler: (o) => new MultiStepLR(o, { milestones: [2, 5, 5, 8], gamma: 0.5 }),
  },
  {
    name: 'SGD, CosineAnnealingLR',
    optimizer: (p) => new SGD(p, { lr: 0.1 }),
    scheduler: (o) => new CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 }),
  },
  {
    name: 'SGD, LambdaLR',
    optimizer: (p) => new SGD(p, { lr: 0.1, momentum: 0.5 }),
    scheduler: (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) }),
  },
  {
    name: 'Adam amsgrad, OneCycleLR (beta1 cycled)',
    optimizer: (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 1e-3 }),
    scheduler: (o) => new OneCycleLR(o, { maxLr: 0.05, totalSteps: 12 }),
  },
  {
    name: 'Adam, ReduceLROnPlateau',
    optimizer: (p) => new Adam(p, { lr: 0.01 }),
    scheduler: (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 }),
  },
  {
    name: 'AdamW groups, SequentialLR(LinearLR → CosineAnnealingLR)',
    optimizer: (p) => new AdamW([{ params: [p[0]!, p[1]!] }, { params: [p[2]!], weightDecay: 0, lr: 0.02 }], { lr: 0.01 }),
    scheduler: (o) => new SequentialLR(o, [new LinearLR(o, { startFactor: 0.25, totalIters: 3 }), new CosineAnnealingLR(o, { tMax: 6 })], [3]),
  },
  {
    name: 'AdamW, SequentialLR(ConstantLR → ExponentialLR → StepLR)',
    optimizer: (p) => new AdamW(p, { lr: 0.01, amsgrad: true }),
    scheduler: (o) =>
      new SequentialLR(o, [new ConstantLR(o, { factor: 0.5, totalIters: 2 }), new ExponentialLR(o, { gamma: 0.8 }), new StepLR(o, { stepSize: 2 })], [2, 6]),
  },
];

const TOTAL = 10;

function stepScheduler(s: AnyScheduler, step: number): void {
  if (s instanceof ReduceLROnPlateau) s.step(metric(step));
  else s.step();
}

function trainStep(params: Tensor[], opt: Optimizer, sched: AnyScheduler, step: number): void {
  opt.zeroGrad();
  setGrads(params, step);
  opt.step();
  stepScheduler(sched, step);
}

function bytes(params: Tensor[]): number[][] {
  return params.map((p) => Array.from(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
}

describe('state dict round trip through JSON', () => {
  for (const sc of SCENARIOS) {
    for (const at of [0, 4, 7]) {
      it(`${sc.name}: saved after ${at} steps, resumed = uninterrupted (bitwise)`, () => {
        // Uninterrupted.
        const p1 = makeParams();
        const o1 = sc.optimizer(p1);
        const s1 = sc.scheduler(o1);
        const lrs1: number[][] = [];
        for (let step = 0; step < TOTAL; step++) {
          trainStep(p1, o1, s1, step);
          lrs1.push(o1.paramGroups.map((g) => g.lr));
        }
        // Interrupted at `at`: checkpoint through JSON, rebuild, load, continue.
        const p2 = makeParams();
        const o2 = sc.optimizer(p2);
        const s2 = sc.scheduler(o2);
        for (let step = 0; step < at; step++) trainStep(p2, o2, s2, step);
        const text = JSON.stringify({ params: p2.map((p) => Array.from(p.data)), opt: o2.stateDict(), sched: s2.stateDict() });
        const ck = JSON.parse(text) as { params: number[][]; opt: Record<string, unknown>; sched: Record<string, unknown> };
        // The state dicts are plain JSON data: nothing is lost in the text.
        expect(ck.opt).toEqual(o2.stateDict());
        const p3 = makeParams(ck.params);
        const o3 = sc.optimizer(p3);
        const s3 = sc.scheduler(o3);
        o3.loadStateDict(ck.opt);
        s3.loadStateDict(ck.sched);
        expect(o3.stateDict()).toEqual(o2.stateDict());
        expect(s3.stateDict()).toEqual(s2.stateDict());
        expect(s3.getLastLr()).toEqual(s2.getLastLr());
        const lrs3: number[][] = lrs1.slice(0, at);
        for (let step = at; step < TOTAL; step++) {
          trainStep(p3, o3, s3, step);
          lrs3.push(o3.paramGroups.map((g) => g.lr));
        }
        expect(bytes(p3)).toEqual(bytes(p1));
        expect(lrs3).toEqual(lrs1);
        expect(o3.stateDict()).toEqual(o1.stateDict());
        expect(s3.stateDict()).toEqual(s1.stateDict());
      });
    }
  }

  it('the optimiser state dict has PyTorch structure with snake_case keys and plain values', () => {
    const p = makeParams();
    const opt = new Adam([{ params: [p[0]!] }, { params: [p[1]!, p[2]!], lr: 0.1, name: 'head' }], { amsgrad: true });
    new StepLR(opt, { stepSize: 2 });
    setGrads(p, 0);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.param_groups).toEqual([
      { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, initial_lr: 0.001, params: [0] },
      { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, name: 'head', initial_lr: 0.1, params: [1, 2] },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0', '1', '2']);
    expect(Object.keys(sd.state['0']!)).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
    expect(sd.state['0']!.step).toBe(1);
    expect(Array.isArray(sd.state['0']!.exp_avg)).toBe(true);
    // A snapshot: training on does not change it.
    const before = JSON.stringify(sd);
    setGrads(p, 1);
    opt.step();
    expect(JSON.stringify(sd)).toBe(before);
    // SGD keeps momentum_buffer null without momentum, as PyTorch.
    const sgd = new SGD([p[0]!], { lr: 0.1 });
    sgd.step();
    expect(sgd.stateDict().state).toEqual({ '0': { momentum_buffer: null } });
  });

  it('SGD loads an empty per-parameter state and starts its momentum buffer at the next step', () => {
    const [a] = makeParams();
    const opt = new SGD([a!], { lr: 0.1, momentum: 0.9 });
    opt.loadStateDict({ state: { '0': {} }, param_groups: [{ lr: 0.1, momentum: 0.9, params: [0] }] });
    setGrads([a!], 0);
    const g = Array.from(a!.grad!.data);
    opt.step();
    expect(opt.stateDict().state['0']!.momentum_buffer).toEqual(g);
  });

  it('ReduceLROnPlateau saves best = Infinity as a string that survives JSON', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    const s = new ReduceLROnPlateau(opt);
    const sd = JSON.parse(JSON.stringify(s.stateDict())) as Record<string, unknown>;
    expect(sd.best).toBe('Infinity');
    expect(sd.mode_worse).toBe('Infinity');
    const t = new ReduceLROnPlateau(opt);
    t.step(0.5);
    t.loadStateDict(sd);
    expect(t.best).toBe(Infinity);
    expect(t.lastEpoch).toBe(0);
  });
});

describe('loading a bad state dict throws and changes nothing', () => {
  function trained(): { params: Tensor[]; opt: Adam } {
    const params = makeParams();
    const opt = new Adam([{ params: [params[0]!, params[1]!] }, { params: [params[2]!], lr: 0.02 }], { lr: 0.01 });
    for (let s = 0; s < 4; s++) {
      setGrads(params, s);
      opt.step();
    }
    return { params, opt };
  }

  type SD = { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
  const cases: Array<[string, (sd: SD) => unknown, RegExp]> = [
    ['not an object', () => 'state', /expected an object/],
    ['param_groups not an array', (sd) => ({ ...sd, param_groups: {} }), /param_groups must be an array/],
    ['a different number of groups', (sd) => ({ ...sd, param_groups: [sd.param_groups[0]] }), /different number of parameter groups/],
    ['a group of another size', (sd) => {
      sd.param_groups[1]!.params = [2, 3];
      return sd;
    }, /doesn't match the size of optimizer's group/],
    ['an invalid lr', (sd) => {
      sd.param_groups[1]!.lr = -1;
      return sd;
    }, /Invalid learning rate: -1/],
    ['invalid betas', (sd) => {
      sd.param_groups[0]!.betas = [1, 0.999];
      return sd;
    }, /Invalid beta parameter at index 0: 1/],
    ['an option of the wrong type', (sd) => {
      sd.param_groups[0]!.amsgrad = 'yes';
      return sd;
    }, /amsgrad must be a boolean/],
    ['a buffer of the wrong length', (sd) => {
      (sd.state['2']!.exp_avg as number[]).pop();
      return sd;
    }, /exp_avg has 5 values, but the parameter \(shape \[3,1,2\]\) has 6/],
    ['a buffer with a non-number', (sd) => {
      (sd.state['2']!.exp_avg_sq as unknown[])[0] = null;
      return sd;
    }, /exp_avg_sq must be an array of numbers/],
    ['a buffer with a hole (a sparse array)', (sd) => {
      delete (sd.state['2']!.exp_avg_sq as unknown[])[3];
      return sd;
    }, /exp_avg_sq must be an array of numbers/],
    ['a fractional step', (sd) => {
      sd.state['1']!.step = 2.5;
      return sd;
    }, /step must be a non-negative integer/],
    ['a missing buffer', (sd) => {
      delete sd.state['2']!.exp_avg_sq;
      return sd;
    }, /missing "exp_avg_sq"/],
    ['an unknown state key', (sd) => {
      sd.state['2']!.momentum_buffer = [1, 2, 3, 4, 5, 6];
      return sd;
    }, /unexpected key "momentum_buffer"/],
    ['state for a parameter index not in the groups', (sd) => {
      sd.state['7'] = sd.state['0']!;
      return sd;
    }, /no parameter with index 7/],
    ['a repeated parameter index', (sd) => {
      sd.param_groups[1]!.params = [0];
      return sd;
    }, /parameter index 0 appears more than once/],
  ];

  for (const [what, mutate, message] of cases) {
    it(`optimizer: ${what}`, () => {
      const { params, opt } = trained();
      const before = JSON.stringify(opt.stateDict());
      const dataBefore = params.map((p) => Array.from(p.data));
      const groupsBefore = opt.paramGroups.map((g) => ({ ...g }));
      const bad = mutate(JSON.parse(before) as SD);
      expect(() => opt.loadStateDict(bad as never)).toThrow(message);
      expect(() => opt.loadStateDict(bad as never)).toThrow(FormatError);
      expect(() => opt.loadStateDict(bad as never)).toThrow(KeelError);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
      expect(params.map((p) => Array.from(p.data))).toEqual(dataBefore);
      opt.paramGroups.forEach((g, i) => expect(g).toEqual(groupsBefore[i]));
    });
  }

  it('optimizer: accepts PyTorch-only group flags and drops them; missing options take the defaults', () => {
    const { opt } = trained();
    const sd = JSON.parse(JSON.stringify(opt.stateDict())) as SD;
    Object.assign(sd.param_groups[0]!, { foreach: null, capturable: false, differentiable: false, fused: false });
    delete sd.param_groups[1]!.maximize;
    sd.param_groups[1]!.lr = 0.5;
    opt.loadStateDict(sd as never);
    expect(opt.paramGroups[0]).not.toHaveProperty('foreach');
    expect(opt.paramGroups[1]!.lr).toBe(0.5);
    expect(opt.paramGroups[1]!.maximize).toBe(false);
  });

  it('scheduler: bad values, missing and unknown keys', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    const s = new StepLR(opt, { stepSize: 2 });
    s.step();
    const before = JSON.stringify(s.stateDict());
    const lrBefore = opt.paramGroups[0]!.lr;
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...JSON.parse(before), base_lrs: [0.1, 0.2] }, /base_lrs has 2 values, expected 1/],
      [{ ...JSON.parse(before), step_size: 0 }, /step_size must be an integer >= 1/],
      [{ ...JSON.parse(before), last_epoch: 'x' }, /last_epoch must be an integer/],
      [{ ...JSON.parse(before), gamma: null }, /gamma must be a finite number/],
      [{ ...JSON.parse(before), T_max: 3 }, /unexpected key "T_max"/],
      [(() => {
        const o = JSON.parse(before) as Record<string, unknown>;
        delete o._step_count;
        return o;
      })(), /missing key "_step_count"/],
    ];
    for (const [sd, message] of bad) {
      expect(() => s.loadStateDict(sd)).toThrow(message);
      expect(() => s.loadStateDict(sd)).toThrow(FormatError);
      expect(JSON.stringify(s.stateDict())).toBe(before);
      expect(opt.paramGroups[0]!.lr).toBe(lrBefore);
    }
    // PyTorch's extra attributes are tolerated.
    s.loadStateDict({ ...JSON.parse(before), verbose: false, _get_lr_called_within_step: false });
    expect(JSON.stringify(s.stateDict())).toBe(before);
  });

  it('SequentialLR: a bad child state leaves the parent and every child unchanged', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    const s = new SequentialLR(opt, [new LinearLR(opt), new CosineAnnealingLR(opt, { tMax: 5 })], [5]);
    s.step();
    s.step();
    const before = JSON.stringify(s.stateDict());
    const sd = JSON.parse(before) as { last_epoch: number; _schedulers: Array<Record<string, unknown>> };
    sd.last_epoch = 9;
    sd._schedulers[0]!.last_epoch = 9;
    sd._schedulers[1]!.T_max = -1;
    expect(() => s.loadStateDict(sd)).toThrow(/T_max must be an integer >= 1/);
    expect(JSON.stringify(s.stateDict())).toBe(before);
    const wrongCount = JSON.parse(before) as { _schedulers: unknown[] };
    wrongCount._schedulers.pop();
    expect(() => s.loadStateDict(wrongCount as never)).toThrow(/_schedulers must be an array of 2 scheduler states/);
  });

  it('ReduceLROnPlateau and OneCycleLR: bad values', () => {
    const opt = new Adam(makeParams(), { lr: 0.1 });
    const r = new ReduceLROnPlateau(opt);
    const rsd = r.stateDict();
    expect(() => r.loadStateDict({ ...rsd, best: 'lots' })).toThrow(/best must be a number/);
    expect(() => r.loadStateDict({ ...rsd, mode: 'avg' })).toThrow(/mode must be one of min, max/);
    expect(() => r.loadStateDict({ ...rsd, factor: 1.5 })).toThrow(/factor must be in \[0, 1\)/);
    expect(r.stateDict()).toEqual(rsd);
    const c = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 });
    const csd = c.stateDict();
    expect(csd._schedule_phases).toEqual([
      { end_step: 2, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: 9, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
    ]);
    const phases = JSON.parse(JSON.stringify(csd._schedule_phases)) as Array<Record<string, unknown>>;
    phases[0]!.start_lr = 'lr';
    expect(() => c.loadStateDict({ ...csd, _schedule_phases: phases })).toThrow(/start_lr must be one of initial_lr/);
    expect(() => c.loadStateDict({ ...csd, anneal_strategy: 'exp' })).toThrow(/anneal_strategy must be one of cos, linear/);
    expect(c.stateDict()).toEqual(csd);
  });
});
