/**
 * Map-style datasets, as torch.utils.data: the Dataset protocol (a length and samples by index, each
 * sample a list of fields such as [x, y] or [x, y, sampleWeight]), TensorDataset over tensors that
 * share their first dimension, and Subset, a view of a dataset through a list of indices (what
 * randomSplit returns). The protocol has an optional batched fast path, getBatch(indices), which
 * TensorDataset and Subset implement with one gather per field (the gatherRows kernel, whose native
 * variant splits the rows between the threads: a batch drawn at random from a large table waits on
 * memory), so a DataLoader builds a batch with one copy per field instead of one tensor per row.
 * Their data (`tensors`, `indices`) is public so fit can move it to a worker thread.
 */
import { kernels } from '../backend/index.js';
import { OptionError, ShapeError } from '../errors.js';
import { checkTensor } from '../functional/validate.js';
import { numel, formatShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';
import { stackSamples } from './collate.js';
import { WindowDataset } from './window-dataset.js';
import { checkIndex, checkIndices, describe } from './validate.js';

/**
 * A map-style dataset, as torch.utils.data.Dataset: samples by index; each sample is a list of fields
 * (e.g. [x, y] or [x, y, sampleWeight]), each field a Tensor WITHOUT the batch dimension.
 */
export interface Dataset {
  /** Number of samples. */
  readonly length: number;
  /** Sample i (0 <= i < length). */
  get(index: number): Tensor[];
  /**
   * Optional fast path: the samples at `indices` stacked along a new first dimension, one Tensor per
   * field (the DataLoader prefers it: one gather per field per batch instead of per-row tensors).
   */
  getBatch?(indices: Int32Array): Tensor[];
}

/** Whether `v` implements the Dataset protocol: a non-negative integer `length`, a `get` method, and `getBatch` a method if present. */
export function isDataset(v: unknown): v is Dataset {
  if (v === null || typeof v !== 'object') return false;
  const d = v as { length?: unknown; get?: unknown; getBatch?: unknown };
  return (
    typeof d.length === 'number' && Number.isSafeInteger(d.length) && d.length >= 0 &&
    typeof d.get === 'function' && (d.getBatch === undefined || typeof d.getBatch === 'function')
  );
}

/** Throws unless `v` is a Dataset, naming the caller and the argument. */
export function checkDataset(where: string, name: string, v: unknown): Dataset {
  if (!isDataset(v)) {
    throw new OptionError(`${where}: ${name} must be a Dataset (an object with a non-negative integer length and a get(index) method), got ${describe(v)}`);
  }
  return v;
}

/**
 * A dataset over tensors that share their first dimension, as torch.utils.data.TensorDataset:
 * sample i is [t[i] for t in tensors]. `new TensorDataset(x, y)`, or `(x, y, w)` with sample weights.
 * A 1-D tensor gives 0-dim fields: x (N, 14, 30), y (N) → get(i) = [(14, 30), ()], getBatch → [(B, 14, 30), (B)].
 */
export class TensorDataset implements Dataset {
  /** The tensors, as given (public: fit moves their data to a worker thread). */
  readonly tensors: readonly Tensor[];
  /** Number of samples: the tensors' common first dimension. */
  readonly length: number;
  /** Floats per sample of each tensor (the product of its shape after the first dimension). */
  private readonly rowSizes: readonly number[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new OptionError('TensorDataset: expected at least one tensor, got none');
    tensors.forEach((t, i) => {
      checkTensor('TensorDataset', `tensors[${i}]`, t);
      if (t.ndim === 0) {
        throw new ShapeError(`TensorDataset: tensors[${i}] is 0-dimensional (shape ()); every tensor needs a first dimension that indexes the samples`);
      }
    });
    const n = tensors[0]!.shape[0]!;
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) {
        throw new ShapeError(
          `TensorDataset: size mismatch between tensors: tensors[0] has ${n} samples (shape ${formatShape(tensors[0]!.shape)}) ` +
            `but tensors[${i}] has ${t.shape[0]} (shape ${formatShape(t.shape)})`,
        );
      }
    });
    this.tensors = Object.freeze([...tensors]);
    this.length = n;
    this.rowSizes = Object.freeze(tensors.map((t) => numel(t.shape.slice(1))));
  }

  /** Sample i: one new Tensor per field (a copy of row i, without the first dimension). */
  get(index: number): Tensor[] {
    const i = checkIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t, f) => {
      const row = this.rowSizes[f]!;
      return new Tensor(t.data.slice(i * row, (i + 1) * row), t.shape.slice(1));
    });
  }

  /** The rows at `indices` gathered into ONE new Float32Array per field: shapes (B, ...field shape). */
  getBatch(indices: Int32Array): Tensor[] {
    const idx = checkIndices('TensorDataset.getBatch', indices, this.length);
    return this.tensors.map((t, f) => {
      const row = this.rowSizes[f]!;
      const out = emptyFloat32(idx.length * row);
      kernels.gatherRows(out, t.data, idx, { rows: idx.length, rowLength: row, srcRows: this.length });
      return new Tensor(out, [idx.length, ...t.shape.slice(1)]);
    });
  }
}

/**
 * A dataset restricted to some of its indices, as torch.utils.data.Subset: sample i is
 * dataset.get(indices[i]). The indices are copied into an Int32Array and checked against the
 * dataset's length when the subset is made.
 */
export class Subset implements Dataset {
  /** The parent dataset (public: fit moves it to a worker thread). */
  readonly dataset: Dataset;
  /** Parent index of each sample of this subset (a private copy; public for the same reason). */
  readonly indices: Int32Array;

  constructor(dataset: Dataset, indices: ArrayLike<number>) {
    this.dataset = checkDataset('Subset', 'dataset', dataset);
    if (indices === null || typeof indices !== 'object' || typeof (indices as { length?: unknown }).length !== 'number') {
      throw new OptionError(`Subset: indices must be an array or Int32Array of integers, got ${describe(indices)}`);
    }
    const n = dataset.length;
    const copy = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (typeof i !== 'number' || !Number.isInteger(i)) throw new OptionError(`Subset: indices[${k}] must be an integer, got ${describe(i)}`);
      if (i < 0 || i >= n) throw new OptionError(`Subset: indices[${k}] = ${i} is out of range for a dataset of length ${n}`);
      copy[k] = i;
    }
    this.indices = copy;
  }

  /** Number of samples: the number of indices. */
  get length(): number {
    return this.indices.length;
  }

  get(index: number): Tensor[] {
    return this.dataset.get(this.indices[checkIndex('Subset.get', index, this.indices.length)]!);
  }

  /** The parent's getBatch on the mapped indices when it has one; otherwise its samples stacked one by one. */
  getBatch(indices: Int32Array): Tensor[] {
    const idx = checkIndices('Subset.getBatch', indices, this.indices.length);
    const mapped = new Int32Array(idx.length);
    for (let k = 0; k < idx.length; k++) mapped[k] = this.indices[idx[k]!]!;
    return this.dataset.getBatch ? this.dataset.getBatch(mapped) : stackSamples('Subset.getBatch', this.dataset, mapped);
  }
}

/**
 * Whether ds.getBatch hands out arrays nobody else holds: keel's own TensorDataset or WindowDataset
 * (a fresh gather per batch) or a Subset of one (exact classes: a subclass may cache). fit, evaluate
 * and predict hand such a batch's arrays back to the storage pool once the model is done with it
 * (batchRecycler in src/train/batches.ts).
 */
export function hasFreshBatches(ds: Dataset): boolean {
  return ds.constructor === TensorDataset || ds.constructor === WindowDataset || (ds.constructor === Subset && hasFreshBatches((ds as Subset).dataset));
}
