/**
 * The MLP `keel train` builds for flat inputs (Fashion-MNIST images, rows of a CSV table): nn.mlp
 * (Linear → [BatchNorm1d] → ReLU → Dropout blocks, then a Linear to the outputs) with the BatchNorm
 * flags' settings, and --hidden, the block widths.
 */
import * as nn from '../nn/index.js';
import { intOption } from './args.js';
import type { BatchNormFlags } from './batchnorm-flags.js';
import { UsageError } from './errors.js';

export function mlp(inFeatures: number, hidden: readonly number[], outputs: number, dropout: number, bn: BatchNormFlags): nn.Sequential {
  return nn.mlp({ inFeatures, hidden, outputs, dropout, batchNorm: bn.batchNorm, bnMomentum: bn.momentum, bnVirtualBatchSize: bn.virtualBatchSize });
}

/** --hidden's widths: a comma-separated list of positive integers ("" is no hidden layer: a linear model). */
export function hiddenOption(text: string): number[] {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--hidden must be a comma-separated list of layer widths (positive integers), got "${text}"`);
  return parts.map((p) => intOption('hidden', p, 1, 1 << 16));
}
