/**
 * Streaming metrics for `fit` and `evaluate`: each one is fed the batches of an epoch (predictions and
 * targets as flat float32 arrays with their shapes) and gives the metric of the whole epoch's data,
 * accumulated in double. An epoch metric is never the mean of per-batch values where that would be
 * wrong: rmse is the square root of the epoch's mse, r2 uses the epoch's sums (merged per batch so it
 * stays accurate for targets far from zero). Named metrics ('mse', 'rmse', 'mae', 'r2', 'accuracy', 'phm08',
 * 'top5Accuracy', and names added with registerMetric) can be rebuilt from their name, so `fit` may run
 * them in a worker thread; function metrics cannot. `metricMode` tells whether a log key ('valRmse',
 * 'loss') is better small or large from its name alone; within a fit, the callbacks' mode 'auto' and
 * History.bestEpoch follow the modes the fit's metrics declare (FitParams.modes). This file is the
 * public entry: the specs, the registry of names and their resolution; the metrics themselves live in
 * ./metrics/ (metric.ts: the interface and batch checks; regression.ts; rul.ts; classification.ts;
 * function-metric.ts).
 */
import { OptionError, StateError } from '../errors.js';
import { show } from '../functional/validate.js';
import type { Tensor } from '../tensor/tensor.js';
import { AccuracyMetric, TopKAccuracyMetric } from './metrics/classification.js';
import { FunctionMetric } from './metrics/function-metric.js';
import type { Metric } from './metrics/metric.js';
import { ErrorMetric, R2Metric } from './metrics/regression.js';
import { Phm08Metric } from './metrics/rul.js';

export type { Metric } from './metrics/metric.js';

/** A custom metric with its name and direction. */
export interface CustomMetricSpec {
  /** The log key. Required. */
  name: string;
  /** The metric of one batch. Required. Epoch value: the mean of the batch values weighted by batch size. */
  fn: (yPred: Tensor, y: Tensor) => number;
  /** 'min' if smaller is better, 'max' if larger. Default 'min'. */
  mode?: 'min' | 'max';
}

/**
 * A metric: a built-in or registered name, 'top<k>Accuracy' (k ≥ 1), a named function (yPred, y) →
 * number, or { name, fn, mode }. (`string & Record<never, never>` admits names added with
 * registerMetric, such as 'f1', while editors still suggest the built-in ones.)
 */
export type MetricSpec =
  | 'mse'
  | 'rmse'
  | 'mae'
  | 'r2'
  | 'accuracy'
  | 'phm08'
  | `top${number}Accuracy`
  | (string & Record<never, never>)
  | ((yPred: Tensor, y: Tensor) => number)
  | CustomMetricSpec;

// ---------------------------------------------------------------------------------------------------
// Registry and resolution
// ---------------------------------------------------------------------------------------------------

interface Entry {
  factory: () => Metric;
  mode: 'min' | 'max';
}

const BUILT_IN: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['mse', { factory: () => new ErrorMetric('mse'), mode: 'min' }],
  ['rmse', { factory: () => new ErrorMetric('rmse'), mode: 'min' }],
  ['mae', { factory: () => new ErrorMetric('mae'), mode: 'min' }],
  ['r2', { factory: () => new R2Metric(), mode: 'max' }],
  ['accuracy', { factory: () => new AccuracyMetric(), mode: 'max' }],
  ['phm08', { factory: () => new Phm08Metric(), mode: 'min' }],
]);

const registry = new Map<string, Entry>(BUILT_IN);

const TOP_K = /^top(\d+)Accuracy$/;

/** Log keys must be identifiers that 'val' + Name cannot confuse: a letter first, then letters, digits, '_'. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function checkName(where: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new OptionError(`${where}: a metric name must be a letter followed by letters, digits or '_' (it becomes a log key), got ${show(name)}`);
  }
  if (name === 'loss') throw new OptionError(`${where}: 'loss' is reserved for the loss in the logs; choose another metric name`);
  if (/^val[A-Z0-9_]/.test(name)) throw new OptionError(`${where}: metric name ${show(name)} would read as the validation key of ${show(baseName(name))}; choose another name`);
  return name;
}

function checkMode(where: string, mode: unknown): 'min' | 'max' {
  if (mode !== 'min' && mode !== 'max') throw new OptionError(`${where}: mode must be 'min' or 'max', got ${show(mode)}`);
  return mode;
}

/** Checks that a factory made a Metric of the registered name. */
function checkMetric(where: string, m: unknown, name: string): Metric {
  const o = m as Partial<Record<keyof Metric, unknown>> | null;
  if (o === null || typeof o !== 'object' || typeof o.reset !== 'function' || typeof o.update !== 'function' || typeof o.result !== 'function') {
    throw new OptionError(`${where}: the factory of metric ${show(name)} must return a Metric (name, mode, portable, reset, update, result), got ${show(m)}`);
  }
  if (o.name !== name) throw new OptionError(`${where}: the factory of metric ${show(name)} returned a metric named ${show(o.name)}`);
  checkMode(`${where}: metric ${show(name)}`, o.mode);
  if (typeof o.portable !== 'boolean') throw new OptionError(`${where}: metric ${show(name)} must have a boolean portable, got ${show(o.portable)}`);
  return m as Metric;
}

/** The names resolveMetrics knows, for error messages. */
function knownNames(): string {
  return [...registry.keys(), 'top<k>Accuracy (e.g. top5Accuracy)'].join(', ');
}

/** Options of registerMetric. */
export interface RegisterMetricOptions {
  /** Replace a metric already registered under this name (built-in names can never be replaced). Default false. */
  replace?: boolean;
}

/**
 * Registers a named metric (a later issue adds RUL metrics such as 'phm08'): factory() makes a fresh
 * Metric whose name is `name`. The factory is called once here to check it and to learn the metric's
 * mode (for metricMode). A registered metric runs in a worker thread only if it says it is portable
 * and the worker imports the module that registers it.
 */
export function registerMetric(name: string, factory: () => Metric, options?: RegisterMetricOptions): void {
  const where = 'registerMetric';
  checkName(where, name);
  if (typeof factory !== 'function') throw new OptionError(`${where}: factory must be a function returning a Metric, got ${show(factory)}`);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new OptionError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options ?? {})) if (key !== 'replace') throw new OptionError(`${where}: unknown option "${key}" (known options: replace)`);
  const replace = options?.replace ?? false;
  if (typeof replace !== 'boolean') throw new OptionError(`${where}: replace must be true or false, got ${show(replace)}`);
  if (BUILT_IN.has(name) || TOP_K.test(name)) throw new OptionError(`${where}: ${show(name)} is a built-in metric and cannot be replaced`);
  if (registry.has(name) && !replace) throw new StateError(`${where}: a metric named ${show(name)} is already registered (pass { replace: true } to replace it)`);
  const m = checkMetric(where, factory(), name);
  registry.set(name, { factory, mode: m.mode });
}

/** One spec as a fresh Metric. */
function resolveOne(spec: unknown, index: number, where: string): Metric {
  if (typeof spec === 'string') {
    const entry = registry.get(spec);
    if (entry) return checkMetric(where, entry.factory(), spec);
    const top = TOP_K.exec(spec);
    if (top) {
      const k = Number(top[1]);
      if (!Number.isSafeInteger(k) || k < 1 || top[1] !== String(k)) {
        throw new OptionError(`${where}: ${show(spec)}: k must be an integer >= 1 without leading zeros, got ${top[1]}`);
      }
      return new TopKAccuracyMetric(k);
    }
    throw new OptionError(`${where}: unknown metric ${show(spec)} at index ${index} (known metrics: ${knownNames()}; or a function, or { name, fn })`);
  }
  if (typeof spec === 'function') {
    const fn = spec as (yPred: Tensor, y: Tensor) => number;
    if (!fn.name) throw new OptionError(`${where}: metric function at index ${index} has no name; pass a named function or { name, fn }`);
    return new FunctionMetric(checkName(where, fn.name), fn, 'min');
  }
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const o = spec as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'name' && key !== 'fn' && key !== 'mode') throw new OptionError(`${where}: unknown key "${key}" in metric at index ${index} (known keys: name, fn, mode)`);
    }
    const name = checkName(where, o.name);
    if (typeof o.fn !== 'function') throw new OptionError(`${where}: metric ${show(name)}: fn must be a function (yPred, y) => number, got ${show(o.fn)}`);
    const mode = o.mode === undefined ? 'min' : checkMode(`${where}: metric ${show(name)}`, o.mode);
    return new FunctionMetric(name, o.fn as (yPred: Tensor, y: Tensor) => number, mode);
  }
  throw new OptionError(`${where}: metric at index ${index} must be a name (${knownNames()}), a function or { name, fn }, got ${show(spec)}`);
}

/**
 * Fresh Metrics for the specs, in order. Names must be unique; unknown names throw listing the known
 * ones; `where` starts the messages (fit and evaluate pass their names).
 */
export function resolveMetrics(specs: readonly MetricSpec[], where = 'resolveMetrics'): Metric[] {
  if (!Array.isArray(specs)) throw new OptionError(`${where}: metrics must be an array of metric specs, got ${show(specs)}`);
  const metrics = (specs as readonly unknown[]).map((spec, i) => resolveOne(spec, i, where));
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.name)) throw new OptionError(`${where}: metric ${show(m.name)} appears twice; metric names must be unique (they are log keys)`);
    seen.add(m.name);
  }
  return metrics;
}

/**
 * Whether a spec can be rebuilt in a worker thread: a built-in name or top-k. Functions, { name, fn }
 * and names registered by the user are not (a worker has only the built-in registrations).
 */
export function isPortableMetric(spec: MetricSpec): boolean {
  if (typeof spec !== 'string') return false;
  if (BUILT_IN.has(spec)) return true;
  const top = TOP_K.exec(spec);
  return top !== null && top[1] === String(Number(top[1])) && Number(top[1]) >= 1;
}

/** 'valRmse' → 'rmse', 'valTop5Accuracy' → 'top5Accuracy', 'loss' → 'loss'. */
function baseName(key: string): string {
  if (!/^val[A-Z0-9_]/.test(key)) return key;
  const rest = key.slice(3).replace(/^_/, '');
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

/**
 * Whether a log key is better small ('min') or large ('max'). The base name is the key without a
 * 'val' prefix, first letter lowercased ('valRmse' → 'rmse'). 'max' when the base name is a
 * registered metric with mode 'max' (r2, accuracy, …), or a top-k accuracy, or contains the word
 * 'accuracy' or 'r2' (words split at camelCase humps and '_': 'balancedAccuracy', 'adjustedR2',
 * 'binary_accuracy'; not 'error2'); 'min' otherwise (loss, valLoss, errors). A custom metric's own
 * `mode` is not known here (only its name is): a fit passes its metrics' declared modes to the
 * callbacks (FitParams.modes) and to its History, and those win over this rule.
 */
export function metricMode(name: string): 'min' | 'max' {
  if (typeof name !== 'string') throw new OptionError(`metricMode: name must be a string, got ${show(name)}`);
  const base = baseName(name);
  const entry = registry.get(base);
  if (entry) return entry.mode;
  if (TOP_K.test(base)) return 'max';
  const words = base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[\s_]+/);
  return words.includes('accuracy') || words.includes('r2') ? 'max' : 'min';
}
