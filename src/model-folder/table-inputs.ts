/** A table model's inputs (keel eval, keel predict, ModelFolder.predict): feature rows scaled as in training. */
import type { SeriesTable } from '../data/series.js';
import type { Tensor } from '../tensor/tensor.js';
import type { SavedTable } from './format.js';

/** The model's inputs: the feature rows standardised with the training rows' statistics. */
export function tableInputs(saved: SavedTable, x: Tensor): Tensor {
  return saved.scaler.transform(rowsAsTable(x, saved.features)).units[0]!.values;
}

/** Rows as a one-unit SeriesTable, so a scaler fitted on it records the column names. */
export function rowsAsTable(x: Tensor, columns: readonly string[]): SeriesTable {
  return { columns: [...columns], units: [{ id: 0, values: x }] };
}
