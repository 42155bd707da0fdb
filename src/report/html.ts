/**
 * index.html: the study as one self-contained page a person opens from disk — inline CSS, the SVG
 * charts inlined, no script, no network, no web fonts (the system font stack). Order: title and
 * summary, the validation overlay (when there is more than one run), the results table, what the run
 * shows, one chart per run (at most 760 px wide, so a single run does not fill the page), the notes,
 * then links to the standalone files (relative links: nothing is fetched when the page loads).
 */
import { FONT_FAMILY } from './chart.js';
import { escapeXml } from './escape.js';
import { columnHeader, formatCell, isNumericColumn } from './format.js';
import type { StudyReport } from './study.js';

const CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.5 ${FONT_FAMILY}; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 12px; }
.summary { margin: 0; padding-left: 20px; color: #444; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 13px; color: #555; padding: 4px 8px 0; }
.overlay { max-width: 960px; }
/* min(100%, 480px): a column never wider than a phone's screen, so the page never scrolls sideways. */
.runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 16px; }
.runs figure { max-width: 760px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #ddd; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e6e6e6; text-align: left; }
td { white-space: nowrap; }
th { vertical-align: bottom; }
th { background: #efefec; font-weight: 600; }
td.num, th.num { text-align: right; }
.table-wrap { overflow-x: auto; }
footer { margin-top: 32px; font-size: 13px; color: #555; }
footer a { color: #0a5a8a; margin-right: 12px; }
/* A run name or label without spaces (a file name, a CSV header) must not widen the page. */
h1, h2, li, figcaption, footer, th { overflow-wrap: anywhere; }
/* A phone: charts scaled to the screen would print their 12 px text at 4–7 px, so below these widths a
   chart keeps a legible size and scrolls sideways inside its frame; the page itself does not. */
@media (max-width: 600px) {
  main { padding: 16px 10px 32px; }
  figure { overflow-x: auto; }
  figure svg { min-width: 480px; }
  .overlay svg { min-width: 640px; }
}
/* Paper cannot scroll: the table wraps and shrinks to the page, and no chart is split across pages. */
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; }
  table { width: 100%; font-size: 11px; }
  th, td { padding: 3px 5px; white-space: normal; overflow-wrap: anywhere; }
  figure, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  figure svg { min-width: 0; }
}
`;

function table(report: StudyReport): string {
  const { columns, rows } = report.table;
  const numeric = columns.map((c) => isNumericColumn(c, rows));
  const cls = (i: number): string => (numeric[i] ? ' class="num"' : '');
  const head = columns.map((c, i) => `<th${cls(i)}>${escapeXml(columnHeader(c))}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c, i) => `<td${cls(i)}>${escapeXml(formatCell(r[c.key] ?? null, c))}</td>`).join('')}</tr>`);
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table></div>`;
}

/** Marks a page keel wrote (keel's --out check writes over such a folder, src/cli/output-path.ts). */
export const GENERATOR_META = '<meta name="generator" content="keel">';

/**
 * The page. `svgs` maps each chart's file name to its SVG text (as renderStudyReport made them);
 * `files` lists every file of the report for the links at the end.
 */
export function indexHtml(report: StudyReport, svgs: ReadonlyMap<string, string>, files: readonly string[]): string {
  const figure = (file: string, caption: string, cls = ''): string =>
    `<figure${cls ? ` class="${cls}"` : ''}>\n${svgs.get(file)}\n<figcaption>${escapeXml(caption)} · <a href="${escapeXml(file)}">${escapeXml(file)}</a></figcaption></figure>`;
  const runs = report.runs.map((r) => figure(`curves-${r.name}.svg`, `${r.label}: train (dashed) and validation (solid) per epoch`));
  const list = (heading: string, lines: readonly string[] | undefined): string =>
    lines?.length ? `<h2>${heading}</h2>\n<ul>${lines.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${GENERATOR_META}
<title>${escapeXml(report.title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeXml(report.title)}</h1>
<ul class="summary">${report.summary.map((s) => `<li>${escapeXml(s)}</li>`).join('')}</ul>
${report.runs.length > 1 ? `<h2>Validation curves</h2>\n${figure('validation-overlay.svg', 'Validation curve of every run; dots mark the best epochs', 'overlay')}\n` : ''}<h2>Results</h2>
${table(report)}
${list('What this run shows', report.findings)}<h2>Training curves per run</h2>
<div class="runs">
${runs.join('\n')}
</div>
${list('Notes', report.notes)}<footer>Files: ${files.map((f) => `<a href="${escapeXml(f)}">${escapeXml(f)}</a>`).join(' ')}</footer>
</main>
</body>
</html>
`;
}
