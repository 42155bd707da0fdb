/**
 * Architecture serialisation: `model.toJSON()` gives {type, options?, children?} (no weights), and
 * `fromJSON(json)` rebuilds the same tree — same classes, options and state-dict keys — so a worker
 * can recreate a model with `fromJSON(json)` and then `loadStateDict(state)`.
 *
 * Types are looked up in a registry: every built-in layer and Sequential are registered here, and
 * `registerModuleType(name, factory)` adds a user's module type. A factory gets the JSON's options
 * and the already-rebuilt children (in order) and returns the module.
 */
import { AdaptiveAvgPool1d } from './adaptive-avgpool1d.js';
import { AvgPool1d } from './avgpool1d.js';
import { BatchNorm1d } from './batchnorm1d.js';
import { Conv1d } from './conv1d.js';
import { Dropout } from './dropout.js';
import { Dropout1d } from './dropout1d.js';
import { Flatten } from './flatten.js';
import { GELU } from './gelu.js';
import { LayerNorm } from './layernorm.js';
import { LeakyReLU } from './leaky-relu.js';
import { Linear } from './linear.js';
import { MaxPool1d } from './maxpool1d.js';
import { Module, type ModuleJSON } from './module.js';
import { ReLU } from './relu.js';
import { Sequential } from './sequential.js';
import { show } from './validate.js';
import { FormatError, OptionError, StateError } from '../errors.js';

/** Builds a module of one type from its JSON options and its rebuilt children. */
export type ModuleFactory = (options: Record<string, unknown>, children: Module[]) => Module;

/** Options of nn.registerModuleType. */
export interface RegisterModuleTypeOptions {
  /** Replace an existing registration of the same name (built-ins included). Default false. */
  replace?: boolean;
  /**
   * The module that registers this type — pass `import.meta.url`. fit() trains in a worker thread,
   * which must import it to rebuild the model there; without it, a model using this type trains on
   * the caller's thread.
   */
  module?: string;
}

const registry = new Map<string, ModuleFactory>();
const registeringModules = new Map<string, string>();
/** Bumped whenever a type is registered, replaced or removed: what fromJSON builds may have changed. */
let registryChanges = 0;

/** A number that changes whenever what fromJSON builds may have (caches of its results key on it). */
export function moduleTypesVersion(): number {
  return registryChanges;
}

/**
 * Registers how fromJSON builds modules whose toJSON() has `type: name`. Registering a name twice
 * is an error unless `replace` is set.
 */
export function registerModuleType(name: string, factory: ModuleFactory, options: RegisterModuleTypeOptions = {}): void {
  if (typeof name !== 'string' || name === '') throw new OptionError(`registerModuleType: name must be a non-empty string, got ${show(name)}`);
  if (typeof factory !== 'function') throw new OptionError(`registerModuleType: factory for "${name}" must be a function, got ${show(factory)}`);
  if (registry.has(name) && !options.replace) {
    throw new StateError(`registerModuleType: module type "${name}" is already registered (pass { replace: true } to replace it)`);
  }
  if (options.module !== undefined && (typeof options.module !== 'string' || options.module === '')) {
    throw new OptionError(`registerModuleType: module for "${name}" must be a module URL or path (import.meta.url), got ${show(options.module)}`);
  }
  registry.set(name, factory);
  registryChanges++;
  if (options.module === undefined) registeringModules.delete(name);
  else registeringModules.set(name, options.module);
}

/**
 * How a worker thread gets module type `name` registered: 'builtin', the module that registers it
 * (given to registerModuleType), or undefined when nothing tells (or the type is not registered).
 */
export function moduleTypeSource(name: string): string | undefined {
  if (!registry.has(name)) return undefined;
  return registeringModules.get(name) ?? (BUILTIN_TYPES.has(name) && registry.get(name) === builtinFactories.get(name) ? 'builtin' : undefined);
}

/** Removes a registered type; returns whether it was registered. */
export function unregisterModuleType(name: string): boolean {
  registeringModules.delete(name);
  registryChanges++;
  return registry.delete(name);
}

/** The registered type names, sorted. */
export function registeredModuleTypes(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Rebuilds a module tree from its toJSON() form (an object, or its JSON text). Errors name the
 * position in the tree ("at 3.1", the state-dict prefix of that module).
 */
export function fromJSON(json: ModuleJSON | string): Module {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new FormatError(`fromJSON: invalid JSON text: ${(e as Error).message}`, { cause: e });
    }
  }
  return build(value, '');
}

function build(json: unknown, path: string): Module {
  const at = path === '' ? 'at the root' : `at "${path}"`;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FormatError(`fromJSON: expected a module object {type, options?, children?} ${at}, got ${show(json)}`);
  }
  const { type, options, children } = json as Record<string, unknown>;
  if (typeof type !== 'string') throw new FormatError(`fromJSON: missing or non-string "type" ${at}, got ${show(type)}`);
  const factory = registry.get(type);
  if (!factory) {
    throw new FormatError(`fromJSON: unknown module type "${type}" ${at}; registered types: ${registeredModuleTypes().join(', ')} (add your own with nn.registerModuleType)`);
  }
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new FormatError(`fromJSON: "options" of ${type} ${at} must be an object, got ${show(options)}`);
  }
  if (children !== undefined && !Array.isArray(children)) {
    throw new FormatError(`fromJSON: "children" of ${type} ${at} must be an array, got ${show(children)}`);
  }
  const built = (children ?? []).map((c, i) => build(c, path === '' ? String(i) : `${path}.${i}`));
  let module: unknown;
  try {
    module = factory({ ...(options as Record<string, unknown> | undefined) }, built);
  } catch (e) {
    const err = e as Error;
    err.message = `fromJSON: building ${type} ${at}: ${err.message}`;
    throw err;
  }
  if (!(module instanceof Module)) throw new OptionError(`fromJSON: the factory for "${type}" ${at} did not return a Module`);
  return module;
}

/** A factory for a layer without children. */
function leaf(type: string, make: (o: Record<string, unknown>) => Module): ModuleFactory {
  return (options, children) => {
    if (children.length) throw new FormatError(`${type} takes no children, got ${children.length}`);
    return make(options);
  };
}

type Opts = Record<string, unknown>;
const num = (v: unknown) => v as number;

function registerBuiltins(): void {
  registerModuleType('Sequential', (options, children) => {
    if (Object.keys(options).length) throw new FormatError(`Sequential takes no options, got ${show(options)}`);
    return new Sequential(...children);
  });
  registerModuleType('Conv1d', leaf('Conv1d', ({ inChannels, outChannels, kernelSize, ...rest }: Opts) => new Conv1d(num(inChannels), num(outChannels), num(kernelSize), rest)));
  registerModuleType('Linear', leaf('Linear', ({ inFeatures, outFeatures, ...rest }: Opts) => new Linear(num(inFeatures), num(outFeatures), rest)));
  registerModuleType('BatchNorm1d', leaf('BatchNorm1d', ({ numFeatures, ...rest }: Opts) => new BatchNorm1d(num(numFeatures), rest)));
  registerModuleType('LayerNorm', leaf('LayerNorm', ({ normalizedShape, ...rest }: Opts) => new LayerNorm(normalizedShape as number[], rest)));
  registerModuleType('MaxPool1d', leaf('MaxPool1d', ({ kernelSize, ...rest }: Opts) => new MaxPool1d(num(kernelSize), rest)));
  registerModuleType('AvgPool1d', leaf('AvgPool1d', ({ kernelSize, ...rest }: Opts) => new AvgPool1d(num(kernelSize), rest)));
  registerModuleType('AdaptiveAvgPool1d', leaf('AdaptiveAvgPool1d', (o) => new AdaptiveAvgPool1d(o as { outputSize: number })));
  registerModuleType('Dropout', leaf('Dropout', (o) => new Dropout(o)));
  registerModuleType('Dropout1d', leaf('Dropout1d', (o) => new Dropout1d(o)));
  registerModuleType('ReLU', leaf('ReLU', (o) => {
    if (Object.keys(o).length) throw new FormatError(`ReLU takes no options, got ${show(o)}`);
    return new ReLU();
  }));
  registerModuleType('LeakyReLU', leaf('LeakyReLU', (o) => new LeakyReLU(o)));
  registerModuleType('GELU', leaf('GELU', (o) => new GELU(o)));
  registerModuleType('Flatten', leaf('Flatten', (o) => new Flatten(o)));
}

registerBuiltins();
const builtinFactories = new Map(registry);
const BUILTIN_TYPES = new Set(registry.keys());
