// keel demo --data csv:FILE [--test csv:FILE --rul FILE]: the study on a user's run-to-failure files,
// read as keel train and keel eval read them. The JSON result is the API's study of the same tables
// (same split, window, channels and test RUL), without --test the test columns are empty, and flags
// that do not fit together are usage errors that say what to give.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCmapss } from '../../examples/csv-windows.js';
import { readCsv } from '../../src/data/csv.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { regularisationStudy } from '../../src/study/regularisation.js';
import { run, tempDir } from './io.js';

let dir: string;
const file = (name: string) => join(dir, name);
const COLUMNS = [5, 6, 7, 8, 9, 10];
beforeAll(() => {
  dir = tempDir();
  const ds = runToFailure({ seed: 4, trainUnits: 8, testUnits: 5 });
  writeCmapss(ds.train, file('train.txt'));
  writeCmapss(ds.test, file('test.txt'));
  writeFileSync(file('rul.txt'), ds.test.units.map((u) => `${u.rulAtEnd}\n`).join(''));
});

const demo = (...flags: string[]) => run('demo', '--epochs', '2', '--variants', 'none,dropout', '--seed', '3', '--out', join(tempDir(), 'r'), ...flags);

describe('keel demo --data', () => {
  it("with --test and --rul: the API's study of the same tables, test units scored", { timeout: 120_000 }, async () => {
    const r = await demo('--data', `csv:${file('train.txt')}`, '--test', `csv:${file('test.txt')}`, '--rul', file('rul.txt'), '--columns', COLUMNS.join(','), '--window', '20', '--val-units', '0.25', '--json');
    expect(r.status, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { variants: { name: string; bestValRmse: number; testRmse: number; phm08: number }[] };
    const read = (f: string) => readCsv(f, { delimiter: 'whitespace', header: false, group: 0, time: 1, columns: COLUMNS });
    const rul = [...runToFailure({ seed: 4, trainUnits: 8, testUnits: 5 }).test.units.map((u) => u.rulAtEnd!)];
    const test = await read(file('test.txt'));
    const api = await regularisationStudy({
      seed: 3, epochs: 2, variants: ['none', 'dropout'],
      data: { train: await read(file('train.txt')), test: { ...test, units: test.units.map((u, i) => ({ ...u, rulAtEnd: rul[i]! })) }, window: 20, validationShare: 0.25 },
    });
    expect(cli.variants.map((v) => [v.name, v.bestValRmse, v.testRmse, v.phm08])).toEqual(api.variants.map((v) => [v.name, v.bestValRmse, v.testRmse, v.phm08]));
    expect(api.engines).toEqual({ fit: 6, validation: 2, test: 5 });
    expect(r.stderr).toContain(`keel demo: 2 variants × 2 epochs on ${file('train.txt')}, 8 units`);
  });

  it('without --test: the table leaves the test columns empty and the reading has no test line', { timeout: 120_000 }, async () => {
    const r = await demo('--data', `csv:${file('train.txt')}`);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('none '))).toMatch(/\s—\s+—\s/);
    expect(r.stdout).not.toMatch(/test units no regularisation scores/);
  });

  it('flags that do not fit together are usage errors', async () => {
    const data = ['--data', `csv:${file('train.txt')}`];
    const cases: Array<[string[], RegExp]> = [
      [[...data, '--test', `csv:${file('test.txt')}`], /--test needs --rul FILE/],
      [[...data, '--rul', file('rul.txt')], /--rul needs --test csv:FILE/],
      [['--test', `csv:${file('test.txt')}`], /--test does not apply to the built-in data/],
      [['--window', '20'], /--window does not apply to the built-in data/],
      [['--data', 'runtofailure:3'], /--data takes csv:FILE .* --seed draws others/],
    ];
    for (const [flags, message] of cases) {
      const r = await demo(...flags);
      expect(r.status, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('test units with other channels than the training units are refused', async () => {
    const fewer = readFileSync(file('test.txt'), 'utf8').replace(/ \S+ *$/gm, '');
    writeFileSync(file('test-fewer.txt'), fewer);
    const r = await demo('--data', `csv:${file('train.txt')}`, '--test', `csv:${file('test-fewer.txt')}`, '--rul', file('rul.txt'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/test-fewer\.txt has the channels c2, .*, c24, but --data has c2, .*, c25: the test units must have the training units' columns/);
  });
});
