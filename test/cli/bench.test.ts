// keel bench: the --json structure (machine, then one timed result per case), --cases selecting by
// part of the name, and usage errors for a pattern that matches nothing or a bad --repeats.
import { describe, expect, it } from 'vitest';
import { BENCH_CASES } from '../../src/cli/bench-cases.js';
import { run } from './io.js';

describe('keel bench', () => {
  it('--json prints the machine and a median, a minimum and samples/s per selected case', async () => {
    const r = await run('bench', '--cases', 'eval,mlp', '--repeats', '3', '--warmup', '1', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ repeats: 3, warmup: 1 });
    expect(['native', 'js']).toContain(out.backend);
    expect(out.threads).toBeGreaterThanOrEqual(1);
    expect(out.cases.map((c: { name: string }) => c.name)).toEqual(['backbone.eval.fwd', 'mlp.train.step']);
    for (const c of out.cases) {
      expect(c.repeats).toBe(3);
      expect(c.minMs).toBeGreaterThan(0);
      expect(c.medianMs).toBeGreaterThanOrEqual(c.minMs);
      expect(c.samplesPerSecond).toBeCloseTo((c.batch * 1000) / c.medianMs, 6);
    }
  });

  it('prints a table with one row per case and names every case in --help', async () => {
    const r = await run('bench', '--cases', 'eval', '--repeats', '1', '--warmup', '0');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^case +batch +median ms +min ms +samples\/s$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^backbone\.eval\.fwd +256 +[\d.]+ +[\d.]+ +\d+$/);
    const help = await run('bench', '--help');
    for (const c of BENCH_CASES) expect(help.stdout).toContain(c.name);
    expect(help.stdout).toContain('npm run bench');
  });

  it.each([
    [['--cases', 'lstm'], '--cases "lstm" matches no case'],
    [['--repeats', '0'], '--repeats must be an integer in [1,'],
  ])('%j is a usage error', async (argv, message) => {
    const r = await run('bench', ...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
