/**
 * keel's `data` namespace, as torch.utils.data: datasets and loaders for fit() — the Dataset protocol
 * (length, get(i), optional batched getBatch(indices)), TensorDataset, Subset, a DataLoader with a
 * seeded per-epoch shuffle that is a pure function of (seed, epoch), dropLast and the merge of a short
 * last batch, and randomSplit. A later issue adds time-series windows, CSV/IDX loaders and
 * augmentation here.
 *
 *   const [train, val] = data.randomSplit(new data.TensorDataset(x, y), [0.8, 0.2], 0);
 *   const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 *   for (const [xb, yb] of loader) { ... }           // one epoch per for-of loop
 */
export { isDataset, Subset, TensorDataset } from './dataset.js';
export type { Dataset } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions } from './dataloader.js';
export { randomSplit } from './split.js';
