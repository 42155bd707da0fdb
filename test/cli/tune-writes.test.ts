// keel tune when a write is refused: a full disk (or a quota: EFBIG) under --results, or an --out the
// system will not create. The search stops at the first refusal — its promise that every finished
// trial is saved no longer holds, and going on would spend the rest of the run on results that may be
// lost — prints the trials that finished, and fails with a StorageError naming the flag and the file
// (not a temporary name). The results file and the best configuration beside it stay a pair.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { run, tempDir } from './io.js';

// Writes to a file named full.json succeed once, then fail as a full disk does.
const refused = new Map<string, number>();
vi.mock('../../src/report/atomic-write.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/report/atomic-write.js')>();
  return {
    ...real,
    writeFilesAtomic: (files: ReadonlyArray<readonly [string, string]>) => {
      for (const [path] of files) {
        if (!path.endsWith('full.json')) continue;
        const n = (refused.get(path) ?? 0) + 1;
        refused.set(path, n);
        if (n > 1) throw new StorageError(`EFBIG: file too large, write '${path}'`, path, Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' }));
      }
      real.writeFilesAtomic(files);
    },
  };
});

const search = ['--units', '4', '--folds', '2', '--epochs', '1', '--dropout', '0,0.1,0.2', '--concurrency', '1', '--threads', '1'];

describe('keel tune: refused writes', () => {
  it('a --results file that cannot be written stops the search cleanly: the finished trials printed, the flag and file named, status 1', async () => {
    const dir = tempDir();
    const results = join(dir, 'full.json'), out = join(dir, 'best.json');
    const r = await run('tune', ...search, '--results', results, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`keel tune: --results ${results}: cannot write it (EFBIG: file too large, write '${results}'); stopping the search`);
    expect(r.stderr).toMatch(/StorageError: --results .*full\.json: cannot write it/);
    expect(r.stderr).not.toMatch(/\.tmp/);
    // The two trials that finished (the second's write failed) are in the table.
    expect(r.stdout).toMatch(/Interrupted: 2 of 3 trials finished\./);
    expect(r.stdout).toContain('Saving stopped at the refused write below');
    // What was saved before the refusal is a consistent pair: one trial, and its configuration.
    const saved = JSON.parse(readFileSync(results, 'utf8'));
    expect(saved.trials).toHaveLength(1);
    expect(JSON.parse(readFileSync(out, 'utf8')).dropout).toBe(saved.trials[0].config.dropout);
  }, 30000);

  it('an --out the system refuses fails at the first finished trial, naming --out and the file, not a temporary one', async () => {
    const dir = tempDir();
    const out = '/proc/keel-tune-best.json';
    const r = await run('tune', ...search, '--results', join(dir, 'trials.json'), '--out', out, '--json');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`StorageError: --out ${out}: cannot write it (`);
    expect(r.stderr).not.toMatch(/\.tmp/);
    expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: true, out: null, results: null });
    expect(existsSync(out)).toBe(false);
    // The pair is written as one: the results file was not written without its best configuration.
    expect(existsSync(join(dir, 'trials.json'))).toBe(false);
  }, 30000);
});
