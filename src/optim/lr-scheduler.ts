/**
 * LRScheduler: the base of the epoch/step-driven learning-rate schedules, as PyTorch 1.13's
 * _LRScheduler. Constructing one sets `initialLr` on every group that has none (PyTorch's
 * initial_lr), records `baseLrs`, and performs the initial step (lastEpoch −1 → 0), which sets each
 * group's lr to the schedule's first value. Each step() advances lastEpoch and sets the groups' lr
 * from the schedule — most schedules are chainable (computed from the groups' current lr, as
 * PyTorch's get_lr()), so other changes to lr compose with them as they do in PyTorch.
 *
 * State dicts hold PyTorch's attribute names (base_lrs, last_epoch, _step_count, _last_lr, and the
 * schedule's own: step_size, gamma, T_max, ...), JSON-friendly; loading checks every value before
 * changing anything. Also here: the field machinery the schedulers share.
 *
 * Every scheduler also says how often it expects to be stepped (`interval`: per batch or per epoch)
 * and, through toJSON(), what it was built from ({ type, options }), so that fit() can move it to a
 * worker thread as data and rebuild it there (./describe.ts).
 */
import { FormatError, OptionError, StateError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { copyJsonData, Optimizer } from './optimizer.js';
import { checkInt, fmt, isObject } from '../options.js';

/** A number for every param group: one number for all, or a list with one per group. */
export function perGroup(where: string, name: string, v: unknown, groups: number, check: (x: unknown, name: string) => number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== groups) throw new OptionError(`${where}: expected ${groups} values for ${name}, got ${v.length}`);
    return v.map((x, i) => check(x, `${name}[${i}]`));
  }
  return new Array<number>(groups).fill(check(v, name));
}

// ---------------------------------------------------------------------------------------------------
// State fields: how a scheduler's attributes map to a JSON-friendly state dict and back
// ---------------------------------------------------------------------------------------------------

/** One attribute in a state dict: its key (PyTorch's name), reader, writer and decoder. */
export interface StateField {
  key: string;
  get(): unknown;
  set(v: unknown): void;
  /** Checks a saved value and returns it decoded (throws with `where` on a bad one). */
  decode(raw: unknown, where: string): unknown;
  /** The JSON-friendly form of the value (default: a copy of it). */
  encode?(v: unknown): unknown;
}

type Decoder = (raw: unknown, where: string) => unknown;

/** Decoders for state-dict values. */
export const dec = {
  int: (min = -Infinity): Decoder => (raw, where) => {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min) throw new FormatError(`${where} must be an integer${min > -Infinity ? ` >= ${min}` : ''}, got ${fmt(raw)}`);
    return raw;
  },
  number: (): Decoder => (raw, where) => {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new FormatError(`${where} must be a finite number, got ${fmt(raw)}`);
    return raw;
  },
  /** A number that may be ±Infinity or NaN, saved as the strings "Infinity", "-Infinity", "NaN". */
  float: (): Decoder => (raw, where) => {
    if (typeof raw === 'number') return raw;
    if (raw === 'Infinity' || raw === '-Infinity' || raw === 'NaN' || raw === 'inf' || raw === '-inf' || raw === 'nan') {
      return raw === 'NaN' || raw === 'nan' ? NaN : raw.startsWith('-') ? -Infinity : Infinity;
    }
    throw new FormatError(`${where} must be a number (or "Infinity", "-Infinity", "NaN"), got ${fmt(raw)}`);
  },
  numbers: (length?: number, ints = false): Decoder => (raw, where) => {
    if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'number' && Number.isFinite(x) && (!ints || Number.isInteger(x)))) {
      throw new FormatError(`${where} must be an array of finite ${ints ? 'integers' : 'numbers'}, got ${fmt(raw)}`);
    }
    if (length !== undefined && raw.length !== length) throw new FormatError(`${where} has ${raw.length} values, expected ${length} (one per param group)`);
    return [...raw];
  },
  boolean: (): Decoder => (raw, where) => {
    if (typeof raw !== 'boolean') throw new FormatError(`${where} must be a boolean, got ${fmt(raw)}`);
    return raw;
  },
  choice: (choices: readonly string[]): Decoder => (raw, where) => {
    if (typeof raw !== 'string' || !choices.includes(raw)) throw new FormatError(`${where} must be one of ${choices.join(', ')}, got ${fmt(raw)}`);
    return raw;
  },
};

/** A number as JSON can hold it (non-finite values as strings). */
export function encodeFloat(v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** A deep copy of a constructor's options (arrays and plain objects copied), without undefined entries. */
export function copyOptions(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = copyJsonData(v);
  return out;
}

/** Keys PyTorch's scheduler state dicts hold that keel has no use for; ignored on load. */
const IGNORED_KEYS = new Set(['verbose', '_get_lr_called_within_step', 'anneal_func', 'lr_lambdas']);

export function encodeFields(fields: readonly StateField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.key] = f.encode ? f.encode(f.get()) : copyJsonData(f.get());
  return out;
}

/** Checks a state dict against `fields`; returns the function that applies it (nothing changes before). */
export function prepareFields(where: string, fields: readonly StateField[], sd: unknown): () => void {
  if (!isObject(sd)) throw new FormatError(`${where}: expected a state dict object, got ${fmt(sd)}`);
  const keys = new Set(fields.map((f) => f.key));
  for (const k of Object.keys(sd)) {
    if (!keys.has(k) && !IGNORED_KEYS.has(k)) throw new FormatError(`${where}: unexpected key "${k}" (expected ${[...keys].join(', ')})`);
  }
  const values = fields.map((f) => {
    if (!(f.key in sd)) throw new FormatError(`${where}: missing key "${f.key}"`);
    return f.decode(sd[f.key], `${where}: ${f.key}`);
  });
  return () => fields.forEach((f, i) => f.set(values[i]));
}

/** A field read from and written to a property of `obj`. */
export function field<T extends object>(obj: T, key: string, prop: keyof T & string, decode: Decoder, encode?: (v: unknown) => unknown): StateField {
  const o = obj as Record<string, unknown>;
  return {
    key,
    get: () => o[prop],
    set: (v) => {
      o[prop] = v;
    },
    decode,
    ...(encode ? { encode } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// The base class
// ---------------------------------------------------------------------------------------------------

/** Options every LRScheduler takes (PyTorch's last_epoch). */
export interface LRSchedulerOptions {
  /**
   * The index of the last epoch when resuming (default −1: a fresh start). Resuming needs every
   * group's initialLr, as in PyTorch.
   */
  lastEpoch?: number;
}

/** How often a schedule expects to be stepped: after every batch, or after every epoch. */
export type SchedulerInterval = 'batch' | 'epoch';

/** What a scheduler was built from: its registered type name and its constructor's options (plain data). */
export interface SchedulerJSON {
  /** The registered scheduler type, e.g. 'StepLR' (the class name for built-ins). */
  type: string;
  /** The constructor's options as given, plain data. */
  options: Record<string, unknown>;
}

/**
 * Anything with the scheduler protocol: step, the last lrs, state dicts. step() takes no argument,
 * except ReduceLROnPlateau's, which needs the metric.
 */
export interface Scheduler {
  /** The optimiser whose param groups' lr this schedule sets. */
  readonly optimizer: Optimizer;
  /**
   * The granularity the schedule expects fit() to step it at: 'batch' (OneCycleLR, whose totalSteps
   * count batches) or 'epoch' (every other built-in schedule).
   */
  readonly interval: SchedulerInterval;
  /** Advances the schedule one step and sets every group's lr; ReduceLROnPlateau needs the metric. */
  step(metric?: number | Tensor): void;
  /** The lrs the last step set, one per param group (PyTorch's get_last_lr()). */
  getLastLr(): number[];
  /** The schedule's progress with PyTorch's attribute names, JSON-friendly. */
  stateDict(): Record<string, unknown>;
  /** Restores a stateDict() (checked before anything changes). */
  loadStateDict(stateDict: Record<string, unknown>): void;
  /**
   * The type and constructor options rebuildScheduler builds it again from (its progress is in
   * stateDict()). Optional for user schedulers; throws for one that cannot be described (LambdaLR).
   */
  toJSON?(): SchedulerJSON;
}

/** Checks `optimizer` and `lastEpoch`, and that groups have initialLr when resuming. Changes nothing. */
export function checkSchedulerBase(where: string, optimizer: unknown, lastEpoch: unknown): number {
  if (!(optimizer instanceof Optimizer)) throw new OptionError(`${where}: optimizer must be an Optimizer, got ${fmt(optimizer)}`);
  const e = checkInt(where, 'lastEpoch', lastEpoch ?? -1, -1);
  if (e !== -1) {
    optimizer.paramGroups.forEach((g, i) => {
      if (typeof g.initialLr !== 'number') {
        throw new StateError(`${where}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer (lastEpoch ${e})`);
      }
    });
  }
  return e;
}

/** Base class of the epoch/step-driven schedules (PyTorch's _LRScheduler): construction takes the initial step; each step() advances lastEpoch and sets every group's lr. */
export abstract class LRScheduler implements Scheduler {
  /** The optimiser whose param groups' lr this schedule sets. */
  readonly optimizer: Optimizer;
  /** The groups' initialLr values when the scheduler was made (PyTorch's base_lrs). */
  baseLrs: number[];
  /** The index of the last step taken (0 after construction). */
  lastEpoch: number;
  /** Steps taken, counting the initial one (PyTorch's _step_count). */
  protected stepCount = 0;
  /** The lrs the last step set (PyTorch's _last_lr). */
  protected lastLr: number[] = [];
  /** The constructor's options as given (a copy), for toJSON(); undefined if the subclass gave none. */
  private readonly constructionOptions: Record<string, unknown> | undefined;

  /**
   * Subclasses check their options first, then call this, set their fields, and call initialStep().
   * Sets initialLr on groups that lack it (lastEpoch −1). `options` (the subclass's constructor
   * options, checked) is recorded for toJSON().
   */
  protected constructor(optimizer: Optimizer, lastEpoch = -1, options?: object) {
    const e = checkSchedulerBase(this.constructor.name, optimizer, lastEpoch);
    this.optimizer = optimizer;
    if (e === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = e;
    this.constructionOptions = options === undefined ? undefined : copyOptions(options);
  }

  /**
   * Stepped once per epoch by fit() ('epoch'): StepLR, MultiStepLR, ExponentialLR, LambdaLR,
   * ConstantLR, LinearLR and CosineAnnealingLR count epochs. OneCycleLR overrides this ('batch').
   */
  get interval(): SchedulerInterval {
    return 'epoch';
  }

  /**
   * `{ type, options }`: the class name and the constructor's options as given, from which
   * rebuildScheduler (./describe.ts) builds the schedule again; its progress is in stateDict().
   */
  toJSON(): SchedulerJSON {
    const name = this.constructor.name;
    if (!this.constructionOptions) {
      throw new StateError(`${name}.toJSON: ${name} did not record its constructor's options (pass them to LRScheduler's constructor: super(optimizer, lastEpoch, options))`);
    }
    return { type: name, options: copyOptions(this.constructionOptions) };
  }

  /** The chainable schedule: the groups' next lrs (PyTorch's get_lr). */
  protected abstract getLr(): number[];

  /** The closed form at lastEpoch (PyTorch's _get_closed_form_lr), used by step(epoch); null if none. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** @internal PyTorch's _initial_step: resets the step count and steps once. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances the schedule one step and sets every group's lr. */
  step(): void {
    this.stepAt(undefined);
  }

  /**
   * @internal PyTorch's deprecated step(epoch): jumps to `epoch` using the closed form where the
   * schedule has one (SequentialLR uses it to restart a schedule at its milestone).
   */
  stepAt(epoch: number | undefined): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs the last step set, one per group (PyTorch's get_last_lr()). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The groups' current lrs. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** @internal The attributes in a state dict; subclasses add theirs. */
  protected stateFields(): StateField[] {
    const n = this.optimizer.paramGroups.length;
    return [
      field(this, 'base_lrs', 'baseLrs', dec.numbers(n)),
      field(this, 'last_epoch', 'lastEpoch', dec.int(-1)),
      field(this, '_step_count', 'stepCount' as keyof this & string, dec.int(0)),
      field(this, '_last_lr', 'lastLr' as keyof this & string, dec.numbers(n)),
    ];
  }

  /** The state: PyTorch's attribute names, JSON-friendly values, a snapshot. */
  stateDict(): Record<string, unknown> {
    return encodeFields(this.stateFields());
  }

  /** @internal Checks a state dict and returns the function that applies it. */
  prepareLoad(stateDict: unknown): () => void {
    return prepareFields(`${this.constructor.name}.loadStateDict`, this.stateFields(), stateDict);
  }

  /** Loads a state dict from stateDict(); everything is checked before anything changes. */
  loadStateDict(stateDict: Record<string, unknown>): void {
    this.prepareLoad(stateDict)();
  }
}
