/**
 * conv1dBackbone: DESIGN.md §1's network for multichannel time series (N, inChannels, window),
 *
 *   per width w: Conv1d(k, 'same'-length padding, bias only without BN) → [BatchNorm1d] → ReLU → Dropout(dropout)
 *   Flatten → Linear(widths.at(-1)·window → headHidden) → ReLU → Dropout(headDropout) → Linear(headHidden → outputs)
 *
 * built as a Sequential, so the state-dict keys are those of the same torch.nn.Sequential
 * ("0.weight", "1.running_mean", …, "13.weight", "16.bias" for the defaults). Odd kernels pad
 * (k − 1)/2 on each side, as PyTorch code writes it; even kernels use padding 'same'. Dropout layers
 * are always present (p = 0 is the identity), so the keys do not depend on the rates.
 */
import { BatchNorm1d } from './batchnorm1d.js';
import { Conv1d } from './conv1d.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Linear } from './linear.js';
import type { Module } from './module.js';
import { ReLU } from './relu.js';
import { Sequential } from './sequential.js';
import { boolean, checkOptions, or, positiveInt, probability, show } from './validate.js';
import { OptionError } from '../errors.js';

/** Options of nn.conv1dBackbone; the defaults build the reference network of the design notes. */
export interface Conv1dBackboneOptions {
  /** Input channels (sensors). Default 14. */
  inChannels?: number;
  /** Input length (time steps per window); fixes the head's input size. Default 30. */
  window?: number;
  /** Output channels of each convolution block, in order (at least one). Default [64, 64, 64]. */
  widths?: readonly number[];
  /** Convolution kernel size. Default 3. */
  kernelSize?: number;
  /** Dropout after each convolution block, in [0, 1]. Default 0.15. */
  dropout?: number;
  /** Width of the hidden Linear layer of the head. Default 128. */
  headHidden?: number;
  /** Dropout before the last Linear, in [0, 1]. Default 0.5. */
  headDropout?: number;
  /** Outputs of the last Linear (1 for a regression target). Default 1. */
  outputs?: number;
  /** BatchNorm1d after each convolution (which then has no bias). Default true. */
  batchNorm?: boolean;
  /** Momentum of those BatchNorm1d layers' running statistics, in [0, 1]. Default 0.1 (PyTorch's). */
  bnMomentum?: number;
  /** Their virtualBatchSize: in training, normalise groups of this many samples (ghost batches). Default null (the whole batch). */
  bnVirtualBatchSize?: number | null;
}

const OPTIONS = ['inChannels', 'window', 'widths', 'kernelSize', 'dropout', 'headHidden', 'headDropout', 'outputs', 'batchNorm', 'bnMomentum', 'bnVirtualBatchSize'] as const;

/** Builds the 1-D convolutional backbone described in the file header as an nn.Sequential, with PyTorch's default initialisation drawn from the global generator. */
export function conv1dBackbone(options?: Conv1dBackboneOptions): Sequential {
  const L = 'conv1dBackbone';
  const o = checkOptions(L, options, OPTIONS);
  const inChannels = positiveInt(L, 'inChannels', or(o.inChannels, 14));
  const window = positiveInt(L, 'window', or(o.window, 30));
  const widths = or(o.widths, [64, 64, 64]);
  if (!Array.isArray(widths) || widths.length === 0) throw new OptionError(`${L}: widths must be a non-empty array of positive integers, got ${show(widths)}`);
  for (let i = 0; i < widths.length; i++) positiveInt(L, `widths[${i}]`, widths[i]); // a for loop: forEach skips holes
  const kernelSize = positiveInt(L, 'kernelSize', or(o.kernelSize, 3));
  const dropout = probability(L, 'dropout', or(o.dropout, 0.15));
  const headHidden = positiveInt(L, 'headHidden', or(o.headHidden, 128));
  const headDropout = probability(L, 'headDropout', or(o.headDropout, 0.5));
  const outputs = positiveInt(L, 'outputs', or(o.outputs, 1));
  const batchNorm = boolean(L, 'batchNorm', or(o.batchNorm, true));
  const bnMomentum = probability(L, 'bnMomentum', or(o.bnMomentum, 0.1));
  const bnVirtualBatchSize = o.bnVirtualBatchSize == null ? null : positiveInt(L, 'bnVirtualBatchSize', o.bnVirtualBatchSize);

  const padding = kernelSize % 2 === 1 ? (kernelSize - 1) / 2 : 'same';
  const layers: Module[] = [];
  let channels = inChannels;
  for (const w of widths) {
    layers.push(new Conv1d(channels, w, kernelSize, { padding, bias: !batchNorm }));
    if (batchNorm) layers.push(new BatchNorm1d(w, { momentum: bnMomentum, virtualBatchSize: bnVirtualBatchSize }));
    layers.push(new ReLU(), new Dropout(dropout));
    channels = w;
  }
  layers.push(
    new Flatten(),
    new Linear(channels * window, headHidden),
    new ReLU(),
    new Dropout(headDropout),
    new Linear(headHidden, outputs),
  );
  return new Sequential(...layers);
}
