/**
 * sequenceTrial: one configuration of the DESIGN.md §1 backbone as a crossValidate trial on labelled
 * sequences — what `keel train --target --unit-column` does, per fold and without leakage. The fold's
 * samples are SEQUENCES (units of the table), so no sequence has windows on both sides: a Standardizer
 * is fitted on the fold's training sequences only (and for a regression target a second one on their
 * targets), each sequence is cut into windows that learn its target, and the backbone is built from
 * the seed (paired comparisons) and trained as tableTrial trains the MLP. The score, after the last
 * epoch, is the validation windows' mean cross-entropy, or their RMSE in the target's units
 * (./table-trial.ts says why not the best epoch's).
 */
import { Standardizer } from '../data/scalers/standardizer.js';
import type { SeriesTable } from '../data/series.js';
import { slidingWindows } from '../data/windows.js';
import { indexSelect } from '../functional/indexing.js';
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CvFold, MakeTrial } from './cross-validate.js';
import type { TrialConfig } from './space.js';
import { fitScore, seededBuild } from './table-trial.js';

/** What sequenceTrial trains: the sequences, their targets, the windows, epochs and seed. */
export interface SequenceTrialSettings {
  /** One unit per sequence (fold indices are positions in table.units); its columns are the channels. */
  table: SeriesTable;
  /** One target per sequence: class indices (N), or the values (N, 1) as read. */
  y: Tensor;
  /** Number of classes; 0 for a regression target. */
  classes: number;
  /** Steps per window. */
  window: number;
  /** Steps between the ends of a sequence's consecutive windows (keel train: the window, so they do not overlap). */
  stride: number;
  /** Epochs per fold. */
  epochs: number;
  /** Seed of the initial weights, the batch order and dropout. */
  seed: number;
}

/** A MakeTrial for crossValidate over the sequences of `s.table` (see the header). */
export function sequenceTrial(config: TrialConfig, s: SequenceTrialSettings): MakeTrial {
  return async (fold: CvFold) => {
    const pick = (idx: Int32Array): SeriesTable => ({ columns: s.table.columns, units: Array.from(idx, (u) => s.table.units[u]!) });
    const scaler = new Standardizer().fit(pick(fold.train));
    const target = s.classes > 0 ? null : new Standardizer().fit(indexSelect(s.y, 0, fold.train));
    const y = target ? target.transform(s.y) : s.y;
    // Each window learns its sequence's target; windows are cut as batches are drawn.
    const windows = (idx: Int32Array) => {
      const w = slidingWindows(scaler.transform(pick(idx)), { window: s.window, stride: s.stride });
      return w.toDataset(indexSelect(y, 0, Int32Array.from(w.groups, (g) => idx[g]!)));
    };
    const train = windows(fold.train), val = windows(fold.validation);
    const model = seededBuild(s.seed, () => nn.conv1dBackbone({
      inChannels: s.table.columns.length, window: s.window, outputs: s.classes || 1, dropout: config.dropout, bnMomentum: config.bnMomentum,
    }));
    return fitScore(model, config, fold, {
      train, validation: val,
      classes: s.classes, targetScale: target ? target.toJSON().scale[0]![0]! : null, epochs: s.epochs, seed: s.seed,
    });
  };
}
