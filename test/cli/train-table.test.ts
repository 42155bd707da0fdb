// keel train/eval/predict/export on the rows of a CSV table (--target): a regressor (semicolon-separated,
// quoted header names, target standardised on the fitting rows) and a classifier (text labels), with
// the split, the baselines, model.json, eval agreeing with predict, files without the target column,
// a headerless file with a numeric target read as labels, and the errors a user meets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { permutation, SPLIT_STREAM } from '../../src/data/shuffle.js';
import { loadModel } from '../../src/model-folder/format.js';
import { tableInputs } from '../../src/model-folder/table-inputs.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { keelEval, RELATIVE_TOLERANCE, runOnnx } from '../onnx/ort.js';
import { run, tempDir } from './io.js';

/** A deterministic value in [−1, 1) for (row, column). */
const u = (i: number, k: number): number => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
};

const ROWS = 400;

/** Rows of three features and a target in the tens: 50 + 8·x1 − 5·x2 + 2·x1·x3 + a little noise (a regression the MLP can learn). */
function regressionRows(): number[][] {
  return Array.from({ length: ROWS }, (_, i) => {
    const [a, b, c] = [u(i, 1), u(i, 2), u(i, 3)];
    return [a, b, c, 50 + 8 * a - 5 * b + 2 * a * c + 0.3 * u(i, 4)];
  });
}

/** Three classes by which of two features is larger and their sign: text labels. */
function classRows(): Array<[number, number, string]> {
  return Array.from({ length: ROWS }, (_, i) => {
    const [a, b] = [u(i, 5), u(i, 6)];
    return [a, b, a + b < -0.3 ? 'low' : a > b ? 'east' : 'north'];
  });
}

describe('keel train --target (a regression table)', () => {
  let dir: string, file: string, trained: Record<string, unknown>;
  const rows = regressionRows();
  beforeAll(async () => {
    const tmp = tempDir();
    file = join(tmp, 'reg.csv');
    writeFileSync(file, `"first x";"second x";"third x";"y value"\n${rows.map((r) => r.map((v) => v.toFixed(5)).join(';')).join('\n')}\n`);
    dir = join(tmp, 'model');
    // No --delimiter: a first line with more semicolons than commas is read as semicolon-separated.
    const r = await run('train', '--data', `csv:${file}`, '--target', 'y value', '--epochs', '40', '--out', dir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    trained = JSON.parse(r.stdout);
  }, 60_000);

  it('splits random rows, fits the target statistics on the fitting rows only, and beats a constant prediction', () => {
    expect(trained).toMatchObject({ task: 'regression', target: 'y value', rows: { fit: 320, validation: 80 } });
    const order = permutation(0, SPLIT_STREAM, ROWS);
    const y = (r: number) => Number(rows[r]![3]!.toFixed(5));
    const fit = Array.from(order.subarray(0, 320), y), val = Array.from(order.subarray(320), y);
    const mean = fit.reduce((a, b) => a + b, 0) / fit.length;
    const baseline = Math.sqrt(val.reduce((a, v) => a + (v - mean) ** 2, 0) / val.length);
    expect(trained.baselineValRmse as number).toBeCloseTo(baseline, 3);
    expect(trained.bestValRmse as number).toBeLessThan(baseline / 3);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({ features: ['first x', 'second x', 'third x'], data: { kind: 'table', delimiter: ';', header: true } });
    expect(saved.target.name).toBe('regression');
    expect(saved.target.mean).toBeCloseTo(mean, 3);
    expect(saved.scaler.columns).toEqual(['first x', 'second x', 'third x']);
    expect(saved.architecture.children.map((c: { type: string }) => c.type)).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear']);
  });

  it("eval's RMSE, MAE and R² are those of predict's values (in the target's units) against the file's", async () => {
    const e = await run('eval', '--model', dir, '--data', `csv:${file}`, '--json');
    expect(e.status, e.stderr).toBe(0);
    const scores = JSON.parse(e.stdout);
    const p = await run('predict', '--model', dir, '--data', `csv:${file}`);
    expect(p.status, p.stderr).toBe(0);
    const [header, ...lines] = p.stdout.trim().split('\n');
    expect(header).toBe('index,y value');
    expect(lines).toHaveLength(ROWS);
    const errors = lines.map((l, i) => Number(l.split(',')[1]) - Number(rows[i]![3]!.toFixed(5)));
    const rmse = Math.sqrt(errors.reduce((a, d) => a + d * d, 0) / ROWS);
    expect(scores.samples).toBe(ROWS);
    expect(scores.rmse).toBeCloseTo(rmse, 3);
    expect(scores.mae).toBeCloseTo(errors.reduce((a, d) => a + Math.abs(d), 0) / ROWS, 3);
    expect(scores.r2).toBeGreaterThan(0.9);
    const text = await run('eval', '--model', dir, '--data', `csv:${file}`);
    expect(text.stdout).toMatch(/^RMSE {6}[\d.]+ \(y value\)$/m);
  });

  it('predict reads a file without the target column, and --mc-dropout adds a std', async () => {
    const bare = join(tempDir(), 'bare.csv');
    writeFileSync(bare, `"third x";"first x";"second x"\n${rows.slice(0, 5).map((r) => [r[2], r[0], r[1]].map((v) => v!.toFixed(5)).join(';')).join('\n')}\n`);
    const full = await run('predict', '--model', dir, '--data', `csv:${file}`);
    const p = await run('predict', '--model', dir, '--data', `csv:${bare}`);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toEqual(full.stdout.trim().split('\n').slice(0, 6)); // columns matched by name
    const mc = await run('predict', '--model', dir, '--data', `csv:${bare}`, '--mc-dropout', '8');
    const [header, ...lines] = mc.stdout.trim().split('\n');
    expect(header).toBe('index,y value,std');
    expect(lines.every((l) => Number(l.split(',')[2]) > 0)).toBe(true);
  });

  it('export --onnx: the standardised rows in, the standardised target out, as keel computes', async () => {
    const onnx = join(tempDir(), 'reg.onnx');
    const r = await run('export', '--model', dir, '--onnx', onnx);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('input batch × 3');
    const saved = await loadModel(dir);
    if (!('features' in saved)) throw new Error('expected a table model');
    const x = tableInputs(saved, new Tensor(Float32Array.from(rows.slice(0, 4).flatMap((r) => r.slice(0, 3))), [4, 3]));
    const want = keelEval(saved.model, x);
    const got = await runOnnx(readFileSync(onnx), x.data, [4, 3]);
    want.data.forEach((w, i) => expect(Math.abs(got.data[i]! - w)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.max(1, Math.abs(w))));
  });
});

describe('keel train --target (a classification table)', () => {
  let dir: string, file: string, trained: Record<string, unknown>;
  const rows = classRows();
  beforeAll(async () => {
    const tmp = tempDir();
    file = join(tmp, 'cls.csv');
    writeFileSync(file, `a,b,kind\n${rows.map(([a, b, k]) => `${a.toFixed(4)},${b.toFixed(4)},${k}`).join('\n')}\n`);
    dir = join(tmp, 'model');
    const r = await run('train', '--data', `csv:${file}`, '--target', 'kind', '--hidden', '32,16', '--epochs', '40', '--out', dir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    trained = JSON.parse(r.stdout);
  }, 60_000);

  it('text labels make a classifier with the labels sorted, well above the most frequent label', () => {
    expect(trained).toMatchObject({ task: 'classification', target: 'kind' });
    expect(trained.bestValAccuracy as number).toBeGreaterThan(0.85);
    expect(trained.baselineAccuracy as number).toBeLessThan(0.6);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved.target).toEqual({ name: 'classification', column: 'kind', labels: ['east', 'low', 'north'] });
    expect(saved.architecture.children.at(-1)).toMatchObject({ type: 'Linear', options: { inFeatures: 16, outFeatures: 3 } });
  });

  it("eval's accuracy is predict's share of right labels", async () => {
    const e = await run('eval', '--model', dir, '--data', `csv:${file}`, '--json');
    expect(e.status, e.stderr).toBe(0);
    const p = await run('predict', '--model', dir, '--data', `csv:${file}`);
    const [header, ...lines] = p.stdout.trim().split('\n');
    expect(header).toBe('index,class,label,east,low,north');
    const right = lines.filter((l, i) => l.split(',')[2] === rows[i]![2]).length;
    expect(JSON.parse(e.stdout).accuracy).toBeCloseTo(right / ROWS, 6);
  });

  it('eval names an unknown label, and a file without the target column, by model.json', async () => {
    const odd = join(tempDir(), 'odd.csv');
    writeFileSync(odd, 'a,b,kind\n0.1,0.2,east\n0.3,0.1,south\n');
    const e = await run('eval', '--model', dir, '--data', `csv:${odd}`);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain('the target "kind" holds "south" in data row 2, a label the model was not trained on (its labels: "east", "low", "north")');
    writeFileSync(odd, 'a,b\n0.1,0.2\n');
    const lacking = await run('eval', '--model', dir, '--data', `csv:${odd}`);
    expect(lacking.status).toBe(1);
    expect(lacking.stderr).toContain('column "kind" not found (columns: "a", "b"): model.json "target.column" (keel eval scores against it; keel predict reads files without it)');
    const rtf = await run('predict', '--model', dir, '--data', 'runtofailure');
    expect(rtf.status).toBe(2);
    expect(rtf.stderr).toContain('this model was trained on the rows of a CSV table; give --data csv:FILE with its feature columns (a, b)');
  });
});

describe('keel train --target: other layouts and errors', () => {
  it('a headerless whitespace file with --target by index and --task classification of numeric labels (sorted as numbers)', async () => {
    const file = join(tempDir(), 'plain.txt');
    writeFileSync(file, Array.from({ length: 60 }, (_, i) => `${u(i, 7).toFixed(3)}  ${u(i, 8).toFixed(3)}  ${[2, 10, 7][i % 3]}`).join('\n'));
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', `csv:${file}`, '--target', '2', '--task', 'classification', '--epochs', '2', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({ features: ['c0', 'c1'], target: { column: 'c2', labels: ['2', '7', '10'] }, data: { delimiter: 'whitespace', header: false } });
    const auto = await run('train', '--data', `csv:${file}`, '--target', '2', '--epochs', '1', '--out', join(tempDir(), 'm'), '--json');
    expect(JSON.parse(auto.stdout).task).toBe('regression');
    expect(auto.stderr).toContain('regression, as the target holds numbers; --task classification reads them as labels');
  });

  it.each([
    [['--target', 'nope'], 1, '--target column "nope" not found (columns: "x", "color", "y")'],
    [['--target', 'y'], 1, '"color": "red" is not a number (features must be numeric: encode this column as numbers, or leave it out with --columns)'],
    [['--target', 'color', '--task', 'regression'], 1, 'the target "color" holds "red" in data row 1, which is not a finite float32 number; --task regression needs a number in every row'],
    [['--target', 'y', '--columns', 'x,y'], 2, '--columns lists the target column "y"; the features must be other columns'],
    [['--target', 'y', '--task', 'ordinal'], 2, '--task must be one of auto, classification, regression, got "ordinal"'],
    [['--target', 'y', '--window', '5'], 2, '--window does not apply to --target'],
    [['--target', 'y', '--model', 'backbone'], 2, '--model must be mlp for a table (--target), got "backbone"'],
    [['--target', 'y', '--hidden', '8,x'], 2, '--hidden must be a comma-separated list of layer widths (positive integers), got "8,x"'],
    [['--target', 'y', '--columns', 'x', '--val-split', '0.01'], 2, '--val-split 0.01 of 4 rows leaves no validation row'],
    [['--target', 'x', '--columns', 'y', '--task', 'classification'], 1, 'the target "x" holds one label ("1") in every row: a classifier needs at least two'],
    // BatchNorm over (rows, features) cannot normalise one row: refused before training, not by a ShapeError at its first batch.
    [['--target', 'y', '--columns', 'x', '--batch-size', '1'], 2, "--batch-size 1: the MLP's BatchNorm normalises each training batch by its own mean and variance, which one row cannot give; use batches of 2 rows or more (32 or more is usual), or --no-batchnorm"],
    [['--target', 'y', '--columns', 'x', '--val-split', '0.75'], 2, "--val-split 0.75 of 4 rows leaves 1 row to fit, and the MLP's BatchNorm needs batches of 2 rows or more"],
  ])('%j fails with status %i naming the problem', async (flags, status, message) => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'x,color,y\n1,red,2\n1,blue,3\n1,red,5\n1,blue,4\n');
    const r = await run('train', '--data', `csv:${file}`, ...flags, '--out', join(tempDir(), 'm'));
    expect(r.status, r.stderr).toBe(status);
    expect(r.stderr).toContain(message);
  });

  it('--batch-size 1 and one fitting row train without BatchNorm (--no-batchnorm)', async () => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'x,color,y\n1,red,2\n1,blue,3\n1,red,5\n1,blue,4\n');
    for (const flags of [['--batch-size', '1'], ['--val-split', '0.75']]) {
      const r = await run('train', '--data', `csv:${file}`, '--target', 'y', '--columns', 'x', '--no-batchnorm', '--epochs', '1', ...flags, '--out', join(tempDir(), 'm'));
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('under a header of numbers, a column typed as digits is the one the header names so, not an index', async () => {
    const file = join(tempDir(), 'years.csv');
    writeFileSync(file, `2019,2020,2021\n${Array.from({ length: 40 }, (_, i) => `${u(i, 1).toFixed(3)},${u(i, 2).toFixed(3)},${(3 * u(i, 1)).toFixed(3)}`).join('\n')}\n`);
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', `csv:${file}`, '--header', '--target', '2021', '--columns', '2019', '--epochs', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toMatchObject({ features: ['2019'], target: { column: '2021' } });
    // A number the header does not name is still an index.
    const byIndex = await run('train', '--data', `csv:${file}`, '--header', '--target', '2', '--columns', '0', '--epochs', '1', '--out', join(tempDir(), 'm'), '--json');
    expect(byIndex.status, byIndex.stderr).toBe(0);
    expect(JSON.parse(byIndex.stdout).target).toBe('2021');
  });

  it('--target and --task need a CSV table', async () => {
    const a = await run('train', '--data', 'runtofailure', '--target', 'rul', '--out', 'x');
    expect([a.status, a.stderr]).toEqual([2, expect.stringContaining('--target is for a CSV table (--data csv:FILE); run-to-failure targets are the RUL')]);
    const b = await run('train', '--data', 'runtofailure', '--task', 'regression', '--out', 'x');
    expect([b.status, b.stderr]).toEqual([2, expect.stringContaining('--task does not apply to a model without --target')]);
  });
});
