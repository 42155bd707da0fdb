// Long names in a chart (a run label, a CSV header as the y-axis label): SVG text does not wrap, so
// the title, the rotated y-axis label and legend labels are cut with "…" to the room they have, and
// the whole text is the <title> tooltip of the cut <text>; short texts are left as they are.
import { describe, expect, it } from 'vitest';
import { renderStudyReport, type StudyReport } from '../../src/report/index.js';
import { fitText } from '../../src/report/text-fit.js';
import { demoReport } from './demo-report.js';
import { parseXml, type XmlElement } from './xml.js';

const LONG = `Remaining_useful_life_${'of_engine_'.repeat(12)}end`;

function longReport(): StudyReport {
  const report = demoReport(10);
  return { ...report, yLabel: `RMSE (${LONG})`, runs: report.runs.map((r, i) => (i === 0 ? { ...r, label: LONG } : r)) };
}

/** The <text> elements whose tooltip (a <title> right inside them) is `full`, with their shown text. */
function cut(els: XmlElement[], full: string): XmlElement[] {
  return els.filter((e, i) => e.name === 'text' && els[i + 1]?.name === 'title' && els[i + 1]!.depth === e.depth + 1 && els[i + 1]!.text === full);
}

describe('long texts in charts', () => {
  const files = renderStudyReport(longReport());
  const run = parseXml(files.get('curves-none.svg')!);
  const overlay = parseXml(files.get('validation-overlay.svg')!);

  it('cuts the run chart title to the chart width, whole in a tooltip', () => {
    const [title] = cut(run, LONG);
    expect(title!.attrs['font-size']).toBe('16');
    expect(title!.text.endsWith('…')).toBe(true);
    // 600 px chart: 504 px for the title at 16 px (0.6 em a character) is 52 characters.
    expect([...title!.text].length).toBeLessThanOrEqual(52);
  });

  it('cuts the rotated y-axis label to the plot height', () => {
    const [label] = cut(run, `RMSE (${LONG})`);
    expect(label!.attrs.transform).toMatch(/^rotate\(-90/);
    expect([...label!.text].length * 0.6 * 12).toBeLessThanOrEqual(260 + 16 * 2);
  });

  it('cuts a legend label to the legend width', () => {
    const [item] = cut(overlay, LONG);
    expect(item!.text.endsWith('…')).toBe(true);
  });

  it('leaves texts that fit as they are', () => {
    expect(fitText('Epoch', 100, 12)).toBe('Epoch');
    expect(fitText('abcdefghij', 6 * 7.2, 12)).toBe('abcde…');
    const plain = parseXml(renderStudyReport(demoReport(10)).get('curves-none.svg')!);
    expect(plain.filter((e) => e.name === 'title')).toHaveLength(1);
  });
});
