// keel predict: one CSV row per window (or per unit with --last) with the unit, the time at the
// window's end and the predicted RUL; --mc-dropout adds a std column, repeatable by --seed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { run, tempDir, trainSmallModel } from './io.js';

let model: string;
beforeAll(async () => {
  model = await trainSmallModel();
});

const rows = (csv: string) => csv.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));

describe('keel predict', () => {
  it('writes one row per window to stdout: unit, time at the window end, predicted RUL', async () => {
    const r = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '2');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('unit,time,rul');
    const units = runToFailure({ seed: 0, testUnits: 2 }).test.units;
    const got = rows(r.stdout);
    expect(got).toHaveLength(units.reduce((s, u) => s + u.values.shape[0]! - 29, 0));
    for (const u of units) {
      const times = got.filter((row) => row[0] === u.id).map((row) => row[1]!);
      expect(times[0]).toBe(u.time![29]);
      expect(times.at(-1)).toBe(u.time!.at(-1));
      expect(times.every((t, i) => i === 0 || t === times[i - 1]! + 1)).toBe(true);
    }
    expect(got.every((row) => Number.isFinite(row[2]))).toBe(true);
    expect(Math.max(...got.map((row) => row[2]!))).toBeGreaterThan(10); // cycles, not the model's RUL/125
  });

  it('--last --mc-dropout N writes one row per unit with a std column to --out, the same for the same --seed', async () => {
    const dir = tempDir();
    const predict = async (file: string, seed: string) => {
      const r = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '3', '--last', '--mc-dropout', '8', '--seed', seed, '--out', join(dir, file));
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('3 predictions written');
      return readFileSync(join(dir, file), 'utf8');
    };
    const a = await predict('a.csv', '1');
    expect(a.split('\n')[0]).toBe('unit,time,rul,std');
    const got = rows(a);
    expect(got).toHaveLength(3);
    expect(got.every((row) => row.length === 4 && row[3]! > 0 && Number.isFinite(row[3]))).toBe(true);
    expect(await predict('b.csv', '1')).toBe(a);
    expect(await predict('c.csv', '2')).not.toBe(a);
    // --out in folders that do not exist yet: they are made, as for keel train's --out.
    expect(await predict('new/folder/d.csv', '1')).toBe(a);
  });

  it('--json gives the CSV\'s rows as one JSON value, numbers as numbers', async () => {
    const args = ['predict', '--model', model, '--data', 'runtofailure', '--units', '3', '--last', '--mc-dropout', '4'];
    const csv = await run(...args);
    const json = await run(...args, '--json');
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ model, columns: ['unit', 'time', 'rul', 'std'] });
    expect(parsed.predictions.map((p: Record<string, number>) => [p.unit, p.time, p.rul, p.std])).toEqual(rows(csv.stdout));
  });

  it('--mc-dropout on a model whose Dropout layers all have p = 0 says its std measures nothing', async () => {
    const still = await trainSmallModel('--dropout', '0', '--head-dropout', '0');
    const r = await run('predict', '--model', still, '--data', 'runtofailure', '--units', '2', '--last', '--mc-dropout', '4');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`every Dropout layer of the model in ${still} has p = 0, so the 4 passes agree and std is 0`);
    expect(rows(r.stdout).every((row) => row[3] === 0)).toBe(true);
    const active = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '2', '--last', '--mc-dropout', '4');
    expect(active.stderr).not.toContain('p = 0');
  });

  it.each([
    [['--data', 'runtofailure'], '--model is required'],
    [['--model', 'x'], '--data is required'],
    [['--model', 'x', '--data', 'runtofailure', '--mc-dropout', '1'], '--mc-dropout must be an integer in [2,'],
  ])('%j is a usage error naming the flag', async (argv, message) => {
    const r = await run('predict', ...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
