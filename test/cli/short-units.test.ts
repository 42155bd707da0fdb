// Units shorter than the window (src/cli/data-source.ts, checkShortUnits): train, eval and predict
// say which units they are and what happens to them — left out, or (the last window of each unit)
// padded with their first row — and when no unit is long enough, the error says what to change on
// the command line. Built-in data: training engines of 151-225 rows, test engines of 90-250.
import { describe, expect, it } from 'vitest';
import { run, tempDir, trainSmallModel } from './io.js';

describe('keel: units shorter than the window', () => {
  it('train: a --window longer than every unit is an error naming the longest unit and the flag', async () => {
    const r = await run('train', '--data', 'runtofailure', '--units', '6', '--window', '300', '--out', tempDir());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('keel train: DataError: every unit has fewer than 300 rows (the longest has 225), so there is no window; use a --window of 225 or less');
    expect(r.stderr).not.toContain('pad');
  });

  it('predict: short units are left out of every-window output and padded with --last, and it says which', async () => {
    const model = await trainSmallModel('--window', '100');
    const all = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '4');
    expect(all.status).toBe(0);
    expect(all.stderr).toContain('keel predict: 1 of 4 units have fewer than 100 rows, so no window, and are left out (units 3)');
    const units = new Set(all.stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0]));
    expect([...units].sort()).toEqual(['1', '2', '4']);

    const last = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '4', '--last');
    expect(last.status).toBe(0);
    expect(last.stderr).toContain('keel predict: 1 of 4 units have fewer than 100 rows, their window repeats their first row to fill it (units 3)');
    expect(last.stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0])).toEqual(['1', '2', '3', '4']);
  });
});
