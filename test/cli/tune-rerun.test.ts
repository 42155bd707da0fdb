// keel tune run again into the same --results and --out: the previous run's pair stays as it was until
// a trial of the new run finishes (a rerun stopped before that wipes nothing), and from then on the
// results file and the best configuration agree — when every trial so far diverged there is no best,
// so a previous run's best configuration does not stay behind to contradict the results.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interrupted, run, tempDir } from './io.js';

describe('keel tune run again into the same files', () => {
  it('a rerun stopped before its first trial leaves the previous results and best configuration as they were', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json'), results = join(dir, 'trials.json');
    const argv = ['tune', '--units', '4', '--folds', '2', '--epochs', '1', '--dropout', '0,0.3', '--concurrency', '1', '--threads', '1', '--out', out, '--results', results];
    const first = await run(...argv);
    expect(first.status, first.stderr).toBe(0);
    const before = [readFileSync(results, 'utf8'), readFileSync(out, 'utf8')];
    const again = await interrupted(argv, /configurations \(grid\)/, 'SIGTERM');
    expect(again.status, again.stderr).toBe(143);
    expect(again.stdout).toContain(`No trial finished: no configuration written (${out} and ${results} left as they were).`);
    expect([readFileSync(results, 'utf8'), readFileSync(out, 'utf8')]).toEqual(before);
  }, 60000);

  it('a rerun whose trials all diverge removes the previous best configuration, and marks its trials diverged', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json'), results = join(dir, 'trials.json');
    const common = ['tune', '--units', '4', '--folds', '2', '--epochs', '1', '--concurrency', '1', '--threads', '1', '--out', out, '--results', results];
    expect((await run(...common)).status).toBe(0);
    expect(existsSync(out)).toBe(true);
    const r = await run(...common, '--lr', '1e5', '--json');
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
    const saved = JSON.parse(readFileSync(results, 'utf8'));
    expect(saved).toMatchObject({ bestConfig: null, score: 'RMSE in cycles of the held-out units (lower is better; a diverged trial\'s is null)' });
    expect(saved.trials).toEqual([expect.objectContaining({ mean: null, diverged: true })]);
    expect(JSON.parse(r.stdout)).toMatchObject({ score: saved.score, trials: [{ diverged: true }], bestConfig: null });
  }, 60000);
});
