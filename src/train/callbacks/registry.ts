/**
 * The model-side callback types a worker can rebuild from a CallbackSpec (see ./callback.ts). Built-ins
 * register themselves where they are defined; `registerCallbackType` adds a user's own, with the module
 * a worker must import to have it registered there too.
 */
import { FormatError, OptionError, StateError } from '../../errors.js';
import type { CallbackSpec, ModelCallback } from './callback.js';

type CallbackFactory = (options: Record<string, unknown>) => ModelCallback;

interface Entry {
  factory: CallbackFactory;
  ctor: abstract new (...args: never[]) => ModelCallback;
  module: string | undefined;
}

const types = new Map<string, Entry>();

/** Options of callbacks.registerCallbackType. */
export interface RegisterCallbackTypeOptions {
  /** The module (e.g. import.meta.url) that registers this type, which a worker imports before rebuilding. */
  module?: string;
  /** Replace an existing registration. Default false. */
  replace?: boolean;
}

/** Registers a model-side callback class so fit can move it into a worker thread. */
export function registerCallbackType<T extends ModelCallback>(
  name: string,
  ctor: abstract new (...args: never[]) => T,
  factory: (options: Record<string, unknown>) => T,
  options: RegisterCallbackTypeOptions = {},
): void {
  if (typeof name !== 'string' || name === '') throw new OptionError(`registerCallbackType: name must be a non-empty string, got ${String(name)}`);
  if (typeof factory !== 'function') throw new OptionError(`registerCallbackType: factory for "${name}" must be a function`);
  if (types.has(name) && !options.replace) throw new StateError(`registerCallbackType: "${name}" is already registered (pass { replace: true } to replace it)`);
  types.set(name, { factory, ctor, module: options.module });
}

/** Why `cb` cannot be rebuilt in a worker, or null when it can. */
export function callbackCannotMove(cb: ModelCallback): string | null {
  const spec = cb.toSpec();
  const entry = types.get(spec.type);
  if (!entry || entry.ctor !== cb.constructor) {
    return `the model-side callback ${cb.constructor.name} is not a registered callback type (callbacks.registerCallbackType)`;
  }
  if (entry.module === undefined && !BUILTIN.has(spec.type)) {
    return `the callback type "${spec.type}" was registered without { module }, so a worker cannot import it`;
  }
  return null;
}

/** The modules a worker must import for these callback types. */
export function callbackModules(specs: readonly CallbackSpec[]): string[] {
  return specs.map((s) => types.get(s.type)?.module).filter((m): m is string => m !== undefined);
}

/** Rebuilds a callback from its spec (in a worker) and restores its state. */
export function rebuildCallback(spec: CallbackSpec): ModelCallback {
  const entry = types.get(spec.type);
  if (!entry) throw new FormatError(`rebuildCallback: unknown callback type "${spec.type}" (registered: ${[...types.keys()].join(', ')})`);
  const cb = entry.factory(spec.options);
  cb.importState(spec.state);
  return cb;
}

const BUILTIN = new Set(['EarlyStopping', 'ModelCheckpoint', 'ReduceLROnPlateau', 'TerminateOnNaN', 'BackupAndRestore']);
