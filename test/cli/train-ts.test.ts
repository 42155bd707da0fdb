// keel train/eval/predict/tune on --data ts:FILE (a .ts or UCR file of labelled series): a .ts file
// trains the very model its long-CSV twin trains (same weights, same predictions), model.json
// records the source, --pad trains on the short cases too, eval scores against the file's labels or
// targets, predict keys rows by case number, UCR's tsv and a regression file train, --standardize
// sequence makes predictions blind to each case's level and amplitude, keel tune searches it, and
// the errors a user meets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

/** A deterministic value in [−1, 1) for (i, k). */
const u = (i: number, k: number): number => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
};

const LABELS = ['slow', 'fast', 'flat'] as const;

/** Case i: 16–24 steps of two channels, its class setting the frequency. Rows of [a, b], rounded as written. */
function series(i: number): { label: string; rows: number[][] } {
  const c = i % 3, steps = 16 + ((i * 7) % 9), phase = 3 * u(i, 1), freq = [0.35, 1.3, 0][c]!;
  const rows = Array.from({ length: steps }, (_, t) => [
    Number((Math.sin(freq * t + phase) + 0.2 * u(i, 10 + t)).toFixed(4)),
    Number(((c === 2 ? 0.8 : Math.cos(freq * t + phase)) + 0.2 * u(i, 50 + t)).toFixed(4)),
  ]);
  return { label: LABELS[c]!, rows };
}

/** The cases as a .ts file: a header, then dim_0:dim_1:label per line. */
function tsText(cases: ReadonlyArray<{ label: string; rows: number[][] }>, header = `@classLabel true ${LABELS.join(' ')}`): string {
  const lines = cases.map((s) => `${[0, 1].map((d) => s.rows.map((r) => r[d]).join(',')).join(':')}:${s.label}`);
  return `# test cases\n@problemName Waves\n@univariate false\n@dimensions 2\n@equalLength false\n${header}\n@data\n${lines.join('\n')}\n`;
}

const cells = (csv: string): string[][] => csv.trim().split('\n').map((l) => l.split(','));

describe('keel train --data ts:FILE (a classifier of cases)', () => {
  const cases = Array.from({ length: 60 }, (_, i) => series(i));
  let tmp: string, file: string, dir: string, trained: Record<string, unknown>;
  beforeAll(async () => {
    tmp = tempDir();
    file = join(tmp, 'Waves_TRAIN.ts');
    writeFileSync(file, tsText(cases));
    dir = join(tmp, 'model');
    const r = await run('train', '--data', `ts:${file}`, '--window', '20', '--stride', '4', '--epochs', '3', '--seed', '1', '--out', dir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    trained = JSON.parse(r.stdout);
  }, 60_000);

  it('records the source in model.json: format "ts", channels dim_0 …, the class column and its labels', () => {
    expect(trained).toMatchObject({ task: 'classification', target: 'class' });
    // The 27 cases shorter than the window are left out of training (and padded in eval and predict).
    const { fit, validation } = trained.sequences as { fit: number; validation: number };
    expect(fit + validation).toBe(33);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({
      window: 20, stride: 4, channels: ['dim_0', 'dim_1'],
      target: { name: 'classification', column: 'class', labels: ['fast', 'flat', 'slow'] },
      data: { kind: 'sequences', format: 'ts' },
    });
  });

  it('trains the model its long-CSV twin trains: the same weights and predictions, rows keyed by case number', async () => {
    const csv = join(tmp, 'waves.csv');
    writeFileSync(csv, `id,t,a,b,activity\n${cases.flatMap((s, i) => s.rows.map((r, t) => `${i + 1},${t},${r[0]},${r[1]},${s.label}`)).join('\n')}\n`);
    const twin = join(tmp, 'twin');
    const r = await run('train', '--data', `csv:${csv}`, '--target', 'activity', '--unit-column', 'id', '--time-column', 't', '--window', '20', '--stride', '4', '--epochs', '3', '--seed', '1', '--out', twin);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(twin, 'model.safetensors')).equals(readFileSync(join(dir, 'model.safetensors')))).toBe(true);
    const fromTs = await run('predict', '--model', dir, '--data', `ts:${file}`);
    const fromCsv = await run('predict', '--model', twin, '--data', `csv:${csv}`);
    expect(fromTs.status, fromTs.stderr).toBe(0);
    expect(fromTs.stdout).toBe(fromCsv.stdout);
    expect(cells(fromTs.stdout).map((row) => row[0])).toEqual(['unit', ...cases.map((_, i) => String(i + 1))]);
    // The cases shorter than the window are padded, as for CSV sequences.
    expect(fromTs.stderr).toMatch(/of 60 sequences have fewer than 20 rows, their window repeats their first row/);
  });

  it('--pad trains on the short cases too: one window each, padded with its first row', async () => {
    const r = await run('train', '--data', `ts:${file}`, '--window', '20', '--stride', '4', '--pad', '--epochs', '1', '--out', join(tmp, 'padded'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/27 of 60 sequences have fewer than 20 rows, their window repeats their first row/);
    const { sequences, windows } = JSON.parse(r.stdout) as Record<string, { fit: number; validation: number }>;
    expect(sequences!.fit + sequences!.validation).toBe(60);
    // Windows end at the last step and every 4 back while one fits; a short case gives one.
    expect(windows!.fit + windows!.validation).toBe(cases.reduce((a, c) => a + (c.rows.length < 20 ? 1 : Math.floor((c.rows.length - 20) / 4) + 1), 0));
    const rul = await run('train', '--data', 'runtofailure', '--pad', '--out', join(tmp, 'rul'));
    expect([rul.status, rul.stderr]).toEqual([2, expect.stringContaining('--pad')]);
  });

  it("eval scores each case against the file's label, as predict's probabilities give", async () => {
    const e = await run('eval', '--model', dir, '--data', `ts:${file}`, '--json');
    expect(e.status, e.stderr).toBe(0);
    const rows = cells((await run('predict', '--model', dir, '--data', `ts:${file}`)).stdout).slice(1);
    const right = rows.filter((r, i) => r[2] === cases[i]!.label).length;
    expect(JSON.parse(e.stdout)).toMatchObject({ samples: 60, accuracy: right / 60 });
    expect(JSON.parse(e.stdout).data).toBe(`${file} (Waves), 60 sequences of 16–24 steps × 2 channels`);
  });

  it('predict reads a file whose cases carry no label; eval needs them', async () => {
    const unlabelled = join(tmp, 'Waves_NEW.ts');
    writeFileSync(unlabelled, tsText(cases.slice(0, 5).map((s) => ({ ...s, label: '' })), '@classLabel false').replace(/:\n/g, '\n'));
    const p = await run('predict', '--model', dir, '--data', `ts:${unlabelled}`, '--label-only');
    expect(p.status, p.stderr).toBe(0);
    expect(cells(p.stdout)).toHaveLength(6);
    const e = await run('eval', '--model', dir, '--data', `ts:${unlabelled}`);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain('its cases carry no label; keel eval scores this classifier against class labels (@classLabel true) (keel predict needs none)');
  });

  it('refuses data of another kind or shape for the model, naming what it needs', async () => {
    const oneDim = join(tmp, 'one.ts');
    writeFileSync(oneDim, '@univariate true\n@classLabel true slow fast\n@data\n1,2,3:slow\n');
    const wrong = await run('eval', '--model', dir, '--data', `ts:${oneDim}`);
    expect([wrong.status, wrong.stderr]).toEqual([1, expect.stringContaining('its cases have 1 dimension; the model was trained on 2 dimensions')]);
    const csv = await run('predict', '--model', dir, '--data', 'runtofailure');
    expect([csv.status, csv.stderr]).toEqual([2, expect.stringContaining('this model was trained on the cases of a .ts or UCR file; give --data ts:FILE with 2 dimensions')]);
    const flag = await run('predict', '--model', dir, '--data', `ts:${file}`, '--unit-column', 'id');
    expect([flag.status, flag.stderr]).toEqual([2, expect.stringContaining('--data ts:FILE (its header and layout say how to read it')]);
  });
});

describe('keel train --data ts:FILE: regression, UCR files, tuning and errors', () => {
  it('a regressor on @targetLabel true: eval\'s RMSE is that of predict\'s values', async () => {
    const tmp = tempDir(), file = join(tmp, 'Level_TRAIN.ts');
    // Each case's target is its mean level, which the network can read off the series.
    const cases = Array.from({ length: 40 }, (_, i) => {
      const level = 2 * u(i, 3);
      return `${Array.from({ length: 12 }, (_, t) => (level + 0.3 * u(i, t)).toFixed(4)).join(',')}:${(10 * level).toFixed(3)}`;
    });
    writeFileSync(file, `@problemName Level\n@univariate true\n@equalLength true\n@seriesLength 12\n@targetLabel true\n@data\n${cases.join('\n')}\n`);
    const dir = join(tmp, 'model');
    const t = await run('train', '--data', `ts:${file}`, '--epochs', '30', '--out', dir, '--json');
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ task: 'regression', target: 'target' });
    // 32 fitting cases at the default batch of 128: one step an epoch, which it says.
    expect(t.stderr).toContain('keel train: 32 fitting windows make one batch of --batch-size 128 an epoch, so 30 epochs are 30 optimiser steps; a smaller --batch-size (such as 16) takes more');
    const p = await run('predict', '--model', dir, '--data', `ts:${file}`);
    const rows = cells(p.stdout);
    expect(rows[0]).toEqual(['unit', 'target']);
    const truth = cases.map((c) => Number(c.split(':')[1]));
    const rmse = Math.sqrt(rows.slice(1).reduce((a, r, i) => a + (Number(r[1]) - truth[i]!) ** 2, 0) / 40);
    const e = await run('eval', '--model', dir, '--data', `ts:${file}`, '--json');
    expect(JSON.parse(e.stdout).rmse).toBeCloseTo(rmse, 2);
    // Better than predicting the mean: the level is learnt.
    expect(JSON.parse(e.stdout).r2).toBeGreaterThan(0.5);
  }, 60_000);

  it('a UCR tsv file (label first, NaN padding) trains a classifier', async () => {
    const tmp = tempDir(), file = join(tmp, 'Waves_TRAIN.tsv');
    const lines = Array.from({ length: 30 }, (_, i) => {
      const s = series(i), values = s.rows.map((r) => String(r[0]));
      return [String(LABELS.indexOf(s.label as typeof LABELS[number]) + 1), ...values, ...Array(24 - values.length).fill('NaN')].join('\t');
    });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await run('train', '--data', `ts:${file}`, '--epochs', '2', '--out', join(tmp, 'model'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ task: 'classification', data: `${file}, 30 sequences of 16–24 steps × 1 channel` });
    expect(JSON.parse(readFileSync(join(tmp, 'model', 'model.json'), 'utf8')).target.labels).toEqual(['1', '2', '3']);
  }, 60_000);

  it('--standardize sequence: each case by its own mean and std, so a case scaled and shifted gets the same prediction', async () => {
    const tmp = tempDir(), file = join(tmp, 'Waves_TRAIN.ts'), moved = join(tmp, 'Waves_MOVED.ts');
    const cases = Array.from({ length: 30 }, (_, i) => series(i));
    writeFileSync(file, tsText(cases));
    // Case i's channels times 10^(i mod 4 − 1), plus 100·i: the level and the amplitude change, not the shape.
    writeFileSync(moved, tsText(cases.map((s, i) => ({ ...s, rows: s.rows.map((r) => r.map((v) => v * 10 ** ((i % 4) - 1) + 100 * i)) }))));
    const probabilities = async (dir: string, data: string) => cells((await run('predict', '--model', dir, '--data', `ts:${data}`)).stdout).slice(1).map((r) => r.slice(3).map(Number));
    const largest = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, i) => r.map((v, k) => Math.abs(v - b[i]![k]!))));
    const own = join(tmp, 'own'), fitted = join(tmp, 'fitted');
    for (const [dir, how] of [[own, 'sequence'], [fitted, 'training']] as const) {
      const r = await run('train', '--data', `ts:${file}`, '--standardize', how, '--epochs', '3', '--out', dir);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).standardize).toBe(how);
    }
    expect(largest(await probabilities(own, file), await probabilities(own, moved))).toBeLessThan(1e-4);
    // The training statistics see the change: the check above could fail.
    expect(largest(await probabilities(fitted, file), await probabilities(fitted, moved))).toBeGreaterThan(0.1);
    const bad = await run('train', '--data', `ts:${file}`, '--standardize', 'each', '--out', own);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('--standardize must be training or sequence, got "each"')]);
    const rul = await run('train', '--data', 'runtofailure', '--standardize', 'sequence', '--out', own);
    expect([rul.status, rul.stderr]).toEqual([2, expect.stringContaining('--standardize')]);
  }, 60_000);

  it('keel tune searches a ts file by folds of cases (--standardize too), and keel train --config trains the best', async () => {
    const tmp = tempDir(), file = join(tmp, 'Waves_TRAIN.ts');
    writeFileSync(file, tsText(Array.from({ length: 24 }, (_, i) => series(i))));
    const config = join(tmp, 'best.json');
    const t = await run('tune', '--data', `ts:${file}`, '--standardize', 'sequence', '--dropout', '0,0.3', '--epochs', '1', '--folds', '2', '--out', config, '--results', join(tmp, 'trials.json'));
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toContain(`${file} (Waves), 24 sequences of 16–24 steps × 2 channels (classification of 3 labels`);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ data: `ts:${file}`, standardize: 'sequence', epochs: 1 });
    const r = await run('train', '--config', config, '--out', join(tmp, 'best'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ task: 'classification', target: 'class', epochs: 1 });
    expect(JSON.parse(readFileSync(join(tmp, 'best', 'model.json'), 'utf8')).standardize).toBe('sequence');
  }, 60_000);

  it('the errors a user meets', async () => {
    const tmp = tempDir(), file = join(tmp, 'x.ts');
    writeFileSync(file, tsText([series(0), series(1)]));
    const out = join(tmp, 'model');
    const cases: Array<[string[], number, string]> = [
      [['--target', 'class'], 2, "--target is for a CSV table (--data csv:FILE); a ts file's targets are its cases' labels"],
      [['--task', 'regression'], 2, "a ts file's header says it"],
      [['--unit-column', 'id'], 2, '--data ts:FILE (its header and layout say how to read it'],
      [['--val-split', '0.2'], 2, '--data ts:FILE (labelled sequences for the backbone: split by --val-units)'],
    ];
    for (const [flags, status, message] of cases) {
      const r = await run('train', '--data', `ts:${file}`, ...flags, '--out', out);
      expect([r.status, r.stderr], flags.join(' ')).toEqual([status, expect.stringContaining(message)]);
    }
    const bad = join(tmp, 'bad.ts');
    writeFileSync(bad, '@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n1,?,3:b\n');
    const r = await run('train', '--data', `ts:${bad}`, '--out', out);
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining(`${bad}:5: dimension 1, value 2: missing value "?"`)]);
    const none = join(tmp, 'none.ts');
    writeFileSync(none, '@univariate true\n@classLabel false\n@data\n1,2,3\n');
    const n = await run('train', '--data', `ts:${none}`, '--out', out);
    expect([n.status, n.stderr]).toEqual([1, expect.stringContaining('its cases carry no label (@classLabel false and no @targetLabel true); keel train learns one')]);
    const missing = await run('train', '--data', `ts:${join(tmp, 'nope.ts')}`, '--out', out);
    expect([missing.status, missing.stderr]).toEqual([1, expect.stringMatching(/--data ts:.*nope\.ts: cannot read it \(ENOENT/)]);
  });
});
