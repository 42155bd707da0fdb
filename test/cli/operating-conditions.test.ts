// --conditions: run-to-failure units flown under several operating conditions (an FD002-like file:
// three setting columns, then the sensors). keel train's model keeps the conditions found in the
// fitting units and a scaler per condition, eval and predict label new rows with them before
// scaling (the same windows as the API's OperatingConditions + Standardizer({ perCondition })),
// a row under a condition training never saw is an error naming it, and model.json is checked;
// keel tune writes them into the configuration keel train reads, keel demo --data studies the
// units as the API's study with data.conditions does, and keel train without the flag hints at it.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.js';
import { OperatingConditions } from '../../src/data/operating-conditions.js';
import { Standardizer } from '../../src/data/scalers/standardizer.js';
import type { SeriesTable } from '../../src/data/series.js';
import { slidingWindows } from '../../src/data/windows.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { regularisationStudy } from '../../src/study/regularisation.js';
import { loadModel, type SavedModel } from '../../src/model-folder/format.js';
import { loadModelFolder } from '../../src/model-folder/model-folder.js';
import { modelWindows } from '../../src/model-folder/rul-windows.js';
import { run, tempDir } from './io.js';

/** FD002's set points (altitude, Mach, throttle) of conditions 0 … 5. */
const SET_POINTS = ['0.0010 0.0005 100.0', '10.0040 0.2510 100.0', '20.0020 0.7005 100.0', '25.0030 0.6205 60.0', '35.0010 0.8405 100.0', '42.0050 0.8410 100.0'];

/** The built-in engines under six conditions, written as NASA's files: unit, cycle, three settings, 21 sensors. */
function writeFlights(table: SeriesTable, path: string, edit?: (unit: number, t: number, settings: string) => string): void {
  const lines: string[] = [];
  table.units.forEach((unit, u) => {
    const [T, C] = unit.values.shape as [number, number];
    for (let t = 0; t < T; t++) {
      const settings = SET_POINTS[unit.conditions?.[t] ?? 0]!; // one condition for units without labels
      const sensors = Array.from(unit.values.data.subarray(t * C, (t + 1) * C), (v) => v.toFixed(4));
      lines.push(`${u + 1} ${t + 1} ${edit ? edit(u, t, settings) : settings} ${sensors.join(' ')}`);
    }
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

let dir: string, model: string;
const file = (name: string) => join(dir, name);
const read = (f: string) => readCsv(f, { delimiter: 'whitespace', header: false, group: 0, time: 1 });

beforeAll(async () => {
  dir = tempDir();
  const ds = runToFailure({ seed: 2, trainUnits: 8, testUnits: 4, operatingConditions: true });
  writeFlights(ds.train, file('train.txt'));
  writeFlights(ds.test, file('test.txt'));
  // Test unit 2 flies at 30 kft in its 5th row: a condition training never saw.
  writeFlights(ds.test, file('unseen.txt'), (u, t, settings) => (u === 1 && t === 4 ? '30.0000 0.8400 100.0' : settings));
  writeFileSync(file('rul.txt'), ds.test.units.map((u) => `${u.rulAtEnd}\n`).join(''));
  model = join(dir, 'model');
  const r = await run('train', '--data', `csv:${file('train.txt')}`, '--conditions', '2,3,4', '--epochs', '2', '--window', '20', '--out', model, '--json');
  if (r.status !== 0) throw new Error(r.stderr);
}, 120_000);

describe('keel train --conditions', () => {
  it('keeps the six conditions of the fitting units and a scaler per condition; the settings are not channels', async () => {
    const json = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    expect(json.data).toMatchObject({ kind: 'csv', unit: 0, time: 1, columns: null, conditions: [2, 3, 4] });
    expect(json.conditions).toMatchObject({ type: 'OperatingConditions', columns: ['c2', 'c3', 'c4'] });
    expect(json.conditions.conditions).toHaveLength(6);
    expect(json.scaler).toMatchObject({ perCondition: true, conditions: [0, 1, 2, 3, 4, 5] });
    expect(json.channels).toEqual(Array.from({ length: 21 }, (_, i) => `c${i + 5}`));
    expect(json.training.operatingConditions).toBe(6);

    // The same statistics as the API's, fitted on the units model.json lists as fitted.
    const table = await read(file('train.txt'));
    const fit = { ...table, units: json.training.unitIds.fit.map((id: number) => table.units.find((u) => u.id === id)!) };
    const oc = new OperatingConditions({ columns: ['c2', 'c3', 'c4'] }).fit(fit);
    const scaler = new Standardizer({ perCondition: true }).fit(oc.transform(fit));
    expect(oc.toJSON()).toEqual(json.conditions);
    expect(scaler.toJSON()).toEqual(json.scaler);

    // eval's windows: each row scaled with its own condition's statistics.
    const saved = await loadModel(model) as SavedModel;
    const test = await read(file('test.txt'));
    const expected = slidingWindows(scaler.transform(oc.transform(test)), { window: 20, channels: json.channels, targets: 'rul', last: true, pad: 'edge', rulCap: Infinity });
    expect(Array.from(modelWindows(saved, test, true).x.data)).toEqual(Array.from(expected.x.data));
  });

  it('the report and the output say which conditions were found', () => {
    const html = readFileSync(join(model, 'index.html'), 'utf8');
    expect(html).toContain('6 operating conditions of c2, c3, c4 in the fitting units, each channel standardised per condition (0: c2 ≈ 0.001, c3 ≈ 0.0005, c4 ≈ 100; 1: c2 ≈ 10');
  });

  it('eval and predict read the settings the model names and label each row with its condition', { timeout: 60_000 }, async () => {
    const e = await run('eval', '--model', model, '--data', `csv:${file('test.txt')}`, '--rul', file('rul.txt'), '--json');
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).rmse).toBeGreaterThan(0);
    const p = await run('predict', '--model', model, '--data', `csv:${file('test.txt')}`, '--last');
    expect(p.status, p.stderr).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines).toHaveLength(1 + 4);
    // ModelFolder.predict: each row holds the channels, then the settings.
    const folder = await loadModelFolder(model);
    expect(folder.columns).toEqual([...Array.from({ length: 21 }, (_, i) => `c${i + 5}`), 'c2', 'c3', 'c4']);
    const test = await read(file('test.txt'));
    const at = folder.columns.map((c) => test.columns.indexOf(c));
    const units = test.units.map((u) => Array.from({ length: u.values.shape[0]! }, (_, t) => at.map((k) => u.values.data[t * test.columns.length + k]!)));
    const predicted = await folder.predict(units) as { value: number }[];
    expect(predicted.map((q) => q.value.toFixed(3))).toEqual(lines.slice(1).map((l) => l.split(',')[2]));
  });

  it('a row under a condition training never saw is a runtime error naming the unit, the row and its settings', async () => {
    const r = await run('predict', '--model', model, '--data', `csv:${file('unseen.txt')}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unit 2 \(units\[1\]\), row 4 \(time 5\): its settings c2 = 30, c3 = 0\.84, c4 = 100 match none of the 6 operating conditions fitted: \(c2 ≈ 0\.001/);
  });

  it('without --conditions, keel train hints at them when a few levels of some columns shift all the others', { timeout: 60_000 }, async () => {
    const hint = /keel train: \d+ columns take a few levels that account for nearly all the variance of the other columns \(c2: 6 levels, 99%; [^)]*\): the units look recorded under operating conditions\. If columns among them are operating settings \(C-MAPSS FD002 and FD004: 2,3,4\), pass them as --conditions/;
    const flown = await run('train', '--data', `csv:${file('train.txt')}`, '--epochs', '1', '--window', '20', '--out', join(tempDir(), 'm'));
    expect(flown.status, flown.stderr).toBe(0);
    expect(flown.stderr).toMatch(hint);
    // Told of them, or one condition only (FD001's layout): no hint.
    const told = await run('train', '--data', `csv:${file('train.txt')}`, '--conditions', '2,3,4', '--epochs', '1', '--window', '20', '--out', join(tempDir(), 'm'));
    expect(told.stderr).not.toMatch(/look recorded under operating conditions/);
    writeFlights(runToFailure({ seed: 2, trainUnits: 8 }).train, file('one.txt'));
    const one = await run('train', '--data', `csv:${file('one.txt')}`, '--epochs', '1', '--window', '20', '--out', join(tempDir(), 'm'));
    expect(one.status, one.stderr).toBe(0);
    expect(one.stderr).not.toMatch(/look recorded under operating conditions/);
  });

  it('flags that do not fit are usage errors; a setting the file lacks is named', async () => {
    const out = join(tempDir(), 'm');
    const train = (...flags: string[]) => run('train', '--epochs', '1', '--out', out, ...flags);
    const csv = ['--data', `csv:${file('train.txt')}`];
    const cases: Array<[string[], number, RegExp]> = [
      [['--data', 'runtofailure', '--conditions', '2,3,4'], 2, /--conditions does not apply to --data runtofailure/],
      [[...csv, '--target', '5', '--conditions', '2'], 2, /--conditions does not apply to --target \(operating conditions are for run-to-failure units\)/],
      [[...csv, '--columns', '2,5,6', '--conditions', '2,3,4'], 2, /--conditions lists "2", which is also a channel \(--columns\)/],
      [[...csv, '--conditions', '0,3'], 2, /--conditions lists "0", which is also the unit column/],
      [[...csv, '--conditions', '3,,4'], 2, /--conditions must be a comma-separated list/],
      [[...csv, '--conditions', '40'], 1, /--conditions entry 1 "40" not found/],
      [[...csv, '--columns', '5,6', '--conditions', '2,40'], 1, /--conditions entry 2 index 40 is out of range: rows have 26 fields/],
    ];
    for (const [flags, status, message] of cases) {
      const r = await train(...flags);
      expect(r.status, flags.join(' ')).toBe(status);
      expect(r.stderr, flags.join(' ')).toMatch(message);
    }
  });

  it('keel tune --conditions scores folds scaled per condition and writes the flag into the configuration keel train reads', { timeout: 120_000 }, async () => {
    const config = join(tempDir(), 'best.json');
    const t = await run('tune', '--data', `csv:${file('train.txt')}`, '--conditions', '2,3,4', '--window', '20', '--epochs', '1', '--folds', '2', '--dropout', '0.1', '--out', config, '--results', join(tempDir(), 'all.json'));
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ conditions: '2,3,4', window: 20 });
    const out = join(tempDir(), 'm');
    const r = await run('train', '--config', config, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).conditions.conditions).toHaveLength(6);
  });

  it("keel demo --data --conditions: the API's study with data.conditions", { timeout: 120_000 }, async () => {
    const r = await run('demo', '--data', `csv:${file('train.txt')}`, '--test', `csv:${file('test.txt')}`, '--rul', file('rul.txt'), '--conditions', '2,3,4',
      '--window', '20', '--epochs', '1', '--variants', 'none,batchnorm', '--out', join(tempDir(), 'r'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { variants: { name: string; bestValRmse: number; testRmse: number }[] };
    const test = await read(file('test.txt'));
    const rul = readFileSync(file('rul.txt'), 'utf8').trim().split('\n').map(Number);
    const api = await regularisationStudy({
      epochs: 1, variants: ['none', 'batchnorm'],
      data: { train: await read(file('train.txt')), test: { ...test, units: test.units.map((u, i) => ({ ...u, rulAtEnd: rul[i]! })) }, conditions: ['c2', 'c3', 'c4'], window: 20 },
    });
    expect(cli.variants.map((v) => [v.name, v.bestValRmse, v.testRmse])).toEqual(api.variants.map((v) => [v.name, v.bestValRmse, v.testRmse]));
    expect(r.stderr).toContain('8 units (unit ids from column 0, time from column 1), each channel standardised per operating condition of c2, c3, c4; test units from');
    await expect(regularisationStudy({ epochs: 1, data: { train: test, conditions: ['c2', 'c5'], channels: ['c5', 'c6'] } })).rejects.toThrow(/regularisationStudy: data: conditions must be a non-empty array of column names of the table that are not channels/);
  });

  it('model.json: conditions and the scaler must agree, and only a CSV model has them', async () => {
    const broken = async (edit: (j: Record<string, any>) => void, message: RegExp) => {
      const copy = join(tempDir(), 'm');
      cpSync(model, copy, { recursive: true });
      const j = JSON.parse(readFileSync(join(copy, 'model.json'), 'utf8'));
      edit(j);
      writeFileSync(join(copy, 'model.json'), JSON.stringify(j));
      await expect(loadModel(copy)).rejects.toThrow(message);
    };
    await broken((j) => (j.scaler = { ...j.scaler, perCondition: false, conditions: null, mean: [j.scaler.mean[0]], scale: [j.scaler.scale[0]] }), /"scaler\.conditions" must be per condition \(perCondition true\), with the labels of the 6 "conditions", \[0,1,2,3,4,5\]/);
    await broken((j) => (j.data.conditions = [2, 3]), /"data\.conditions" must be one column name or 0-based index per setting of "conditions" \(3: c2, c3, c4\)/);
    await broken((j) => (j.data.conditions = ['c2', 'c3', 'c5']), /"data\.conditions\[2\]" must be the column of setting 2, "c4", got "c5"/);
    await broken((j) => (j.data = { kind: 'runtofailure', seed: 0 }), /"conditions" must be absent for the built-in data/);
    await broken((j) => delete j.conditions, /"data\.conditions" must be absent when there are no "conditions"/);
    await broken((j) => (j.conditions.levels = []), /model\.json: OperatingConditions\.fromJSON: levels must hold one array of levels per column/);
  });
});
