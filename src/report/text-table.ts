/**
 * The results table as aligned plain text for a terminal: the same cells as results.md and
 * index.html (./format.ts), numeric columns right-aligned, two spaces between columns.
 */
import { columnHeader, formatCell, isNumericColumn } from './format.js';
import type { ReportTable } from './study.js';

/** The table as aligned plain text: a header line, then one line per row; numeric columns right-aligned, two spaces between columns. */
export function textTable({ columns, rows }: ReportTable): string {
  const cells = [columns.map(columnHeader), ...rows.map((r) => columns.map((c) => formatCell(r[c.key] ?? null, c)))];
  const widths = columns.map((_, j) => Math.max(...cells.map((line) => line[j]!.length)));
  const right = columns.map((c) => isNumericColumn(c, rows));
  return cells.map((line) => line.map((text, j) => (right[j] ? text.padStart(widths[j]!) : text.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n') + '\n';
}
