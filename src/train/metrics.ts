/**
 * Streaming metrics for `fit` and `evaluate`: each one is fed the batches of an epoch (predictions and
 * targets as flat float32 arrays with their shapes) and gives the metric of the whole epoch's data,
 * accumulated in double. An epoch metric is never the mean of per-batch values where that would be
 * wrong: rmse is the square root of the epoch's mse, r2 uses the epoch's sums (merged per batch so it
 * stays accurate for targets far from zero). Named metrics ('mse', 'rmse', 'mae', 'r2', 'accuracy',
 * 'top5Accuracy', and names added with registerMetric) can be rebuilt from their name, so `fit` may run
 * them in a worker thread; function metrics cannot. `metricMode` tells EarlyStopping, History and
 * ReduceLROnPlateau whether a log key ('valRmse', 'loss') is better small or large.
 */
import { show } from '../functional/validate.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

export interface Metric {
  /** The log key: 'rmse', 'top5Accuracy', or a custom name (fit logs the validation value as 'val' + Name). */
  readonly name: string;
  /** 'min' if smaller is better, 'max' if larger (EarlyStopping and History use it). */
  readonly mode: 'min' | 'max';
  /** Rebuildable from its spec (named metrics) → may run in a worker thread. */
  readonly portable: boolean;
  /** Forgets every batch seen (fit calls it at the start of each epoch and of each validation pass). */
  reset(): void;
  /** Adds one batch: predictions and targets, row-major, with their shapes (first dimension = sample). */
  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void;
  /** The metric over every batch since the last reset; NaN before any update. */
  result(): number;
}

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
 * registerMetric, such as 'phm08', while editors still suggest the built-in ones.)
 */
export type MetricSpec =
  | 'mse'
  | 'rmse'
  | 'mae'
  | 'r2'
  | 'accuracy'
  | `top${number}Accuracy`
  | (string & Record<never, never>)
  | ((yPred: Tensor, y: Tensor) => number)
  | CustomMetricSpec;

// ---------------------------------------------------------------------------------------------------
// Batch checks
// ---------------------------------------------------------------------------------------------------

function checkArray(where: string, name: string, data: unknown, shape: unknown): readonly number[] {
  if (!(data instanceof Float32Array)) throw new TypeError(`${where}: ${name} must be a Float32Array, got ${show(data)}`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new TypeError(`${where}: ${name}Shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new RangeError(`${where}: ${name} has ${data.length} values but ${name}Shape ${formatShape(shape)} needs ${n}`);
  return shape as readonly number[];
}

/** Checks both arrays against their shapes. */
function checkBatch(where: string, yPred: unknown, yPredShape: unknown, y: unknown, yShape: unknown): void {
  checkArray(where, 'yPred', yPred, yPredShape);
  checkArray(where, 'y', y, yShape);
}

/** Throws unless yPred and y have the same shape, with the reshape that fixes a (N, 1) vs (N) mix-up. */
function checkSameShape(where: string, yPredShape: readonly number[], yShape: readonly number[]): void {
  if (sameShape(yPredShape, yShape)) return;
  const a = yPredShape.reduce((p, d) => p * d, 1), b = yShape.reduce((p, d) => p * d, 1);
  const fix = a === b ? `; reshape y to ${formatShape(yPredShape)}` : '';
  throw new RangeError(`${where}: yPred ${formatShape(yPredShape)} and y ${formatShape(yShape)} must have the same shape${fix}`);
}

// ---------------------------------------------------------------------------------------------------
// mse, rmse, mae
// ---------------------------------------------------------------------------------------------------

/**
 * Over every element e of every batch, with d = yPred − y (in double):
 *   mse = Σ d² / n,   rmse = √(Σ d² / n),   mae = Σ |d| / n   (n = number of elements; NaN at n = 0)
 */
class ErrorMetric implements Metric {
  readonly mode = 'min' as const;
  readonly portable = true;
  private total = 0;
  private count = 0;

  constructor(readonly name: 'mse' | 'rmse' | 'mae') {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch(this.name, yPred, yPredShape, y, yShape);
    checkSameShape(this.name, yPredShape, yShape);
    let s = 0;
    if (this.name === 'mae') for (let i = 0; i < y.length; i++) s += Math.abs(yPred[i]! - y[i]!);
    else
      for (let i = 0; i < y.length; i++) {
        const d = yPred[i]! - y[i]!;
        s += d * d;
      }
    this.total += s;
    this.count += y.length;
  }

  result(): number {
    if (this.count === 0) return NaN;
    const m = this.total / this.count;
    return this.name === 'rmse' ? Math.sqrt(m) : m;
  }
}

// ---------------------------------------------------------------------------------------------------
// r2
// ---------------------------------------------------------------------------------------------------

/**
 * Coefficient of determination per output column j (targets (N) are one column, (N, K) are K), then
 * the plain mean over columns (sklearn's multioutput='uniform_average'):
 *
 *   R²_j = 1 − SS_res,j / SS_tot,j,   SS_res,j = Σ (y − ŷ)²,   SS_tot,j = Σ (y − ȳ_j)²
 *
 * SS_tot is never formed as Σy² − (Σy)²/n (which loses every digit for targets like 1e4 ± 0.1). Each
 * batch is reduced around the running mean m_a (y − m_a is exact in double for float32 targets near
 * m_a): δ = Σ (y − m_a) / n_b, M2_b = Σ ((y − m_a) − δ)², and merged by Chan et al.'s rule
 *
 *   n = n_a + n_b,   m = m_a + δ·n_b / n,   M2 = M2_a + M2_b + δ²·n_a·n_b / n     (SS_tot = M2)
 *
 * (the first batch of a column is reduced around its first value). A column with SS_tot = 0 follows
 * sklearn's force_finite=True: R² = 1 if SS_res = 0 (perfect prediction of a constant), else 0.
 * Fewer than two samples give NaN, as sklearn (R² is not defined there).
 */
class R2Metric implements Metric {
  readonly name = 'r2';
  readonly mode = 'max' as const;
  readonly portable = true;
  private n = 0;
  private columns = 0;
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private ssRes = new Float64Array(0);

  reset(): void {
    this.n = 0;
    this.columns = 0;
    this.mean = new Float64Array(0);
    this.m2 = new Float64Array(0);
    this.ssRes = new Float64Array(0);
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch('r2', yPred, yPredShape, y, yShape);
    checkSameShape('r2', yPredShape, yShape);
    if (yShape.length !== 1 && yShape.length !== 2) throw new RangeError(`r2: expected targets (N) or (N, K), got ${formatShape(yShape)}`);
    const nb = yShape[0]!, K = yShape.length === 2 ? yShape[1]! : 1;
    if (this.n > 0 && K !== this.columns) throw new RangeError(`r2: earlier batches had ${this.columns} output columns, this one has ${K} (y ${formatShape(yShape)})`);
    if (nb === 0) return;
    if (this.n === 0) {
      this.columns = K;
      this.mean = new Float64Array(K);
      this.m2 = new Float64Array(K);
      this.ssRes = new Float64Array(K);
    }
    const na = this.n, n = na + nb;
    for (let j = 0; j < K; j++) {
      const shift = na === 0 ? y[j]! : this.mean[j]!;
      let s = 0, res = 0;
      for (let i = 0; i < nb; i++) {
        const v = y[i * K + j]!;
        s += v - shift;
        const e = v - yPred[i * K + j]!;
        res += e * e;
      }
      const delta = s / nb;
      let m2b = 0;
      for (let i = 0; i < nb; i++) {
        const c = y[i * K + j]! - shift - delta;
        m2b += c * c;
      }
      // A first batch is a merge with an empty set at its shift: the δ² term vanishes (n_a = 0).
      this.m2[j] = this.m2[j]! + m2b + (delta * delta * na * nb) / n;
      this.mean[j] = shift + (na === 0 ? delta : (delta * nb) / n);
      this.ssRes[j] = this.ssRes[j]! + res;
    }
    this.n = n;
  }

  result(): number {
    if (this.n < 2) return NaN;
    let total = 0;
    for (let j = 0; j < this.columns; j++) {
      const tot = this.m2[j]!, res = this.ssRes[j]!;
      total += tot !== 0 ? 1 - res / tot : res === 0 ? 1 : 0;
    }
    return total / this.columns;
  }
}

// ---------------------------------------------------------------------------------------------------
// accuracy, top-k accuracy
// ---------------------------------------------------------------------------------------------------

/**
 * Whether class a ranks above class b in a row of scores: a larger score, NaN above every number (as
 * torch.argmax), and on ties (equal scores, or both NaN) the lower index. argmax is the class no other
 * class ranks above: the first maximum.
 */
function ranksAbove(va: number, a: number, vb: number, b: number): boolean {
  const na = va !== va, nb = vb !== vb;
  if (na || nb) return na && (!nb || a < b);
  return va > vb || (va === vb && a < b);
}

function argmaxRow(d: Float32Array, offset: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (ranksAbove(d[offset + c]!, c, d[offset + best]!, best)) best = c;
  return best;
}

/**
 * The target class of each sample for scores yPred (N, C): class indices y (N) (integers in [0, C)),
 * or one-hot / probability rows y (N, C) (their argmax, first on ties).
 */
function targetClasses(where: string, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): (i: number) => number {
  const [N, C] = yPredShape as [number, number];
  if (yShape.length === 1 && yShape[0] === N) {
    for (let i = 0; i < N; i++) {
      const v = y[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= C) {
        throw new RangeError(`${where}: y[${i}] = ${v} is not a class index in [0, ${C - 1}] (yPred ${formatShape(yPredShape)})`);
      }
    }
    return (i) => y[i]!;
  }
  if (sameShape(yShape, yPredShape)) return (i) => argmaxRow(y, i * C, C);
  const fix = yShape.length === 2 && yShape[0] === N && yShape[1] === 1 ? `; reshape y to (${N})` : '';
  throw new RangeError(
    `${where}: expected y (${N}) of class indices or ${formatShape(yPredShape)} of one-hot rows for yPred ${formatShape(yPredShape)}, got ${formatShape(yShape)}${fix}`,
  );
}

/**
 * Fraction of samples classified right, over the epoch (correct / total; NaN before any sample).
 * - Scores (N, C) with C > 1 (logits or probabilities): predicted class = argmax over the row, the
 *   first one on ties (as torch.argmax; NaN counts as the largest); targets are class indices (N) or
 *   one-hot / probability rows (N, C) (their argmax, the same rule).
 * - One logit per sample, (N) or (N, 1), with targets of the same shape in {0, 1}: predicted class =
 *   1 if the logit > 0 else 0 (fit's 'bce' loss works on logits: a logit > 0 is a probability > ½);
 *   a NaN logit predicts 0.
 */
class AccuracyMetric implements Metric {
  readonly name = 'accuracy';
  readonly mode = 'max' as const;
  readonly portable = true;
  private correct = 0;
  private total = 0;

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch('accuracy', yPred, yPredShape, y, yShape);
    const binary = yPredShape.length === 1 || (yPredShape.length === 2 && yPredShape[1] === 1);
    if (binary) {
      checkSameShape('accuracy', yPredShape, yShape);
      let ok = 0;
      for (let i = 0; i < y.length; i++) {
        const t = y[i]!;
        if (t !== 0 && t !== 1) throw new RangeError(`accuracy: binary targets must be 0 or 1, got y[${i}] = ${t} (yPred ${formatShape(yPredShape)} holds one logit per sample)`);
        if ((yPred[i]! > 0 ? 1 : 0) === t) ok++;
      }
      this.correct += ok;
      this.total += y.length;
      return;
    }
    if (yPredShape.length !== 2) {
      throw new RangeError(`accuracy: expected yPred (N, C) of class scores or (N) / (N, 1) of binary logits, got ${formatShape(yPredShape)}`);
    }
    const [N, C] = yPredShape as [number, number];
    const target = targetClasses('accuracy', yPredShape, y, yShape);
    let ok = 0;
    for (let i = 0; i < N; i++) if (argmaxRow(yPred, i * C, C) === target(i)) ok++;
    this.correct += ok;
    this.total += N;
  }

  result(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}

/**
 * Fraction of samples whose target class is among the k best-ranked classes of yPred (N, C), k ≤ C,
 * C ≥ 2; targets as for accuracy (class indices (N) or one-hot rows (N, C)). Ranking: larger score
 * first, NaN above every number, and on equal scores the lower class index first, so the target t is
 * in the top k iff fewer than k classes rank above it, and top1Accuracy equals accuracy. (TF's
 * in_top_k instead counts every class tied at the k-th score as inside; with constant outputs it
 * reports 100%.)
 */
class TopKAccuracyMetric implements Metric {
  readonly mode = 'max' as const;
  readonly portable = true;
  readonly name: string;
  private correct = 0;
  private total = 0;

  constructor(readonly k: number) {
    this.name = `top${k}Accuracy`;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    const where = this.name;
    checkBatch(where, yPred, yPredShape, y, yShape);
    if (yPredShape.length !== 2 || yPredShape[1]! < 2) throw new RangeError(`${where}: expected yPred (N, C) of class scores with C >= 2, got ${formatShape(yPredShape)}`);
    const [N, C] = yPredShape as [number, number];
    if (this.k > C) throw new RangeError(`${where}: k = ${this.k} is larger than the number of classes, ${C} (yPred ${formatShape(yPredShape)})`);
    const target = targetClasses(where, yPredShape, y, yShape);
    let ok = 0;
    for (let i = 0; i < N; i++) {
      const t = target(i), o = i * C, vt = yPred[o + t]!;
      let above = 0;
      for (let c = 0; c < C && above < this.k; c++) if (c !== t && ranksAbove(yPred[o + c]!, c, vt, t)) above++;
      if (above < this.k) ok++;
    }
    this.correct += ok;
    this.total += N;
  }

  result(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}

// ---------------------------------------------------------------------------------------------------
// Function metrics
// ---------------------------------------------------------------------------------------------------

/**
 * A user function of one batch (yPred and y as Tensors holding copies of the batch). Epoch value: the
 * batch values averaged with the batch sizes as weights, Σ_b n_b·f_b / Σ_b n_b (n_b = y's first
 * dimension) — exact for metrics that are means over samples, an approximation for others (a median,
 * an RMSE: use the named 'rmse'). NaN before any non-empty batch.
 */
class FunctionMetric implements Metric {
  readonly portable = false;
  private total = 0;
  private count = 0;

  constructor(
    readonly name: string,
    private readonly fn: (yPred: Tensor, y: Tensor) => number,
    readonly mode: 'min' | 'max',
  ) {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch(this.name, yPred, yPredShape, y, yShape);
    const nb = yShape.length > 0 ? yShape[0]! : 1;
    if (nb === 0) return;
    const v: unknown = this.fn(new Tensor(new Float32Array(yPred), [...yPredShape]), new Tensor(new Float32Array(y), [...yShape]));
    if (typeof v !== 'number') {
      const hint = v instanceof Tensor ? ' (call .item() on the Tensor)' : '';
      throw new TypeError(`metric '${this.name}': the metric function must return a number, got ${show(v)}${hint}`);
    }
    this.total += nb * v;
    this.count += nb;
  }

  result(): number {
    return this.count === 0 ? NaN : this.total / this.count;
  }
}

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
]);

const registry = new Map<string, Entry>(BUILT_IN);

const TOP_K = /^top(\d+)Accuracy$/;

/** Log keys must be identifiers that 'val' + Name cannot confuse: a letter first, then letters, digits, '_'. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function checkName(where: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`${where}: a metric name must be a letter followed by letters, digits or '_' (it becomes a log key), got ${show(name)}`);
  }
  if (name === 'loss') throw new RangeError(`${where}: 'loss' is reserved for the loss in the logs; choose another metric name`);
  if (/^val[A-Z0-9_]/.test(name)) throw new RangeError(`${where}: metric name ${show(name)} would read as the validation key of ${show(baseName(name))}; choose another name`);
  return name;
}

function checkMode(where: string, mode: unknown): 'min' | 'max' {
  if (mode !== 'min' && mode !== 'max') throw new RangeError(`${where}: mode must be 'min' or 'max', got ${show(mode)}`);
  return mode;
}

/** Checks that a factory made a Metric of the registered name. */
function checkMetric(where: string, m: unknown, name: string): Metric {
  const o = m as Partial<Record<keyof Metric, unknown>> | null;
  if (o === null || typeof o !== 'object' || typeof o.reset !== 'function' || typeof o.update !== 'function' || typeof o.result !== 'function') {
    throw new TypeError(`${where}: the factory of metric ${show(name)} must return a Metric (name, mode, portable, reset, update, result), got ${show(m)}`);
  }
  if (o.name !== name) throw new RangeError(`${where}: the factory of metric ${show(name)} returned a metric named ${show(o.name)}`);
  checkMode(`${where}: metric ${show(name)}`, o.mode);
  if (typeof o.portable !== 'boolean') throw new TypeError(`${where}: metric ${show(name)} must have a boolean portable, got ${show(o.portable)}`);
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
  if (typeof factory !== 'function') throw new TypeError(`${where}: factory must be a function returning a Metric, got ${show(factory)}`);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options ?? {})) if (key !== 'replace') throw new TypeError(`${where}: unknown option "${key}" (known options: replace)`);
  const replace = options?.replace ?? false;
  if (typeof replace !== 'boolean') throw new TypeError(`${where}: replace must be true or false, got ${show(replace)}`);
  if (BUILT_IN.has(name) || TOP_K.test(name)) throw new RangeError(`${where}: ${show(name)} is a built-in metric and cannot be replaced`);
  if (registry.has(name) && !replace) throw new RangeError(`${where}: a metric named ${show(name)} is already registered (pass { replace: true } to replace it)`);
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
        throw new RangeError(`${where}: ${show(spec)}: k must be an integer >= 1 without leading zeros, got ${top[1]}`);
      }
      return new TopKAccuracyMetric(k);
    }
    throw new RangeError(`${where}: unknown metric ${show(spec)} at index ${index} (known metrics: ${knownNames()}; or a function, or { name, fn })`);
  }
  if (typeof spec === 'function') {
    const fn = spec as (yPred: Tensor, y: Tensor) => number;
    if (!fn.name) throw new TypeError(`${where}: metric function at index ${index} has no name; pass a named function or { name, fn }`);
    return new FunctionMetric(checkName(where, fn.name), fn, 'min');
  }
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const o = spec as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'name' && key !== 'fn' && key !== 'mode') throw new TypeError(`${where}: unknown key "${key}" in metric at index ${index} (known keys: name, fn, mode)`);
    }
    const name = checkName(where, o.name);
    if (typeof o.fn !== 'function') throw new TypeError(`${where}: metric ${show(name)}: fn must be a function (yPred, y) => number, got ${show(o.fn)}`);
    const mode = o.mode === undefined ? 'min' : checkMode(`${where}: metric ${show(name)}`, o.mode);
    return new FunctionMetric(name, o.fn as (yPred: Tensor, y: Tensor) => number, mode);
  }
  throw new TypeError(`${where}: metric at index ${index} must be a name (${knownNames()}), a function or { name, fn }, got ${show(spec)}`);
}

/**
 * Fresh Metrics for the specs, in order. Names must be unique; unknown names throw listing the known
 * ones; `where` starts the messages (fit and evaluate pass their names).
 */
export function resolveMetrics(specs: readonly MetricSpec[], where = 'resolveMetrics'): Metric[] {
  if (!Array.isArray(specs)) throw new TypeError(`${where}: metrics must be an array of metric specs, got ${show(specs)}`);
  const metrics = (specs as readonly unknown[]).map((spec, i) => resolveOne(spec, i, where));
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.name)) throw new RangeError(`${where}: metric ${show(m.name)} appears twice; metric names must be unique (they are log keys)`);
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
 * `mode` is not known here: fit reads it from the Metric.
 */
export function metricMode(name: string): 'min' | 'max' {
  if (typeof name !== 'string') throw new TypeError(`metricMode: name must be a string, got ${show(name)}`);
  const base = baseName(name);
  const entry = registry.get(base);
  if (entry) return entry.mode;
  if (TOP_K.test(base)) return 'max';
  const words = base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[\s_]+/);
  return words.includes('accuracy') || words.includes('r2') ? 'max' : 'min';
}
