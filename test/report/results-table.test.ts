// results.md and results.json: one Markdown row per table row, null as "none" (or the column's missing text), digits and units, numbers right-aligned.
import { describe, expect, it } from 'vitest';
import { renderStudyReport, type StudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';

function report(): StudyReport {
  const r = demoReport(12);
  r.table = {
    columns: [
      { key: 'name', label: 'Variant' },
      { key: 'rmse', label: 'Best val RMSE', digits: 2, unit: 'cycles' },
      { key: 'epoch', label: 'Divergence epoch' },
      { key: 'phm', label: 'PHM08', missing: '—' },
      { key: 'rate', label: 'Samples/s' },
    ],
    rows: [
      { name: 'none', rmse: 17.456, epoch: 9, phm: 1234.5678, rate: 51234.7 },
      { name: 'l2', rmse: 15, epoch: null, phm: null, rate: 0.123456 },
      { name: 'dropout', rmse: NaN, epoch: null, phm: Infinity, rate: 3 },
    ],
  };
  return r;
}

describe('results.md', () => {
  const md = renderStudyReport(report()).get('results.md')!;
  const lines = md.split('\n');
  const table = lines.filter((l) => l.startsWith('|'));
  const cells = (l: string) => l.slice(2, -2).split(' | ');

  it('has a header, an alignment row and one row per table row', () => {
    expect(table).toHaveLength(2 + 3);
    expect(cells(table[0]!)).toEqual(['Variant', 'Best val RMSE (cycles)', 'Divergence epoch', 'PHM08', 'Samples/s']);
    expect(cells(table[1]!)).toEqual([':---', '---:', '---:', '---:', '---:']);
  });

  it('formats cells: digits, up to 4 significant digits without, null as "none" or the column’s missing text, NaN and ∞ as themselves', () => {
    expect(cells(table[2]!)).toEqual(['none', '17.46', '9', '1235', '51235']);
    expect(cells(table[3]!)).toEqual(['l2', '15.00', 'none', '—', '0.1235']);
    expect(cells(table[4]!)).toEqual(['dropout', 'NaN', 'none', '∞', '3']);
  });

  it('starts with the title and summary and ends with what the run shows, then the notes', () => {
    expect(lines[0]).toBe('# keel demo: regularisation study');
    expect(lines.slice(2, 5).every((l) => l.startsWith('- '))).toBe(true);
    expect(md).toMatch(/\|\n\n## What this run shows\n\n- At each run's best epoch, [^\n]+\n- Without regularisation, [^\n]+\n\n## Notes\n\n- Divergence epoch: [^\n]+\n- Best epoch: [^\n]+\n$/);
  });

  it('leaves the findings section out when the report has none', () => {
    const r = report();
    delete r.findings;
    expect(renderStudyReport(r).get('results.md')!).not.toContain('What this run shows');
  });
});

describe('results.json', () => {
  it('holds the table, title, summary, findings, notes and curves; non-finite numbers become null', () => {
    const r = report();
    const json = JSON.parse(renderStudyReport(r).get('results.json')!);
    expect(json.title).toBe(r.title);
    expect(json.summary).toEqual(r.summary);
    expect(json.findings).toEqual(r.findings);
    expect(json.notes).toEqual(r.notes);
    expect(json.columns).toEqual(r.table.columns);
    expect(json.rows).toHaveLength(3);
    expect(json.rows[2]).toEqual({ name: 'dropout', rmse: null, epoch: null, phm: null, rate: 3 });
    expect(json.runs.map((x: { name: string }) => x.name)).toEqual(r.runs.map((x) => x.name));
    expect(json.runs[0].validation).toHaveLength(r.runs[0]!.validation.length);
  });
});

describe('index.html table', () => {
  it('shows the same cells, numeric columns right-aligned', () => {
    const html = renderStudyReport(report()).get('index.html')!;
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    expect(body.match(/<tr>/g)).toHaveLength(3);
    expect(body).toContain('<td>l2</td><td class="num">15.00</td><td class="num">none</td><td class="num">—</td><td class="num">0.1235</td>');
    expect(html).toContain('<th class="num">Best val RMSE (cycles)</th>');
  });
});
