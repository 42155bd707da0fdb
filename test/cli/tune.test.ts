// keel tune: a tiny search prints the table, writes the best configuration as keel train options and
// every trial to the results file; a search where every trial diverges writes no configuration and
// fails; --target tunes the MLP on a CSV table's rows, with --unit-column the backbone on labelled
// sequences, --data fashion-mnist the images' MLP; bad command lines, unwritable outputs included,
// are usage errors (status 2) that name the flag.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/datasets/fashion-mnist.js';
import { run, tempDir } from './io.js';

describe('keel tune', () => {
  it('writes the best configuration as keel train options, and --json reports the trials', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json'), results = join(dir, 'sub', 'trials.json');
    const r = await run('tune', '--data', 'runtofailure:1', '--units', '4', '--folds', '2', '--epochs', '1', '--dropout', '0,0.3', '--concurrency', '2', '--out', out, '--results', results, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\[2\/2\] dropout 0(\.3)? .*RMSE [\d.]+ ± [\d.]+ cycles/);
    expect(r.stderr).toContain('2 configurations (grid) × 2 folds × 1 epoch on');
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ search: 'grid', planned: 2, interrupted: false, folds: 2, epochs: 1, out, results });
    const saved = JSON.parse(readFileSync(results, 'utf8'));
    expect(saved).toMatchObject({ search: 'grid', planned: 2, folds: 2, epochs: 1, seed: 0, data: 'runtofailure:1', status: 'complete' });
    expect(saved.trials).toEqual(result.trials);
    expect(result.trials).toHaveLength(2);
    expect(result.trials[0].mean).toBeLessThanOrEqual(result.trials[1].mean);
    const best = JSON.parse(readFileSync(out, 'utf8'));
    expect(best).toEqual(result.bestConfig);
    expect(best).toEqual({
      data: 'runtofailure:1', units: 4, epochs: 1, 'batch-size': 128, lr: 0.001, 'weight-decay': 0.1,
      dropout: result.trials[0].config.dropout, 'bn-momentum': 0.1, 'early-stopping': 0, seed: 0,
    });
  }, 20000);

  it('when every trial diverges: the table says so, no configuration is written, status 1', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json'), results = join(dir, 'trials.json');
    const r = await run('tune', '--units', '4', '--folds', '2', '--epochs', '1', '--lr', '1e5,1e6', '--out', out, '--results', results);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[2\/2\] .*lr 1000000 .*: diverged \(a fold's RMSE is not finite\)/);
    expect(r.stdout).toMatch(/100000 +128 +diverged/);
    expect(r.stdout).toContain('Every trial diverged: no configuration written.');
    expect(existsSync(out)).toBe(false);
    expect(JSON.parse(readFileSync(results, 'utf8')).trials).toHaveLength(2);
  }, 20000);

  it('a CSV is named by its absolute path in the configuration, so keel train reads it from any folder', async () => {
    const dir = tempDir();
    const rows = ['unit,cycle,a,b'];
    for (let u = 1; u <= 4; u++) for (let t = 1; t <= 40; t++) rows.push(`${u},${t},${Math.sin(t / 7 + u)},${t / 40 + u / 10}`);
    const csv = join(dir, 'units.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const out = join(dir, 'best.json');
    const r = await run('tune', '--data', `csv:${join(dir, '.', 'units.csv')}`, '--folds', '2', '--epochs', '1', '--out', out, '--results', join(dir, 'trials.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).data).toBe(`csv:${csv}`);
  }, 20000);

  it('--window as keel train; units shorter than it are left out of the folds with a warning, and --folds counts only the others', async () => {
    const dir = tempDir();
    const rows = ['unit,cycle,a,b'];
    // Units 1-4 run 40 cycles, units 5-7 only 12.
    for (let u = 1; u <= 7; u++) for (let t = 1; t <= (u <= 4 ? 40 : 12); t++) rows.push(`${u},${t},${Math.sin(t / 7 + u)},${t / 40 + u / 10}`);
    const csv = join(dir, 'mixed.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const common = ['tune', '--data', `csv:${csv}`, '--epochs', '1', '--concurrency', '1', '--threads', '1', '--results', join(dir, 'trials.json')];
    const r = await run(...common, '--folds', '2', '--out', join(dir, 'best.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('keel tune: 3 of 7 units have fewer than 30 rows, so no window, and are left out (units 5, 6, 7)');
    // Four units can be scored: five folds cannot be made of them, whatever the seed.
    const five = await run(...common, '--folds', '5', '--out', join(dir, 'five.json'));
    expect([five.status, five.stderr]).toEqual([2, expect.stringContaining('--folds 5 needs at least 5 units of 30 rows or more, the data has 4')]);
    // A window every unit fills: none is left out, and keel train gets the same --window.
    const w = await run(...common, '--folds', '2', '--window', '10', '--out', join(dir, 'w.json'));
    expect(w.status, w.stderr).toBe(0);
    expect(w.stderr).not.toContain('fewer than');
    expect(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'))).toMatchObject({ window: 10 });
    const bad = await run('tune', '--window', '0');
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('--window must be an integer in [1, 100000]')]);
  }, 60000);

  it('--target tunes the MLP on a table by k-fold over rows; the best configuration trains with keel train --config', async () => {
    const dir = tempDir();
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, `p,q,kind\n${Array.from({ length: 60 }, (_, i) => `${Math.sin(i)},${Math.cos(2 * i)},${Math.sin(i) > Math.cos(2 * i) ? 'up' : 'down'}`).join('\n')}\n`);
    const out = join(dir, 'best.json');
    const r = await run('tune', '--data', `csv:${csv}`, '--target', 'kind', '--hidden', '8', '--folds', '2', '--epochs', '2', '--dropout', '0,0.3', '--out', out, '--results', join(dir, 'trials.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 configurations (grid) × 2 folds × 2 epochs on');
    expect(r.stderr).toContain('60 rows of 2 features and the target "kind" (classification of 2 labels, as the target holds text)');
    expect(r.stderr).toMatch(/\[2\/2\] dropout 0(\.3)? .*: loss [\d.]+ ± [\d.]+\n/);
    expect(r.stdout).toMatch(/Mean loss +Std +Fold 1 +Fold 2/);
    const best = JSON.parse(readFileSync(out, 'utf8'));
    expect(best).toMatchObject({ data: `csv:${csv}`, target: 'kind', task: 'classification', hidden: '8', epochs: 2, 'early-stopping': 0 });
    const t = await run('train', '--config', out, '--out', join(dir, 'model'), '--json');
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ task: 'classification', epochs: 2 });
    expect(JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).architecture.children[0].options.outFeatures).toBe(8);
    // The MLP's BatchNorm cannot train on batches of one row: refused before any trial, not by every trial's ShapeError.
    const one = await run('tune', '--data', `csv:${csv}`, '--target', 'kind', '--folds', '2', '--epochs', '1', '--batch-size', '1,16', '--out', join(dir, 'b.json'));
    expect([one.status, one.stderr]).toEqual([2, expect.stringContaining("--batch-size 1: the MLP's BatchNorm normalises each training batch by its own mean and variance, which one row cannot give")]);
  }, 30000);

  it("a key left out is keel train's default for the subject: the MLP's dropout 0.3 and weight decay 0.01", async () => {
    const dir = tempDir();
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, `p,q,v\n${Array.from({ length: 24 }, (_, i) => `${Math.sin(i)},${Math.cos(2 * i)},${Math.sin(i) + i / 10}`).join('\n')}\n`);
    const out = join(dir, 'best.json');
    const r = await run('tune', '--data', `csv:${csv}`, '--target', 'v', '--hidden', '4', '--folds', '2', '--epochs', '1', '--concurrency', '1', '--threads', '1', '--out', out, '--results', join(dir, 'trials.json'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).trials[0].config).toMatchObject({ dropout: 0.3, weightDecay: 0.01, bnMomentum: 0.1, lr: 0.001, batchSize: 128 });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ dropout: 0.3, 'weight-decay': 0.01 });
    expect(JSON.parse(r.stdout).score).toBe('RMSE of the held-out samples in the units of v (lower is better; a diverged trial\'s is null)');
  }, 30000);

  it('--target with --unit-column tunes the backbone on labelled sequences by k-fold over sequences; keel train --config trains it', async () => {
    const dir = tempDir();
    const csv = join(dir, 'seq.csv');
    // 12 sequences of 10 steps: a slow or a fast wave.
    const rows = Array.from({ length: 12 }, (_, i) => Array.from({ length: 10 }, (_, t) => `s${i},${t},${Math.sin((i % 2 ? 1.5 : 0.3) * t + i).toFixed(4)},${i % 2 ? 'fast' : 'slow'}`)).flat();
    writeFileSync(csv, `id,t,x,kind\n${rows.join('\n')}\n`);
    const out = join(dir, 'best.json');
    const r = await run('tune', '--data', `csv:${csv}`, '--target', 'kind', '--unit-column', 'id', '--time-column', 't', '--folds', '3', '--epochs', '2', '--dropout', '0,0.3', '--out', out, '--results', join(dir, 'trials.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 configurations (grid) × 3 folds × 2 epochs on');
    expect(r.stderr).toContain('12 sequences of 10 steps × 1 channel labelled by "kind" (classification of 2 labels, as the target holds text; windows of 10 steps)');
    expect(r.stdout).toMatch(/Mean loss +Std +Fold 1 +Fold 2 +Fold 3/);
    const best = JSON.parse(readFileSync(out, 'utf8'));
    expect(best).toMatchObject({ data: `csv:${csv}`, target: 'kind', task: 'classification', 'unit-column': 'id', 'time-column': 't', epochs: 2 });
    const t = await run('train', '--config', out, '--out', join(dir, 'model'), '--json');
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ task: 'classification', sequences: { fit: 10, validation: 2 } });
    const h = await run('tune', '--data', `csv:${csv}`, '--target', 'kind', '--unit-column', 'id', '--hidden', '8');
    expect([h.status, h.stderr]).toEqual([2, expect.stringContaining('--hidden does not apply to --target with --unit-column')]);
  }, 30000);

  it.skipIf(!existsSync(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz')))('--data fashion-mnist tunes the images\' MLP by k-fold over images; keel train --config trains it', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json');
    const r = await run('tune', '--data', 'fashion-mnist', '--limit', '300', '--hidden', '16', '--folds', '2', '--epochs', '1', '--dropout', '0,0.5', '--out', out, '--results', join(dir, 'trials.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('the first 300 of 60000 training images (the MLP 784 → 16 → 10)');
    expect(r.stdout).toMatch(/Mean loss +Std +Fold 1 +Fold 2/);
    const best = JSON.parse(readFileSync(out, 'utf8'));
    expect(best).toMatchObject({ data: `fashion-mnist:${FASHION_MNIST_DIR}`, limit: 300, hidden: '16', epochs: 1 });
    const t = await run('train', '--config', out, '--out', join(dir, 'model'), '--json');
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ model: 'mlp', samples: { fit: 270, validation: 30 } });
  }, 30000);

  it.each([
    [['--data', 'fashion-mnist', '--target', 'label'], '--target does not apply to --data fashion-mnist'],
    [['--data', 'runtofailure', '--target', 'rul'], '--target is for a CSV table (--data csv:FILE)'],
    [['--hidden', '8'], '--hidden does not apply to keel tune without --target'],
    [['--task', 'regression'], '--task does not apply to keel tune without --target'],
  ])('%j: --target and its flags need a CSV table', async (args, message) => {
    const r = await run('tune', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [['--out', '/tmp'], '--out /tmp is a folder; give a file name'],
    [['--results', '/etc/hostname/trials.json'], '--results /etc/hostname/trials.json: /etc/hostname is a file, so nothing can be written under it'],
    [['--out', 'same.json', '--results', 'same.json'], '--out and --results are the same file'],
    [['--limit', '10'], '--limit does not apply to --data runtofailure (it is for fashion-mnist images)'],
    [['--dropout', '0,1.5'], '--dropout must be a number in [0, 1], got "1.5"'],
    [['--lr', '0.001,0.001'], '--lr lists a value twice'],
    [['--batch-size', '64,abc'], '--batch-size must be an integer'],
    [['--trials', '3', '--dropout', '0,0.1'], '--trials 3: the grid has 2 combinations (dropout 2); give at most 2, or more values to --lr'],
    [['--trials', '5'], '--trials 5: the grid has 1 combination (no list given: one configuration); give at most 1'],
    [['--folds', '1'], '--folds must be an integer in [2, 100000]'],
    [['--units', '3', '--folds', '4'], '--folds 4 needs at least 4 units, the data has 3'],
    [['--data', 'nope'], '--data must be'],
    [['--momentum', '0.1'], 'unknown option --momentum'],
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
