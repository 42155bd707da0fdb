/**
 * Small hand-built SeriesTables for the time-series tests (rul targets, windows, splits, scalers):
 * every value encodes where it sits, so a test can tell from a value alone which unit, row and
 * column it was read from.
 */
import type { SeriesTable, UnitSeries } from '../../src/data/series.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** The value at (unit position u, row t, column c): u·1000 + t·10 + c (exact in float32 for the sizes used). */
export const code = (u: number, t: number, c: number): number => u * 1000 + t * 10 + c;

/** A unit of T rows and C columns holding code(u, t, c), with optional extra fields. */
export function codedUnit(u: number, T: number, C: number, extra: Partial<UnitSeries> = {}): UnitSeries {
  const data = new Float32Array(T * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) data[t * C + c] = code(u, t, c);
  return { id: `u${u}`, values: new Tensor(data, [T, C]), ...extra };
}

/** A table of coded units with the given lengths and column names. */
export function codedTable(lengths: readonly number[], columns: readonly string[] = ['a', 'b', 'c']): SeriesTable {
  return { columns, units: lengths.map((T, u) => codedUnit(u, T, columns.length)) };
}

/** A unit whose rows are given as arrays (T rows of C values). */
export function unitOf(id: string | number, rows: number[][], extra: Partial<UnitSeries> = {}): UnitSeries {
  return { id, values: new Tensor(Float32Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0]), ...extra };
}
