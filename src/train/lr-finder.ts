/**
 * findLearningRate(model, options): the learning-rate range test (Smith 2017, "Cyclical Learning Rates
 * for Training Neural Networks"; fastai's lr_find). Train for a short while with a learning rate that
 * grows exponentially from tiny to huge, one batch per step, and watch the loss: it stays flat while the
 * rate is too small to matter, falls once the rate is useful, and explodes once it is too large. A good
 * rate lies where the loss falls fastest. The model is then put back EXACTLY as it was: the test is a
 * measurement, not training.
 *
 * The sweep. With n = numIterations, step i = 0 … n − 1 trains on one batch (cycling through a seeded
 * shuffled DataLoader, epoch after epoch) at
 *
 *   lr_i = startLr · (endLr / startLr)^(i / (n − 1))          (every parameter group gets lr_i)
 *
 * in training mode (Dropout on under `seed`, BatchNorm on batch statistics), with real optimizer steps.
 * The recorded loss is the batch's data loss before its step. The smoothed loss is an exponential moving
 * average with bias correction (Adam's), β = smoothing:
 *
 *   a_i = β·a_{i−1} + (1 − β)·loss_i  (a_{−1} = 0);     smoothed_i = a_i / (1 − β^(i+1))
 *
 * The sweep stops early (stoppedEarly) when smoothed_i > divergeFactor · min_{j≤i} smoothed_j (that point
 * is recorded, as fastai does), or when a loss is not finite (that point is not recorded). An aborted
 * signal rejects with an AbortError before the next step (a partial curve would be wrong to suggest from).
 *
 * The suggestion, rule 'steepest': the learning rate where the smoothed loss falls fastest against
 * log10(lr). Over the m recorded points, with u_k = log10(lr_k), the central difference
 *
 *   g_k = (smoothed_{k+1} − smoothed_{k−1}) / (u_{k+1} − u_{k−1})
 *
 * is taken at every k with floor(n/10) ≤ k < m − 5 (and 1 ≤ k ≤ m − 2): as fastai, the first tenth of
 * the sweep is skipped (the average is still settling and the rate too small to move the loss) and the
 * last 5 points (where the loss explodes and the lagging average misleads). suggestion = lr_k at the
 * smallest g_k (the first on ties); null when no k qualifies (too few points: more iterations, or a
 * wider range) or when the smallest g_k is not negative (the loss never fell).
 *
 * Afterwards — also on a throw or an abort — the model's parameters (and their gradients) and buffers
 * (BatchNorm running statistics, num_batches_tracked), the optimizer's per-parameter state and every
 * parameter-group option (lr included) and every module's mode are put back bit for bit. The sweep
 * yields to the event loop between steps and draws its dropout masks from a generator of its own
 * (OwnGenerator), so the caller's generator is neither used nor moved. Meanwhile a fit or a
 * recalibration of the model is refused (./claims.ts), and predict and evaluate calls on it wait for
 * the weights to be put back (./modes.ts).
 */
import { DataError, NonFiniteError, OptionError } from '../errors.js';
import { DataLoader } from '../data/dataloader.js';
import { type Dataset, isDataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { Optimizer, type ParamState } from '../optim/optimizer.js';
import type { StateTensor } from '../io/state.js';
import { withGradMode } from '../tensor/grad-mode.js';
import { OwnGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkPairs, inputsDataset } from './batches.js';
import { type LossFunction, type LossName, resolveLoss } from './losses.js';
import { yieldToEventLoop } from './batches.js';
import { throwIfAborted } from './abort.js';
import { changeAlone } from './claims.js';
import { restoreModes, saveModes } from './modes.js';
import { checkInt, checkKnown, checkNumber, isObject } from '../options.js';

/** Options of findLearningRate (the LR range test). */
export interface FindLearningRateOptions {
  /** Inputs, first dimension = sample. Give x and y, or `data`. */
  x?: Tensor;
  /** Targets, first dimension = sample. */
  y?: Tensor;
  /** A Dataset whose samples are [x, y] or [x, y, sampleWeight] (instead of x and y). */
  data?: Dataset;
  /** The loss, as fit's: 'mse' | 'mae' | 'huber' | 'crossEntropy' | 'bce' or a function (yPred, y) → Tensor. Default 'mse'. */
  loss?: LossName | LossFunction;
  /**
   * The optimiser, as fit's: an instance over the model's parameters (its state and options are put
   * back afterwards), or a factory given model.parameters() and the model. Default Adam (its defaults;
   * the sweep sets lr).
   */
  optimizer?: Optimizer | ((params: Tensor[], model: Module) => Optimizer);
  /** The first learning rate, > 0. Default 1e-7. */
  startLr?: number;
  /** The last learning rate, > startLr. Default 10. */
  endLr?: number;
  /** Steps (one batch each) from startLr to endLr, at least 2. Default 100. */
  numIterations?: number;
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** β of the loss's exponential moving average (bias-corrected), in [0, 1); 0: no smoothing. Default 0.98. */
  smoothing?: number;
  /** Stop when the smoothed loss exceeds this multiple of its best so far, > 1. Default 4. */
  divergeFactor?: number;
  /** Seed of the batch order and the dropout masks: same seed, same curve. Default 0. */
  seed?: number;
  /** Aborting it rejects with an AbortError (cause: the signal's reason) before the next step; the model is put back. */
  signal?: AbortSignal;
}

/** The LR range test's curve and its suggestion. */
export interface LearningRateFinderResult {
  /** The learning rate of each recorded step. */
  lrs: number[];
  /** Each step's batch loss (before its optimizer step). */
  losses: number[];
  /** The bias-corrected exponential moving average of the losses. */
  smoothedLosses: number[];
  /** The rate where the smoothed loss falls fastest (the rule in the file header), or null. */
  suggestion: number | null;
  /** The rule behind the suggestion. */
  rule: 'steepest';
  /** Whether the sweep ended before numIterations (the loss diverged or was not finite). */
  stoppedEarly: boolean;
}

const W = 'findLearningRate';
const KEYS: ReadonlyArray<keyof FindLearningRateOptions> = [
  'x', 'y', 'data', 'loss', 'optimizer', 'startLr', 'endLr', 'numIterations', 'batchSize', 'smoothing', 'divergeFactor', 'seed', 'signal',
];
/** Points left out at the end of the curve by the 'steepest' rule (fastai's). */
const SKIP_END = 5;

interface Checked {
  data: Dataset;
  startLr: number;
  endLr: number;
  numIterations: number;
  batchSize: number;
  smoothing: number;
  divergeFactor: number;
  seed: number;
}

function checkOptions(options: FindLearningRateOptions): Checked {
  if (!isObject(options as unknown)) throw new OptionError(`${W}: options must be an object { x, y, ... }, got ${show(options)}`);
  checkKnown(W, options, KEYS);
  const o = options;
  let data: Dataset;
  if (o.data !== undefined) {
    if (o.x !== undefined || o.y !== undefined) throw new OptionError(`${W}: give either data or x and y, not both`);
    if (!isDataset(o.data)) throw new OptionError(`${W}: data must be a Dataset (length, get(i)), got ${show(o.data)}`);
    data = o.data;
  } else {
    if (o.x === undefined || o.y === undefined) throw new OptionError(`${W}: give x and y (Tensors, first dimension = sample) or data (a Dataset)`);
    data = inputsDataset(W, 'x', o.x, o.y);
  }
  if (data.length === 0) throw new DataError(`${W}: the data has no samples`);
  if (o.loss !== undefined && typeof o.loss !== 'string' && typeof o.loss !== 'function') {
    throw new OptionError(`${W}: loss must be a loss name or a function (yPred, y) => Tensor, got ${show(o.loss)}`);
  }
  if (o.optimizer !== undefined && !(o.optimizer instanceof Optimizer) && typeof o.optimizer !== 'function') {
    throw new OptionError(`${W}: optimizer must be an Optimizer or a factory (params, model) => Optimizer, got ${show(o.optimizer)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new OptionError(`${W}: signal must be an AbortSignal, got ${show(o.signal)}`);
  const startLr = checkNumber(W, 'startLr', o.startLr ?? 1e-7, { min: 0, minExclusive: true });
  const endLr = checkNumber(W, 'endLr', o.endLr ?? 10, { min: 0, minExclusive: true });
  if (!(endLr > startLr)) throw new OptionError(`${W}: endLr must be greater than startLr (${startLr}), got ${endLr}`);
  const seed = checkInt(W, 'seed', o.seed ?? 0, 0);
  if (!Number.isSafeInteger(seed)) throw new OptionError(`${W}: invalid seed: ${seed} (must be <= 2^53 - 1)`);
  return {
    data,
    startLr,
    endLr,
    numIterations: checkInt(W, 'numIterations', o.numIterations ?? 100, 2),
    batchSize: checkInt(W, 'batchSize', o.batchSize ?? 32, 1),
    smoothing: checkNumber(W, 'smoothing', o.smoothing ?? 0.98, { min: 0, max: 1, maxExclusive: true }),
    divergeFactor: checkNumber(W, 'divergeFactor', o.divergeFactor ?? 4, { min: 1, minExclusive: true }),
    seed,
  };
}

function makeOptimizer(model: Module, spec: FindLearningRateOptions['optimizer']): Optimizer {
  let opt: unknown;
  if (spec === undefined) opt = new Adam(model.parameters());
  else if (spec instanceof Optimizer) opt = spec;
  else {
    opt = spec(model.parameters(), model);
    if (!(opt instanceof Optimizer)) throw new OptionError(`${W}: the optimizer factory must return an Optimizer, got ${show(opt)}`);
  }
  const optimizer = opt as Optimizer;
  const owned = new Set(model.parameters());
  if (!optimizer.paramGroups.some((g) => g.params.some((p) => owned.has(p)))) {
    throw new OptionError(`${W}: the optimizer holds none of the model's parameters (build it on model.parameters(), or pass a factory)`);
  }
  return optimizer;
}

/** A deep copy of a group option (arrays such as betas, plain objects); other values as they are. */
function copyValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyValue) as T;
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyValue(x)])) as T;
  return v;
}

/**
 * Everything the sweep changes, copied, with a function that puts it back bit for bit: parameter data
 * and gradients, buffers, the optimizer's state (the same state objects and arrays, refilled) and group
 * options, modes, the global generator.
 */
function snapshot(model: Module, optimizer: Optimizer): () => void {
  const params = [...new Set([...model.parameters(), ...optimizer.paramGroups.flatMap((g) => g.params)])];
  const paramData = params.map((p) => p.data.slice());
  const grads = params.map((p) => p.grad);
  const gradData = grads.map((g) => g?.data.slice() ?? null);
  const buffers: StateTensor[] = model.buffers();
  const bufferData = buffers.map((b) => b.data.slice());
  const state = [...optimizer.state].map(([p, s]) => {
    const fields = { ...s };
    const copies = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Float32Array ? v.slice() : v]));
    return { p, s, fields, copies };
  });
  const groups = optimizer.paramGroups.map((g) => ({
    g,
    options: Object.fromEntries(Object.entries(g).filter(([k]) => k !== 'params').map(([k, v]) => [k, copyValue(v)])),
  }));
  const modes = saveModes(model);
  return () => {
    params.forEach((p, i) => {
      p.data.set(paramData[i]!);
      p.grad = grads[i] ?? null;
      if (grads[i]) grads[i]!.data.set(gradData[i]!);
    });
    buffers.forEach((b, i) => b.data.set(bufferData[i] as never));
    optimizer.state.clear();
    for (const { p, s, fields, copies } of state) {
      for (const k of Object.keys(s)) delete s[k];
      for (const [k, v] of Object.entries(fields)) {
        if (v instanceof Float32Array) v.set(copies[k] as Float32Array);
        s[k] = v;
      }
      optimizer.state.set(p, s as ParamState);
    }
    for (const { g, options } of groups) {
      for (const k of Object.keys(g)) if (k !== 'params') delete (g as Record<string, unknown>)[k];
      Object.assign(g, copyValue(options));
    }
    restoreModes(modes);
  };
}

/** Batches forever: epoch 0, 1, … of the loader. */
function* cycle(loader: DataLoader): Generator<Tensor[]> {
  for (let epoch = 0; ; epoch++) yield* loader.batches(epoch);
}

/** The 'steepest' rule (file header): lr_k at the most negative central difference of smoothed vs log10(lr), or null. */
export function steepestSuggestion(lrs: readonly number[], smoothed: readonly number[], numIterations: number): number | null {
  const m = smoothed.length;
  const first = Math.max(1, Math.floor(numIterations / 10)), last = Math.min(m - SKIP_END, m - 1); // k in [first, last)
  let best = -1, bestGradient = Infinity;
  for (let k = first; k < last; k++) {
    const g = (smoothed[k + 1]! - smoothed[k - 1]!) / (Math.log10(lrs[k + 1]!) - Math.log10(lrs[k - 1]!));
    if (g < bestGradient) {
      bestGradient = g;
      best = k;
    }
  }
  return best >= 0 && bestGradient < 0 ? lrs[best]! : null;
}

/** Runs the learning-rate range test on `model` (see the file header) and resolves with the curve and a suggestion. */
export async function findLearningRate(model: Module, options: FindLearningRateOptions): Promise<LearningRateFinderResult> {
  if (!(model instanceof Module)) throw new OptionError(`${W}: model must be an nn.Module, got ${show(model)}`);
  // No fit or recalibration of the model meanwhile (./claims.ts), and predict and evaluate calls on it
  // wait for the sweep to put its weights back: between steps it holds the sweep's trial weights.
  return changeAlone(model, W, () => sweep(model, options));
}

async function sweep(model: Module, options: FindLearningRateOptions): Promise<LearningRateFinderResult> {
  const o = checkOptions(options);
  const loss = resolveLoss(options.loss ?? 'mse', 'findLearningRate');
  const optimizer = makeOptimizer(model, options.optimizer);
  const signal = options.signal;
  throwIfAborted(signal, W);
  const hasBatchNorm = model.modules().some((m) => m instanceof BatchNorm1d);
  // A batch of one sample cannot give BatchNorm batch statistics: merge it into the one before (as fit).
  const loader = new DataLoader(o.data, { batchSize: o.batchSize, shuffle: true, seed: o.seed, minBatchSize: hasBatchNorm ? Math.min(2, o.batchSize) : 1 });
  const lrs: number[] = [], losses: number[] = [], smoothedLosses: number[] = [];
  let stoppedEarly = false;
  const restore = snapshot(model, optimizer);
  try {
    const generator = new OwnGenerator(o.seed);
    model.train();
    const batches = cycle(loader);
    const n = o.numIterations, ratio = o.endLr / o.startLr, beta = o.smoothing;
    let average = 0, best = Infinity;
    for (let i = 0; i < n; i++) {
      throwIfAborted(signal, W);
      const lr = o.startLr * ratio ** (i / (n - 1));
      for (const g of optimizer.paramGroups) g.lr = lr;
      const batch = batches.next().value!;
      checkPairs(W, 'the data', batch);
      const [x, y] = batch as [Tensor, Tensor];
      const value = generator.run(() => withGradMode(true, () => {
        optimizer.zeroGrad();
        const l = loss.compute(model.forward(x), y, batch[2]?.data ?? null);
        const v = l.item();
        if (!Number.isFinite(v)) return v;
        l.backward();
        try {
          optimizer.step();
        } catch (e) {
          // A finite loss whose gradient overflowed: the sweep has diverged as surely as a NaN loss.
          if (e instanceof NonFiniteError) return NaN;
          throw e;
        }
        return v;
      }));
      if (!Number.isFinite(value)) {
        stoppedEarly = true;
        break;
      }
      average = beta * average + (1 - beta) * value;
      const smoothed = average / (1 - beta ** (i + 1));
      lrs.push(lr);
      losses.push(value);
      smoothedLosses.push(smoothed);
      best = Math.min(best, smoothed);
      if (smoothed > o.divergeFactor * best) {
        stoppedEarly = true;
        break;
      }
      if (i < n - 1) await yieldToEventLoop();
    }
  } finally {
    restore();
  }
  return { lrs, losses, smoothedLosses, suggestion: steepestSuggestion(lrs, smoothedLosses, o.numIterations), rule: 'steepest', stoppedEarly };
}
