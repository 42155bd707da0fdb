/**
 * The CI variant of the soak run (scripts/soak.ts): the same three phases with small counts — 600
 * training steps of the backbone at batch 256, a 6-epoch worker-mode fit, 150 save/load cycles — and a
 * looser bound (30 MB of growth after warm-up, against the full run's 10 MB over 5,000 steps, 50 epochs
 * and 1,000 cycles), in a child process so the figures are the script's alone. Started as
 * `node --import tsx scripts/soak.ts`, so the script's restart with --expose-gc and
 * MALLOC_MMAP_THRESHOLD_ is exercised too. Checked: every phase sampled where the script's header says
 * (end of warm-up, every 500 steps / 5 epochs / 100 cycles, the end; the fit's in the worker too), each
 * phase's growth is its last sample minus its warm-up sample and under the bound, exit status 0; bad
 * options exit 2 before any training.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/soak.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function soak(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

type Metric = 'rss' | 'heapUsed' | 'external';
interface Sample extends Record<Metric, number> {
  phase: string;
  at: number;
  arrayBuffers: number;
}
interface Result {
  machine: { mallocMmapThreshold?: string };
  samples: Sample[];
  phases: Array<{ phase: string; warmUp: number; seconds: number; growth: Record<Metric, number>; pass: boolean }>;
  pass: boolean;
}

describe('the soak script, short', () => {
  it('600 steps, 6 worker-mode epochs, 150 save/load cycles: every phase grows less than 30 MB after warm-up', async () => {
    const run = await soak(['--steps', '600', '--epochs', '6', '--cycles', '150', '--bound-mb', '30', '--json'], 90_000);
    expect(run.stderr).toContain('soak: steps 600');
    const r = JSON.parse(run.stdout) as Result;
    const at = (phase: string) => r.samples.filter((s) => s.phase === phase).map((s) => s.at);
    expect(at('steps')).toEqual([60, 500, 600]);
    expect(at('fit')).toEqual([1, 5]); // the worker does not wait after the last epoch: 'after-fit' stands for it
    expect(at('fit-worker')).toEqual([1, 5]);
    expect(at('after-fit')).toEqual([6]);
    expect(at('cycles')).toEqual([15, 100, 150]);
    for (const s of r.samples) {
      expect(s.rss).toBeGreaterThan(s.heapUsed);
      expect(s.heapUsed).toBeGreaterThan(1);
    }
    for (const p of r.phases) {
      const own = r.samples.filter((s) => s.phase === p.phase);
      const base = own.find((s) => s.at === p.warmUp)!, last = own.at(-1)!;
      for (const m of ['rss', 'heapUsed', 'external'] as const) {
        expect(p.growth[m]).toBeCloseTo(last[m] - base[m], 9);
        expect(p.growth[m], `${p.phase} ${m}`).toBeLessThan(30);
      }
      expect(p.pass).toBe(true);
      expect(p.seconds).toBeGreaterThan(0);
    }
    expect(r.phases.map((p) => p.phase)).toEqual(['steps', 'fit', 'fit-worker', 'cycles']);
    expect(r.pass).toBe(true);
    expect(r.machine.mallocMmapThreshold).toBe('131072');
    expect(run.code).toBe(0);
  }, 100_000);

  it('bad options exit 2 with the problem and the usage', async () => {
    for (const args of [['--steps', '1.5'], ['--bound-mb', '0'], ['--cycle', '3']]) {
      const run = await soak(args, 30_000);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^soak: .*\n[\s\S]*Usage: node --expose-gc/);
      expect(run.stdout).toBe('');
    }
  }, 60_000);
});
