/**
 * The report's text for a terminal: the results table as aligned plain text (the same cells as
 * results.md and index.html, ./format.ts; numeric columns right-aligned, two spaces between
 * columns) and the findings as a bulleted section.
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

/** "What this run shows:" and a "- " line per finding, then a blank line; "" when there are none. */
export function findingsText(findings: readonly string[]): string {
  return findings.length ? `What this run shows:\n${findings.map((line) => `- ${line}\n`).join('')}\n` : '';
}
