/**
 * mlp: the regularised MLP of DESIGN.md §1 for flat inputs (N, inFeatures) — rows of a table,
 * flattened images —
 *
 *   per hidden width h: Linear(→ h, bias only without BN) → [BatchNorm1d(h)] → ReLU → Dropout(dropout)
 *   Linear(hidden.at(-1) → outputs)
 *
 * built as a Sequential, so the state-dict keys are those of the same torch.nn.Sequential ("0.weight",
 * "1.running_mean", …). A Linear before BatchNorm has no bias: BN's shift replaces it. Dropout layers
 * are always present (p = 0 is the identity), so the keys do not depend on the rate. Sequential runs
 * Linear → BatchNorm1d → ReLU → Dropout as one fused block in training and folds BN into the Linear
 * in eval. No hidden width is a linear model.
 */
import { OptionError } from '../errors.js';
import { BatchNorm1d } from './batchnorm1d.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import type { Module } from './module.js';
import { ReLU } from './relu.js';
import { Sequential } from './sequential.js';
import { boolean, checkOptions, or, positiveInt, probability, show } from './validate.js';

/** Options of nn.mlp; inFeatures is required. */
export interface MlpOptions {
  /** Input features. Required. */
  inFeatures: number;
  /** Widths of the hidden blocks, in order (empty: a linear model). Default [512, 256]. */
  hidden?: readonly number[];
  /** Outputs of the last Linear (one per class, or 1 for a regression target). Default 1. */
  outputs?: number;
  /** Dropout after each hidden block, in [0, 1]. Default 0.3. */
  dropout?: number;
  /** BatchNorm1d in each hidden block. Default true. */
  batchNorm?: boolean;
  /** Momentum of those BatchNorm1d layers' running statistics, in [0, 1]. Default 0.1 (PyTorch's). */
  bnMomentum?: number;
  /** Their virtualBatchSize: in training, normalise groups of this many samples (ghost batches). Default null (the whole batch). */
  bnVirtualBatchSize?: number | null;
}

const OPTIONS = ['inFeatures', 'hidden', 'outputs', 'dropout', 'batchNorm', 'bnMomentum', 'bnVirtualBatchSize'] as const;

/** Builds the MLP described in the file header as an nn.Sequential, with PyTorch's default initialisation drawn from the global generator. */
export function mlp(options: MlpOptions): Sequential {
  const L = 'mlp';
  const o = checkOptions(L, options, OPTIONS);
  const inFeatures = positiveInt(L, 'inFeatures', o.inFeatures);
  const hidden = or(o.hidden, [512, 256]);
  if (!Array.isArray(hidden)) throw new OptionError(`${L}: hidden must be an array of positive integers, got ${show(hidden)}`);
  for (let i = 0; i < hidden.length; i++) positiveInt(L, `hidden[${i}]`, hidden[i]); // a for loop: forEach skips holes
  const outputs = positiveInt(L, 'outputs', or(o.outputs, 1));
  const dropout = probability(L, 'dropout', or(o.dropout, 0.3));
  const batchNorm = boolean(L, 'batchNorm', or(o.batchNorm, true));
  const bnMomentum = probability(L, 'bnMomentum', or(o.bnMomentum, 0.1));
  const bnVirtualBatchSize = o.bnVirtualBatchSize == null ? null : positiveInt(L, 'bnVirtualBatchSize', o.bnVirtualBatchSize);

  const layers: Module[] = [];
  let width = inFeatures;
  for (const h of hidden) {
    layers.push(new Linear(width, h, { bias: !batchNorm }));
    if (batchNorm) layers.push(new BatchNorm1d(h, { momentum: bnMomentum, virtualBatchSize: bnVirtualBatchSize }));
    layers.push(new ReLU(), new Dropout(dropout));
    width = h;
  }
  layers.push(new Linear(width, outputs));
  return new Sequential(...layers);
}
