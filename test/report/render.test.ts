// renderStudyReport: every file present, each SVG well-formed and standalone, index.html self-contained, one overlay path per run.
import { describe, expect, it } from 'vitest';
import { renderStudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';
import { parseXml } from './xml.js';

const report = demoReport(20);
const files = renderStudyReport(report);
const svgNames = [...files.keys()].filter((f) => f.endsWith('.svg'));

describe('renderStudyReport: files', () => {
  it('makes the overlay, one chart per run, results.json, results.md and index.html (last)', () => {
    expect([...files.keys()]).toEqual([
      'validation-overlay.svg',
      ...report.runs.map((r) => `curves-${r.name}.svg`),
      'results.json',
      'results.md',
      'index.html',
    ]);
  });

  it('is a pure function of the report: the same input gives the same bytes', () => {
    expect(renderStudyReport(demoReport(20))).toEqual(files);
  });

  it.each(svgNames)('%s is one well-formed <svg> root with xmlns, viewBox, width/height and a <title>', (name) => {
    const els = parseXml(files.get(name)!);
    const root = els[0]!;
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.viewBox).toMatch(/^0 0 \d+ [\d.]+$/);
    const [, , w, h] = root.attrs.viewBox!.split(' ').map(Number);
    expect([Number(root.attrs.width), Number(root.attrs.height)]).toEqual([w, h]);
    expect(els.filter((e) => e.name === 'svg')).toHaveLength(1);
    expect(els[1]).toMatchObject({ name: 'title', depth: 1 });
    expect(els[1]!.text.length).toBeGreaterThan(0);
    // Axis labels and a legend on every chart.
    expect(els.some((e) => e.name === 'text' && e.text === 'Epoch')).toBe(true);
    expect(els.some((e) => e.name === 'g' && e.attrs.class === 'legend')).toBe(true);
  });

  it('the overlay has one validation path per run, each in its own colour and dash pattern (the first solid, drawn first), and a dot at each best epoch', () => {
    const els = parseXml(files.get('validation-overlay.svg')!);
    const paths = els.filter((e) => e.name === 'path' && e.attrs.class === 'series');
    expect(paths.map((p) => p.attrs['data-series'])).toEqual(report.runs.map((r) => r.name));
    expect(new Set(paths.map((p) => p.attrs.stroke)).size).toBe(report.runs.length);
    // Runs whose curves coincide (none and a small L2) stay visible: the solid first, broken lines over it.
    expect(paths[0]!.attrs['stroke-dasharray']).toBeUndefined();
    expect(new Set(paths.map((p) => p.attrs['stroke-dasharray'])).size).toBe(report.runs.length);
    const dots = els.filter((e) => e.attrs.class === 'highlight');
    expect(dots.map((d) => d.attrs['data-series'])).toEqual(report.runs.map((r) => r.name));
  });

  it('a run chart draws train dashed and validation solid, with a legend entry for each', () => {
    const els = parseXml(files.get('curves-none.svg')!);
    const paths = els.filter((e) => e.name === 'path' && e.attrs.class === 'series');
    expect(paths.map((p) => p.attrs['data-series'])).toEqual(['train', 'validation']);
    expect(paths[0]!.attrs['stroke-dasharray']).toBeTruthy();
    expect(paths[1]!.attrs['stroke-dasharray']).toBeUndefined();
    const legend = els.filter((e) => e.name === 'text' && e.depth > 2).map((e) => e.text);
    expect(legend).toEqual(expect.arrayContaining(['Train', 'Validation', 'best epoch', 'divergence epoch']));
  });

  it('index.html is self-contained: every SVG inlined, inline CSS, no script, no external URL', () => {
    const html = files.get('index.html')!;
    for (const name of svgNames) expect(html).toContain(files.get(name)!);
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|@import|url\(/i);
    expect(html.match(/(?:src|href)="[^"]*"/g)!.every((a) => !/https?:|\/\//.test(a))).toBe(true);
    // Title, summary lines and notes appear in the page in order: overlay, table, findings, run charts, notes.
    const at = (s: string) => html.indexOf(s);
    expect(at('<h1>keel demo: regularisation study</h1>')).toBeGreaterThan(0);
    expect(at('validation-overlay.svg')).toBeLessThan(at('<table>'));
    expect(at('<table>')).toBeLessThan(at('<h2>What this run shows</h2>'));
    expect(at('<h2>What this run shows</h2>')).toBeLessThan(at(report.findings![1]!));
    expect(at(report.findings![1]!)).toBeLessThan(at('curves-none.svg'));
    expect(at('curves-recipe.svg')).toBeLessThan(at(report.notes![0]!));
    for (const s of report.summary) expect(html).toContain(s.replace(/&/g, '&amp;'));
  });
});

describe('renderStudyReport: one run', () => {
  it('leaves the overlay out (it would repeat the run\'s own chart): not on the page, no file, no link', () => {
    const single = renderStudyReport({ ...report, runs: report.runs.slice(0, 1) });
    expect(single.has('validation-overlay.svg')).toBe(false);
    expect(single.get('index.html')!).not.toContain('validation-overlay');
    const html = single.get('index.html')!;
    expect(html).not.toContain('<h2>Validation curves</h2>');
    expect(html.match(/<svg[\s>]/g)!.length).toBe(1);
    expect(files.get('index.html')!).toContain('<h2>Validation curves</h2>');
  });
});
