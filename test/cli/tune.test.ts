// keel tune: a tiny search prints the table and writes the best configuration as keel train options;
// bad command lines are usage errors (status 2) that name the flag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

describe('keel tune', () => {
  it('writes the best configuration as keel train options, and --json reports the trials', async () => {
    const out = join(tempDir(), 'best.json');
    const r = await run('tune', '--data', 'runtofailure:1', '--units', '4', '--folds', '2', '--epochs', '1', '--dropout', '0,0.3', '--concurrency', '2', '--out', out, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\[2\/2\] dropout 0(\.3)? .*RMSE [\d.]+ ± [\d.]+/);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ search: 'grid', planned: 2, interrupted: false, folds: 2, epochs: 1, out });
    expect(result.trials).toHaveLength(2);
    expect(result.trials[0].mean).toBeLessThanOrEqual(result.trials[1].mean);
    const best = JSON.parse(readFileSync(out, 'utf8'));
    expect(best).toEqual(result.bestConfig);
    expect(best).toEqual({
      data: 'runtofailure:1', units: 4, epochs: 1, 'batch-size': 128, lr: 0.001, 'weight-decay': 0.1,
      dropout: result.trials[0].config.dropout, 'bn-momentum': 0.1, 'early-stopping': 0, seed: 0,
    });
  }, 20000);

  it.each([
    [['--dropout', '0,1.5'], '--dropout must be a number in [0, 1], got "1.5"'],
    [['--lr', '0.001,0.001'], '--lr lists a value twice'],
    [['--batch-size', '64,abc'], '--batch-size must be an integer'],
    [['--trials', '3', '--dropout', '0,0.1'], '--trials must be an integer in [1, 2], got "3"'],
    [['--folds', '1'], '--folds must be an integer in [2, 100000]'],
    [['--units', '3', '--folds', '4'], '--folds 4 needs at least 4 units, the data has 3'],
    [['--data', 'nope'], '--data must be'],
    [['--momentum', '0.1'], "Unknown option '--momentum'"],
  ])('%j is a usage error', async (args, message) => {
    const r = await run('tune', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('keel tune --help');
  });

  it('--help shows the options and an example', async () => {
    const r = await run('tune', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--weight-decay LIST/);
    expect(r.stdout).toMatch(/keel tune --dropout 0,0\.15,0\.3/);
  });
});
