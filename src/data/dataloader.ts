/**
 * DataLoader, as torch.utils.data.DataLoader for map-style datasets: batches of a Dataset, optionally
 * shuffled every epoch, each batch one Tensor per field gathered into one new array per field (the
 * dataset's getBatch when it has one, else get() per sample copied into a preallocated array). It is
 * what fit, evaluate and predict iterate.
 *
 * Order. Epoch e visits the samples in the order permutation(seed, 2^52 + e, N) when shuffling (the
 * Fisher–Yates rule on Philox draws in ./shuffle.ts), else 0, 1, ..., N − 1. It depends only on
 * (seed, e, N): an epoch can be replayed or resumed (fit's initialEpoch), or recomputed in a worker
 * thread, without replaying the epochs before it; two loaders with the same seed agree.
 *
 * Batches. The order is cut into consecutive batches of batchSize; the last has r = N mod batchSize
 * samples when r > 0. With dropLast it is dropped. Otherwise, if r < minBatchSize and another batch
 * precedes it, it is merged into that batch (which then has batchSize + r samples), so BatchNorm
 * never trains on a batch of one; a dataset smaller than minBatchSize still gives its one batch.
 * So the number of batches is floor(N / B) with dropLast, else ceil(N / B), less one when merged.
 */
import { OptionError } from '../errors.js';
import { checkOptions, boolean, nonNegativeInt, positiveInt } from '../functional/validate.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBatch, stackSamples } from './collate.js';
import { checkDataset, type Dataset } from './dataset.js';
import { drawSeed, MAX_EPOCH, permutation, SHUFFLE_STREAM_BASE } from './shuffle.js';

/** Options of DataLoader (torch.utils.data.DataLoader's arguments, camelCase). */
export interface DataLoaderOptions {
  /** Samples per batch. Default 1 (PyTorch's). */
  batchSize?: number;
  /** Visit the samples in a new random order every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is incomplete. Default false. */
  dropLast?: boolean;
  /**
   * A last batch smaller than this is merged into the batch before it (so BatchNorm never trains on a
   * batch of one: fit passes 2 when the model has BatchNorm). At most batchSize. Default 1 (never
   * merges). Ignored with dropLast.
   */
  minBatchSize?: number;
  /**
   * Seed of the shuffle, an integer in [0, 2^53 − 1]. Default: when shuffling, drawn once from keel's
   * global generator (manualSeed) at construction; a loader that does not shuffle draws nothing
   * (its seed is then 0 and unused), so building one does not shift later random numbers.
   */
  seed?: number;
}

const OPTION_KEYS = ['batchSize', 'shuffle', 'dropLast', 'minBatchSize', 'seed'] as const;

/** torch.utils.data.DataLoader for map-style datasets: iterates batches (one Tensor per field, batch dimension first), reshuffled every epoch with a seeded order that depends only on (seed, epoch, N). */
export class DataLoader implements Iterable<Tensor[]> {
  /** The dataset batched. */
  readonly dataset: Dataset;
  /** Samples per batch (the last may be smaller, unless dropLast). */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new seeded order. */
  readonly shuffle: boolean;
  /** Whether an incomplete last batch is dropped. */
  readonly dropLast: boolean;
  /** A last batch smaller than this is merged into the one before. */
  readonly minBatchSize: number;
  /** Seed of the shuffle: as given, else drawn at construction when shuffling, else 0 (unused). */
  readonly seed: number;
  /** The epoch the next iteration runs. */
  private nextEpoch = 0;

  constructor(dataset: Dataset, options?: DataLoaderOptions) {
    this.dataset = checkDataset('DataLoader', 'dataset', dataset);
    const o = checkOptions('DataLoader', options, OPTION_KEYS);
    this.batchSize = positiveInt('DataLoader', 'batchSize', o.batchSize ?? 1);
    this.shuffle = boolean('DataLoader', 'shuffle', o.shuffle ?? false);
    this.dropLast = boolean('DataLoader', 'dropLast', o.dropLast ?? false);
    this.minBatchSize = positiveInt('DataLoader', 'minBatchSize', o.minBatchSize ?? 1);
    if (this.minBatchSize > this.batchSize) {
      throw new OptionError(`DataLoader: minBatchSize must be at most batchSize (${this.batchSize}), got ${this.minBatchSize}`);
    }
    if (o.seed !== undefined) this.seed = nonNegativeInt('DataLoader', 'seed', o.seed);
    else this.seed = this.shuffle ? drawSeed() : 0;
  }

  /** Batches per epoch (after dropLast and the merge of a short last batch). */
  get length(): number {
    return this.sizes(this.dataset.length).length;
  }

  /** The batch sizes of an epoch over n samples (the rule in the header). */
  private sizes(n: number): number[] {
    const b = this.batchSize, full = Math.floor(n / b), rest = n % b;
    const sizes = new Array<number>(full).fill(b);
    if (rest > 0 && !this.dropLast) {
      if (rest < this.minBatchSize && full > 0) sizes[full - 1]! += rest;
      else sizes.push(rest);
    }
    return sizes;
  }

  /**
   * The index lists of epoch `epoch` (0-based), a pure function of (seed, epoch, length): an epoch can
   * be replayed or resumed (fit's initialEpoch) without replaying the ones before it.
   */
  batchIndices(epoch: number): Int32Array[] {
    const e = nonNegativeInt('DataLoader.batchIndices', 'epoch', epoch);
    if (e > MAX_EPOCH) throw new OptionError(`DataLoader.batchIndices: epoch must be at most 2^52 - 1, got ${e}`);
    const n = this.dataset.length;
    let order: Int32Array;
    if (this.shuffle) order = permutation(this.seed, SHUFFLE_STREAM_BASE + e, n);
    else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    const out: Int32Array[] = [];
    let start = 0;
    for (const size of this.sizes(n)) {
      out.push(order.slice(start, start + size));
      start += size;
    }
    return out;
  }

  /**
   * Batches of epoch `epoch`: each batch is one Tensor per field, gathered with getBatch when the
   * dataset has it, otherwise with get() per sample copied into ONE preallocated Float32Array per
   * field per batch (shape from the first sample; a sample whose field shape differs throws naming
   * the index and shapes). The epoch is checked now; batches are gathered as they are consumed.
   */
  batches(epoch: number): Generator<Tensor[]> {
    const lists = this.batchIndices(epoch);
    return this.gather(lists);
  }

  private *gather(lists: Int32Array[]): Generator<Tensor[]> {
    const ds = this.dataset;
    for (const idx of lists) {
      yield ds.getBatch ? checkBatch('DataLoader', ds.getBatch(idx), idx.length) : stackSamples('DataLoader', ds, idx);
    }
  }

  /** Iterates the next epoch (an internal counter starting at 0, incremented per iteration). */
  [Symbol.iterator](): Iterator<Tensor[]> {
    return this.batches(this.nextEpoch++);
  }
}
