/**
 * results.md: the study as Markdown — title, summary lines, the results table (one row per table
 * row, cells formatted as in index.html, numeric columns right-aligned), what the run shows, and the
 * notes. Text from the report (a CSV header is a user's text) is escaped with backslashes
 * (CommonMark's escapes, which renderers print as the bare character) where it would break a table
 * row (|), start inline HTML or an entity (< > &), turn into emphasis, code, strikethrough or math
 * (* _ ` ~ $), or into a link or an image ([ ] !: `![t](http://…)` would fetch a remote image); a
 * leading "# ", "- ", "+ " or "1. " would start a heading or a list inside a list item. Line breaks become spaces.
 */
import { columnHeader, formatCell, isNumericColumn } from './format.js';
import type { StudyReport } from './study.js';

const cell = (text: string): string =>
  text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\|<>&*_`~$[\]!]/g, '\\$&')
    // Only a marker a space follows starts a block ("-1.65" and "#3" stay as they are).
    .replace(/^(\s*)(#{1,6}|[+-]|\d{1,9}(?=[.)]))(?=[.)]?(\s|$))/, (_, space: string, marker: string) => `${space}${/\d/.test(marker) ? `${marker}\\` : `\\${marker}`}`);

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
