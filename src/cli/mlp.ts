/**
 * The MLP `keel train` builds for flat inputs (Fashion-MNIST images, rows of a CSV table): hidden
 * blocks of Linear → [BatchNorm1d] → ReLU → Dropout, the regularised MLP of DESIGN.md §1, then a
 * Linear to the outputs (one per class, or one value). A Linear before BatchNorm has no bias: BN's
 * shift replaces it. --hidden gives the block widths.
 */
import * as nn from '../nn/index.js';
import { intOption } from './args.js';
import type { BatchNormFlags } from './batchnorm-flags.js';
import { UsageError } from './errors.js';

export function mlp(inputs: number, hidden: readonly number[], outputs: number, dropout: number, bn: BatchNormFlags): nn.Sequential {
  const norm = (features: number) => (bn.batchNorm ? [new nn.BatchNorm1d(features, { momentum: bn.momentum, virtualBatchSize: bn.virtualBatchSize })] : []);
  const layers: nn.Module[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(new nn.Linear(width, h, { bias: !bn.batchNorm }), ...norm(h), new nn.ReLU(), new nn.Dropout(dropout));
    width = h;
  }
  return new nn.Sequential(...layers, new nn.Linear(width, outputs));
}

/** --hidden's widths: a comma-separated list of positive integers ("" is no hidden layer: a linear model). */
export function hiddenOption(text: string): number[] {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--hidden must be a comma-separated list of layer widths (positive integers), got "${text}"`);
  return parts.map((p) => intOption('hidden', p, 1, 1 << 16));
}
