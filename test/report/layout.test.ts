// index.html in headless Chromium at a phone's width (390 px) and printed: the page never scrolls
// sideways, not even with a long title or run label without spaces (charts scroll inside their own
// frame instead); printed, the results table fits the paper's width and no chart is split.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStudyReport, type StudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const root = mkdtempSync(join(tmpdir(), 'keel-report-layout-'));
type Browser = Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;
let browser: Browser | null = null;

beforeAll(async () => {
  if (!haveChromium) return;
  const { chromium } = await import('playwright-core');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS'].includes(k))) as Record<string, string>;
  browser = await chromium.launch({ executablePath: CHROMIUM, env });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

const LONG = `run_${'x'.repeat(160)}`;

/** The demo report with a title and a run label of 164 characters without a space. */
function longNames(): StudyReport {
  const report = demoReport(12);
  return { ...report, title: `keel train: ${LONG}`, summary: [`${LONG}.csv`, ...report.summary], runs: report.runs.map((r, i) => (i === 0 ? { ...r, label: LONG } : r)) };
}

async function open(name: string, report: StudyReport, width: number) {
  const { html } = writeStudyReport(join(root, name), report);
  const page = await browser!.newPage({ viewport: { width, height: 800 } });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  return page;
}

describe.skipIf(!haveChromium)('index.html layout', () => {
  it('fits a 390 px phone: no sideways scroll, every chart frame inside the screen', async () => {
    for (const [name, report] of [['phone', demoReport(12)], ['phone-long', longNames()]] as const) {
      const page = await open(name, report, 390);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), name).toBeLessThanOrEqual(390);
      const rights = await page.$$eval('figure', (fs) => fs.map((f) => f.getBoundingClientRect().right));
      for (const right of rights) expect(right, name).toBeLessThanOrEqual(390);
      await page.close();
    }
  }, 60_000);

  it('long names wrap on a wide page', async () => {
    const page = await open('wide-long', longNames(), 1280);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    await page.close();
  }, 60_000);

  it('printed, the table fits the page width and charts are not split', async () => {
    const page = await open('print', demoReport(12), 700);
    await page.emulateMedia({ media: 'print' });
    const wrap = await page.$eval('.table-wrap', (w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('figure')).breakInside")).toBe('avoid');
    await page.close();
  }, 60_000);
});
