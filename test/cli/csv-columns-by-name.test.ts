// keel train on a run-to-failure CSV file with a header records the unit and time columns by the
// names the header gives them (src/cli/data-source.ts, byName), so eval and predict find them by
// name: a test file with pandas' unnamed index column in front, or the columns in another order, is
// read right, and a file without a header is refused naming model.json's field. A file without a
// header keeps them by position.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import type { SeriesTable } from '../../src/data/series.js';
import { run, tempDir } from './io.js';

/** The units as CSV rows: unit, cycle and the sensors (4 decimals), in the order `order` names them. */
function rows(table: SeriesTable, order: (fields: string[]) => string[]): string[][] {
  return table.units.flatMap((unit, u) => {
    const [T, C] = unit.values.shape as [number, number];
    return Array.from({ length: T }, (_, t) => order([String(u + 1), String(t + 1), ...Array.from(unit.values.data.subarray(t * C, (t + 1) * C), (v) => v.toFixed(4))]));
  });
}

let dir: string, model: string, names: string[];
beforeAll(async () => {
  dir = tempDir();
  const data = runToFailure({ seed: 3, trainUnits: 5, testUnits: 3 });
  names = ['unit', 'cycle', ...data.train.columns];
  const same = (f: string[]) => f;
  writeFileSync(join(dir, 'train.csv'), [names, ...rows(data.train, same)].map((f) => f.join(',')).join('\n'));
  writeFileSync(join(dir, 'test.csv'), [names, ...rows(data.test, same)].map((f) => f.join(',')).join('\n'));
  // pandas' to_csv: an unnamed index column first.
  writeFileSync(join(dir, 'index.csv'), [['', ...names], ...rows(data.test, same).map((f, i) => [String(i), ...f])].map((f) => f.join(',')).join('\n'));
  const swap = (f: string[]) => [f[1]!, f[0]!, ...f.slice(2)];
  writeFileSync(join(dir, 'swapped.csv'), [swap(names), ...rows(data.test, swap)].map((f) => f.join(',')).join('\n'));
  writeFileSync(join(dir, 'bare.csv'), rows(data.test, same).map((f) => f.join(',')).join('\n'));
  model = join(dir, 'model');
  const t = await run('train', '--data', `csv:${join(dir, 'train.csv')}`, '--epochs', '1', '--out', model);
  expect(t.status, t.stderr).toBe(0);
});

describe('keel: the unit and time columns of a CSV file with a header', () => {
  it('model.json records them by the header\'s names', () => {
    expect(JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).data).toEqual({ kind: 'csv', unit: 'unit', time: 'cycle', columns: null });
  });

  it('predict reads them by name: an index column in front or the columns swapped give the same predictions', async () => {
    const plain = await run('predict', '--model', model, '--data', `csv:${join(dir, 'test.csv')}`, '--last');
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout.trim().split('\n')).toHaveLength(4); // the header and 3 units
    for (const file of ['index.csv', 'swapped.csv']) {
      const r = await run('predict', '--model', model, '--data', `csv:${join(dir, file)}`, '--last');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(plain.stdout);
    }
  });

  it('a file without a header is refused, naming model.json\'s field and the missing header', async () => {
    const r = await run('predict', '--model', model, '--data', `csv:${join(dir, 'bare.csv')}`, '--last');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(model, 'model.json')} "data.unit": column "unit" not found: the file has no header row (its first line is data: "1,1,`);
    expect(r.stderr).toContain('add the header that names the columns, or pass --header if that line is one');
  });

  it('columns given by index under a header are recorded by name too; without a header they stay indices', async () => {
    const m = join(dir, 'by-index');
    const t = await run('train', '--data', `csv:${join(dir, 'train.csv')}`, '--unit-column', '0', '--time-column', '1', '--columns', '2,3,4', '--epochs', '1', '--window', '10', '--out', m);
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(m, 'model.json'), 'utf8')).data).toEqual({ kind: 'csv', unit: 'unit', time: 'cycle', columns: names.slice(2, 5) });
    const bare = join(dir, 'bare-model');
    const b = await run('train', '--data', `csv:${join(dir, 'bare.csv')}`, '--columns', '2,3,4', '--val-units', '0.4', '--epochs', '1', '--window', '10', '--out', bare);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(bare, 'model.json'), 'utf8')).data).toEqual({ kind: 'csv', unit: 0, time: 1, columns: [2, 3, 4] });
  });
});
