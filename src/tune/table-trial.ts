/**
 * tableTrial: one configuration of the regularised MLP (nn.mlp) as a crossValidate trial on the rows
 * of a table — what `keel train --target` does, per fold and without leakage. The fold's samples are
 * ROWS: a Standardizer is fitted on the fold's training rows only (unless `scale` is false, for inputs
 * already on a fixed scale such as pixels / 255), and for a regression target a second one on their
 * targets; the MLP is built from the seed (same initial weights for every configuration and fold:
 * comparisons are paired) and trained with AdamW and the configuration's dropout, weight decay,
 * BatchNorm momentum, learning rate and batch size. The score, after the last
 * epoch (eval mode; not the best epoch's, which would pick the epoch on the very fold being scored):
 *
 *   regression:      RMSE in the target's units = scale · √(validation MSE of the standardised target)
 *   classification:  mean validation cross-entropy (lower is better; smoother than accuracy)
 *
 * A run whose loss turns non-finite (too large a learning rate) scores Infinity.
 */
import { type Dataset, TensorDataset } from '../data/dataset.js';
import { Standardizer } from '../data/scalers/standardizer.js';
import { indexSelect } from '../functional/indexing.js';
import * as nn from '../nn/index.js';
import type { Module } from '../nn/module.js';
import * as optim from '../optim/index.js';
import { generatorState, manualSeed, setGeneratorState } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { throwIfAborted } from '../train/abort.js';
import { NonFiniteLossError } from '../train/errors.js';
import { fit } from '../train/fit.js';
import type { CvFold, MakeTrial } from './cross-validate.js';
import type { TrialConfig } from './space.js';

/** What tableTrial trains: the rows, their targets, the task, the MLP's hidden widths, epochs and seed. */
export interface TableTrialSettings {
  /** (N, features): the rows as read (each fold standardises them on its training rows). */
  x: Tensor;
  /** Whether to standardise the features per fold. Default true. */
  scale?: boolean;
  /** Class indices (N) for classification, or the target values (N, 1) as read for regression. */
  y: Tensor;
  /** Number of classes; 0 for a regression target. */
  classes: number;
  /** The MLP's hidden widths (nn.mlp's `hidden`). */
  hidden: readonly number[];
  /** Epochs per fold. */
  epochs: number;
  /** Seed of the initial weights, the batch order and dropout. */
  seed: number;
}

/** A MakeTrial for crossValidate over the rows of `s.x` (see the header). */
export function tableTrial(config: TrialConfig, s: TableTrialSettings): MakeTrial {
  return async (fold: CvFold) => {
    const rows = (t: Tensor, idx: Int32Array) => indexSelect(t, 0, idx);
    const x = s.scale === false ? s.x : new Standardizer().fit(rows(s.x, fold.train)).transform(s.x);
    // A regression target is standardised too, so the loss is O(1) whatever its units.
    const target = s.classes > 0 ? null : new Standardizer().fit(rows(s.y, fold.train));
    const y = target ? target.transform(s.y) : s.y;
    const model = seededBuild(s.seed, () => nn.mlp({ inFeatures: s.x.shape[1]!, hidden: s.hidden, outputs: s.classes || 1, dropout: config.dropout, bnMomentum: config.bnMomentum }));
    return fitScore(model, config, fold, {
      train: new TensorDataset(rows(x, fold.train), rows(y, fold.train)), validation: new TensorDataset(rows(x, fold.validation), rows(y, fold.validation)),
      classes: s.classes, targetScale: target ? target.toJSON().scale[0]![0]! : null, epochs: s.epochs, seed: s.seed,
    });
  };
}

/**
 * `build()` with keel's global generator seeded by `seed` (same initial weights for every configuration
 * and fold), then the caller's generator state put back: a search must not reseed the program it runs
 * in. One synchronous stretch, so concurrent trials cannot interleave draws.
 */
export function seededBuild<T>(seed: number, build: () => T): T {
  const saved = generatorState();
  manualSeed(seed);
  try {
    return build();
  } finally {
    setGeneratorState(saved);
  }
}

/** One fold's data for fitScore: the samples (scaled, encoded) as (input, target) datasets, the task and the regression target's scale. */
export interface FoldData {
  train: Dataset;
  validation: Dataset;
  classes: number;
  /** The standardised target's scale (RMSE in its units); null for a classifier. */
  targetScale: number | null;
  epochs: number;
  seed: number;
}

/**
 * Trains `model` on the fold with AdamW and the configuration's weight decay, learning rate and batch
 * size, and returns its score after the last epoch (see the header): RMSE in the target's units or
 * mean cross-entropy; Infinity when the loss turned non-finite. tableTrial and sequenceTrial share it.
 */
export async function fitScore(model: Module, config: TrialConfig, fold: CvFold, d: FoldData): Promise<number> {
  try {
    const history = await fit(model, {
      data: d.train, validationData: d.validation,
      epochs: d.epochs, batchSize: config.batchSize, seed: d.seed, loss: d.classes > 0 ? 'crossEntropy' : 'mse',
      optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, config.weightDecay), { lr: config.lr }),
      verbose: false,
      checks: false, // the search sets its dropout rates on purpose: no once-per-worker warning about each
      ...(fold.signal ? { signal: fold.signal } : {}),
    });
    if (history.stopped === 'aborted') throwIfAborted(fold.signal, 'tune');
    const loss = history.values('valLoss').at(-1) ?? NaN;
    return d.targetScale === null ? loss : d.targetScale * Math.sqrt(loss);
  } catch (e) {
    if (e instanceof NonFiniteLossError) return Infinity;
    throw e;
  }
}
