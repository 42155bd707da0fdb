// Run charts and the overlay: markers iff epochs are given (spread apart when they share an epoch), NaN/Infinity skipped as gaps,
// integer epoch ticks, a y axis from the finite data whose end ticks sit on the plot's edges, logarithmic when the data spans decades.
import { describe, expect, it } from 'vitest';
import { renderStudyReport, type CurveSet, type StudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';
import { parseXml, type XmlElement } from './xml.js';

function withRuns(runs: CurveSet[]): StudyReport {
  return { ...demoReport(10), runs, table: { columns: [{ key: 'name', label: 'Run' }], rows: runs.map((r) => ({ name: r.name })) } };
}

const run = (name: string, validation: number[], extra: Partial<CurveSet> = {}): CurveSet => ({
  name,
  label: name,
  train: validation.map((v) => v - 1),
  validation,
  bestEpoch: null,
  divergenceEpoch: null,
  ...extra,
});

const chart = (report: StudyReport, file: string): XmlElement[] => parseXml(renderStudyReport(report).get(file)!);
const markers = (els: XmlElement[]) => els.filter((e) => e.name === 'g' && e.attrs.class?.startsWith('marker-')).map((e) => [e.attrs.class, Number(e.attrs['data-epoch'])]);
const pathOf = (els: XmlElement[], series: string) => els.find((e) => e.name === 'path' && e.attrs['data-series'] === series)!.attrs.d!;
const yTicks = (els: XmlElement[]) => els.filter((e) => e.name === 'text' && e.attrs.dy && e.attrs['text-anchor'] === undefined && e.depth === 2).map((e) => Number(e.text.replace(/,/g, '').replace('−', '-'))); // d3's format: "1,000", "−2"

describe('run charts: markers', () => {
  const v = [9, 7, 5, 4, 4.5, 5, 6, 7];
  it('mark the best and the divergence epoch when given, each with its label', () => {
    const els = chart(withRuns([run('a', v, { bestEpoch: 4, divergenceEpoch: 5 })]), 'curves-a.svg');
    expect(markers(els)).toEqual([['marker-best', 4], ['marker-divergence', 5]]);
    const labels = els.filter((e) => e.name === 'text').map((e) => e.text);
    expect(labels).toEqual(expect.arrayContaining(['best epoch 4', 'divergence epoch 5']));
    expect(els.filter((e) => e.attrs.class === 'highlight')).toHaveLength(1);
  });

  it('draw no marker, dot or marker legend entry for null epochs', () => {
    const els = chart(withRuns([run('a', v)]), 'curves-a.svg');
    expect(markers(els)).toEqual([]);
    expect(els.filter((e) => e.attrs.class === 'highlight')).toHaveLength(0);
    expect(els.map((e) => e.text)).not.toEqual(expect.arrayContaining(['best epoch']));
    expect(els.map((e) => e.text)).not.toEqual(expect.arrayContaining(['divergence epoch']));
  });

  it('only the best epoch: one marker; stoppedEpoch adds a subtitle', () => {
    const els = chart(withRuns([run('a', v.slice(0, 6), { bestEpoch: 4, stoppedEpoch: 6 })]), 'curves-a.svg');
    expect(markers(els)).toEqual([['marker-best', 4]]);
    expect(els.map((e) => e.text)).toContain('Early stopping ended training at epoch 6');
  });

  it('best and divergence at the same epoch: both rules stay visible, 3 px apart around the epoch', () => {
    const els = chart(withRuns([run('a', v, { bestEpoch: 4, divergenceEpoch: 4 })]), 'curves-a.svg');
    const rule = (kind: string) => Number(els.find((e, i) => e.name === 'line' && els[i - 1]?.attrs.class === `marker-${kind}`)!.attrs.x1);
    const dot = Number(els.find((e) => e.attrs.class === 'highlight')!.attrs.cx);
    expect(rule('divergence') - rule('best')).toBeCloseTo(3, 1);
    expect((rule('best') + rule('divergence')) / 2).toBeCloseTo(dot, 1);
  });

  it('the marker sits at the x position of its epoch (same as the curve point)', () => {
    const els = chart(withRuns([run('a', v, { bestEpoch: 4 })]), 'curves-a.svg');
    const rule = els.find((e, i) => e.name === 'line' && els[i - 1]?.attrs.class === 'marker-best')!;
    const dot = els.find((e) => e.attrs.class === 'highlight')!;
    expect(Number(rule.attrs.x1)).toBeCloseTo(Number(dot.attrs.cx), 1);
    const points = pathOf(els, 'validation').split(/[ML]/).filter(Boolean).map((p) => p.split(',').map(Number));
    expect(points[3]![0]).toBeCloseTo(Number(dot.attrs.cx), 1);
    expect(points[3]![1]).toBeCloseTo(Number(dot.attrs.cy), 1);
  });
});

describe('overlay: best-epoch dots', () => {
  it('dots that would cover each other move apart; the others stay on their epoch', () => {
    const v = [9, 7, 5, 4, 4.5];
    const runs = [run('a', v, { bestEpoch: 4 }), run('b', v, { bestEpoch: 4 }), run('c', v, { bestEpoch: 4 }), run('d', [9, 3, 5, 6, 7], { bestEpoch: 2 })];
    const dots = chart(withRuns(runs), 'validation-overlay.svg').filter((e) => e.attrs.class === 'highlight').map((e) => [Number(e.attrs.cx), Number(e.attrs.cy)] as const);
    expect(dots).toHaveLength(4);
    const [a, b, c] = dots;
    expect(b![0] - a![0]).toBeCloseTo(7, 1);
    expect(c![0] - a![0]).toBeCloseTo(14, 1);
    expect(new Set(dots.slice(0, 3).map((d) => d[1])).size).toBe(1);
    const single = chart(withRuns([run('d', [9, 3, 5, 6, 7], { bestEpoch: 2 }), run('e', v)]), 'validation-overlay.svg').find((e) => e.attrs.class === 'highlight')!;
    expect(dots[3]![0]).toBeCloseTo(Number(single.attrs.cx), 1); // alone at its epoch: not moved
  });
});

describe('charts: data handling', () => {
  it('NaN and ±Infinity are skipped: the path breaks into segments and never holds NaN', () => {
    const v = [5, 4, NaN, 3, 2.5, Infinity, 2, 1.8];
    const els = chart(withRuns([run('a', v)]), 'curves-a.svg');
    const d = pathOf(els, 'validation');
    expect(d).not.toMatch(/NaN|Infinity/);
    expect(d.match(/M/g)).toHaveLength(3); // [5, 4], [3, 2.5], [2, 1.8]
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(6);
  });

  it('the y axis covers the finite values only (an Infinity does not stretch it) and is nice', () => {
    const els = chart(withRuns([run('a', [12.3, 10.1, Infinity, 11.7, NaN])]), 'curves-a.svg');
    const ticks = yTicks(els);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...ticks)).toBeLessThanOrEqual(9.1); // train = validation − 1
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(12.3);
    expect(Math.max(...ticks)).toBeLessThan(15);
  });

  it('the lowest and highest y ticks sit on the plot\'s bottom and top edges (no unlabelled band)', () => {
    const els = chart(withRuns([run('a', [13.2, 12.1, 11.4, 11.9, 12.6])]), 'curves-a.svg');
    const gridYs = els.filter((e) => e.name === 'line' && e.attrs.stroke === '#e3e3e3').map((e) => Number(e.attrs.y1));
    const axisY = Number(els.find((e) => e.name === 'line' && e.attrs.stroke === '#222' && e.attrs.y1 === e.attrs.y2)!.attrs.y1);
    expect(Math.max(...gridYs)).toBeCloseTo(axisY, 1);
    const dots = pathOf(els, 'validation').split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[1]));
    expect(Math.min(...gridYs)).toBeLessThanOrEqual(Math.min(...dots));
  });

  it('values spanning decades (a run that blew up) get a log axis, said in its label, with short SI tick labels', () => {
    const els = chart(withRuns([run('a', [2e8, 2561, 2570, 2575])]), 'curves-a.svg');
    const labels = els.filter((e) => e.name === 'text' && e.attrs.dy && e.attrs['text-anchor'] === undefined && e.depth === 2).map((e) => e.text);
    expect(labels).toEqual(expect.arrayContaining(['10k', '100M']));
    expect(labels.every((l) => l.length <= 4)).toBe(true); // fits the 72 px margin
    expect(els.map((e) => e.text)).toContain('RMSE (cycles), log scale');
    // On a log axis the ordinary epochs are not squashed onto the bottom edge: 2561 and 2575 sit apart from the axis.
    const ys = pathOf(els, 'validation').split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[1]));
    const axisY = Number(els.find((e) => e.name === 'line' && e.attrs.stroke === '#222' && e.attrs.y1 === e.attrs.y2)!.attrs.y1);
    expect(axisY - ys[1]!).toBeGreaterThan(10); // a linear axis puts it 0.003 px above
  });

  it('a huge first-epoch outlier is still on the chart', () => {
    const ticks = yTicks(chart(withRuns([run('a', [950, 20, 15, 14, 13])]), 'curves-a.svg'));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(950);
  });

  it('x ticks are whole epochs within [1, epochs]', () => {
    for (const n of [2, 3, 7, 30, 150]) {
      const els = chart(withRuns([run('a', Array.from({ length: n }, (_, i) => 10 / (i + 1)))]), 'curves-a.svg');
      const ticks = els.filter((e) => e.name === 'text' && e.depth === 2 && e.attrs.dy === undefined && /^\d+$/.test(e.text)).map((e) => Number(e.text));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.every((t) => Number.isInteger(t) && t >= 1 && t <= n)).toBe(true);
    }
  });

  it('a constant or all-NaN curve still draws a chart with a y axis', () => {
    expect(yTicks(chart(withRuns([run('a', [3, 3, 3])]), 'curves-a.svg')).length).toBeGreaterThan(1);
    const els = chart(withRuns([run('a', [NaN, NaN])]), 'curves-a.svg');
    expect(yTicks(els).length).toBeGreaterThan(1);
    expect(pathOf(els, 'validation')).toBe('');
  });

  it('the overlay takes runs of different lengths (early stopping) on one epoch axis', () => {
    const els = chart(withRuns([run('a', [5, 4, 3, 2, 1, 1, 1, 1]), run('b', [5, 4, 3], { bestEpoch: 3, stoppedEpoch: 3 })]), 'validation-overlay.svg');
    const xa = pathOf(els, 'a').split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[0]));
    const xb = pathOf(els, 'b').split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[0]));
    expect(xb).toEqual(xa.slice(0, 3));
  });
});
