// scripts/load_in_pytorch.py on model folders keel train writes — the §1 backbone, a --model-config
// architecture with every other layer type keel saves (GELU, LeakyReLU, LayerNorm, the pools,
// Dropout1d), the MLP of a CSV table, and the backbone reading Fashion-MNIST images as sequences —
// loads them into PyTorch with strict=True and prints the same outputs as keel's eval forward on the
// script's input; given a CSV file, it prints keel predict's CSV (a RUL model, one scaled per
// operating condition, a table model, the backbone on labelled sequences), and given a .ts or UCR file, keel predict --data ts:FILE's (a
// multivariate classifier, a regressor with --standardize sequence, a UCR classifier). Needs
// Debian's python3-torch (skipped without it; CI has none) and, for the images, dataset-fashion-mnist.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model-folder/format.js';
import { FASHION_MNIST_DIR } from '../../src/datasets/fashion-mnist.js';
import * as nn from '../../src/nn/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { run, tempDir, trainSmallModel } from '../cli/io.js';

const PYTHON = '/usr/bin/python3';
const haveTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!haveTorch) console.warn('load-in-pytorch.test.ts skipped: no PyTorch for /usr/bin/python3 (sudo apt-get install python3-torch)');

/** The script's outputs for its input x = arange(n)/n − 0.5, and keel's for the same x. */
async function bothOutputs(dir: string): Promise<{ torch: number[]; keel: number[] }> {
  const r = spawnSync(PYTHON, ['scripts/load_in_pytorch.py', dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const torch = JSON.parse(/output for x = arange\(n\)\/n - 0\.5: (\[.*\])/.exec(r.stdout)![1]!) as number[];
  const saved = await loadModel(dir);
  const shape = 'window' in saved ? [2, saved.channels.length, saved.window] : 'features' in saved ? [2, saved.features.length] : saved.layout === 'sequence' ? [2, 28, 28] : [2, 784];
  const count = shape.reduce((a, b) => a * b, 1);
  const x = new Tensor(Float32Array.from({ length: count }, (_, i) => Math.fround(i / count) - 0.5), shape);
  saved.model.eval();
  return { torch, keel: Array.from(noGrad(() => saved.model.forward(x)).data) };
}

/** keel predict's CSV lines for `--data data` and the script's for `file`, with the same columns and as many rows. */
async function bothPredictions(model: string, data: string, file: string): Promise<{ keel: string[]; torch: string[] }> {
  const p = await run('predict', '--model', model, '--data', data);
  expect(p.status, p.stderr).toBe(0);
  const keel = p.stdout.trim().split('\n');
  const r = spawnSync(PYTHON, ['scripts/load_in_pytorch.py', model, file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const torch = r.stdout.trim().split('\n');
  expect(torch[0]).toBe(keel[0]);
  expect(torch).toHaveLength(keel.length);
  return { keel, torch };
}

/**
 * `keel train --data ts:FILE … --epochs 2` into a new folder, then keel predict's CSV lines for
 * `predictFile` and the script's, checked the same row by row: the same header and `texts` leading
 * fields (unit, and class and label for a classifier), the numbers within the last printed digit
 * (six decimals for probabilities, six significant digits for a regressor's values).
 */
async function expectSameTsPredictions(trainFile: string, predictFile: string, flags: string[], texts: number): Promise<string[]> {
  const model = join(tempDir(), 'm');
  const t = await run('train', '--data', `ts:${trainFile}`, ...flags, '--epochs', '2', '--out', model);
  expect(t.status, t.stderr).toBe(0);
  const { keel, torch } = await bothPredictions(model, `ts:${predictFile}`, predictFile);
  torch.slice(1).forEach((line, i) => {
    const [a, b] = [line.split(','), keel[i + 1]!.split(',')];
    expect(a).toHaveLength(b.length);
    expect(a.slice(0, texts), `${line} vs ${keel[i + 1]}`).toEqual(b.slice(0, texts));
    a.slice(texts).forEach((f, k) => {
      const [x, y] = [Number(f), Number(b[texts + k])];
      const digit = texts === 1 ? 10 ** (Math.floor(Math.log10(Math.max(Math.abs(x), Math.abs(y)))) - 5) : 1e-6;
      expect(Math.abs(x - y), `${line} vs ${keel[i + 1]}`).toBeLessThanOrEqual(digit * 1.001);
    });
  });
  return torch;
}

describe.skipIf(!haveTorch)('scripts/load_in_pytorch.py', () => {
  it('the §1 backbone: the same outputs as keel', async () => {
    const { torch, keel } = await bothOutputs(await trainSmallModel());
    expect(torch).toHaveLength(2);
    torch.forEach((t, i) => expect(t).toBeCloseTo(keel[i]!, 4));
  }, 30000);

  it('an architecture with every other layer type keel saves: the same outputs as keel', async () => {
    const dir = tempDir();
    const arch = new nn.Sequential(
      new nn.Conv1d(14, 8, 3, { padding: 1 }), new nn.GELU({ approximate: 'tanh' }), new nn.MaxPool1d(2),
      new nn.Dropout1d({ p: 0.1 }), new nn.Conv1d(8, 8, 3, { padding: 1 }), new nn.LeakyReLU({ negativeSlope: 0.05 }),
      new nn.AvgPool1d(2, { ceilMode: true }), new nn.AdaptiveAvgPool1d({ outputSize: 4 }), new nn.Flatten(),
      new nn.LayerNorm([32]), new nn.Linear(32, 1),
    );
    writeFileSync(join(dir, 'arch.json'), JSON.stringify(arch.toJSON()));
    const r = await run('train', '--data', 'runtofailure', '--units', '6', '--epochs', '1', '--model-config', join(dir, 'arch.json'), '--out', join(dir, 'm'));
    expect(r.status, r.stderr).toBe(0);
    const { torch, keel } = await bothOutputs(join(dir, 'm'));
    torch.forEach((t, i) => expect(t).toBeCloseTo(keel[i]!, 4));
  }, 30000);

  it('the MLP of a CSV table (--target): the same 2 × 3 logits', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 40 }, (_, i) => `${Math.sin(i)},${Math.cos(3 * i)},${Math.sin(7 * i)},${['a', 'b', 'c'][i % 3]}`);
    writeFileSync(join(dir, 't.csv'), `p,q,r,label\n${rows.join('\n')}\n`);
    const r = await run('train', '--data', `csv:${join(dir, 't.csv')}`, '--target', 'label', '--hidden', '16,8', '--epochs', '2', '--out', join(dir, 'm'));
    expect(r.status, r.stderr).toBe(0);
    const { torch, keel } = await bothOutputs(join(dir, 'm'));
    expect(torch).toHaveLength(6);
    torch.forEach((t, i) => expect(t).toBeCloseTo(keel[i]!, 4));
  }, 30000);

  it('with a CSV file it prints keel predict\'s CSV, computed in PyTorch: a RUL model, one scaled per operating condition, a table regressor and a table classifier', async () => {
    const dir = tempDir();
    const series = ['unit time a b c'];
    for (let u = 1; u <= 5; u++) for (let t = 1; t <= 45; t++) series.push(`${u} ${t} ${100 + t / 2 + u} ${Math.sin(t / 7 + u).toFixed(4)} ${(20 + Math.cos(t / 5) * u).toFixed(4)}`);
    writeFileSync(join(dir, 'rul.txt'), `${series.join('\n')}\n`);
    const rows = Array.from({ length: 50 }, (_, i) => `${Math.sin(i).toFixed(4)};${Math.cos(3 * i).toFixed(4)};${(10 + 5 * Math.sin(i)).toFixed(3)};${['a', 'b'][i % 2]}`);
    writeFileSync(join(dir, 't.csv'), `p;q;y;label\n${rows.join('\n')}\n`);
    // Flown under three operating conditions (a setting column `alt`): scaled per condition.
    const flown = ['unit time alt a b'];
    for (let u = 1; u <= 5; u++) for (let t = 1; t <= 45; t++) flown.push(`${u} ${t} ${[0, 20, 42][(u + t) % 3]! + ((t * 7) % 5) / 1000} ${100 + t / 2 + u + 30 * ((u + t) % 3)} ${Math.sin(t / 7 + u).toFixed(4)}`);
    writeFileSync(join(dir, 'flown.txt'), `${flown.join('\n')}\n`);
    const cases = [
      ['rul.txt', ['--data', `csv:${join(dir, 'rul.txt')}`]],
      ['flown.txt', ['--data', `csv:${join(dir, 'flown.txt')}`, '--conditions', 'alt']],
      ['t.csv', ['--data', `csv:${join(dir, 't.csv')}`, '--delimiter', ';', '--target', 'y', '--columns', 'p,q']],
      ['t.csv', ['--data', `csv:${join(dir, 't.csv')}`, '--delimiter', ';', '--target', 'label', '--columns', 'p,q']],
    ] as const;
    for (const [file, flags] of cases) {
      const model = join(tempDir(), 'm');
      const t = await run('train', ...flags, '--epochs', '2', '--out', model);
      expect(t.status, t.stderr).toBe(0);
      const { keel, torch } = await bothPredictions(model, `csv:${join(dir, file)}`, join(dir, file));
      torch.slice(1).forEach((line, i) => {
        const [a, b] = [line.split(','), keel[i + 1]!.split(',')];
        a.forEach((f, k) => (Number.isNaN(Number(f)) ? expect(f).toBe(b[k]) : expect(Math.abs(Number(f) - Number(b[k]))).toBeLessThanOrEqual(2e-3 + 1e-5 * Math.abs(Number(f)))));
      });
    }
  }, 60000);

  it('with a CSV file of labelled sequences it prints keel predict\'s CSV: a sequence classifier and a sequence regressor', async () => {
    // 30 sequences of 12–20 steps and two of 8 (shorter than the window: one window padded with row 0 at
    // predict, skipped by training), units not in id order, a time column and both targets on every row.
    const dir = tempDir();
    const lines = ['id,t,a,b,c,activity,y'];
    const lengths = [...Array.from({ length: 30 }, (_, i) => 12 + ((i * 5) % 9)), 8, 8];
    lengths.forEach((T, i) => {
      const id = ((i * 7) % 32) + 1, k = i % 3, y = (2 + k + Math.sin(i)).toFixed(3);
      for (let t = 0; t < T; t++) {
        lines.push(`${id},${10 * t},${(Math.sin(t * (k + 1) / 3 + i) + k).toFixed(4)},${Math.cos(t / 4 + i * k).toFixed(4)},${(0.1 * t * (k - 1) + Math.sin(7 * i + t)).toFixed(4)},${['walk', 'run', 'sit'][k]},${y}`);
      }
    });
    writeFileSync(join(dir, 'seq.csv'), `${lines.join('\n')}\n`);
    for (const target of ['activity', 'y']) {
      const model = join(tempDir(), 'm');
      const t = await run('train', '--data', `csv:${join(dir, 'seq.csv')}`, '--target', target, '--unit-column', 'id', '--time-column', 't', '--columns', 'a,b,c',
        '--window', '10', '--stride', '4', '--epochs', '2', '--out', model);
      expect(t.status, t.stderr).toBe(0);
      const { keel, torch } = await bothPredictions(model, `csv:${join(dir, 'seq.csv')}`, join(dir, 'seq.csv'));
      expect(keel[0]).toBe(target === 'activity' ? 'unit,class,label,run,sit,walk' : 'unit,y');
      expect(torch).toHaveLength(lengths.length + 1); // one row per sequence
      const texts = target === 'activity' ? 3 : 1; // unit (and class, label): the same text
      torch.slice(1).forEach((line, i) => {
        const [a, b] = [line.split(','), keel[i + 1]!.split(',')];
        expect(a).toHaveLength(b.length);
        expect(a.slice(0, texts)).toEqual(b.slice(0, texts));
        a.slice(texts).forEach((f, k) => expect(Math.abs(Number(f) - Number(b[texts + k])), `${line} vs ${keel[i + 1]}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(Number(f))));
      });
      // Without the CSV file: the module's forward on (2, 3, 10).
      const { torch: out, keel: expected } = await bothOutputs(model);
      expect(out).toHaveLength(target === 'activity' ? 6 : 2);
      out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    }
  }, 60000);

  it('with a .ts file of variable-length multivariate cases it prints keel predict --data ts:FILE\'s CSV: a classifier', async () => {
    // 36 cases of 3 dimensions (on different scales, so reading them in another order shows) and
    // 6–20 steps, --window 10: the cases shorter than it are padded with their first row at predict.
    // A BOM, comments of both kinds, tags in mixed case and a blank line among the cases.
    const dir = tempDir(), classes = ['up', 'down', 'flat'];
    const lengths = Array.from({ length: 36 }, (_, i) => 6 + ((i * 7) % 15));
    const cases = lengths.map((T, i) => {
      const k = i % 3, steps = Array.from({ length: T }, (_, t) => t);
      const dims = [
        steps.map((t) => (100 + (k - 1) * t + 3 * Math.sin(t + i)).toFixed(3)),
        steps.map((t) => Math.sin(t * (k + 1) / 4 + i).toFixed(4)),
        steps.map((t) => (0.01 * t * k + 0.02 * Math.cos(5 * i + t)).toFixed(5)),
      ];
      return `${dims.map((d) => d.join(',')).join(':')}:${classes[k]}`;
    });
    const header = ['# made up: a trend in dim 0, a frequency in dim 1', '% and a slope in dim 2', '@problemName Toy', '@timeStamps false', '@missing false',
      '@univariate false', '@DIMENSIONS 3', '@equalLength false', `@classLabel true ${classes.join(' ')}`, '@data'];
    const file = join(dir, 'toy.ts');
    writeFileSync(file, `\uFEFF${header.join('\n')}\n${cases.slice(0, 20).join('\n')}\n\n${cases.slice(20).join('\n')}\n`);
    expect(Math.min(...lengths)).toBeLessThan(10);
    const torch = await expectSameTsPredictions(file, file, ['--window', '10', '--stride', '3'], 3);
    expect(torch[0]).toBe('unit,class,label,down,flat,up'); // keel sorts the labels
    expect(torch.slice(1).map((l) => l.split(',')[0])).toEqual(lengths.map((_, i) => String(i + 1))); // unit n: the n-th case
  }, 30000);

  it('with a @targetLabel .ts file it prints keel predict --data ts:FILE\'s CSV: a regressor, each case standardised by its own statistics', async () => {
    // 30 cases of 2 dimensions and 24 steps, the target (about 10–16) last; predict reads another
    // file of 12 cases without labels (@targetLabel false).
    const dir = tempDir();
    const series = (i: number) => {
      const steps = Array.from({ length: 24 }, (_, t) => t), a = 1 + (i % 5);
      return [steps.map((t) => (a * Math.sin(t / 3 + i)).toFixed(4)), steps.map((t) => (50 + a * t / 4 + Math.cos(7 * i + t)).toFixed(3))].map((d) => d.join(',')).join(':');
    };
    const tags = (labelled: boolean) => ['@problemname Ramp', '@timestamps false', '@univariate false', '@dimensions 2', '@equallength true', '@serieslength 24', `@targetlabel ${labelled}`, '@data'];
    const train = join(dir, 'ramp_TRAIN.ts'), test = join(dir, 'ramp_TEST.ts');
    writeFileSync(train, `${[...tags(true), ...Array.from({ length: 30 }, (_, i) => `${series(i)}:${(10 + (i % 5) + Math.sin(i)).toFixed(3)}`)].join('\n')}\n`);
    writeFileSync(test, `${[...tags(false), ...Array.from({ length: 12 }, (_, i) => series(100 + i))].join('\n')}\n`);
    // --standardize sequence: each case's channels by its own mean and std first.
    const torch = await expectSameTsPredictions(train, test, ['--window', '8', '--stride', '4', '--standardize', 'sequence'], 1);
    expect(torch[0]).toBe('unit,target');
    expect(torch).toHaveLength(13);
  }, 30000);

  it('with a UCR .tsv file it prints keel predict --data ts:FILE\'s CSV: a classifier, shorter series padded with NaN', async () => {
    // 30 series of 12–24 values, the label first, tab-separated, NaN after the shorter ones up to 24.
    const dir = tempDir(), file = join(dir, 'Waves_TRAIN.tsv');
    const lines = Array.from({ length: 30 }, (_, i) => {
      const k = i % 3, T = 12 + ((i * 5) % 13);
      const values = Array.from({ length: 24 }, (_, t) => (t < T ? (Math.sin(t * (k + 1) / 3 + i) + k / 2).toFixed(4) : 'NaN'));
      return [String(k + 1), ...values].join('\t');
    });
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(lines.filter((l) => l.endsWith('NaN')).length).toBeGreaterThan(10);
    const torch = await expectSameTsPredictions(file, file, ['--stride', '4'], 3);
    expect(torch[0]).toBe('unit,class,label,1,2,3');
    expect(torch).toHaveLength(31);
  }, 30000);

  it.skipIf(!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))('the backbone on Fashion-MNIST sequences (28 channels × 28 steps): the same 2 × 10 logits', async () => {
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', 'fashion-mnist', '--model', 'backbone', '--limit', '300', '--epochs', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const { torch, keel } = await bothOutputs(dir);
    expect(torch).toHaveLength(20);
    torch.forEach((t, i) => expect(t).toBeCloseTo(keel[i]!, 4));
  }, 60000);
});
