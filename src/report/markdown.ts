/**
 * results.md: the study as Markdown — title, summary lines, the results table (one row per table
 * row, cells formatted as in index.html, numeric columns right-aligned), what the run shows, and the
 * notes. Text from the report is escaped with backslashes (CommonMark's escapes, which renderers
 * print as the bare character) where it would break a table row (|), start inline HTML or an entity
 * (< > &), or turn into emphasis or code (* _ `); line breaks become spaces.
 */
import { columnHeader, formatCell, isNumericColumn } from './format.js';
import type { StudyReport } from './study.js';

const cell = (text: string): string => text.replace(/[\\|<>&*_`]/g, '\\$&').replace(/\r?\n/g, ' ');

export function resultsMarkdown(report: StudyReport): string {
  const { columns, rows } = report.table;
  const lines = [`# ${cell(report.title)}`, '', ...report.summary.map((s) => `- ${cell(s)}`), ''];
  lines.push(`| ${columns.map((c) => cell(columnHeader(c))).join(' | ')} |`);
  lines.push(`| ${columns.map((c) => (isNumericColumn(c, rows) ? '---:' : ':---')).join(' | ')} |`);
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(formatCell(row[c.key] ?? null, c))).join(' | ')} |`);
  if (report.findings?.length) lines.push('', '## What this run shows', '', ...report.findings.map((n) => `- ${cell(n)}`));
  if (report.notes?.length) lines.push('', '## Notes', '', ...report.notes.map((n) => `- ${cell(n)}`));
  return `${lines.join('\n')}\n`;
}
