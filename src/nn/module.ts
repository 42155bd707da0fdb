/**
 * Module: the base of every layer, as torch.nn.Module — parameters, buffers and child modules
 * registered by name (that order is the state dict's order), a training flag that train()/eval()
 * set on the whole tree, and state dicts with PyTorch's keys.
 *
 * Subclasses register what they own in their constructor:
 *   this.weight = this.registerParameter('weight', t);   this.registerBuffer('running_mean', t);
 *   this.registerModule('0', child);
 */
import { copyState, isFloatDType, stateEntryProblem, type StateDict, type StateTensor } from '../io/state.js';
import { checkOptions, show } from '../functional/validate.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { moduleRepr } from './repr.js';
import type { Tensor } from '../tensor/tensor.js';
import { OptionError, StateError } from '../errors.js';
import { StateDictError } from './state-dict-error.js';

/** The JSON form of a module tree (see toJSON / nn.fromJSON). */
export interface ModuleJSON {
  /** The registered module type name, e.g. 'Conv1d' or 'Sequential' (nn.registerModuleType adds more). */
  type: string;
  /** The constructor options, as plain JSON; omitted when the type has none. */
  options?: Record<string, unknown>;
  /** Child modules in registration order (Sequential's layers). */
  children?: ModuleJSON[];
}

/** Options of Module.loadStateDict (PyTorch's `strict` argument). */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (no missing, no unexpected). Default true. */
  strict?: boolean;
}

/** What Module.loadStateDict matched, as PyTorch's `_IncompatibleKeys` (both empty with strict). */
export interface LoadStateDictResult {
  /** Keys this module has that the state dict lacks (left unchanged). */
  missingKeys: string[];
  /** Keys in the state dict that this module does not have (ignored). */
  unexpectedKeys: string[];
}

/** Base class of every layer (torch.nn.Module). Subclass it, register parameters, buffers and children in the constructor, and define forward(); see the file header for the registration calls. */
export abstract class Module {
  /** Training mode (true) or evaluation mode (false); set with train() / eval(). */
  training = true;
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, StateTensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module>();

  /** The computation; every subclass defines it. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** The module's name in error messages and printouts, e.g. "Conv1d(14→64)". */
  describe(): string {
    return this.constructor.name;
  }

  /** What toString() prints inside the parentheses (PyTorch's extra_repr); '' by default. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr: `Conv1d(14, 64, kernelSize=3, …)`, children indented under their names. */
  toString(): string {
    return moduleRepr(this);
  }

  /** The JSON form that nn.fromJSON rebuilds this module from (architecture only, no weights). */
  abstract toJSON(): ModuleJSON;

  /** Registers a parameter (a leaf tensor that requires grad), or null for an absent one (bias=false). */
  protected registerParameter<T extends Tensor | null>(name: string, t: T): T {
    this.checkName(name);
    if (t) t.requiresGrad = true;
    this._parameters.set(name, t);
    return t;
  }

  /** Registers a buffer: state that is not trained (running statistics); persistent ones are in the state dict. */
  protected registerBuffer<T extends StateTensor | null>(name: string, t: T, persistent = true): T {
    this.checkName(name);
    this._buffers.set(name, t);
    if (!persistent) this._nonPersistent.add(name);
    return t;
  }

  /** Registers a child module under `name` (no dots); its parameters appear under `name.` in the state dict. Returns m. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    this._modules.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new OptionError(`${this.describe()}: invalid name "${name}" (non-empty, no ".")`);
    if (this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name)) {
      throw new StateError(`${this.describe()}: "${name}" is already registered`);
    }
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    return [...this._modules.values()];
  }

  /** Direct children with their names, in registration order (named_children). */
  namedChildren(): Array<[string, Module]> {
    return [...this._modules.entries()];
  }

  /** This module and every descendant, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** This module and every descendant, depth first (PyTorch's modules()). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with their dotted state-dict names, each once even if shared; only this module's own with recurse=false (named_parameters). */
  namedParameters(recurse = true): Array<[string, Tensor]> {
    return this.collect(this._parametersOf, recurse) as Array<[string, Tensor]>;
  }

  /** The parameters to hand an optimiser: namedParameters() without the names. */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters(recurse).map(([, t]) => t);
  }

  /** Persistent buffers (running statistics, counters) with their dotted state-dict names (named_buffers). */
  namedBuffers(recurse = true): Array<[string, StateTensor]> {
    return this.collect(this._buffersOf, recurse);
  }

  /** Persistent buffers, as namedBuffers() without the names. */
  buffers(recurse = true): StateTensor[] {
    return this.namedBuffers(recurse).map(([, t]) => t);
  }

  private _parametersOf = (m: Module) => [...m._parameters.entries()];
  private _buffersOf = (m: Module) => [...m._buffers.entries()].filter(([n]) => !m._nonPersistent.has(n));

  private collect(own: (m: Module) => Array<[string, StateTensor | null]>, recurse: boolean): Array<[string, StateTensor]> {
    const out: Array<[string, StateTensor]> = [];
    const seen = new Set<StateTensor>();
    for (const [prefix, m] of recurse ? this.namedModules() : [['', this] as [string, Module]]) {
      for (const [name, t] of own(m)) {
        if (t && !seen.has(t)) {
          seen.add(t);
          out.push([prefix ? `${prefix}.${name}` : name, t]);
        }
      }
    }
    return out;
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: BatchNorm uses running statistics, Dropout is the identity. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (set to null, PyTorch's default set_to_none=True), recycling the arrays nobody can hold (Optimizer.zeroGrad). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every descendant and then this module (PyTorch's order); returns this. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Number of parameter elements (only those that require grad, if asked). */
  numParameters(onlyTrainable = false): number {
    return this.parameters().reduce((n, p) => n + (onlyTrainable && !p.requiresGrad ? 0 : p.numel), 0);
  }

  /**
   * Parameters and persistent buffers by PyTorch's keys. Unlike PyTorch the values are copies, so a
   * saved state dict is a snapshot that later training does not change. F32 values are Tensors
   * (requiresGrad false; usable as inputs as they are), int64 ones plain entries (io/state.ts copyState).
   */
  stateDict(): StateDict {
    return this.stateEntries(copyState);
  }

  /**
   * stateDict() without the copies: the live parameters and buffers, for a caller that copies them
   * before training goes on (BackupAndRestore encodes them into its file at once). @internal
   */
  stateEntries(take: (t: StateTensor) => StateTensor = (t) => t): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (n: string) => (prefix ? `${prefix}.${n}` : n);
      for (const [n, t] of m._parameters) if (t) out[key(n)] = take(t);
      for (const [n, t] of m._buffers) if (t && !m._nonPersistent.has(n)) out[key(n)] = take(t);
    }
    return out;
  }

  /**
   * A layer's own check of an entry loadStateDict would copy into its parameter or buffer `name` (shape
   * and dtype already match): an error sentence naming `key`, or undefined. Default: none.
   */
  protected loadedEntryProblem(_name: string, _entry: StateTensor, _key: string): string | undefined {
    return undefined;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. Everything is checked
   * first — keys (with strict), the form of every entry it loads, shapes, dtypes, a layer's own checks
   * (BatchNorm1d: a num_batches_tracked that is a count) — and nothing is
   * changed unless all of it is valid. Float values convert between F32/F64; integer buffers accept
   * any integer dtype. A dict that does not fit throws one StateDictError (a FormatError; PyTorch's message) whose
   * `missingKeys` and `unexpectedKeys` are as this method returns them, whose `mismatchedKeys` lists
   * the well-formed entries of the wrong shape or dtype for the model, and whose `invalidKeys` lists
   * the entries that are no tensor at all (null, no shape, data of another type or length than its
   * dtype and shape say: see io/state.ts stateEntryProblem). strict: false forgives missing and
   * unexpected keys only, as in PyTorch; a malformed or mismatched entry is always an error.
   */
  loadStateDict(dict: StateDict, options?: LoadStateDictOptions): LoadStateDictResult {
    const op = `${this.constructor.name}.loadStateDict`;
    const { strict = true } = checkOptions(op, options, ['strict']);
    if (typeof strict !== 'boolean') throw new OptionError(`${op}: strict must be true or false, got ${show(strict)}`);
    if (typeof dict !== 'object' || dict === null) throw new OptionError(`${op}: stateDict must be an object mapping keys to tensors, got ${show(dict)}`);
    const targets = new Map<string, StateTensor>();
    const owners = new Map<string, [Module, string]>(); // key → the module holding it and its own name there
    for (const [prefix, m] of this.namedModules()) {
      const add = (n: string, t: StateTensor) => {
        const k = prefix ? `${prefix}.${n}` : n;
        targets.set(k, t);
        owners.set(k, [m, n]);
      };
      for (const [n, t] of m._parameters) if (t) add(n, t);
      for (const [n, t] of m._buffers) if (t && !m._nonPersistent.has(n)) add(n, t);
    }
    const has = (k: string) => Object.hasOwn(dict, k); // not inherited members such as "constructor"
    const missingKeys = [...targets.keys()].filter((k) => !has(k));
    const unexpectedKeys = Object.keys(dict).filter((k) => !targets.has(k));
    // Each entry read once, fields and all (entryOnce): what is checked is what is copied.
    const loaded = [...targets].filter(([k]) => has(k)).map(([k, t]) => [k, t, entryOnce(dict[k])] as const);
    const mismatchedKeys: string[] = [];
    const invalidKeys: string[] = [];
    const errors: string[] = [];
    if (strict && missingKeys.length) errors.push(`Missing key(s): ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && unexpectedKeys.length) errors.push(`Unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    for (const [k, target, src] of loaded) {
      const invalid = stateEntryProblem(src);
      if (invalid !== undefined) {
        errors.push(`invalid entry for ${k}: ${invalid}.`);
        invalidKeys.push(k);
        continue;
      }
      const { shape, dtype } = src as StateTensor;
      const problem = !sameShape(shape, target.shape)
        ? `size mismatch for ${k}: copying a param with shape ${formatShape(shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`
        : isFloatDType(dtype) !== isFloatDType(target.dtype)
          ? `dtype mismatch for ${k}: checkpoint has ${dtype}, the model has ${target.dtype}.`
          : owners.get(k)![0].loadedEntryProblem(owners.get(k)![1], src as StateTensor, k);
      if (problem !== undefined) {
        errors.push(problem);
        mismatchedKeys.push(k);
      }
    }
    if (errors.length) {
      // The key lists as fields, so a caller (or a worker's parent: they survive plainError) need not parse the message.
      const message = `Error(s) in loading state_dict for ${this.describe()}:\n\t${errors.join('\n\t')}`;
      throw new StateDictError(message, missingKeys, unexpectedKeys, mismatchedKeys, invalidKeys);
    }
    for (const [, target, src] of loaded) {
      const from = (src as StateTensor).data as ArrayLike<number | bigint>, out = target.data;
      // Float into float or int64 into int64: one copy (F64 rounds to float32 as element-wise
      // assignment would). Otherwise integers convert one by one (stateEntryProblem checked them).
      if (isFloatDType(target.dtype) || (out instanceof BigInt64Array && from instanceof BigInt64Array)) {
        out.set(from as never);
      } else if (out instanceof BigInt64Array) {
        for (let i = 0; i < out.length; i++) out[i] = BigInt(from[i]!);
      } else {
        for (let i = 0; i < out.length; i++) out[i] = Number(from[i]!);
      }
    }
    return { missingKeys, unexpectedKeys };
  }
}

/**
 * A state dict entry's dtype, shape and data, each read once into a plain object (plain-array shape and
 * data copied too), or the value itself when it is no object. loadStateDict checks and copies this,
 * never the caller's object again: a getter (or a Proxy) that answered differently on a second read
 * could otherwise get unchecked data copied, or fail halfway through the copy with some entries
 * already loaded.
 */
function entryOnce(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const { dtype, shape, data } = v as Record<string, unknown>;
  return { dtype, shape: Array.isArray(shape) ? elementsOnce(shape) : shape, data: Array.isArray(data) ? elementsOnce(data) : data };
}

/**
 * A copy of a plain array, each element read once; holes stay holes (stateEntryProblem reports them).
 * Only a Proxy can have a length no array can: it is returned as it is, for stateEntryProblem to refuse.
 */
function elementsOnce(a: readonly unknown[]): readonly unknown[] {
  const n = a.length;
  if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 32)) return a;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) if (i in a) out[i] = a[i];
  return out;
}
