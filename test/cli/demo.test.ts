// keel demo --quick: the JSON result has exactly the documented keys for every variant, and the report
// folder holds the page, one chart per variant, the overlay and the table as JSON and Markdown.
// About 12 s; over a minute under .ci/sanitize's ASan addon, hence the long timeouts.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { STUDY_VARIANT_NAMES } from '../../src/study/variants.js';
import { captureIO } from './capture.js';

const KEYS = ['name', 'bestValRmse', 'bestEpoch', 'divergenceEpoch', 'trainValGap', 'testRmse', 'phm08', 'seconds', 'samplesPerSecond'];

describe('keel demo --quick', () => {
  it('prints one JSON result and writes the whole report', { timeout: 300_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'keel-demo-')), 'report');
    const io = captureIO();
    expect(await runCli(['demo', '--quick', '--json', '--out', out], io)).toBe(0);
    const result = JSON.parse(io.stdout()) as { variants: Record<string, unknown>[]; reportDir: string };
    expect(result.reportDir).toBe(out);
    expect(result.variants.map((v) => v.name)).toEqual([...STUDY_VARIANT_NAMES]);
    for (const v of result.variants) {
      expect(Object.keys(v)).toEqual(KEYS);
      for (const k of ['bestValRmse', 'trainValGap', 'testRmse', 'phm08', 'seconds', 'samplesPerSecond']) expect(Number.isFinite(v[k])).toBe(true);
      expect(v.bestEpoch).toBeGreaterThanOrEqual(1);
      expect(v.bestEpoch).toBeLessThanOrEqual(8);
      expect(v.divergenceEpoch === null || Number.isInteger(v.divergenceEpoch)).toBe(true);
    }
    for (const f of ['index.html', 'validation-overlay.svg', 'results.json', 'results.md', ...STUDY_VARIANT_NAMES.map((n) => `curves-${n}.svg`)]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<svg[\s>]/g)!.length).toBe(STUDY_VARIANT_NAMES.length + 1);
    const table = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: { name: string; bestValRmse: number }[] };
    expect(table.rows.map((r) => [r.name, r.bestValRmse])).toEqual(result.variants.map((v) => [v.name, v.bestValRmse]));
    expect(io.stderr()).toContain('keel demo: 5 variants × 8 epochs');
  });

  it('prints the table and the report path without --json', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'keel-demo-')), 'r');
    const io = captureIO();
    expect(await runCli(['demo', '--epochs', '2', '--variants', 'dropout,none', '--seed', '3', '--out', out], io)).toBe(0);
    const lines = io.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^Variant\s+Best val RMSE/);
    expect(lines[1]).toMatch(/^dropout\s/);
    expect(lines[2]).toMatch(/^none\s/);
    // What this run shows: dropout against none at the best epoch and on the test engines, none's divergence, the gap.
    const findings = lines.slice(lines.indexOf('What this run shows:') + 1, -2);
    expect(findings).toHaveLength(5);
    expect(findings[0]).toMatch(/^- At each run's best epoch, no regularisation reaches a validation RMSE of [\d.]+ \(epoch [12]\): dropout \([\d.]+\) (beats it|ties|does not)\.$/);
    expect(findings[1]).toMatch(/^- With the weights each run ends with, on the 100 test units no regularisation scores [\d.]+: dropout \([\d.]+\) (beats it|ties|does not)\.$/);
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-1)).toBe(`Report: ${join(out, 'index.html')}`);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<h2>What this run shows</h2>');
  });

  it('--bn-virtual-batch gives the BatchNorm variants ghost batches, and the report says so', { timeout: 120_000 }, async () => {
    const run = async (...extra: string[]) => {
      const out = join(mkdtempSync(join(tmpdir(), 'keel-demo-')), 'r');
      const io = captureIO();
      expect(await runCli(['demo', '--epochs', '1', '--variants', 'none,batchnorm', '--json', '--out', out, ...extra], io)).toBe(0);
      const rows = (JSON.parse(io.stdout()) as { variants: { name: string; bestValRmse: number }[] }).variants;
      return { rows, html: readFileSync(join(out, 'index.html'), 'utf8') };
    };
    const plain = await run(), ghost = await run('--bn-virtual-batch', '8');
    expect(ghost.html).toContain('The BatchNorm variants normalise ghost batches of 8 samples in training');
    expect(plain.html).not.toContain('ghost batches');
    expect(ghost.rows[0]!.bestValRmse, 'none has no BatchNorm').toBe(plain.rows[0]!.bestValRmse);
    expect(ghost.rows[1]!.bestValRmse).not.toBe(plain.rows[1]!.bestValRmse);
    const io = captureIO();
    expect(await runCli(['demo', '--bn-virtual-batch', 'x'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--bn-virtual-batch must be an integer/);
  });
});
