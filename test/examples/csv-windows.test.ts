/**
 * The CSV example (examples/csv-windows.ts): the built-in dataset written in NASA C-MAPSS's
 * whitespace layout, read back with readCsv, split by unit, scaled on training units, windowed and
 * trained with fit. The file round trip keeps every engine and cycle; the split keeps whole engines;
 * a few epochs learn the RUL far better than predicting the mean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data, datasets } from 'keel';
import { trainFromCsv, writeCmapss } from '../../examples/csv-windows.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-csv-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV example', () => {
  const ds = datasets.runToFailure({ seed: 11 });
  const file = join(dir, 'train.txt');
  writeCmapss(ds.train, file);

  it('reads back every engine and cycle of the file it wrote', async () => {
    const table = await data.readCsv(file, { delimiter: 'whitespace', header: false, group: 0, time: 1 });
    expect(table.units.map((u) => u.values.shape[0])).toEqual(ds.train.units.map((u) => u.values.shape[0]));
    expect(table.units[0]!.time![0]).toBe(1);
    expect(table.columns).toHaveLength(24); // 3 settings + 21 sensors
  });

  it('splits by engine and trains the backbone on the windows', async () => {
    const r = await trainFromCsv(file, { epochs: 3, verbose: false });
    const engines = ds.train.units.length;
    expect(r.trainUnits + r.validationUnits).toBe(engines);
    expect(r.validationUnits).toBe(Math.round(engines * 0.2));
    // Every window of an engine of T cycles: T − 29 windows per engine.
    const cycles = ds.train.units.reduce((s, u) => s + u.values.shape[0]! - 29, 0);
    expect(r.trainWindows + r.validationWindows).toBe(cycles);
    // RUL capped at 125 has a spread of ~40 cycles: the mean predictor's RMSE. Three epochs do far better.
    expect(Math.min(...r.history.values('valRmse'))).toBeLessThan(30);
  });
});
