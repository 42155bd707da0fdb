// A run of one epoch (or a lone finite epoch between gaps) has no line to draw: each such value is a
// dot in its series' colour, and a 1-epoch chart's x axis shows epoch 1 alone, centred, not an axis to epoch 2.
import { describe, expect, it } from 'vitest';
import { renderStudyReport, type CurveSet, type StudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';
import { parseXml, type XmlElement } from './xml.js';

const run = (name: string, train: number[], validation: number[]): CurveSet => ({ name, label: name, train, validation, bestEpoch: 1, divergenceEpoch: null });

function chart(runs: CurveSet[], file: string): XmlElement[] {
  const report: StudyReport = { ...demoReport(5), runs, table: { columns: [{ key: 'name', label: 'Run' }], rows: runs.map((r) => ({ name: r.name })) } };
  return parseXml(renderStudyReport(report).get(file)!);
}

const points = (els: XmlElement[]) => els.filter((e) => e.name === 'circle' && e.attrs.class === 'point').map((e) => e.attrs['data-series']);
const xTicks = (els: XmlElement[]) => els.filter((e) => e.name === 'text' && e.depth === 2 && /^\d+$/.test(e.text) && e.attrs.dy === undefined).map((e) => Number(e.text));

describe('single points', () => {
  it('a 1-epoch run draws a dot for train and for validation, and its x axis is epoch 1 alone, centred', () => {
    const els = chart([run('a', [5], [6])], 'curves-a.svg');
    expect(points(els)).toEqual(['train', 'validation']);
    expect(xTicks(els)).toEqual([1]);
    const tick = els.find((e) => e.name === 'text' && e.depth === 2 && e.text === '1')!;
    const dot = els.find((e) => e.name === 'circle' && e.attrs.class === 'point')!;
    expect(Number(dot.attrs.cx)).toBe(Number(tick.attrs.x));
    // Centred between the plot's edges (72 and 600 − 24).
    expect(Number(dot.attrs.cx)).toBe(324);
  });

  it('a lone finite epoch between gaps gets a dot; epochs on a line do not', () => {
    // Validation's epochs 1 and 3 have no finite neighbour; train is one line.
    const els = chart([run('a', [5, 4, 3, 2], [6, NaN, 5, Infinity])], 'curves-a.svg');
    expect(points(els)).toEqual(['validation', 'validation']);
  });
});
