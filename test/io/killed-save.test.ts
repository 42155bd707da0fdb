/**
 * A save killed by SIGKILL: the target is always the old file or the new one, never a torn one, and
 * the temp files of killed writers do not pile up — the next save to the same path removes those
 * whose process no longer runs (while a live writer's, ours included, and other targets' are kept).
 * The writer is a real child process saving 16 MB state dicts in a loop through the built package
 * (dist/, as the CLI tests use it), killed at a random moment of each trial.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSync, save, saveSync } from '../../src/io/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const DIST = new URL('../../dist/index.js', import.meta.url).pathname;
/** Kills per run; 20 keep the suite quick (KEEL_KILL_TRIALS=100 for the count). */
const TRIALS = Number(process.env.KEEL_KILL_TRIALS ?? 20);
const N = 4 << 20; // 16 MB of float32: a write long enough to be killed in the middle of

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keel-killed-save-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
const state = (v: number) => ({ w: new Tensor(new Float32Array(N).fill(v), [N]) });

/** The one value every element of the saved tensor holds, or NaN if they differ (a torn file would). */
function savedValue(path: string): number {
  const w = loadSync(path).w as Tensor;
  expect(w.shape).toEqual([N]);
  const v = w.data[0]!;
  return w.data.every((x) => x === v) ? v : NaN;
}

/** A pid that belonged to a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('a save killed mid-write', () => {
  it('removes the temp files of writers that no longer run, and only those', async () => {
    const target = join(dir, 'model.safetensors');
    const dead = deadPid();
    const names = {
      stale: `.model.safetensors.${dead}.0123456789abcdef.tmp`,
      ours: `.model.safetensors.${process.pid}.0123456789abcdef.tmp`,
      otherTarget: `.other.safetensors.${dead}.0123456789abcdef.tmp`,
      notOurs: `.model.safetensors.${dead}.tmp`,
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'x');
    await save(target, state(1));
    expect(temps().sort()).toEqual([names.ours, names.otherTarget, names.notOurs].sort());
    writeFileSync(join(dir, names.stale), 'x');
    saveSync(target, state(2));
    expect(temps()).not.toContain(names.stale);
    expect(savedValue(target)).toBe(2);
  });

  it(`leaves the old or the new file after each of ${TRIALS} kills, and no debris after the next save`, async () => {
    const target = join(dir, 'model.safetensors');
    saveSync(target, state(0));
    const script = `import { saveSync, Tensor } from ${JSON.stringify(DIST)};
const a = new Float32Array(${N});
for (let i = 1; ; i++) { saveSync(${JSON.stringify(target)}, { w: new Tensor(a.fill(i % 2 ? 1 : 2), [${N}]) }); process.stdout.write('saved\\n'); }`;
    let debris = 0, midWrite = 0;
    // A save is encoding (the fresh 16 MB buffer's page faults: 2-50 ms in a VM), then the
    // write, when the temp file exists; a kill a fixed time after a save ends would land in the next
    // one's encoding. So each kill comes at a random moment of a whole save, timed between the child's
    // first two; and the kills go on past TRIALS (up to 5x) until one has landed mid-write.
    for (let trial = 0; trial < TRIALS || (midWrite === 0 && trial < 5 * TRIALS); trial++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const saves: number[] = [];
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          for (const c of chunk) if (c === 10) saves.push(performance.now());
          if (saves.length === 2) resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * (saves[1]! - saves[0]!)));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect([1, 2]).toContain(savedValue(target));
      debris = Math.max(debris, temps().length);
      if (temps().length > 0) midWrite++;
    }
    // Many kills land inside a write (measured on the Zen 5 VM: 17 of 40, where a kill 0-60 ms after
    // the first save landed in none); none would mean the test never exercised a torn write.
    expect(midWrite).toBeGreaterThan(0);
    // Each killed writer's temp file was removed by the next writer's first save, so at most the
    // last one is left; the next save removes that too.
    expect(debris).toBeLessThanOrEqual(1);
    await save(target, state(3));
    expect(temps()).toEqual([]);
    expect(savedValue(target)).toBe(3);
  });
});
