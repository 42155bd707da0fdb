/**
 * Batch assembly for datasets that only implement get(index) (PyTorch's default_collate for tensor
 * fields): the samples at `indices` are fetched one by one and each field is copied into ONE
 * preallocated Float32Array per batch, so a batch of B rows costs one allocation per field rather
 * than a tensor per row plus a concatenation. Also the check of what a dataset's getBatch returned.
 *
 * Rule: field f of the batch has shape (B, ...s_f), s_f the shape of field f of the batch's first
 * sample; row k holds field f of sample indices[k]. Every sample must have the same number of fields
 * and the same shape per field as the first, else the error names both samples and both shapes.
 */
import { DataError, ShapeError } from '../errors.js';
import { formatShape, numel, sameShape } from '../tensor/shape.js';
import { emptyFloat32 } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';
import { describe } from './validate.js';

/** dataset.get(index), checked to be a non-empty list of Tensors. */
function fetchSample(where: string, dataset: Dataset, index: number): Tensor[] {
  const sample: unknown = dataset.get(index);
  if (!Array.isArray(sample) || sample.length === 0 || !sample.every((f) => f instanceof Tensor)) {
    throw new DataError(`${where}: dataset.get(${index}) must return a non-empty array of Tensors (one per field), got ${describe(sample)}`);
  }
  return sample as Tensor[];
}

/** The samples at `indices` (already checked against the dataset's length) stacked field by field. */
export function stackSamples(where: string, dataset: Dataset, indices: Int32Array): Tensor[] {
  const b = indices.length;
  if (b === 0) throw new ShapeError(`${where}: cannot stack an empty batch (field shapes come from its first sample)`);
  const i0 = indices[0]!;
  const first = fetchSample(where, dataset, i0);
  const shapes = first.map((t) => t.shape);
  const rows = shapes.map((s) => numel(s));
  const outs = rows.map((row) => emptyFloat32(b * row));
  for (let k = 0; k < b; k++) {
    const i = indices[k]!;
    const sample = k === 0 ? first : fetchSample(where, dataset, i);
    if (sample.length !== first.length) {
      throw new DataError(`${where}: sample ${i} has ${sample.length} fields but sample ${i0} (the first of its batch) has ${first.length}`);
    }
    for (let f = 0; f < sample.length; f++) {
      const t = sample[f]!;
      if (!sameShape(t.shape, shapes[f]!)) {
        throw new DataError(
          `${where}: field ${f} of sample ${i} has shape ${formatShape(t.shape)} but sample ${i0} (the first of its batch) has ${formatShape(shapes[f]!)}`,
        );
      }
      outs[f]!.set(t.data, k * rows[f]!);
    }
  }
  return outs.map((data, f) => new Tensor(data, [b, ...shapes[f]!]));
}

/** Checks what a dataset's getBatch returned for a batch of `b` samples: a non-empty list of Tensors, each with first dimension b. */
export function checkBatch(where: string, batch: unknown, b: number): Tensor[] {
  if (!Array.isArray(batch) || batch.length === 0 || !batch.every((f) => f instanceof Tensor)) {
    throw new DataError(`${where}: dataset.getBatch must return a non-empty array of Tensors (one per field), got ${describe(batch)}`);
  }
  (batch as Tensor[]).forEach((t, f) => {
    if (t.ndim === 0 || t.shape[0] !== b) {
      throw new DataError(`${where}: field ${f} of dataset.getBatch's result has shape ${formatShape(t.shape)}, expected first dimension ${b} (the batch size)`);
    }
  });
  return batch as Tensor[];
}
