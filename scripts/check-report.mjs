#!/usr/bin/env node
/**
 * check-report: opens a report's index.html from disk in headless Chromium, fails on anything a
 * person would notice, and writes a full-page PNG screenshot to look at. CI runs it on the report
 * `keel demo --quick` writes.
 *
 *   node scripts/check-report.mjs <report-dir> [--png out.png]   (default: report-<folder>.png in the OS temp folder)
 *
 * Fails (exit 1, each problem on stderr) on: a console error or warning, an uncaught page error, a
 * failed request, any request that is not for a local file (the report must be self-contained), a
 * page with no <svg>, an <svg> that renders with a zero-sized box, is hidden, or has no drawn curve,
 * or a screenshot of a single colour (a blank page). And against the report's own results.json:
 * a chart per run (its title the run's label) plus the overlay when there are two runs or more, a
 * table row per result, and every link on the page leading to a file in the folder — so a truncated
 * or half-written page fails too. Usage errors exit 2.
 *
 * Browser: Debian's chromium (`bash .ci/apt-install chromium`), or the one CHROMIUM_PATH names,
 * driven through playwright-core: it has no dependencies of its own and supports Node 20
 * (puppeteer-core 25 needs Node 22; 24 pulls in a browser downloader with proxy-agent, tar-fs,
 * yargs). Playwright starts Chromium with --no-sandbox by default (chromiumSandbox: false), which
 * running as root in CI containers needs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node scripts/check-report.mjs <report-dir> [--png out.png]';
const TIMEOUT_MS = 30_000;
const VIEWPORT = { width: 1280, height: 900 };

function usage(message) {
  console.error(`check-report: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { png: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (err) {
  usage(err.message);
}
if (args.values.help) {
  console.log(`${USAGE}\nexample: node scripts/check-report.mjs keel-report --png report.png`);
  process.exit(0);
}
if (args.positionals.length !== 1) usage(`expected one report folder, got ${args.positionals.length} arguments`);
const dir = resolve(args.positionals[0]);
const html = join(dir, 'index.html');
if (!existsSync(html)) usage(`${html} does not exist (pass the folder keel demo printed)`);
const png = resolve(args.values.png ?? join(tmpdir(), `report-${basename(dir)}.png`));

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`check-report: no Chromium at ${executablePath}: install Debian's (bash .ci/apt-install chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}

// Imported here, after the arguments are checked, so a usage error answers at once.
const { chromium } = await import('playwright-core');
// The browser gets this process's environment minus sanitizer preloads: CI runs the test suite with
// LD_PRELOAD=libasan for keel's addon, and an ASan runtime preloaded into Chromium hangs its start.
const browserEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS'].includes(k)));
let browser;
try {
  browser = await chromium.launch({ executablePath, timeout: TIMEOUT_MS, env: browserEnv });
} catch (err) {
  console.error(`check-report: could not start Chromium at ${executablePath}: ${err.message}`);
  process.exit(1);
}
const problems = [];
// What the page must show, from the report's own results.json (written before index.html).
let expected = null;
try {
  expected = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  if (!Array.isArray(expected.runs) || !Array.isArray(expected.rows)) throw new Error('it has no runs or rows array');
} catch (err) {
  problems.push(`results.json: cannot read the report's results (${err.message})`);
}
try {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) problems.push(`network request (the report must be self-contained): ${r.url()}`);
  });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load', timeout: TIMEOUT_MS });

  // Every chart must take up space on the page and hold at least one drawn curve.
  const charts = await page.$$eval('svg', (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      const drawn = [...s.querySelectorAll('path')].some((p) => p.getTotalLength() > 0);
      const visible = s.checkVisibility({ opacityProperty: true, visibilityProperty: true });
      return { title: s.querySelector('title')?.textContent ?? '(untitled)', width: box.width, height: box.height, drawn, visible };
    }),
  );
  if (charts.length === 0) problems.push('blank page: no <svg> chart in index.html');
  for (const c of charts) {
    if (!(c.width > 0 && c.height > 0)) problems.push(`chart "${c.title}" renders with a ${c.width}×${c.height} box`);
    if (!c.visible) problems.push(`chart "${c.title}" is hidden (display, visibility or opacity)`);
    if (!c.drawn) problems.push(`chart "${c.title}" has no drawn curve`);
  }

  if (expected) {
    const titles = charts.map((c) => c.title);
    for (const run of expected.runs) {
      if (!titles.includes(run.label)) problems.push(`missing chart: run "${run.label}" of results.json has no chart on the page`);
    }
    const wanted = expected.runs.length + (expected.runs.length > 1 ? 1 : 0);
    if (charts.length !== wanted) problems.push(`${charts.length} charts on the page, expected ${wanted} (a chart per run${expected.runs.length > 1 ? ' and the overlay' : ''})`);
    const rows = await page.$$eval('table tbody tr', (trs) => trs.length);
    if (rows !== expected.rows.length) problems.push(`the results table shows ${rows} rows, results.json has ${expected.rows.length}`);
  }
  const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  for (const href of links) {
    if (/^[a-z]+:/i.test(href) || href.startsWith('#')) continue; // external links are caught as requests only if followed
    if (!existsSync(join(dir, decodeURIComponent(href)))) problems.push(`broken link: ${href} is not in ${dir}`);
  }

  const shot = await page.screenshot({ fullPage: true, type: 'png' });
  writeFileSync(png, shot);
  // A blank page screenshots as one colour: count the colours in the browser (no PNG decoder here).
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.width, img.height];
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const px = new Uint32Array(ctx.getImageData(0, 0, img.width, img.height).data.buffer);
    const seen = new Set();
    for (let i = 0; i < px.length && seen.size < 16; i += 7) seen.add(px[i]);
    return { count: seen.size, width: img.width, height: img.height };
  }, shot.toString('base64'));
  if (colours.count < 2) problems.push(`blank page: the ${colours.width}×${colours.height} screenshot is a single colour`);

  if (problems.length) {
    console.error(`check-report: ${html} failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\nscreenshot: ${png}`);
    process.exitCode = 1;
  } else {
    console.log(`check-report: ok — ${charts.length} charts rendered, screenshot ${png} (${colours.width}×${colours.height})`);
  }
} finally {
  await browser.close();
}
