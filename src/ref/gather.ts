/**
 * gatherRows, the reference kernel: the rows of a batch out of a dataset's table (TensorDataset's
 * getBatch),
 *   out[k·rowLength + j] = src[indices[k]·rowLength + j]      k < rows, j < rowLength
 * each index in [0, srcRows) (checked, all of them, before anything is copied). A run of consecutive
 * indices (an unshuffled batch) is one copy. native/src/gather/f32-gather-scalar.cc is the port,
 * which also splits the rows between the pool's threads.
 */
import { type FloatArray, KernelArgs } from './args.js';

/** Shape of one gatherRows call: out (rows, rowLength) from src (srcRows, rowLength). */
export interface GatherParams {
  /** Rows gathered: the length of indices. */
  rows: number;
  /** Floats per row. */
  rowLength: number;
  /** Rows of src. */
  srcRows: number;
}

/** out row k = src row indices[k]. */
export function gatherRows(out: FloatArray, src: FloatArray, indices: Int32Array, params: GatherParams): void {
  const a = new KernelArgs('gatherRows', params);
  const R = a.int('rows', 0), D = a.int('rowLength', 0), S = a.int('srcRows', 0);
  a.floats('out', out, a.size([['rows', R], ['rowLength', D]]));
  a.floats('src', src, a.size([['srcRows', S], ['rowLength', D]]));
  a.indices('indices', indices, a.size([['rows', R]]), S, 'srcRows');
  a.disjoint({ out }, { src, indices });
  let k = 0;
  while (k < R) {
    const start = indices[k]!;
    let run = 1;
    while (k + run < R && indices[k + run] === start + run) run++;
    out.set(src.subarray(start * D, (start + run) * D), k * D);
    k += run;
  }
}
