// Colours and text alternatives: every run's line colour is at least 3:1 on the white chart (WCAG
// 1.4.11), every marker label at least 4.5:1 (1.4.3), and each chart has a <desc> that says in words
// what a screen reader cannot see — the best epoch and its value, the divergence epoch.
import { describe, expect, it } from 'vitest';
import { renderStudyReport } from '../../src/report/index.js';
import { runColour } from '../../src/report/palette.js';
import { demoReport } from './demo-report.js';
import { parseXml } from './xml.js';

/** WCAG 2 contrast ratio of `hex` (#rrggbb) against white. */
function onWhite(hex: string): number {
  const channel = (i: number) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (l + 0.05);
}

describe('contrast and descriptions', () => {
  const report = demoReport(20);
  const files = renderStudyReport(report);

  it('every run colour is at least 3:1 on white', () => {
    for (let i = 0; i < 8; i++) expect(onWhite(runColour(i)), runColour(i)).toBeGreaterThanOrEqual(3);
  });

  it('marker labels are at least 4.5:1 on white', () => {
    const els = parseXml(files.get('curves-none.svg')!);
    const labels = els.filter((e) => e.name === 'text' && e.depth === 2 && / \d+$/.test(e.text) && e.attrs.fill);
    expect(labels.map((e) => e.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^best epoch \d+$/)]));
    for (const e of labels) expect(onWhite(e.attrs.fill!), e.text).toBeGreaterThanOrEqual(4.5);
  });

  it('each chart has a <desc> after its <title> naming the best epoch and value', () => {
    const none = report.runs[0]!;
    const run = parseXml(files.get('curves-none.svg')!);
    expect(run[2]).toMatchObject({ name: 'desc', depth: 1 });
    const best = Number(none.validation[none.bestEpoch! - 1]!.toPrecision(4));
    expect(run[2]!.text).toContain(`Best epoch ${none.bestEpoch}, validation ${best}.`);
    expect(run[2]!.text).toContain(`Divergence epoch ${none.divergenceEpoch}.`);
    const overlay = parseXml(files.get('validation-overlay.svg')!);
    expect(overlay[2]).toMatchObject({ name: 'desc', depth: 1 });
    for (const r of report.runs) expect(overlay[2]!.text).toContain(`${r.label}: Best epoch ${r.bestEpoch}`);
  });
});
