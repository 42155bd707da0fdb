// keel eval: RMSE, PHM08 and R² of a saved model — on test engines' last windows against their true
// RUL (checked against the dataset and keel predict's numbers), on every window of run-to-failure units,
// on CSV files read with the model's columns (with --rul for test files), and broken model folders
// as runtime errors naming the file.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { writeCmapss } from '../../examples/csv-windows.js';
import { run, tempDir, trainSmallModel } from './io.js';

let model: string;
beforeAll(async () => {
  model = await trainSmallModel();
});

describe('keel eval', () => {
  it('scores the test engines on their last window against their true RUL', async () => {
    const r = await run('eval', '--model', model, '--data', 'runtofailure', '--units', '5', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ scored: 'last', units: 5, windows: 5 });

    // The same numbers from keel predict's CSV and the dataset's own RUL.
    const p = await run('predict', '--model', model, '--data', 'runtofailure', '--units', '5', '--last');
    const predicted = p.stdout.trim().split('\n').slice(1).map((line) => Number(line.split(',')[2]));
    const truth = runToFailure({ seed: 0, testUnits: 5 }).test.units.map((u) => u.rulAtEnd!);
    const d = predicted.map((v, i) => v - truth[i]!);
    expect(out.rmse).toBeCloseTo(Math.sqrt(d.reduce((s, x) => s + x * x, 0) / 5), 2);
    expect(out.phm08).toBeCloseTo(d.reduce((s, x) => s + (x < 0 ? Math.exp(-x / 13) - 1 : Math.exp(x / 10) - 1), 0), 1);
    const mean = truth.reduce((s, t) => s + t, 0) / 5;
    expect(out.r2).toBeCloseTo(1 - d.reduce((s, x) => s + x * x, 0) / truth.reduce((s, t) => s + (t - mean) ** 2, 0), 3);

    const human = await run('eval', '--model', model, '--data', 'runtofailure', '--units', '5');
    expect(human.stdout).toContain('the last window of each of 5 units, against its true RUL');
    expect(human.stdout).toMatch(/RMSE {6}[\d.]+ cycles/);
    expect(human.stdout).toContain(`R²        ${out.r2.toFixed(3)} (1 − MSE / the variance of the true RUL`);
  });

  it('reads CSV files with the columns the model was trained on; every window without --rul, last windows with it', async () => {
    const dir = tempDir();
    const data = runToFailure({ seed: 1, trainUnits: 5, testUnits: 3 });
    writeCmapss(data.train, join(dir, 'train.txt'));
    writeCmapss(data.test, join(dir, 'test.txt'));
    writeFileSync(join(dir, 'rul.txt'), data.test.units.map((u) => `${u.rulAtEnd}\n`).join(''));
    const m = join(dir, 'model');
    const t = await run('train', '--data', `csv:${join(dir, 'train.txt')}`, '--columns', '6,7,8,11,12,13,15,16,17,18,19,21,24,25', '--epochs', '1', '--out', m, '--json');
    expect(t.status).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(JSON.parse(readFileSync(join(m, 'model.json'), 'utf8')).data).toEqual({ kind: 'csv', unit: 0, time: 1, columns: [6, 7, 8, 11, 12, 13, 15, 16, 17, 18, 19, 21, 24, 25] });

    const allRun = await run('eval', '--model', m, '--data', `csv:${join(dir, 'train.txt')}`, '--json');
    // Without --rul the units are taken to run to failure, and stderr says how to score test units.
    expect(allRun.stderr).toContain("keel eval: each unit's RUL is counted back from its last row (the units ran to failure); for test units that stop before failure (NASA's test_FD00x.txt), give their true RUL with --rul FILE");
    const all = JSON.parse(allRun.stdout);
    expect(all).toMatchObject({ scored: 'all', units: 5, windows: data.train.units.reduce((s, u) => s + u.values.shape[0]! - 29, 0) });
    // The saved scaler, window and weights reproduce training's own numbers: the MSE over every window
    // is the window-weighted mean of the final training and validation MSEs.
    const { fit, validation } = trained.windows;
    expect(fit + validation).toBe(all.windows);
    expect(all.rmse).toBeCloseTo(Math.sqrt((fit * trained.finalTrainRmse ** 2 + validation * trained.finalValRmse ** 2) / all.windows), 2);
    const lastRun = await run('eval', '--model', m, '--data', `csv:${join(dir, 'test.txt')}`, '--rul', join(dir, 'rul.txt'), '--json');
    expect(lastRun.stderr).not.toContain('--rul FILE');
    const last = JSON.parse(lastRun.stdout);
    expect(last).toMatchObject({ scored: 'last', units: 3, windows: 3 });
    expect(Number.isFinite(last.rmse)).toBe(true);

    writeFileSync(join(dir, 'short.txt'), '10\n20\n');
    const bad = await run('eval', '--model', m, '--data', `csv:${join(dir, 'test.txt')}`, '--rul', join(dir, 'short.txt'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('DataError: --rul');
    expect(bad.stderr).toContain('each of the 3 units, got 2 lines');
    writeFileSync(join(dir, 'negative.txt'), '10\n-20\n30\n');
    const negative = await run('eval', '--model', m, '--data', `csv:${join(dir, 'test.txt')}`, '--rul', join(dir, 'negative.txt'));
    expect(negative.status).toBe(1);
    expect(negative.stderr).toContain(`DataError: --rul ${join(dir, 'negative.txt')} line 2: expected a remaining useful life ≥ 0 cycles (unit 2), got -20`);
    const missing = await run('eval', '--model', m, '--data', `csv:${join(dir, 'test.txt')}`, '--rul', join(dir, 'none.txt'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`StorageError: --rul ${join(dir, 'none.txt')}: cannot read it (ENOENT)`);
  });

  it('--delimiter and --no-header say the format (text unit ids, semicolons), and model.json keeps them for eval', async () => {
    const dir = tempDir();
    const data = runToFailure({ seed: 2, trainUnits: 5, testUnits: 1 });
    writeCmapss(data.train, join(dir, 'train.txt'));
    // Unit ids "E1", "E2", … and semicolons between the fields.
    const semicolons = readFileSync(join(dir, 'train.txt'), 'utf8').trim().split('\n').map((l) => `E${l.trim().split(/\s+/).join(';')}`).join('\n');
    writeFileSync(join(dir, 'train.csv'), `${semicolons}\n`);
    const source = `csv:${join(dir, 'train.csv')}`;
    const m = join(dir, 'model');
    const t = await run('train', '--data', source, '--delimiter', ';', '--no-header', '--columns', '6,7,8,11', '--epochs', '1', '--out', m, '--json');
    expect(t.status).toBe(0);
    expect(JSON.parse(t.stdout).units).toEqual({ fit: 4, validation: 1 });
    expect(JSON.parse(readFileSync(join(m, 'model.json'), 'utf8')).data).toEqual({ kind: 'csv', unit: 0, time: 1, columns: [6, 7, 8, 11], delimiter: ';', header: false });
    const e = await run('eval', '--model', m, '--data', source, '--json');
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ scored: 'all', units: 5 });
    // Detection reads the same file: semicolons outnumber commas on its first line, and text in the unit column makes no header.
    const detected = await run('train', '--data', source, '--columns', '6,7,8,11', '--epochs', '1', '--out', join(dir, 'm2'), '--json');
    expect(detected.status, detected.stderr).toBe(0);
    expect(JSON.parse(detected.stdout).units).toEqual({ fit: 4, validation: 1 });

    for (const [flags, message] of [
      [['--header', '--no-header'], '--header and --no-header contradict each other'],
      [['--delimiter', '::'], '--delimiter must be one character (not a quote or line break), tab or whitespace, got "::"'],
    ] as const) {
      const bad = await run('train', '--data', source, ...flags, '--out', join(dir, 'm3'));
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(message);
    }
  });

  it('a model folder with a missing or damaged file is a runtime error naming the file', async () => {
    const broken = (name: string, damage: (dir: string) => void) => {
      const dir = join(tempDir(), name);
      cpSync(model, dir, { recursive: true });
      damage(dir);
      return dir;
    };
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['no-weights', (d) => rmSync(join(d, 'model.safetensors')), /model\.safetensors/],
      ['no-config', (d) => rmSync(join(d, 'model.json')), /model\.json: cannot read the model description \(ENOENT\)/],
      ['not-json', (d) => writeFileSync(join(d, 'model.json'), '{"format": '), /model\.json: .*JSON/],
      ['bad-window', (d) => {
        const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
        writeFileSync(join(d, 'model.json'), JSON.stringify({ ...j, window: -1 }));
      }, /model\.json: "window" must be a positive integer, got -1/],
      ['bad-weights', (d) => writeFileSync(join(d, 'model.safetensors'), Buffer.alloc(16)), /model\.safetensors/],
    ];
    for (const [name, damage, message] of cases) {
      const r = await run('eval', '--model', broken(name, damage), '--data', 'runtofailure', '--units', '2');
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
    }
  });

  it('missing --model or --data is a usage error naming the flag', async () => {
    for (const [argv, flag] of [[['--data', 'runtofailure'], '--model'], [['--model', 'x'], '--data']] as const) {
      const r = await run('eval', ...argv);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} is required`);
    }
  });
});
