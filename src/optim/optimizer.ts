/**
 * Optimizer: the base of every optimiser, as torch.optim.Optimizer (PyTorch 1.13) — parameter
 * groups with per-group options, lazily created per-parameter state, zeroGrad(), step(), and state
 * dicts with PyTorch's structure:
 *
 *   { state: { "<index>": { momentum_buffer | exp_avg | exp_avg_sq | max_exp_avg_sq | step } },
 *     param_groups: [ { lr, weight_decay, ..., params: [<index>, ...] } ] }
 *
 * Parameters are numbered in group order (0, 1, ... across groups). Option keys in a state dict are
 * PyTorch's snake_case names (weight_decay, initial_lr, ...); in `paramGroups` they are camelCase
 * (weightDecay, initialLr, ...). Buffers are plain number arrays (exact float32 values) and steps plain
 * numbers, so `JSON.parse(JSON.stringify(opt.stateDict()))` loads back bit for bit.
 *
 * Differences from PyTorch, all stricter: options are validated in every parameter group (PyTorch
 * checks only the constructor's defaults) and also reject NaN/Infinity; a parameter listed twice is
 * an error (PyTorch warns); loadStateDict checks every buffer's length, type and the group options
 * before changing anything; step() refuses gradients holding NaN or ±Infinity and changes nothing
 * (NonFiniteError; ./finite-grads.ts) unless the optimiser was built with allowNonFinite: true.
 */
import { FormatError, OptionError, ShapeError } from '../errors.js';
import { gradOf, Tensor } from '../tensor/tensor.js';
import { checkFiniteGrads } from './finite-grads.js';
import { isTypoOf } from '../typo.js';
import { fmt } from '../options.js';

/** Options every optimiser has. */
export interface BaseOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * Options of the optimiser itself, not of a parameter group (every optimiser's constructor takes
 * them beside its own). They are in `defaults`, so describeOptimizer / rebuildOptimizer carry them;
 * state dicts do not (they hold PyTorch's per-group options only).
 */
export interface OptimizerOptions {
  /**
   * Apply gradients that hold NaN or ±Infinity, as PyTorch does (the parameters and moments then
   * become non-finite). Default false: step() first checks every gradient it would apply and throws
   * NonFiniteError — naming the group, the parameter, the first bad index and its value — before it
   * changes any parameter, moment or step count.
   */
  allowNonFinite?: boolean;
}

/**
 * One parameter group: its parameters, its options, and any extra keys (schedulers add initialLr,
 * maxLr, ...; users may tag groups, e.g. `name`). Mutable: schedulers and users change `lr` etc.
 */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & {
  /** The group's parameters, in order (they are numbered across groups in state dicts). */
  params: Tensor[];
  /** The lr a scheduler starts from (set by the first scheduler attached, as PyTorch's initial_lr). */
  initialLr?: number;
  [extra: string]: unknown;
};

/** A parameter group as given to a constructor or addParamGroup: options default to the optimiser's. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & {
  /** The group's parameters (one tensor or several). */
  params: Iterable<Tensor> | Tensor;
  [extra: string]: unknown;
};

/** What an optimiser is constructed from: parameters, or parameter groups. */
export type ParamsInput<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state in memory: buffers are float32 like the parameter, counters are numbers. */
export type ParamState = Record<string, Float32Array | number | null>;

/**
 * Values of a state dict: number arrays from stateDict() (JSON-friendly), Float32Arrays from
 * stateDictForTransfer(); loadStateDict takes either.
 */
export type StateValue = number[] | Float32Array | number | null;

/** The optimiser state dict: PyTorch's structure with JSON-friendly values. */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index ("0", "1", …): exp_avg, momentum_buffer, step, … */
  state: Record<string, Record<string, StateValue>>;
  /** The groups' options in snake_case, each with the indices of its parameters. */
  param_groups: Array<{
    /** Indices of the group's parameters. */
    params: number[];
    [option: string]: unknown;
  }>;
}

/** How one option is checked: its kind, and a range check returning PyTorch's message or null. */
export interface OptionSpec {
  /** camelCase name (in a state dict: its snake_case form). */
  name: string;
  /** The value's type: a number, a boolean, or a pair of numbers (Adam's betas). */
  kind: 'number' | 'boolean' | 'betas';
  /** Returns an error message (PyTorch's wording) for a bad value, or null. */
  check?: (value: never) => string | null;
}

/** What each per-parameter state entry holds. */
export interface StateSpec {
  /** camelCase key in memory (in a state dict: snake_case). */
  name: string;
  /** A float32 buffer like the parameter, a buffer that may be null, or a step count. */
  kind: 'buffer' | 'buffer-or-null' | 'count';
  /** Must be present in every parameter's state (otherwise optional). */
  required: boolean;
}

/** weightDecay → weight_decay, initialLr → initial_lr. */
export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** weight_decay → weightDecay, initial_lr → initialLr. */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `options` over `defaults`, ignoring entries that are undefined. */
export function withDefaults<O extends object>(defaults: Partial<O>, options: Partial<O>): Partial<O> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError(`optimizer options must be an object, got ${fmt(options)}`);
  }
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as Partial<O>;
}

/** Range checks shared by the optimisers, with PyTorch's messages. */
export const checks = {
  lr: (v: number) => (v >= 0 && Number.isFinite(v) ? null : `Invalid learning rate: ${fmt(v)} (lr must be a finite number >= 0)`),
  nonNegative: (label: string, option: string) => (v: number) =>
    v >= 0 && Number.isFinite(v) ? null : `Invalid ${label}: ${fmt(v)} (${option} must be a finite number >= 0)`,
  finite: (label: string, option: string) => (v: number) =>
    Number.isFinite(v) ? null : `Invalid ${label}: ${fmt(v)} (${option} must be a finite number)`,
  betas: (v: readonly number[]) => {
    for (let i = 0; i < 2; i++) {
      const b = v[i]!;
      if (!(b >= 0 && b < 1)) return `Invalid beta parameter at index ${i}: ${fmt(b)} (betas[${i}] must be in [0, 1))`;
    }
    return null;
  },
};

/** Group keys of PyTorch's implementation variants (no meaning here): dropped when loading. */
const TORCH_ONLY_KEYS = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

/** The class a bad option throws: OptionError from constructors, FormatError from loadStateDict. */
type ErrorClass = typeof OptionError | typeof FormatError;

function isTensorLike(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** An extra (non-option) group value that a state dict can carry: JSON data. */
function isJsonValue(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return true;
  if (depth > 8) return false;
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).every((x) => isJsonValue(x, depth + 1));
  return false;
}

/** Base class of the optimisers (torch.optim.Optimizer): parameter groups with per-group options, per-parameter state, zeroGrad(), step() and state dicts with PyTorch's structure (see the file header). */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /**
   * The constructor's options (PyTorch's defaults filled in): what a group without overrides uses,
   * and allowNonFinite.
   */
  readonly defaults: Readonly<Partial<O> & OptimizerOptions>;
  /** Whether step() applies non-finite gradients (OptimizerOptions.allowNonFinite; default false). */
  readonly allowNonFinite: boolean;
  /** Parameter groups, in order; options are mutable (schedulers set lr, OneCycleLR betas/momentum). */
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** Per-parameter state, created lazily by step() (PyTorch's optimizer.state). */
  readonly state = new Map<Tensor, ParamState>();

  /**
   * @param params parameters (e.g. `model.parameters()`) or parameter groups `[{ params, lr, ... }]`
   * @param defaults the optimiser's options with PyTorch's defaults filled in; an undefined entry is
   *   required in every group (SGD's lr)
   */
  protected constructor(params: ParamsInput<O>, defaults: Partial<O> & OptimizerOptions) {
    const name = this.constructor.name;
    const { allowNonFinite = false, ...d } = defaults as Record<string, unknown>;
    if (typeof allowNonFinite !== 'boolean') throw new OptionError(`${name}: option allowNonFinite must be a boolean, got ${fmt(allowNonFinite)}`);
    this.allowNonFinite = allowNonFinite;
    this.defaults = Object.freeze(
      Object.fromEntries(Object.entries({ ...d, allowNonFinite }).map(([k, v]) => [k, Array.isArray(v) ? Object.freeze([...v]) : v])),
    ) as Readonly<Partial<O> & OptimizerOptions>;
    this.checkOptions(d, `${name}`, true);
    this.checkCross(d, name, true);
    if (isTensorLike(params)) {
      throw new OptionError(`${name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor (wrap it in [ ])`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new OptionError(
        `${name}: params argument given to the optimizer should be an iterable of Tensors or parameter groups, but got ${fmt(params)}` +
          (isPlainObject(params) && typeof (params as { parameters?: unknown }).parameters === 'function' ? ' (pass model.parameters())' : ''),
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new OptionError(`${name}: optimizer got an empty parameter list`);
    const groups = isTensorLike(list[0]) ? [{ params: list }] : list;
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /** The options this optimiser takes, in order, with their checks. */
  protected abstract optionSpecs(): readonly OptionSpec[];

  /** What a parameter's state holds (for state dicts). */
  protected abstract stateSpecs(): readonly StateSpec[];

  /** Checks between options (SGD's nesterov); returns an error message or null. */
  protected crossCheck(_options: Record<string, unknown>): string | null {
    return null;
  }

  /** Performs one optimisation step; `closure` re-evaluates the model and returns the loss. */
  abstract step<T>(closure?: () => T): T | undefined;

  /** Checks options; a bad one throws Err (OptionError; FormatError for a loaded state dict's). */
  private checkOptions(o: Record<string, unknown>, where: string, isDefaults: boolean, Err: ErrorClass = OptionError): void {
    this.checkOptionKeys(o, where, isDefaults, Err);
    this.checkOptionValues(o, where, Err);
  }

  /** Unknown keys: an error for the defaults and for near-misses of an option's name (typos). */
  private checkOptionKeys(o: Record<string, unknown>, where: string, isDefaults: boolean, Err: ErrorClass): void {
    const specs = this.optionSpecs();
    const known = new Set(specs.map((s) => s.name));
    for (const key of Object.keys(o)) {
      if (key === 'params' && !isDefaults) continue;
      if (key === 'allowNonFinite') throw new Err(`${where}: allowNonFinite is an option of the optimizer, not of a parameter group`);
      if (known.has(key)) continue;
      const camel = snakeToCamel(key);
      if (camel !== key && known.has(camel)) throw new Err(`${where}: unknown option "${key}" (did you mean ${camel}?)`);
      // A group may carry extra keys (tags, schedulers' initialLr…), but not one a letter or two off an option: a typo.
      const near = specs.find((s) => isTypoOf(key, s.name));
      if (near) throw new Err(`${where}: unknown option "${key}" (did you mean ${near.name}?)`);
      if (isDefaults) {
        throw new Err(`${where}: unknown option "${key}" (options are ${specs.map((s) => s.name).join(', ')})`);
      }
    }
  }

  /** Each option's type and range. */
  private checkOptionValues(o: Record<string, unknown>, where: string, Err: ErrorClass): void {
    for (const spec of this.optionSpecs()) {
      const v = o[spec.name];
      if (v === undefined) continue;
      const bad = (what: string) => new Err(`${where}: option ${spec.name} must be ${what}, got ${fmt(v)}`);
      if (spec.kind === 'number' && typeof v !== 'number') throw bad('a number');
      if (spec.kind === 'boolean' && typeof v !== 'boolean') throw bad('a boolean');
      if (spec.kind === 'betas' && !(Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number'))) {
        throw bad('a pair of numbers [beta1, beta2]');
      }
      const msg = spec.check?.(v as never);
      if (msg) throw new Err(`${where}: ${msg}`);
    }
  }

  private checkCross(o: Record<string, unknown>, where: string, isDefaults: boolean, Err: ErrorClass = OptionError): void {
    // Cross checks need every option; for the defaults only when they are all given.
    if (isDefaults && this.optionSpecs().some((s) => o[s.name] === undefined)) return;
    const msg = this.crossCheck(o);
    if (msg) throw new Err(`${where}: ${msg}`);
  }

  /** Groups' options completed from the defaults, checked; throws on a missing required option. */
  private completeGroup(input: Record<string, unknown>, where: string, Err: ErrorClass = OptionError): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (k !== 'params') out[k] = Array.isArray(v) ? [...v] : v;
    for (const spec of this.optionSpecs()) {
      if (out[spec.name] === undefined) {
        const d = (this.defaults as Record<string, unknown>)[spec.name];
        if (d === undefined) throw new Err(`${where}: parameter group didn't specify a value of required optimization parameter ${spec.name}`);
        out[spec.name] = Array.isArray(d) ? [...d] : d;
      }
    }
    this.checkOptions(out, where, false, Err);
    this.checkCross(out, where, false, Err);
    return out;
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning); options it does not give are
   * the optimiser's defaults. Returns the group as stored.
   */
  addParamGroup(group: ParamGroupInput<O>): ParamGroup<O> {
    const name = this.constructor.name;
    const where = `${name}: param group ${this.paramGroups.length}`;
    if (!isPlainObject(group)) throw new OptionError(`${where}: a param group must be an object { params, ...options }, got ${fmt(group)}`);
    const raw = group.params as unknown;
    let params: unknown[];
    if (isTensorLike(raw)) params = [raw];
    else if (raw instanceof Set) throw new OptionError(`${where}: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.`);
    else if (raw !== null && typeof raw === 'object' && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') params = [...(raw as Iterable<unknown>)];
    else throw new OptionError(`${where}: params must be a Tensor or an iterable of Tensors, got ${fmt(raw)}`);
    params.forEach((p, i) => {
      if (!isTensorLike(p)) throw new OptionError(`${where}: optimizer can only optimize Tensors, but params[${i}] is ${fmt(p)}`);
      if (!p.isLeaf) throw new OptionError(`${where}: can't optimize a non-leaf Tensor (params[${i}])`);
    });
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length) throw new OptionError(`${where}: a parameter appears more than once in the group`);
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (tensors.some((p) => existing.has(p))) throw new OptionError(`${where}: some parameters appear in more than one parameter group`);
    const options = this.completeGroup(group, where);
    const stored = { params: tensors, ...options } as ParamGroup<O>;
    this.paramGroups.push(stored);
    return stored;
  }

  /**
   * Clears the gradients of every parameter: sets them to null (default, PyTorch's set_to_none) or,
   * with setToNone = false, fills them with zeros. A gradient array nobody can hold any more (made
   * by backward and never read through .grad) goes back to the storage pool for the next backward.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (setToNone) p.grad = null;
        else gradOf(p)?.data.fill(0);
      }
    }
  }

  /**
   * Everything step() could refuse, checked before it changes anything, so that a refused step
   * leaves parameters, moments and step counts as they were: each group's options as they are now
   * (a user or a scheduler may have set them since: an lr of NaN), each gradient's size, a gradient
   * sharing memory with a parameter (which the update would overwrite as it reads it), and
   * NaN/±Infinity in a gradient (NonFiniteError, unless allowNonFinite). Every step() calls it after
   * the closure, before updating.
   */
  protected checkStep(): void {
    const name = `${this.constructor.name}.step`;
    const paramRanges = new Map<ArrayBufferLike, Array<[number, number]>>();
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const ranges = paramRanges.get(p.data.buffer) ?? [];
        ranges.push([p.data.byteOffset, p.data.byteOffset + p.data.byteLength]);
        paramRanges.set(p.data.buffer, ranges);
      }
    }
    this.paramGroups.forEach((group, gi) => {
      const where = `${name}: paramGroups[${gi}]`;
      this.checkOptionValues(group, where, OptionError);
      this.checkCross(group, where, false);
      group.params.forEach((p, pi) => {
        const g = gradOf(p)?.data;
        if (!g) return;
        if (g.length !== p.data.length) {
          throw new ShapeError(`${where}.params[${pi}], shape ${JSON.stringify(p.shape)}, has a gradient with ${g.length} elements`);
        }
        const begin = g.byteOffset, end = begin + g.byteLength;
        if (g.byteLength > 0 && paramRanges.get(g.buffer)?.some(([b, e]) => begin < e && b < end)) {
          throw new OptionError(`${where}.params[${pi}]: its gradient shares memory with a parameter, which the step would overwrite while reading it; give it a gradient of its own`);
        }
      });
    });
    if (!this.allowNonFinite) checkFiniteGrads(name, this.paramGroups);
  }

  /**
   * The state as PyTorch's state_dict(): `state` by parameter index (only parameters that have state),
   * `param_groups` with snake_case option keys and `params` as indices. A snapshot: values are copies.
   */
  stateDict(): OptimizerStateDict {
    return this.packState((v) => Array.from(v));
  }

  /**
   * stateDict() with every buffer as a Float32Array copy: what moves between fit's caller and its
   * worker thread, whose transfer lists take the arrays without a copy (number arrays would be built,
   * cloned and parsed back element by element). @internal
   */
  stateDictForTransfer(): OptimizerStateDict {
    return this.packState((v) => v.slice());
  }

  /** stateDict() with the live state buffers, for a caller that copies them before the next step (BackupAndRestore). @internal */
  stateDictView(): OptimizerStateDict {
    return this.packState((v) => v);
  }

  private packState(buffer: (v: Float32Array) => StateValue): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        packed[camelToSnake(k)] = copyJsonData(v);
      }
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed as OptimizerStateDict['param_groups'][number];
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, i] of index) {
      const s = this.state.get(p);
      if (!s) continue;
      const out: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s)) {
        out[camelToSnake(k)] = v instanceof Float32Array ? buffer(v) : v;
      }
      state[String(i)] = out;
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict from stateDict() (or PyTorch's, with tensors as number arrays). As PyTorch:
   * groups and their parameter counts must match; saved parameter indices map to this optimiser's
   * parameters by position; group options are replaced by the saved ones (options a saved group
   * lacks take the defaults; PyTorch's foreach / differentiable / capturable / fused flags are
   * dropped). Everything is checked first and nothing changes unless all is valid.
   */
  loadStateDict(stateDict: OptimizerStateDict | Record<string, unknown>): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!isPlainObject(stateDict)) throw new FormatError(`${name}: expected an object { state, param_groups }, got ${fmt(stateDict)}`);
    const savedGroups = stateDict.param_groups;
    const savedState = stateDict.state;
    if (!Array.isArray(savedGroups)) throw new FormatError(`${name}: param_groups must be an array, got ${fmt(savedGroups)}`);
    if (!isPlainObject(savedState)) throw new FormatError(`${name}: state must be an object keyed by parameter index, got ${fmt(savedState)}`);
    if (savedGroups.length !== this.paramGroups.length) {
      throw new FormatError(`${name}: loaded state dict has a different number of parameter groups (${savedGroups.length}, the optimizer has ${this.paramGroups.length})`);
    }
    const idMap = new Map<string, Tensor>();
    const newGroups: Array<Record<string, unknown>> = [];
    savedGroups.forEach((sg: unknown, gi: number) => {
      const where = `${name}: param_groups[${gi}]`;
      if (!isPlainObject(sg)) throw new FormatError(`${where} must be an object, got ${fmt(sg)}`);
      const ids = sg.params;
      const group = this.paramGroups[gi]!;
      if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0)) {
        throw new FormatError(`${where}.params must be an array of parameter indices, got ${fmt(ids)}`);
      }
      if (ids.length !== group.params.length) {
        throw new FormatError(`${where}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (${ids.length} parameters, the group has ${group.params.length})`);
      }
      ids.forEach((id: number, j: number) => {
        const key = String(id);
        if (idMap.has(key)) throw new FormatError(`${where}.params: parameter index ${id} appears more than once`);
        idMap.set(key, group.params[j]!);
      });
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(sg)) {
        if (k === 'params' || TORCH_ONLY_KEYS.has(k)) continue;
        if (!isJsonValue(v)) throw new FormatError(`${where}.${k}: not a JSON value (${fmt(v)})`);
        options[snakeToCamel(k)] = copyJsonData(v);
      }
      newGroups.push(this.completeGroup(options, where, FormatError));
    });
    const newState = new Map<Tensor, ParamState>();
    const specs = this.stateSpecs();
    const bySnake = new Map(specs.map((s) => [camelToSnake(s.name), s]));
    for (const [key, entry] of Object.entries(savedState)) {
      const where = `${name}: state["${key}"]`;
      const p = idMap.get(key);
      if (!p) throw new FormatError(`${where}: no parameter with index ${key} in param_groups`);
      if (!isPlainObject(entry)) throw new FormatError(`${where} must be an object, got ${fmt(entry)}`);
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        const spec = bySnake.get(k);
        if (!spec) throw new FormatError(`${where}: unexpected key "${k}" (${this.constructor.name} state has ${[...bySnake.keys()].join(', ')})`);
        if (spec.kind === 'count') {
          const n = typeof v === 'number' ? v : isArrayLikeNumbers(v) && v.length === 1 ? Number(v[0]) : NaN;
          if (!(Number.isInteger(n) && n >= 0)) throw new FormatError(`${where}.${k} must be a non-negative integer, got ${fmt(v)}`);
          s[spec.name] = n;
        } else if (v === null && spec.kind === 'buffer-or-null') {
          s[spec.name] = null;
        } else {
          if (!isArrayLikeNumbers(v)) throw new FormatError(`${where}.${k} must be an array of numbers, got ${fmt(v)}`);
          if (v.length !== p.numel) {
            throw new FormatError(`${where}.${k} has ${v.length} values, but the parameter (shape ${JSON.stringify(p.shape)}) has ${p.numel}`);
          }
          s[spec.name] = Float32Array.from(v);
        }
      }
      for (const spec of specs) {
        if (spec.required && !(spec.name in s)) throw new FormatError(`${where}: missing "${camelToSnake(spec.name)}"`);
      }
      newState.set(p, s);
    }
    // Everything is valid: apply.
    newGroups.forEach((opts, gi) => {
      const group = this.paramGroups[gi]! as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params') delete group[k];
      Object.assign(group, opts);
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

function isArrayLikeNumbers(v: unknown): v is ArrayLike<number> {
  // A loop, not every(): every() skips the holes of a sparse array ([1, , 3]).
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
    return true;
  }
  return v instanceof Float32Array || v instanceof Float64Array;
}

/** A deep copy of JSON data (arrays and plain objects); other values as they are. */
export function copyJsonData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyJsonData) as T;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyJsonData(x)])) as T;
  return v;
}
