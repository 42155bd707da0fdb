/**
 * predict(model, x): the model's outputs for every sample, in eval() under noGrad, in batches that
 * yield to the event loop; every module's previous mode is restored afterwards.
 *
 * Monte-Carlo dropout (Gal & Ghahramani 2016), `{ mcDropout: { samples: 30 } }`: only the Dropout
 * layers are switched to training mode — BatchNorm stays in eval and uses its running statistics — and
 * each batch is run `samples` times with fresh masks; the result is the per-element mean and the sample
 * standard deviation (n − 1 denominator) of those outputs, accumulated in double with Welford's update:
 *
 *   k-th pass output o:  δ = o − μ;  μ ← μ + δ/k;  M2 ← M2 + δ·(o − μ);   std = √(M2 / (samples − 1))
 *
 * The masks come from a generator of its own under `seed` (OwnGenerator): the same seed gives the same
 * mean and std, whatever else runs while predict awaits, and predict does not shift the caller's
 * random numbers.
 *
 * `transform` maps each pass's output before it is averaged. A classifier passes softmax: the mean of
 * the passes' probabilities is the MC-dropout predictive distribution, which the softmax of the mean
 * logits is not.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { show } from '../functional/validate.js';
import { Dropout } from '../nn/dropout.js';
import { Dropout1d } from '../nn/dropout1d.js';
import { intendedTrainingMode } from '../nn/mode-warning.js';
import { Module } from '../nn/module.js';
import { noGrad } from '../tensor/grad-mode.js';
import { OwnGenerator } from '../tensor/random.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { batchRecycler, checkBatchSize, forEachBatch, inputsDataset } from './batches.js';
import { inEvalMode } from './modes.js';
import { checkInt, checkKnown, isObject } from '../options.js';

/** Options of Monte-Carlo dropout prediction (predict's `mcDropout`). */
export interface MCDropoutOptions {
  /** Forward passes per sample (at least 2, for a standard deviation). Default 30. */
  samples?: number;
  /** Seed of the dropout masks. Default 0. */
  seed?: number;
  /** Applied to each pass's output before averaging, e.g. `(logits) => F.softmax(logits, 1)`. Default: none. */
  transform?: (output: Tensor) => Tensor;
}

/** Options of predict. */
export interface PredictOptions {
  /** Samples per batch (results do not depend on it). Default 256. */
  batchSize?: number;
  /** Monte-Carlo dropout: return { mean, std } over this many stochastic passes. Default off. */
  mcDropout?: MCDropoutOptions;
  /** Aborting it rejects with an AbortError (cause: the signal's reason) before the next batch. */
  signal?: AbortSignal;
}

/** Monte-Carlo dropout's result: mean and standard deviation of the outputs, each shaped like predict's output. */
export interface MCDropoutPrediction {
  /** Per-element mean of the passes' outputs. */
  mean: Tensor;
  /** Per-element sample standard deviation (n − 1) of the passes' outputs. */
  std: Tensor;
}

const W = 'predict';

/** Output rows written batch by batch into one array, allocated when the first batch shows the row shape. */
class Rows {
  data: Float32Array | null = null;
  shape: number[] = [];
  private offset = 0;

  constructor(private readonly total: number) {}

  /** Adds one batch's outputs: `shape` is the model's output shape for a batch of `batchRows` samples. */
  add(values: ArrayLike<number>, shape: readonly number[], batchRows: number): void {
    // An output that does not keep the batch as its first dimension would be written into the wrong
    // rows (or past the end): refused, naming the shape.
    const rowShape = shape.slice(1);
    if (shape[0] !== batchRows || (this.data && !sameShape(rowShape, this.shape.slice(1)))) {
      const expected = this.data ? formatShape([batchRows, ...this.shape.slice(1)]) : `(${batchRows}, …)`;
      throw new ShapeError(
        `${W}: the model's output for a batch of ${batchRows} samples has shape ${formatShape(shape)}; expected ${expected}: ` +
          'one row per sample, the same shape for every batch',
      );
    }
    if (!this.data) {
      this.shape = [this.total, ...shape.slice(1)];
      this.data = new Float32Array((values.length / shape[0]!) * this.total);
    }
    this.data.set(values, this.offset);
    this.offset += values.length;
  }

  tensor(): Tensor {
    return new Tensor(this.data!, this.shape);
  }
}

function dropoutLayers(model: Module): Module[] {
  return model.modules().filter((m) => m instanceof Dropout || m instanceof Dropout1d);
}

/** The model's outputs for every sample of x (a Tensor, first dimension = sample, or a Dataset), in eval mode under noGrad and in batches; modes are restored afterwards (Keras' model.predict). */
export async function predict(model: Module, x: Tensor | Dataset, options?: PredictOptions & { mcDropout?: undefined }): Promise<Tensor>;
/** Monte-Carlo dropout: only Dropout layers in training mode, `samples` passes with seeded masks; the per-element mean and standard deviation of the outputs. */
export async function predict(model: Module, x: Tensor | Dataset, options: PredictOptions & { mcDropout: MCDropoutOptions }): Promise<MCDropoutPrediction>;
/** Options decided at run time (a PredictOptions variable): a Tensor without mcDropout, an MCDropoutPrediction with it. */
export async function predict(model: Module, x: Tensor | Dataset, options?: PredictOptions): Promise<Tensor | MCDropoutPrediction>;
export async function predict(model: Module, x: Tensor | Dataset, options: PredictOptions = {}): Promise<Tensor | MCDropoutPrediction> {
  if (!(model instanceof Module)) throw new OptionError(`${W}: model must be an nn.Module, got ${show(model)}`);
  if (!isObject(options as unknown)) throw new OptionError(`${W}: options must be an object, got ${show(options)}`);
  checkKnown(W, options, ['batchSize', 'mcDropout', 'signal']);
  const data = inputsDataset(W, 'x', x);
  const batchSize = checkBatchSize(W, options.batchSize);
  if (data.length === 0) throw new DataError(`${W}: x has no samples`);
  if (options.mcDropout === undefined) {
    const rows = new Rows(data.length);
    const recycle = batchRecycler(data, model);
    await inEvalMode(model, (inEval) => forEachBatch(W, data, batchSize, options.signal, ['x'], (batch) => {
      const out = inEval(() => noGrad(() => model.forward(batch[0]!)));
      rows.add(out.data, out.shape, batch[0]!.shape[0]!);
      recycle(batch);
    }));
    return rows.tensor();
  }
  const mc = options.mcDropout;
  if (!isObject(mc as unknown)) throw new OptionError(`${W}: mcDropout must be an object { samples, seed }, got ${show(mc)}`);
  checkKnown(`${W}: mcDropout`, mc, ['samples', 'seed', 'transform']);
  const samples = checkInt(`${W}: mcDropout`, 'samples', mc.samples ?? 30, 2);
  const seed = checkInt(`${W}: mcDropout`, 'seed', mc.seed ?? 0, 0);
  const transform = mc.transform ?? ((o: Tensor) => o);
  if (typeof transform !== 'function') throw new OptionError(`${W}: mcDropout.transform must be a function (output: Tensor) => Tensor, got ${show(mc.transform)}`);
  const drops = dropoutLayers(model);
  if (drops.length === 0) throw new OptionError(`${W}: mcDropout needs Dropout layers, and the model has none`);
  const means = new Rows(data.length), stds = new Rows(data.length);
  const generator = new OwnGenerator(seed);
  await inEvalMode(model, (inEval) =>
    forEachBatch(W, data, batchSize, options.signal, ['x'], ([xb]) => inEval(() => generator.run(() => {
      let mean: Float64Array | null = null, m2: Float64Array | null = null, shape: readonly number[] = [];
      for (let k = 1; k <= samples; k++) {
        const out = intendedTrainingMode(() => noGrad(() => transform(model.forward(xb!))));
        const o = out.data;
        mean ??= new Float64Array(o.length);
        m2 ??= new Float64Array(o.length);
        shape = out.shape;
        for (let i = 0; i < o.length; i++) {
          const delta = o[i]! - mean[i]!;
          mean[i]! += delta / k;
          m2[i]! += delta * (o[i]! - mean[i]!);
        }
      }
      means.add(mean!, shape, xb!.shape[0]!);
      stds.add(m2!.map((v) => Math.sqrt(v / (samples - 1))), shape, xb!.shape[0]!);
    }))),
  drops);
  return { mean: means.tensor(), std: stds.tensor() };
}
