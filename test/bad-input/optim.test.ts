/**
 * Bad-input battery (issue 12) for the optimisers and schedules: SGD/Adam/AdamW constructors (NaN,
 * negative, non-number hyperparameters, typos, parameters that are not tensors or listed twice),
 * step() with NaN/Inf gradients (NonFiniteError, parameters and moments unchanged), loadStateDict
 * with malformed state (optimiser unchanged), the LR schedules' options, ReduceLROnPlateau.step with
 * a non-finite metric, and clipGradNorm/clipGradValue. Every number option of every optimiser (in
 * the options and in a parameter group) and of every schedule is tried as NaN and ±Infinity.
 */
import { NonFiniteError, OptionError, FormatError, optim, Tensor, tensor } from '../../src/index.js';
import { battery, type Case, type ErrorClass, optimizerState, states, tensorState } from './battery.js';

const bad = (v: unknown) => v as never;
const param = () => tensor([1, -2, 3, 0.5], [2, 2], { requiresGrad: true });
const params = () => [param(), tensor([0.1, 0.2], [2], { requiresGrad: true })];

const constructorCases: Case[] = (
  [
    ['SGD', (p: Tensor[], o: object) => new optim.SGD(p, o as never)],
    ['Adam', (p: Tensor[], o: object) => new optim.Adam(p, o as never)],
    ['AdamW', (p: Tensor[], o: object) => new optim.AdamW(p, o as never)],
  ] as const
).flatMap(([name, make]): Case[] => [
  { name: `${name}: lr -0.1`, call: () => make(params(), { lr: -0.1 }), error: OptionError, message: /lr/ },
  { name: `${name}: lr "0.1"`, call: () => make(params(), { lr: '0.1' }), error: OptionError, message: /lr/ },
  { name: `${name}: lr 1n`, call: () => make(params(), { lr: 1n }), error: OptionError, message: /lr/ },
  { name: `${name}: option typo weight_decay`, call: () => make(params(), { lr: 0.1, weight_decay: 0.1 }), error: OptionError, message: /weight_decay/ },
  { name: `${name}: option typo learningRate`, call: () => make(params(), { learningRate: 0.1 }), error: OptionError, message: /learningRate/ },
  { name: `${name}: no parameters`, call: () => make([], { lr: 0.1 }), error: OptionError, message: /param/ },
  { name: `${name}: a parameter that is a plain array`, call: () => make([bad([1, 2])], { lr: 0.1 }), error: OptionError, message: /param/ },
  { name: `${name}: a parameter listed twice`, call: () => { const p = param(); return make([p, p], { lr: 0.1 }); }, error: OptionError, message: /twice|more than once|duplicate/ },
  { name: `${name}: params a single Tensor (not iterable)`, call: () => make(bad(param()), { lr: 0.1 }), error: OptionError, message: /param/ },
  { name: `${name}: a group with an unknown key`, call: () => make(bad([{ params: params(), lrr: 0.1 }]), { lr: 0.1 }), error: OptionError, message: /lrr/ },
  { name: `${name}: a group with lr NaN`, call: () => make(bad([{ params: params(), lr: NaN }]), { lr: 0.1 }), error: OptionError, message: /lr/ },
]);
constructorCases.push(
  { name: 'SGD: momentum -0.9', call: () => new optim.SGD(params(), { lr: 0.1, momentum: -0.9 }), error: OptionError, message: /momentum/ },
  { name: 'SGD: nesterov "yes"', call: () => new optim.SGD(params(), { lr: 0.1, nesterov: bad('yes') }), error: OptionError, message: /nesterov/ },
  { name: 'SGD: nesterov without momentum', call: () => new optim.SGD(params(), { lr: 0.1, nesterov: true }), error: OptionError, message: /nesterov|momentum/ },
  { name: 'Adam: betas [0.9]', call: () => new optim.Adam(params(), { betas: bad([0.9]) }), error: OptionError, message: /betas/ },
  { name: 'Adam: betas [1, 0.999]', call: () => new optim.Adam(params(), { betas: [1, 0.999] }), error: OptionError, message: /beta/ },
  { name: 'Adam: eps -1e-8', call: () => new optim.Adam(params(), { eps: -1e-8 }), error: OptionError, message: /eps/ },
  { name: 'Adam: amsgrad 1', call: () => new optim.Adam(params(), { amsgrad: bad(1) }), error: OptionError, message: /amsgrad/ },
);

const NON_FINITE: Array<[string, number]> = [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];

/** Every number option of every optimiser NaN, Infinity and −Infinity — in the options and in a parameter group. */
const OPTIMIZER_NUMBERS: Array<[string, (p: unknown, o: object) => unknown, Record<string, unknown>, string[]]> = [
  ['SGD', (p, o) => new optim.SGD(bad(p), o as never), { lr: 0.1, momentum: 0.9 }, ['lr', 'momentum', 'dampening', 'weightDecay']],
  ['Adam', (p, o) => new optim.Adam(bad(p), o as never), {}, ['lr', 'eps', 'weightDecay', 'betas[0]', 'betas[1]']],
  ['AdamW', (p, o) => new optim.AdamW(bad(p), o as never), {}, ['lr', 'eps', 'weightDecay', 'betas[0]', 'betas[1]']],
];
constructorCases.push(...OPTIMIZER_NUMBERS.flatMap(([name, make, base, keys]) => keys.flatMap((key) => NON_FINITE.flatMap(([s, v]): Case[] => {
  const option = key.startsWith('betas') ? { betas: key === 'betas[0]' ? [v, 0.999] : [0.9, v] } : { [key]: v };
  const message = new RegExp(key.replace(/\[\d\]/, ''));
  return [
    { name: `${name}: ${key} ${s}`, call: () => make(params(), { ...base, ...option }), error: OptionError, message },
    { name: `${name}: a parameter group with ${key} ${s}`, call: () => make([{ params: params(), ...option }], base), error: OptionError, message },
  ];
}))));

/** An SGD with momentum and an Adam, each one step in, with gradients set by `grads` before step(). */
function stepped(kind: 'SGD' | 'Adam', grads: number[]) {
  const p = param();
  const opt = kind === 'SGD' ? new optim.SGD([p], { lr: 0.1, momentum: 0.9 }) : new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([0.5, 0.5, 0.5, 0.5], [2, 2]);
  opt.step();
  p.grad = tensor(grads, [2, 2]);
  return { call: () => opt.step(), state: states(tensorState(p), optimizerState(opt)) };
}

const stepCases: Case[] = (['SGD', 'Adam'] as const).flatMap((k): Case[] => [
  { name: `${k}.step with a NaN gradient`, ...stepped(k, [NaN, 0, 0, 0]), error: NonFiniteError, message: /grad|NaN/ },
  { name: `${k}.step with an Infinity gradient`, ...stepped(k, [0, Infinity, 0, 0]), error: NonFiniteError, message: /grad|Infinity/ },
  { name: `${k}.step with a -Infinity gradient last`, ...stepped(k, [0, 0, 0, -Infinity]), error: NonFiniteError, message: /grad|Infinity/ },
]);

function loaded(sd: unknown): Pick<Case, 'call' | 'state'> {
  const p = param();
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([0.5, 0.5, 0.5, 0.5], [2, 2]);
  opt.step();
  return { call: () => opt.loadStateDict(bad(sd)), state: states(tensorState(p), optimizerState(opt)) };
}
const good = (() => {
  const p = param();
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([1, 1, 1, 1], [2, 2]);
  opt.step();
  return JSON.parse(JSON.stringify(opt.stateDict())) as { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
})();
const edit = (f: (sd: typeof good) => void) => { const sd = structuredClone(good); f(sd); return sd; };

const loadCases: Case[] = [
  { name: 'loadStateDict null', ...loaded(null), error: FormatError, message: /state/ },
  { name: 'loadStateDict without param_groups', ...loaded({ state: {} }), error: FormatError, message: /param_groups/ },
  { name: 'loadStateDict exp_avg of the wrong length', ...loaded(edit((sd) => { sd.state['0']!.exp_avg = [1, 2, 3]; })), error: FormatError, message: /exp_avg/ },
  { name: 'loadStateDict exp_avg of strings', ...loaded(edit((sd) => { sd.state['0']!.exp_avg = ['a', 'b', 'c', 'd']; })), error: FormatError, message: /exp_avg/ },
  { name: 'loadStateDict step -1', ...loaded(edit((sd) => { sd.state['0']!.step = -1; })), error: FormatError, message: /step/ },
  { name: 'loadStateDict step NaN', ...loaded(edit((sd) => { sd.state['0']!.step = NaN; })), error: FormatError, message: /step/ },
  { name: 'loadStateDict group lr "fast"', ...loaded(edit((sd) => { sd.param_groups[0]!.lr = 'fast'; })), error: FormatError, message: /lr/ },
  { name: 'loadStateDict two groups for one', ...loaded(edit((sd) => { sd.param_groups.push({ ...sd.param_groups[0]!, params: [1] }); })), error: FormatError, message: /group/ },
  { name: 'loadStateDict state for parameter 7', ...loaded(edit((sd) => { sd.state['7'] = sd.state['0']!; })), error: FormatError, message: /7/ },
  { name: 'loadStateDict exp_avg_sq with a hole', ...loaded(edit((sd) => { sd.state['0']!.exp_avg_sq = [1, , 1, 1]; })), error: FormatError, message: /exp_avg_sq/ },
];

/** A schedule built (or stepped) on a fresh SGD with momentum: refused, the optimiser's groups stay as they were. */
function sched(name: string, make: (o: optim.SGD) => unknown, error: ErrorClass, message: RegExp): Case {
  const opt = new optim.SGD(params(), { lr: 0.1, momentum: 0.9 });
  return { name, call: () => make(opt), error, message, state: optimizerState(opt) };
}
/** Every number option of every schedule NaN and Infinity (over otherwise valid options); per-group lists with one NaN. */
const SCHEDULE_NUMBERS: Array<[string, (o: optim.SGD, options: object) => unknown, Record<string, unknown>, string[]]> = [
  ['StepLR', (o, x) => new optim.StepLR(o, bad(x)), { stepSize: 2 }, ['stepSize', 'gamma', 'lastEpoch']],
  ['MultiStepLR', (o, x) => new optim.MultiStepLR(o, bad(x)), { milestones: [2, 4] }, ['milestones[1]', 'gamma', 'lastEpoch']],
  ['ExponentialLR', (o, x) => new optim.ExponentialLR(o, bad(x)), { gamma: 0.9 }, ['gamma']],
  ['CosineAnnealingLR', (o, x) => new optim.CosineAnnealingLR(o, bad(x)), { tMax: 10 }, ['tMax', 'etaMin']],
  ['LinearLR', (o, x) => new optim.LinearLR(o, bad(x)), {}, ['startFactor', 'endFactor', 'totalIters']],
  ['ConstantLR', (o, x) => new optim.ConstantLR(o, bad(x)), {}, ['factor', 'totalIters']],
  ['OneCycleLR', (o, x) => new optim.OneCycleLR(o, bad(x)), { maxLr: 0.1, totalSteps: 10 }, ['maxLr', 'totalSteps', 'pctStart', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor']],
  ['OneCycleLR', (o, x) => new optim.OneCycleLR(o, bad(x)), { maxLr: 0.1, epochs: 2, stepsPerEpoch: 5 }, ['epochs', 'stepsPerEpoch']],
  ['ReduceLROnPlateau', (o, x) => new optim.ReduceLROnPlateau(o, bad(x)), {}, ['factor', 'patience', 'threshold', 'cooldown', 'minLr', 'eps']],
];
const numberCases: Case[] = SCHEDULE_NUMBERS.flatMap(([name, make, base, keys]) => keys.flatMap((key) => NON_FINITE.slice(0, 2).map(([s, v]) => {
  const option = key === 'milestones[1]' ? { milestones: [2, v] } : { [key]: v };
  return sched(`${name} ${key} ${s}`, (o) => make(o, { ...base, ...option }), OptionError, new RegExp(key.replace(/\[\d\]/, '')));
})));
/** The same schedules with two parameter groups and a per-group list holding one NaN. */
function sched2(name: string, make: (o: optim.SGD) => unknown, message: RegExp): Case {
  const opt = new optim.SGD([{ params: params() }, { params: params() }], { lr: 0.1, momentum: 0.9 });
  return { name, call: () => make(opt), error: OptionError, message, state: optimizerState(opt) };
}
numberCases.push(
  sched2('OneCycleLR maxLr [0.1, NaN]', (o) => new optim.OneCycleLR(o, { maxLr: [0.1, NaN], totalSteps: 10 }), /maxLr/),
  sched2('OneCycleLR baseMomentum [0.85, Infinity]', (o) => new optim.OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, baseMomentum: [0.85, Infinity] }), /baseMomentum/),
  sched2('ReduceLROnPlateau minLr [0, NaN]', (o) => new optim.ReduceLROnPlateau(o, { minLr: [0, NaN] }), /minLr/),
  ...NON_FINITE.slice(0, 2).map(([s, v]): Case => {
    // The children are built first (they set the groups' lr); the refused SequentialLR must change nothing after that.
    const opt = new optim.SGD(params(), { lr: 0.1, momentum: 0.9 });
    const children = [new optim.ConstantLR(opt), new optim.ExponentialLR(opt, { gamma: 0.9 })];
    return { name: `SequentialLR milestones [${s}]`, call: () => new optim.SequentialLR(opt, children, [v]), error: OptionError, message: /milestones/, state: optimizerState(opt) };
  }),
);

const scheduleCases: Case[] = [
  sched('StepLR stepSize 0', (o) => new optim.StepLR(o, bad({ stepSize: 0 })), OptionError, /stepSize/),
  sched('StepLR stepSize 2.5', (o) => new optim.StepLR(o, bad({ stepSize: 2.5 })), OptionError, /stepSize/),
  sched('StepLR option typo step_size', (o) => new optim.StepLR(o, bad({ step_size: 2 })), OptionError, /step_size/),
  sched('MultiStepLR milestones not increasing', (o) => new optim.MultiStepLR(o, bad({ milestones: [3, 2] })), OptionError, /milestones/),
  sched('ExponentialLR gamma -1', (o) => new optim.ExponentialLR(o, bad({ gamma: -1 })), OptionError, /gamma/),
  sched('LambdaLR lrLambda not a function', (o) => new optim.LambdaLR(o, bad({ lrLambda: 0.5 })), OptionError, /lrLambda/),
  sched('CosineAnnealingLR tMax 0', (o) => new optim.CosineAnnealingLR(o, bad({ tMax: 0 })), OptionError, /tMax/),
  sched('LinearLR startFactor 0', (o) => new optim.LinearLR(o, bad({ startFactor: 0 })), OptionError, /startFactor/),
  sched('ConstantLR factor 2', (o) => new optim.ConstantLR(o, bad({ factor: 2 })), OptionError, /factor/),
  sched('OneCycleLR without totalSteps or epochs', (o) => new optim.OneCycleLR(o, bad({ maxLr: 0.1 })), OptionError, /totalSteps|epochs/),
  sched('OneCycleLR pctStart 1.5', (o) => new optim.OneCycleLR(o, bad({ maxLr: 0.1, totalSteps: 10, pctStart: 1.5 })), OptionError, /pctStart/),
  sched('OneCycleLR annealStrategy "exp"', (o) => new optim.OneCycleLR(o, bad({ maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' })), OptionError, /annealStrategy/),
  sched('ReduceLROnPlateau mode "minimum"', (o) => new optim.ReduceLROnPlateau(o, bad({ mode: 'minimum' })), OptionError, /mode/),
  sched('ReduceLROnPlateau factor 1', (o) => new optim.ReduceLROnPlateau(o, bad({ factor: 1 })), OptionError, /factor/),
  sched('ReduceLROnPlateau patience -1', (o) => new optim.ReduceLROnPlateau(o, bad({ patience: -1 })), OptionError, /patience/),
  sched('ReduceLROnPlateau minLr of the wrong length', (o) => new optim.ReduceLROnPlateau(o, bad({ minLr: [0, 0] })), OptionError, /minLr/),
  sched('ReduceLROnPlateau.step(NaN)', (o) => new optim.ReduceLROnPlateau(o).step(NaN), NonFiniteError, /metric|NaN/),
  sched('ReduceLROnPlateau.step("0.5")', (o) => new optim.ReduceLROnPlateau(o).step(bad('0.5')), OptionError, /metric/),
  sched('SequentialLR without schedulers', (o) => new optim.SequentialLR(o, [], []), OptionError, /schedulers/),
  sched('StepLR on something that is not an optimiser', (o) => new optim.StepLR(bad({ paramGroups: [] }), { stepSize: 1 }), OptionError, /optimizer/),
];

const g = () => { const p = param(); p.grad = tensor([3, 4, 0, 0], [2, 2]); return p; };
const clipped = (f: (p: Tensor) => unknown, error: typeof OptionError, message: RegExp): Pick<Case, 'call' | 'state'> & { error: typeof OptionError; message: RegExp } => {
  const p = g();
  return { call: () => f(p), state: tensorState(p, p.grad!), error, message };
};
const clipCases: Case[] = [
  { name: 'clipGradNorm maxNorm NaN', ...clipped((p) => optim.clipGradNorm([p], NaN), OptionError, /maxNorm/) },
  { name: 'clipGradNorm maxNorm -1', ...clipped((p) => optim.clipGradNorm([p], -1), OptionError, /maxNorm/) },
  { name: 'clipGradNorm normType 0', ...clipped((p) => optim.clipGradNorm([p], 1, { normType: 0 }), OptionError, /normType/) },
  { name: 'clipGradNorm option typo norm_type', ...clipped((p) => optim.clipGradNorm([p], 1, bad({ norm_type: 2 })), OptionError, /norm_type/) },
  { name: 'clipGradNorm errorIfNonfinite with a NaN gradient', ...clipped((p) => { p.grad!.data[0] = NaN; try { return optim.clipGradNorm([p], 1, { errorIfNonfinite: true }); } finally { p.grad!.data[0] = 3; } }, NonFiniteError, /norm|non-finite|nonfinite/i) },
  { name: 'clipGradNorm params a number', ...clipped(() => optim.clipGradNorm(bad(3), 1), OptionError, /params/) },
  { name: 'clipGradValue clipValue NaN', ...clipped((p) => optim.clipGradValue([p], NaN), OptionError, /clipValue/) },
  { name: 'clipGradValue clipValue "1"', ...clipped((p) => optim.clipGradValue([p], bad('1')), OptionError, /clipValue/) },
  { name: 'clipGradValue a list holding a non-tensor', ...clipped((p) => optim.clipGradValue([p, bad({ grad: null })], 1), OptionError, /params|Tensor/) },
  { name: 'l2Penalty on a parameter list with a string', call: () => optim.l2Penalty(bad(['w']), 0.1), error: OptionError, message: /l2Penalty/ },
];

battery('optim constructors', constructorCases);
battery('Optimizer.step (non-finite gradients)', stepCases);
battery('Optimizer.loadStateDict', loadCases);
battery('LR schedules', scheduleCases);
battery('LR schedules: non-finite numbers', numberCases);
battery('clipGradNorm/clipGradValue/penalties', clipCases);
