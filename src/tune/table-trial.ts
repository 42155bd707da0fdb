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
import { Standardizer } from '../data/scalers/standardizer.js';
import { indexSelect } from '../functional/indexing.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { manualSeed } from '../tensor/random.js';
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
    manualSeed(s.seed); // with the build, one synchronous stretch: concurrent trials cannot interleave draws
    const model = nn.mlp({ inFeatures: s.x.shape[1]!, hidden: s.hidden, outputs: s.classes || 1, dropout: config.dropout, bnMomentum: config.bnMomentum });
    try {
      const history = await fit(model, {
        x: rows(x, fold.train), y: rows(y, fold.train), validationData: { x: rows(x, fold.validation), y: rows(y, fold.validation) },
        epochs: s.epochs, batchSize: config.batchSize, seed: s.seed, loss: s.classes > 0 ? 'crossEntropy' : 'mse',
        optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, config.weightDecay), { lr: config.lr }),
        verbose: false,
        ...(fold.signal ? { signal: fold.signal } : {}),
      });
      if (history.stopped === 'aborted') throwIfAborted(fold.signal, 'tune');
      const loss = history.values('valLoss').at(-1) ?? NaN;
      return target ? target.toJSON().scale[0]![0]! * Math.sqrt(loss) : loss;
    } catch (e) {
      if (e instanceof NonFiniteLossError) return Infinity;
      throw e;
    }
  };
}
