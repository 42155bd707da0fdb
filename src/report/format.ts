/**
 * How a results-table cell prints, the same in results.md and index.html: a number with the column's
 * `digits` after the point (or up to 4 significant digits when the column sets none), a string as
 * it is, and null (no value: e.g. no divergence epoch) as the column's `missing` text, "none" by
 * default. Non-finite numbers print as what they are (NaN, ∞), never as a number they are not.
 */
import type { ReportColumn } from './study.js';

/** Columns without `digits` print at most this many significant digits (integers print whole). */
const SIGNIFICANT_DIGITS = 4;

/** The text of one cell. */
export function formatCell(value: number | string | null, column: ReportColumn): string {
  if (value === null) return column.missing ?? 'none';
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (column.digits !== undefined) return value.toFixed(column.digits);
  if (Number.isInteger(value)) return String(value);
  // toPrecision alone would print 12345.6 as "1.235e+4": above 10^4 whole numbers read better.
  return Math.abs(value) >= 10 ** SIGNIFICANT_DIGITS ? value.toFixed(0) : String(Number(value.toPrecision(SIGNIFICANT_DIGITS)));
}

/** A column's header: its label, and its unit in brackets when it has one ("Time (s)"). */
export function columnHeader(column: ReportColumn): string {
  return column.unit ? `${column.label} (${column.unit})` : column.label;
}

/** Whether a column holds numbers (right-aligned, so digits line up). */
export function isNumericColumn(column: ReportColumn, rows: readonly Record<string, number | string | null>[]): boolean {
  return rows.some((r) => typeof r[column.key] === 'number');
}
