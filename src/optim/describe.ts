/**
 * Optimisers and schedules as plain data, so fit() can move them to a worker thread: the caller
 * builds them (its factories run on its own thread), describes them here, sends the descriptions
 * (structured-clone-able: no functions, no Tensors), and the worker rebuilds them on its copy of the
 * model; at the end the worker's state dicts load back into the caller's instances.
 *
 *   const os = describeOptimizer(opt, model), ss = describeScheduler(sched);   // or { reason }
 *   // … in the worker, on model2 = nn.fromJSON(json) + loadStateDict(state):
 *   const opt2 = rebuildOptimizer(os, model2), sched2 = rebuildScheduler(ss, opt2);
 *
 * An optimiser names each parameter by its name in the model (model.namedParameters()), so it binds
 * to the other copy's tensors by name. Types are looked up in registries (SGD, Adam, AdamW and every
 * built-in schedule but LambdaLR are registered; users add theirs, with the module the worker must
 * import first). What cannot move is reported as `{ reason }`, never thrown: a function (LambdaLR's
 * lrLambda, a function-valued option), a tensor that is not the model's, an unregistered class.
 *
 * The rebuild keeps everything exact: the optimiser is built from (groups, defaults) and loads its
 * state dict (per-parameter buffers and every group option: lr, initialLr, maxLr, betas, …); the
 * schedule's constructor then runs on it (it changes the groups' lr, betas, initialLr …), the groups'
 * options are put back exactly as they were before it ran, and the schedule loads its state dict
 * (every field a later step() reads: lastEpoch, step count, base lrs, last lrs, its
 * hyperparameters, SequentialLR's children, ReduceLROnPlateau's best and counters).
 */
import { FormatError, OptionError, StateError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import { CosineAnnealingLR } from './lr-scheduler-cosine.js';
import { ExponentialLR, MultiStepLR, StepLR } from './lr-scheduler-decay.js';
import { OneCycleLR } from './lr-scheduler-one-cycle.js';
import { ReduceLROnPlateau } from './lr-scheduler-plateau.js';
import { ConstantLR, LinearLR, SequentialLR } from './lr-scheduler-warmup.js';
import { type LRScheduler, type Scheduler, type SchedulerJSON } from './lr-scheduler.js';
import { copyJsonData, Optimizer, type OptimizerStateDict, type ParamGroupInput } from './optimizer.js';
import { SGD } from './sgd.js';
import { checkBoolean, checkKnown, fmt, isObject, optionsObject } from '../options.js';

/** A plain-data description of an optimiser bound to a model's parameters by name. */
export interface OptimizerSpec {
  /** The registered type name: 'SGD' | 'Adam' | 'AdamW' | a user type (the class's name). */
  type: string;
  /** The constructor's options (opt.defaults, allowNonFinite included: it is not in the state dict). */
  defaults: Record<string, unknown>;
  /** Parameter groups: parameter names from model.namedParameters(), and every group option (extra keys included). */
  groups: Array<{
    /** Names of the group's parameters (model.namedParameters() keys). */
    params: string[];
    /** The group's options, camelCase (lr, weightDecay, …). */
    options: Record<string, unknown>;
  }>;
  /** opt.stateDictForTransfer(): stateDict() with Float32Array buffers (see optimizerStateBuffers). */
  state: OptimizerStateDict;
}

/** A plain-data description of a schedule: its type, its constructor's options, its state dict. */
export interface SchedulerSpec {
  /** The registered type name (the class's name). */
  type: string;
  /** The constructor's options (SequentialLR: `{ schedulers: [{ type, options }, …], milestones }`). */
  options: Record<string, unknown>;
  /** The schedule's stateDict(). */
  state: Record<string, unknown>;
}

/** Builds an optimiser of a registered type from parameter groups and the constructor's options. */
export type OptimizerFactory = (params: ParamGroupInput[], defaults: Record<string, unknown>) => Optimizer;

/** Builds a schedule of a registered type on an optimiser from the constructor's options. */
export type SchedulerFactory = (optimizer: Optimizer, options: Record<string, unknown>) => Scheduler;

/** Options of optim.registerOptimizerType and optim.registerSchedulerType. */
export interface RegisterTypeOptions {
  /** Replace an existing registration of the same name (built-ins included). Default false. */
  replace?: boolean;
  /**
   * A specifier a worker can import() to register the type there before rebuilding (e.g.
   * `import.meta.url` of the file that registers it). Default: none (the type can then only be
   * rebuilt where it is registered).
   */
  module?: string;
}

interface Entry<F> {
  factory: F;
  module?: string;
  /** The class a built-in type name stands for (a user class of the same name is not it). */
  ctor?: abstract new (...args: never[]) => unknown;
}

const optimizerTypes = new Map<string, Entry<OptimizerFactory>>();
const schedulerTypes = new Map<string, Entry<SchedulerFactory>>();

function register<F>(registry: Map<string, Entry<F>>, where: string, what: string, name: unknown, factory: unknown, options: unknown): void {
  if (typeof name !== 'string' || name === '') throw new OptionError(`${where}: name must be a non-empty string, got ${fmt(name)}`);
  if (typeof factory !== 'function') throw new OptionError(`${where}: factory for "${name}" must be a function, got ${fmt(factory)}`);
  const o = optionsObject<RegisterTypeOptions>(where, options as RegisterTypeOptions | undefined);
  checkKnown(where, o, ['replace', 'module']);
  const replace = checkBoolean(where, 'replace', o.replace ?? false);
  if (o.module !== undefined && (typeof o.module !== 'string' || o.module === '')) {
    throw new OptionError(`${where}: module must be a non-empty string (e.g. import.meta.url), got ${fmt(o.module)}`);
  }
  if (registry.has(name) && !replace) throw new StateError(`${where}: ${what} type "${name}" is already registered (pass { replace: true } to replace it)`);
  registry.set(name, { factory: factory as F, ...(o.module !== undefined ? { module: o.module } : {}) });
}

/**
 * Registers how rebuildOptimizer builds optimisers of class `name` (the class's name, as
 * describeOptimizer reads it from `opt.constructor.name`):
 *
 *   optim.registerOptimizerType('Lion', (params, defaults) => new Lion(params, defaults), { module: import.meta.url });
 */
export function registerOptimizerType(name: string, factory: OptimizerFactory, options?: RegisterTypeOptions): void {
  register(optimizerTypes, 'registerOptimizerType', 'optimizer', name, factory, options);
}

/**
 * Registers how rebuildScheduler builds schedules whose toJSON() gives `type: name` (the built-ins
 * give their class name). The factory gets the optimiser and toJSON()'s options.
 */
export function registerSchedulerType(name: string, factory: SchedulerFactory, options?: RegisterTypeOptions): void {
  register(schedulerTypes, 'registerSchedulerType', 'scheduler', name, factory, options);
}

/** Removes a registered optimiser type; returns whether it was registered. */
export function unregisterOptimizerType(name: string): boolean {
  return optimizerTypes.delete(name);
}

/** Removes a registered scheduler type; returns whether it was registered. */
export function unregisterSchedulerType(name: string): boolean {
  return schedulerTypes.delete(name);
}

/** The registered optimiser type names, sorted. */
export function registeredOptimizerTypes(): string[] {
  return [...optimizerTypes.keys()].sort();
}

/** The registered scheduler type names, sorted. */
export function registeredSchedulerTypes(): string[] {
  return [...schedulerTypes.keys()].sort();
}

/** The module registered with an optimiser type (undefined for built-ins and types registered without one). */
export function optimizerTypeModule(name: string): string | undefined {
  return optimizerTypes.get(name)?.module;
}

/** The module registered with a scheduler type (undefined for built-ins and types registered without one). */
export function schedulerTypeModule(name: string): string | undefined {
  return schedulerTypes.get(name)?.module;
}

/** The modules a worker must import before rebuildScheduler(spec): those of its type and of SequentialLR's children. */
export function schedulerSpecModules(spec: SchedulerSpec | SchedulerJSON): string[] {
  const out = new Set<string>();
  const visit = (json: unknown): void => {
    if (!isObject(json) || typeof json.type !== 'string') return;
    const m = schedulerTypeModule(json.type);
    if (m !== undefined) out.add(m);
    const children = isObject(json.options) ? json.options.schedulers : undefined;
    if (json.type === 'SequentialLR' && Array.isArray(children)) children.forEach(visit);
  };
  visit(spec);
  return [...out];
}

// ---------------------------------------------------------------------------------------------------
// Plain data
// ---------------------------------------------------------------------------------------------------

/**
 * Why `v` is not plain data, or null. Plain data is what both structuredClone and an optimiser's
 * loadStateDict accept: null, booleans, numbers, strings, and arrays and plain objects of them (at
 * most 8 levels deep).
 */
function notPlainData(v: unknown, path: string, depth = 0): string | null {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return null;
  if (typeof v === 'function') return `${path} is a function, and functions cannot move to another thread`;
  if (v === undefined) return `${path} is undefined`;
  if (v instanceof Tensor) return `${path} is a Tensor (plain numbers or arrays can move; tensors cannot)`;
  if (depth > 8) return `${path} is nested more than 8 levels deep`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = notPlainData(v[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) {
      for (const [k, x] of Object.entries(v)) {
        const bad = notPlainData(x, `${path}.${k}`, depth + 1);
        if (bad) return bad;
      }
      return null;
    }
  }
  return `${path} is ${fmt(v)}, not plain data`;
}

function isModule(m: unknown): m is Module {
  return typeof m === 'object' && m !== null && typeof (m as Module).namedParameters === 'function';
}

function isScheduler(s: unknown): s is Scheduler {
  if (!isObject(s)) return false;
  const o = s as Record<string, unknown>;
  return o.optimizer instanceof Optimizer && ['step', 'getLastLr', 'stateDict', 'loadStateDict'].every((k) => typeof o[k] === 'function');
}

/** Checks a spec's own keys: exactly `keys`. */
function checkSpecKeys(where: string, spec: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(spec)) throw new FormatError(`${where}: spec must be an object { ${keys.join(', ')} }, got ${fmt(spec)}`);
  for (const k of keys) if (!(k in spec)) throw new FormatError(`${where}: spec.${k} is missing`);
  checkKnown(where, spec, keys);
  return spec;
}

// ---------------------------------------------------------------------------------------------------
// Optimisers
// ---------------------------------------------------------------------------------------------------

/** Why the class of `opt` cannot be rebuilt by type name, or null. */
function unregisteredOptimizer(opt: Optimizer): string | null {
  const name = opt.constructor.name;
  const entry = optimizerTypes.get(name);
  if (entry && (!entry.ctor || entry.ctor === opt.constructor)) return null;
  const how = `register it: optim.registerOptimizerType('${name}', (params, defaults) => new ${name}(params, defaults), { module: import.meta.url })`;
  if (entry) return `the optimizer's class ${name} is not keel's ${name} (it shares the name of a built-in type; give it another class name and ${how})`;
  return `the optimizer's class ${name} is not a registered optimizer type, so it cannot be rebuilt from data (${how})`;
}

/** The buffers of a stateDictForTransfer() result, for a postMessage transfer list. */
export function optimizerStateBuffers(sd: OptimizerStateDict): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const entry of Object.values(sd.state)) {
    for (const v of Object.values(entry)) if (v instanceof Float32Array) out.push(v.buffer as ArrayBuffer);
  }
  return out;
}

/**
 * Describes `opt`, naming each parameter by its name in `model`; or returns `{ reason }` saying why it
 * cannot (a parameter that is not the model's, an unregistered optimiser class, an option that is
 * not plain data). The result is a snapshot (later steps do not change it).
 */
export function describeOptimizer(opt: Optimizer, model: Module): OptimizerSpec | {
  /** Why the optimiser cannot be described. */
  reason: string;
} {
  const where = 'describeOptimizer';
  if (!(opt instanceof Optimizer)) throw new OptionError(`${where}: opt must be an Optimizer, got ${fmt(opt)}`);
  if (!isModule(model)) throw new OptionError(`${where}: model must be a Module, got ${fmt(model)}`);
  const unregistered = unregisteredOptimizer(opt);
  if (unregistered) return { reason: unregistered };
  const names = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) names.set(p, name);
  const groups: OptimizerSpec['groups'] = [];
  for (let gi = 0; gi < opt.paramGroups.length; gi++) {
    const g = opt.paramGroups[gi]!;
    const params: string[] = [];
    for (let j = 0; j < g.params.length; j++) {
      const name = names.get(g.params[j]!);
      if (name === undefined) {
        return { reason: `the optimizer's param group ${gi} holds a tensor (params[${j}], shape ${JSON.stringify(g.params[j]!.shape)}) that is not a parameter of the model` };
      }
      params.push(name);
    }
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === 'params') continue;
      const bad = notPlainData(v, `the optimizer's param group ${gi} option ${k}`);
      if (bad) return { reason: bad };
      options[k] = copyJsonData(v);
    }
    groups.push({ params, options });
  }
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opt.defaults)) {
    const bad = notPlainData(v, `the optimizer's option ${k}`);
    if (bad) return { reason: bad };
    defaults[k] = copyJsonData(v);
  }
  return { type: opt.constructor.name, defaults, groups, state: opt.stateDictForTransfer() };
}

/**
 * Rebuilds the optimiser described by `spec` on `model`'s parameters (by name) and loads its state:
 * it continues exactly where the described one was. Throws on a spec that does not fit the model.
 */
export function rebuildOptimizer(spec: OptimizerSpec, model: Module): Optimizer {
  const where = 'rebuildOptimizer';
  const s = checkSpecKeys(where, spec, ['type', 'defaults', 'groups', 'state']);
  if (!isModule(model)) throw new OptionError(`${where}: model must be a Module, got ${fmt(model)}`);
  if (typeof s.type !== 'string') throw new FormatError(`${where}: spec.type must be a string, got ${fmt(s.type)}`);
  const entry = optimizerTypes.get(s.type);
  if (!entry) {
    throw new StateError(`${where}: unknown optimizer type "${s.type}"; registered types: ${registeredOptimizerTypes().join(', ')} (import the module that registers it first)`);
  }
  if (!isObject(s.defaults)) throw new FormatError(`${where}: spec.defaults must be an object, got ${fmt(s.defaults)}`);
  if (!Array.isArray(s.groups)) throw new FormatError(`${where}: spec.groups must be an array, got ${fmt(s.groups)}`);
  if (!isObject(s.state)) throw new FormatError(`${where}: spec.state must be an optimizer state dict, got ${fmt(s.state)}`);
  const byName = new Map(model.namedParameters());
  const groups: ParamGroupInput[] = s.groups.map((g: unknown, gi: number) => {
    const at = `${where}: spec.groups[${gi}]`;
    if (!isObject(g) || !Array.isArray(g.params) || !isObject(g.options)) throw new FormatError(`${at} must be { params: string[], options: {} }, got ${fmt(g)}`);
    checkKnown(at, g, ['params', 'options']);
    if ('params' in g.options) throw new FormatError(`${at}.options must not hold "params"`);
    const params = g.params.map((name: unknown, j: number) => {
      if (typeof name !== 'string') throw new FormatError(`${at}.params[${j}] must be a parameter name, got ${fmt(name)}`);
      const p = byName.get(name);
      if (!p) {
        const known = [...byName.keys()];
        const list = known.slice(0, 8).join(', ') + (known.length > 8 ? `, … (${known.length} in all)` : '');
        throw new FormatError(`${at}.params[${j}]: "${name}" is not a parameter of the model (its parameters are ${list})`);
      }
      return p;
    });
    return { ...copyJsonData(g.options), params };
  });
  const opt = entry.factory(groups, copyJsonData(s.defaults));
  if (!(opt instanceof Optimizer)) throw new OptionError(`${where}: the factory for "${s.type}" did not return an Optimizer (got ${fmt(opt)})`);
  const same = opt.paramGroups.length === groups.length && opt.paramGroups.every((g, gi) => {
    const want = groups[gi]!.params as Tensor[];
    return g.params.length === want.length && g.params.every((p, j) => p === want[j]);
  });
  if (!same) throw new OptionError(`${where}: the factory for "${s.type}" did not build the parameter groups it was given`);
  opt.loadStateDict(s.state);
  return opt;
}

// ---------------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------------

/** The schedule's `{ type, options }` (children described too), or why it cannot be described. */
function describeJSON(s: Scheduler, where: string): SchedulerJSON | { reason: string } {
  const name = s.constructor?.name ?? 'object';
  if (s instanceof SequentialLR) {
    for (let i = 0; i < s.schedulers.length; i++) {
      const child = describeJSON(s.schedulers[i]!, `${where}SequentialLR's schedulers[${i}]: `);
      if ('reason' in child) return child;
    }
  }
  if (typeof s.toJSON !== 'function') {
    return { reason: `${where}${name} cannot describe itself: it has no toJSON() returning { type, options } (add one and register the type with optim.registerSchedulerType)` };
  }
  let json: SchedulerJSON;
  try {
    json = s.toJSON();
  } catch (e) {
    return { reason: `${where}${(e as Error).message}` };
  }
  if (!isObject(json) || typeof json.type !== 'string' || !isObject(json.options)) {
    return { reason: `${where}${name}.toJSON() must return { type: string, options: {} }, got ${fmt(json)}` };
  }
  const entry = schedulerTypes.get(json.type);
  const how = `register it: optim.registerSchedulerType('${json.type}', (optimizer, options) => new ${name}(optimizer, options), { module: import.meta.url })`;
  if (!entry) return { reason: `${where}${json.type} is not a registered scheduler type, so it cannot be rebuilt from data (${how})` };
  if (entry.ctor && entry.ctor !== s.constructor) {
    return { reason: `${where}${name} describes itself as the built-in ${json.type} but is another class (give it its own type name and ${how})` };
  }
  const bad = notPlainData(json.options, `${where}${json.type}'s options`);
  if (bad) return { reason: bad };
  return { type: json.type, options: copyJsonData(json.options) };
}

/**
 * Describes a schedule: its type, its constructor's options and its state; or returns `{ reason }`
 * saying why it cannot move (LambdaLR: a function cannot move; an unregistered class; an option that
 * is not plain data). The result is a snapshot.
 */
export function describeScheduler(s: Scheduler): SchedulerSpec | {
  /** Why the schedule cannot be described. */
  reason: string;
} {
  if (!isScheduler(s)) throw new OptionError(`describeScheduler: s must be a scheduler (step, getLastLr, stateDict, loadStateDict, and an optimizer), got ${fmt(s)}`);
  const json = describeJSON(s, '');
  if ('reason' in json) return json;
  const state = s.stateDict();
  const bad = notPlainData(state, `${json.type}'s state dict`);
  if (bad) return { reason: bad };
  return { type: json.type, options: json.options, state: copyJsonData(state) };
}

/** Builds a schedule from `{ type, options }` on `opt` (no state loaded). */
function buildScheduler(json: unknown, opt: Optimizer, where: string): Scheduler {
  if (!isObject(json) || typeof json.type !== 'string' || !isObject(json.options)) {
    throw new FormatError(`${where} must be { type: string, options: {} }, got ${fmt(json)}`);
  }
  const entry = schedulerTypes.get(json.type);
  if (!entry) {
    throw new StateError(`${where}: unknown scheduler type "${json.type}"; registered types: ${registeredSchedulerTypes().join(', ')} (import the module that registers it first)`);
  }
  const s = entry.factory(opt, copyJsonData(json.options));
  if (!isScheduler(s) || s.optimizer !== opt) throw new OptionError(`${where}: the factory for "${json.type}" did not return a scheduler on the given optimizer (got ${fmt(s)})`);
  return s;
}

/**
 * Rebuilds the schedule described by `spec` on `opt` (e.g. the result of rebuildOptimizer) so that
 * it continues exactly where the described one was. The schedule's constructor changes the groups'
 * options; they are restored to what they were before it ran (opt's state is authoritative), then
 * the schedule's state dict is loaded. On an error opt is left as it was.
 */
export function rebuildScheduler(spec: SchedulerSpec, opt: Optimizer): Scheduler {
  const where = 'rebuildScheduler';
  const s = checkSpecKeys(where, spec, ['type', 'options', 'state']);
  if (!(opt instanceof Optimizer)) throw new OptionError(`${where}: opt must be an Optimizer, got ${fmt(opt)}`);
  if (!isObject(s.state)) throw new FormatError(`${where}: spec.state must be a scheduler state dict, got ${fmt(s.state)}`);
  const saved = opt.paramGroups.map((g) => {
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) if (k !== 'params') options[k] = copyJsonData(v);
    return options;
  });
  let sched: Scheduler;
  try {
    sched = buildScheduler({ type: s.type, options: s.options }, opt, `${where}: spec`);
  } finally {
    opt.paramGroups.forEach((g, i) => {
      const group = g as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params') delete group[k];
      Object.assign(group, copyJsonData(saved[i]));
    });
  }
  sched.loadStateDict(s.state);
  return sched;
}

// ---------------------------------------------------------------------------------------------------
// The built-in types
// ---------------------------------------------------------------------------------------------------

function registerBuiltins(): void {
  const opt = (name: string, ctor: abstract new (...args: never[]) => Optimizer, factory: OptimizerFactory) => optimizerTypes.set(name, { factory, ctor });
  opt('SGD', SGD, (params, defaults) => new SGD(params, defaults));
  opt('Adam', Adam, (params, defaults) => new Adam(params, defaults));
  opt('AdamW', AdamW, (params, defaults) => new AdamW(params, defaults));

  const sched = (name: string, ctor: abstract new (...args: never[]) => Scheduler, factory: SchedulerFactory) => schedulerTypes.set(name, { factory, ctor });
  sched('StepLR', StepLR, (o, options) => new StepLR(o, options as never));
  sched('MultiStepLR', MultiStepLR, (o, options) => new MultiStepLR(o, options as never));
  sched('ExponentialLR', ExponentialLR, (o, options) => new ExponentialLR(o, options as never));
  sched('ConstantLR', ConstantLR, (o, options) => new ConstantLR(o, options));
  sched('LinearLR', LinearLR, (o, options) => new LinearLR(o, options));
  sched('CosineAnnealingLR', CosineAnnealingLR, (o, options) => new CosineAnnealingLR(o, options as never));
  sched('OneCycleLR', OneCycleLR, (o, options) => new OneCycleLR(o, options as never));
  sched('ReduceLROnPlateau', ReduceLROnPlateau, (o, options) => new ReduceLROnPlateau(o, options));
  sched('SequentialLR', SequentialLR, (o, options) => {
    checkKnown('SequentialLR', options, ['schedulers', 'milestones']);
    const children = options.schedulers;
    if (!Array.isArray(children)) throw new FormatError(`SequentialLR: options.schedulers must be an array of { type, options }, got ${fmt(children)}`);
    const built = children.map((c: unknown, i: number) => buildScheduler(c, o, `SequentialLR: options.schedulers[${i}]`));
    return new SequentialLR(o, built as LRScheduler[], options.milestones as number[]);
  });
}

registerBuiltins();
