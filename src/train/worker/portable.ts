/**
 * Whether a run can move into a worker thread, and its description when it can. Everything must be
 * rebuildable there: the model from toJSON() (every module type built in, or registered with the module
 * that registers it — and rebuilt as the same classes, so a subclass with its own forward is never
 * silently trained as its parent), the optimiser and schedule from their specs (src/optim/describe.ts),
 * the loss and metrics by name, augmentations and model-side callbacks from their specs, and the data
 * as tensors.
 * Tensor data moves without a copy when it already lives on a SharedArrayBuffer; otherwise it is copied
 * once onto one (never per batch, and never by detaching the caller's arrays), a slice at a time with
 * the event loop free in between (copyToShared), so a large dataset does not block the caller.
 */
import { StateError } from '../../errors.js';
import { type Dataset, Subset, TensorDataset } from '../../data/dataset.js';
import { WindowDataset } from '../../data/window-dataset.js';
import type { StateDict } from '../../io/state.js';
import type { Module } from '../../nn/module.js';
import { fusionEnabled } from '../../nn/sequential.js';
import { fromJSON, moduleTypeSource, moduleTypesVersion, registeredModuleTypes } from '../../nn/serialize.js';
import type { ModuleJSON } from '../../nn/module.js';
import { describeOptimizer, describeScheduler, optimizerStateBuffers, optimizerTypeModule, schedulerSpecModules } from '../../optim/describe.js';
import { generatorState, setGeneratorState } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Callback, ModelCallback } from '../callbacks/callback.js';
import { callbackCannotMove, callbackModules } from '../callbacks/registry.js';
import { isPortableMetric } from '../metrics.js';
import type { LossName } from '../losses.js';
import { augmentation, type FitRun } from '../plan.js';
import { type Augmentation, type AugmentSpec, Compose, fromSpec } from '../../augment/augmentation.js';
import type { AugmentFunction } from '../options.js';
import type { EventPlan, PlainStateDict, PortableDataset, WorkerJob } from './protocol.js';
import { entryScriptAmong } from './user-imports.js';

/** Plain {dtype, shape, data} entries (Tensors lose their class in structured clone). */
export function plainState(sd: StateDict): PlainStateDict {
  const out: PlainStateDict = {};
  for (const [k, t] of Object.entries(sd)) out[k] = { dtype: t.dtype, shape: [...t.shape], data: t.data };
  return out;
}

/** The typed arrays under a plain state dict, to transfer instead of copying. */
export function stateBuffers(sd: PlainStateDict): ArrayBuffer[] {
  return Object.values(sd).map((t) => t.data.buffer as ArrayBuffer);
}

function typesIn(json: ModuleJSON, out = new Set<string>()): Set<string> {
  out.add(json.type);
  for (const c of json.children ?? []) typesIn(c, out);
  return out;
}

/**
 * The first two places of the model that hold one and the same layer, parameter or buffer (a layer
 * used twice, weights tied by assignment), or null. toJSON() writes each place as its own layer, so a
 * model rebuilt from it would train two copies where the caller's model trains one.
 */
function sharedPlaces(model: Module): [string, string] | null {
  const first = new Map<object, string>();
  for (const [name, m] of model.namedModules()) {
    const own = [...m.namedParameters(false), ...m.namedBuffers(false)].map(([key, t]): [string, object] => [name ? `${name}.${key}` : key, t]);
    for (const [place, part] of [[name || '(root)', m] as [string, object], ...own]) {
      const earlier = first.get(part);
      if (earlier !== undefined) return [earlier, place];
      first.set(part, place);
    }
  }
  return null;
}

/**
 * Architectures (toJSON() text) whose rebuild describeModel checked, with the classes it built and
 * the module-type registry they were built under. A rebuild initialises every weight — 10–20 ms of
 * the caller's thread for the §1 backbone — which a server fitting one architecture again and again
 * pays once. The last REBUILT_KEPT architectures are kept.
 */
const rebuiltClasses = new Map<string, { version: number; classes: Function[] }>();
const REBUILT_KEPT = 32;

/** Why the model cannot be rebuilt in a worker (null when it can), and the modules the worker must import. */
function describeModel(model: Module): { reason: string } | { json: ModuleJSON; imports: string[] } {
  const shared = sharedPlaces(model);
  if (shared) {
    return { reason: `the model uses one layer or tensor at "${shared[0]}" and at "${shared[1]}", which toJSON() writes as two, so a worker would train two copies of it` };
  }
  const json = model.toJSON();
  const imports: string[] = [];
  for (const type of typesIn(json)) {
    const source = moduleTypeSource(type);
    if (source === undefined && !registeredModuleTypes().includes(type)) {
      return { reason: `module type "${type}" is not registered, so a worker cannot rebuild the model (nn.registerModuleType(name, factory, { module: import.meta.url }))` };
    }
    if (source === undefined) {
      return { reason: `module type "${type}" was registered without { module: import.meta.url }, so a worker cannot register it (nn.registerModuleType)` };
    }
    if (source !== 'builtin') imports.push(source);
  }
  // Rebuild here too and compare classes: a subclass whose toJSON is its parent's would silently
  // train as the parent.
  const classes = model.modules().map((m) => m.constructor);
  const text = JSON.stringify(json);
  const checked = rebuiltClasses.get(text);
  if (checked?.version === moduleTypesVersion() && checked.classes.length === classes.length && checked.classes.every((c, i) => c === classes[i])) {
    return { json, imports };
  }
  // The generator is put back: init draws must not shift the caller's random numbers.
  const generator = generatorState();
  let copy: Module;
  try {
    copy = fromJSON(json);
  } catch (e) {
    return { reason: `nn.fromJSON(model.toJSON()) fails: ${(e as Error).message}` };
  } finally {
    setGeneratorState(generator);
  }
  const theirs = copy.namedModules();
  for (const [i, [name, m]] of model.namedModules().entries()) {
    const other = theirs[i];
    if (!other || other[0] !== name || other[1].constructor !== m.constructor) {
      return { reason: `nn.fromJSON(model.toJSON()) does not rebuild ${m.constructor.name} at "${name || '(root)'}" as itself (a subclass needs its own toJSON type, registered with nn.registerModuleType)` };
    }
  }
  if (rebuiltClasses.size >= REBUILT_KEPT) rebuiltClasses.delete(rebuiltClasses.keys().next().value!);
  rebuiltClasses.set(text, { version: moduleTypesVersion(), classes: theirs.map(([, m]) => m.constructor) });
  return { json, imports };
}

/** Source arrays and the shared arrays they are copied to (copyToShared fills them). */
export type SharedCopies = Map<Float32Array, Float32Array>;

/** Float32 data on a SharedArrayBuffer: the same array when it is one already, else a new one that copyToShared fills. */
function shared(a: Float32Array, copies: SharedCopies): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let s = copies.get(a);
  if (!s) {
    s = new Float32Array(new SharedArrayBuffer(a.byteLength));
    copies.set(a, s);
  }
  return s;
}

/**
 * Floats copied between two turns of the event loop: 1 MB, a fraction of a millisecond on a typical
 * server, and about 5 ms where first touches of fresh memory are slow (this project's VMs: ~200 MB/s).
 */
const SLICE = 1 << 18;

/**
 * Fills the shared arrays from their sources one slice at a time, letting the event loop run between
 * slices (setImmediate), so the caller's server keeps answering while 100 MB of data is copied.
 * Resolves false, copying no more, once `signal` is aborted; throws StateError if a source changes size.
 */
export async function copyToShared(copies: SharedCopies, signal?: AbortSignal): Promise<boolean> {
  for (const [from, to] of copies) {
    for (let at = 0; at < to.length; at += SLICE) {
      if (signal?.aborted) return false;
      // The caller's code runs between slices: a source transferred away (postMessage) reads as
      // length 0 from then on, and the rest of the copy would silently stay zeros.
      if (from.length !== to.length) {
        throw new StateError(
          `fit: an array of the training or validation data went from ${to.length} elements to ${from.length} while fit copied it ` +
            'to its worker (was its buffer transferred, e.g. by postMessage?); nothing was trained. Keep the data as it is until fit resolves',
        );
      }
      to.set(from.subarray(at, at + SLICE), at);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return !signal?.aborted;
}

function describeDataset(d: Dataset, cache: SharedCopies): PortableDataset | { reason: string } {
  const tensors = (ts: readonly Tensor[]) => ts.map((t) => ({ shape: [...t.shape], data: shared(t.data, cache) }));
  if (d instanceof TensorDataset) return { kind: 'tensors', tensors: tensors(d.tensors) };
  if (d instanceof WindowDataset) return { kind: 'windows', layout: { ...d.layout, series: shared(d.layout.series, cache) }, fields: tensors(d.fields) };
  if (d instanceof Subset) {
    const inner = describeDataset(d.dataset, cache);
    return 'reason' in inner ? inner : { kind: 'subset', dataset: inner, indices: d.indices };
  }
  return { reason: `the dataset (${d.constructor?.name ?? 'object'}) is not a TensorDataset, a WindowDataset or a Subset of one, so it cannot move to a worker` };
}

/** Rebuilds a dataset from its portable form (in the worker). */
export function rebuildDataset(p: PortableDataset): Dataset {
  if (p.kind === 'subset') return new Subset(rebuildDataset(p.dataset), p.indices);
  if (p.kind === 'windows') return new WindowDataset(p.layout, ...p.fields.map((t) => new Tensor(t.data, t.shape)));
  return new TensorDataset(...p.tensors.map((t) => new Tensor(t.data, t.shape)));
}

/**
 * Which events the caller-side callbacks need posted, and after which the worker must wait: where a
 * callback that is not passive listens (it may stop training there), and once at the start (a callback
 * that cannot start — a logger that cannot open its file — must stop the run before it trains).
 */
function eventPlan(callerSide: readonly Callback[]): EventPlan {
  type Hook = 'onBatchBegin' | 'onBatchEnd' | 'onEpochBegin' | 'onEpochEnd';
  const listens = (hook: Hook) => callerSide.filter((cb) => cb.overrides(hook));
  const answers = (hook: Hook) => listens(hook).some((cb) => !cb.passive);
  return {
    post: { batchBegin: listens('onBatchBegin').length > 0, batchEnd: listens('onBatchEnd').length > 0 },
    wait: {
      trainBegin: callerSide.length > 0,
      epochBegin: answers('onEpochBegin'),
      epochEnd: answers('onEpochEnd'),
      batchBegin: answers('onBatchBegin'),
      batchEnd: answers('onBatchEnd'),
    },
  };
}

/** The spec a worker rebuilds the augmentation from, or why it cannot (a function, or a type the worker would not know). */
function describeAugment(a: Augmentation | AugmentFunction | null): AugmentSpec | null | { reason: string } {
  if (a === null) return null;
  if (typeof a === 'function') return { reason: 'augment is a function, which cannot move to a worker (use augment.* transforms, or worker: false)' };
  const spec = a.toSpec();
  let copy: Augmentation;
  try {
    copy = fromSpec(spec);
  } catch (e) {
    return { reason: `the augmentation cannot be rebuilt in a worker: ${(e as Error).message}` };
  }
  // A subclass of a built-in whose spec is its parent's would silently augment as the parent there.
  const changed = changedClass(a, copy);
  if (changed) return { reason: `the augmentation cannot be rebuilt in a worker: fromSpec(toSpec()) does not rebuild ${changed.constructor.name} as itself` };
  return spec;
}

/** The first part of `a` that its rebuilt copy `b` has as another class, or null. */
function changedClass(a: Augmentation, b: Augmentation): Augmentation | null {
  if (a.constructor !== b.constructor) return a;
  if (!(a instanceof Compose && b instanceof Compose)) return null;
  for (const [i, t] of a.transforms.entries()) {
    const changed = changedClass(t, b.transforms[i]!);
    if (changed) return changed;
  }
  return null;
}

/**
 * The job for a worker, or why the run must stay on the caller's thread. The job's data arrays are
 * `copies`' empty shared arrays until copyToShared fills them.
 */
export function describeRun(run: FitRun): { job: WorkerJob; transfer: ArrayBuffer[]; copies: SharedCopies } | { reason: string } {
  const o = run.options;
  if (typeof o.loss === 'function') return { reason: 'the loss is a function, which cannot move to a worker (use a named loss, or worker: false)' };
  const badMetric = run.metrics.find((m) => !isPortableMetric(m));
  if (badMetric !== undefined) {
    const what = typeof badMetric === 'string' ? `metric "${badMetric}" is registered on this thread only` : `metric ${typeof badMetric === 'function' ? badMetric.name || 'function' : badMetric.name} is a function`;
    return { reason: `the ${what}, which cannot move to a worker (use a built-in metric, or worker: false)` };
  }
  const augment = describeAugment(augmentation(o.augment));
  if (augment && 'reason' in augment) return augment;
  const model = describeModel(run.model);
  if ('reason' in model) return model;
  const optimizer = describeOptimizer(run.optimizer, run.model);
  if ('reason' in optimizer) return { reason: `the optimizer cannot move to a worker: ${optimizer.reason}` };
  const scheduler = run.scheduler ? describeScheduler(run.scheduler) : null;
  if (scheduler && 'reason' in scheduler) return { reason: `the scheduler cannot move to a worker: ${scheduler.reason}` };
  const modelSide = run.callbacks.filter((cb): cb is ModelCallback => cb.runsWith === 'model');
  for (const cb of modelSide) {
    const why = callbackCannotMove(cb);
    if (why) return { reason: why };
  }
  const copies: SharedCopies = new Map();
  const train = describeDataset(run.train.dataset, copies);
  if ('reason' in train) return train;
  const validation = run.validation ? describeDataset(run.validation.dataset, copies) : null;
  if (validation && 'reason' in validation) return validation;

  const specs = modelSide.map((cb) => cb.toSpec());
  const state = plainState(run.model.stateDict());
  const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT); // [STOP, ACK], zeroed
  const imports = [...new Set([
    ...model.imports,
    ...[optimizerTypeModule(optimizer.type)].filter((m): m is string => m !== undefined),
    ...(scheduler ? schedulerSpecModules(scheduler) : []),
    ...callbackModules(specs),
  ])];
  const entry = entryScriptAmong(imports);
  if (entry !== undefined) {
    return {
      reason: `${entry} registers a type the worker must import to rebuild the run, and it is the script this process runs, so the worker would run it again (its data loading and training too). Move the registered class and its register call to a module of its own, and import that, to train in a worker`,
    };
  }
  const job: WorkerJob = {
    imports,
    fusion: fusionEnabled(),
    model: { json: model.json, state, training: run.model.modules().map((m) => m.training), requiresGrad: run.model.parameters().map((p) => p.requiresGrad) },
    optimizer,
    scheduler,
    schedulerInterval: run.schedulerInterval,
    loss: o.loss as LossName,
    metrics: run.metrics as string[],
    classWeight: run.classWeight,
    augment,
    train: { dataset: train, batchSize: run.train.batchSize, shuffle: run.train.shuffle, seed: run.train.seed, minBatchSize: run.train.minBatchSize },
    validation: validation && run.validation ? { dataset: validation, batchSize: run.validation.batchSize } : null,
    epochs: run.epochs,
    initialEpoch: run.initialEpoch,
    l1: run.l1,
    l2: run.l2,
    clipGradNorm: run.clipGradNorm,
    clipGradValue: run.clipGradValue,
    seed: run.seed,
    callbacks: specs,
    params: { ...run.params, mode: 'worker' },
    divergence: o.divergence,
    monitor: run.validation ? 'valLoss' : 'loss',
    events: eventPlan(run.callbacks.filter((cb) => cb.runsWith !== 'model')),
    control,
  };
  return { job, transfer: [...stateBuffers(state), ...optimizerStateBuffers(optimizer.state)], copies };
}
