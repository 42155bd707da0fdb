// A report written over an earlier one in the same folder: the earlier report's charts that the new
// one does not draw (runs no longer in it, the overlay of a one-run report: the files its results.json
// names) are removed, so the page and the folder never mix two runs' charts; other files, a chart-like
// curves-*.svg of the user's beside a report, and curves-*.svg in a folder that held no keel report,
// are left alone. The CLI's --out check takes its file names from the same pattern.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_FILE, renderStudyReport, writeStudyReport } from '../../src/report/study.js';
import { demoReport } from './demo-report.js';

const root = mkdtempSync(join(tmpdir(), 'keel-stale-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeStudyReport over an earlier report', () => {
  it('removes the charts the new report does not draw, and leaves other files alone', () => {
    const dir = join(root, 'rerun');
    const earlier = demoReport(10);
    writeStudyReport(dir, earlier);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'curves-my-notes.svg'), '<svg/>'); // named like a chart, but no run's
    const later = { ...earlier, runs: earlier.runs.slice(0, 1) };
    writeStudyReport(dir, later);
    expect(readdirSync(dir).sort()).toEqual([...renderStudyReport(later).keys(), 'notes.txt', 'curves-my-notes.svg'].sort());
    expect(readdirSync(dir)).not.toContain('validation-overlay.svg');
  });

  it("leaves curves-*.svg alone in a folder that held no keel report", () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'curves-mine.svg'), '<svg/>');
    writeStudyReport(dir, demoReport(5));
    expect(readdirSync(dir)).toContain('curves-mine.svg');
  });

  it('REPORT_FILE names every file a report writes, and chart names only as runs are named', () => {
    for (const name of renderStudyReport(demoReport(5)).keys()) expect(REPORT_FILE.test(name), name).toBe(true);
    expect(REPORT_FILE.test('curves-My Chart.svg')).toBe(false);
    expect(REPORT_FILE.test('notes.txt')).toBe(false);
  });
});
