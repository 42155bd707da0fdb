// scripts/check-report.mjs in headless Chromium: a generated report passes and yields a full-page PNG; console errors, external requests,
// a blank page, a truncated page, hidden charts and broken links fail it (exit 1); usage errors exit 2.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeStudyReport } from '../../src/report/index.js';
import { demoReport } from './demo-report.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser-check tests skipped: no Chromium at ${CHROMIUM} (install it: bash .ci/apt-install chromium)`);

const SCRIPT = join(import.meta.dirname, '../../scripts/check-report.mjs');
const root = mkdtempSync(join(tmpdir(), 'keel-report-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the script; resolves with its exit code and output (never rejects on a non-zero exit). */
async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/check-report.mjs', () => {
  it('usage errors exit 2 with the usage line', async () => {
    const none = await check();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/usage: node scripts\/check-report\.mjs <report-dir>/);
    const missing = await check(join(root, 'nothing-here'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/index\.html does not exist/);
  });

  it.skipIf(!haveChromium)('passes a generated report and writes its full-page PNG', async () => {
    const { dir } = writeStudyReport(join(root, 'good'), demoReport(10));
    const png = join(root, 'good.png');
    const r = await check(dir, '--png', png);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/check-report: ok — 6 charts rendered/);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width 1280 (the viewport), height taller than one screen (full page).
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(900);
  });

  it.skipIf(!haveChromium)('fails a page with a console error, an external request and nothing drawn, naming each', async () => {
    const dir = join(root, 'bad');
    writeStudyReport(dir, demoReport(5));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head><meta charset="utf-8"><title>x</title></head><body>' +
        '<script>console.error("boom")</script><img src="http://127.0.0.1:9/x.png" alt=""></body></html>',
    );
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/console error: boom/);
    expect(r.stderr).toMatch(/network request \(the report must be self-contained\): http:\/\/127\.0\.0\.1:9\/x\.png/);
    expect(r.stderr).toMatch(/blank page: no <svg> chart/);
    expect(r.stderr).toMatch(/blank page: the 1280×\d+ screenshot is a single colour/);
    expect(r.stderr).toMatch(/missing chart: run "No regularisation" of results.json has no chart on the page/);
    // The screenshot goes to the temp folder by default, not into the report.
    expect(existsSync(join(tmpdir(), 'report-bad.png'))).toBe(true);
    expect(existsSync(join(dir, 'screenshot.png'))).toBe(false);
  });

  it.skipIf(!haveChromium)('fails a truncated page, hidden charts and a link to a missing file, checked against results.json', async () => {
    const truncated = join(root, 'truncated');
    writeStudyReport(truncated, demoReport(10));
    const html = readFileSync(join(truncated, 'index.html'), 'utf8');
    writeFileSync(join(truncated, 'index.html'), html.slice(0, html.indexOf('<h2>Training curves')));
    const t = await check(truncated, '--png', join(root, 't.png'));
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/missing chart: run "No regularisation" of results.json has no chart on the page/);
    expect(t.stderr).toMatch(/1 charts on the page, expected 6/);

    const hidden = join(root, 'hidden');
    writeStudyReport(hidden, demoReport(10));
    const page = readFileSync(join(hidden, 'index.html'), 'utf8');
    writeFileSync(join(hidden, 'index.html'), page.replace('</head>', '<style>svg{visibility:hidden}</style></head>'));
    rmSync(join(hidden, 'results.md'));
    const h = await check(hidden, '--png', join(root, 'h.png'));
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/chart "Validation curves of every run" is hidden/);
    expect(h.stderr).toMatch(/broken link: results\.md is not in /);
  });
});
