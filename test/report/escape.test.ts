// Escaping: names and labels from users print as written in SVG, HTML and Markdown, never as markup.
import { describe, expect, it } from 'vitest';
import { renderStudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';
import { parseXml } from './xml.js';

const HOSTILE = `L2 <script>alert("x")</script> & 'λ' | "quoted"`;

function hostileReport() {
  const report = demoReport(12);
  report.title = `Study <b>&</b> "${HOSTILE}"`;
  report.runs[0]!.label = HOSTILE;
  report.summary.push(HOSTILE);
  report.findings!.push(HOSTILE);
  report.notes!.push(HOSTILE);
  report.yLabel = 'loss <&>';
  report.table.rows[0]!.label = HOSTILE;
  report.table.columns[1]!.unit = '<unit>';
  return report;
}

describe('report escaping', () => {
  const files = renderStudyReport(hostileReport());

  it('the xml checker used by these tests rejects what escaping prevents', () => {
    expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow(/bare </);
    expect(() => parseXml('<svg><text>a & b</text></svg>')).toThrow(/bare &/);
    expect(() => parseXml('<svg><text x="a"b">t</text></svg>')).toThrow();
    expect(() => parseXml('<svg><g></svg>')).toThrow(/closes/);
  });

  it.each(['validation-overlay.svg', 'curves-none.svg'])('%s stays well-formed and shows the label as written', (name) => {
    const els = parseXml(files.get(name)!);
    const texts = els.map((e) => e.text);
    expect(texts).toContain(HOSTILE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    expect(els.some((e) => e.name === 'script' || e.name === 'b')).toBe(false);
  });

  it('index.html has no tag from the input and the escaped text in the title, table, caption, findings and notes', () => {
    const html = files.get('index.html')!;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<unit>');
    expect(html).toContain('<title>Study &lt;b&gt;&amp;&lt;/b&gt; &quot;L2 &lt;script&gt;');
    // Summary, legend (×2 charts), table cell, caption, finding, note.
    expect(html.split('L2 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;λ&#39; | &quot;quoted&quot;').length - 1).toBeGreaterThanOrEqual(7);
  });

  it('results.md backslash-escapes | < > & so the table keeps its columns and no HTML starts', () => {
    const md = files.get('results.md')!;
    const row = md.split('\n').find((l) => l.startsWith('| L2 \\<script\\>'))!;
    expect(row).toContain('L2 \\<script\\>alert("x")\\</script\\> \\& \'λ\' \\| "quoted"');
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(hostileReport().table.columns.length);
  });

  it('results.md escapes links, images, strikethrough, math and leading block markers, but not numbers', () => {
    const report = demoReport(12);
    report.table.columns[1]!.label = '![t](http://example.com/t.png)';
    report.findings!.push('# heading', '- item', '1. item', '~~struck~~ $x$', '-1.65 without regularisation');
    const md = renderStudyReport(report).get('results.md')!;
    expect(md).toContain('\\!\\[t\\](http://example.com/t.png)');
    expect(md).not.toMatch(/(?<!\\)!(?<!\\)\[/);
    expect(md).toContain('- \\# heading\n- \\- item\n- 1\\. item\n- \\~\\~struck\\~\\~ \\$x\\$\n- -1.65 without regularisation');
    // Numbers in cells keep their digits and point.
    for (const row of md.split('\n').filter((l) => l.startsWith('|'))) expect(row).not.toMatch(/\d\\\./);
  });

  it('results.json round-trips the strings exactly', () => {
    const json = JSON.parse(files.get('results.json')!);
    expect(json.runs[0].label).toBe(HOSTILE);
    expect(json.rows[0].label).toBe(HOSTILE);
    expect(json.findings.at(-1)).toBe(HOSTILE);
  });
});
