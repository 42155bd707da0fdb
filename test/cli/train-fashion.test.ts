// keel train/eval/predict on Fashion-MNIST (the IDX files of Debian's dataset-fashion-mnist): the MLP
// and the Conv1d backbone on 28 × 28 sequences, a model.json that records the task and the label
// names, eval's accuracy agreeing with predict's classes, Monte-Carlo dropout, the ONNX export, and the
// flags that do not apply to images.
// Skipped, with a message, when the files are not installed (CI installs them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, fashionMnist } from '../../src/datasets/fashion-mnist.js';
import { loadSync } from '../../src/io/save.js';
import { loadModel } from '../../src/model-folder/format.js';
import { narrow } from '../../src/functional/indexing.js';
import { fromJSON } from '../../src/nn/serialize.js';
import { keelEval, RELATIVE_TOLERANCE, runOnnx } from '../onnx/ort.js';
import { run, tempDir } from './io.js';

const installed = existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')) || existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte'));
if (!installed) console.warn(`train-fashion.test.ts: Fashion-MNIST not found in ${FASHION_MNIST_DIR}; skipped (sudo apt-get install dataset-fashion-mnist)`);

const LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

describe.skipIf(!installed)('keel train --data fashion-mnist', () => {
  let mlpDir: string;
  let trained: Record<string, unknown>;
  beforeAll(async () => {
    mlpDir = join(tempDir(), 'mlp');
    const r = await run('train', '--data', 'fashion-mnist', '--limit', '1000', '--epochs', '2', '--out', mlpDir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    trained = JSON.parse(r.stdout);
  });

  it('trains the MLP on a random-row split', () => {
    expect(trained).toMatchObject({ model: 'mlp', samples: { fit: 900, validation: 100 }, epochs: 2 });
    expect(trained.bestValAccuracy).toBeGreaterThan(0.5); // chance is 0.1
  });

  it('reads the run beside always answering the most frequent class of the images it was given', async () => {
    const labels = Array.from((await fashionMnist()).train.y.data.subarray(0, 1000));
    const counts = LABELS.map((_, c) => labels.filter((l) => l === c).length);
    const top = counts.indexOf(Math.max(...counts));
    expect(trained.baselineAccuracy).toBe(counts[top]! / 1000);
    const findings: string[] = JSON.parse(readFileSync(join(mlpDir, 'results.json'), 'utf8')).findings;
    expect(findings).toHaveLength(3);
    expect(findings[0]).toContain(`validation accuracy is ${(trained.bestValAccuracy as number).toFixed(4)}: better than always answering the training images' most frequent class (${LABELS[top]}), which scores ${(counts[top]! / 1000).toFixed(4)}.`);
  });

  it('records the task in model.json, and the MLP with PyTorch\'s keys', () => {
    const saved = JSON.parse(readFileSync(join(mlpDir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 'keel-model', layout: 'flat', target: { name: 'classification', labels: LABELS }, data: { kind: 'fashion-mnist' } });
    expect(saved.scaler).toBeUndefined();
    const model = fromJSON(saved.architecture);
    const types = saved.architecture.children.map((c: { type: string }) => c.type);
    expect(types).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear']);
    const state = loadSync(join(mlpDir, 'model.safetensors'));
    expect(Object.keys(state)).toEqual(Object.keys(model.stateDict()));
    expect(state['0.weight']!.shape).toEqual([512, 784]);
    expect(state['8.weight']!.shape).toEqual([10, 256]);
  });

  it('eval reports accuracy and loss; predict gives probabilities whose argmax is the class, agreeing with eval', async () => {
    const e = await run('eval', '--model', mlpDir, '--data', 'fashion-mnist', '--limit', '300', '--json');
    expect(e.status).toBe(0);
    const scores = JSON.parse(e.stdout);
    expect(scores.samples).toBe(300);
    expect(scores.loss).toBeGreaterThan(0);

    const p = await run('predict', '--model', mlpDir, '--data', 'fashion-mnist', '--limit', '300');
    expect(p.status).toBe(0);
    const [header, ...lines] = p.stdout.trim().split('\n');
    expect(header).toBe(`index,class,label,${LABELS.join(',')}`);
    expect(lines).toHaveLength(300);
    const truth = (await fashionMnist()).test.y.data;
    let correct = 0;
    lines.forEach((line, i) => {
      const fields = line.split(',');
      const probs = fields.slice(3).map(Number);
      expect(Number(fields[0])).toBe(i);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      const cls = Number(fields[1]);
      expect(probs[cls]).toBe(Math.max(...probs));
      expect(fields[2]).toBe(LABELS[cls]);
      if (cls === truth[i]) correct++;
    });
    expect(scores.accuracy).toBeCloseTo(correct / 300, 6);
  });

  it('--model backbone reads the images as 28 channels × 28 steps; predict --label-only', async () => {
    const dir = join(tempDir(), 'backbone');
    const r = await run('train', '--data', 'fashion-mnist', '--model', 'backbone', '--limit', '300', '--epochs', '1', '--val-split', '0.2', '--out', dir, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).samples).toEqual({ fit: 240, validation: 60 });
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved.layout).toBe('sequence');
    const children = saved.architecture.children;
    expect(children[0]).toMatchObject({ type: 'Conv1d', options: { inChannels: 28 } });
    expect(children.at(-1)).toMatchObject({ type: 'Linear', options: { outFeatures: 10 } });
    const p = await run('predict', '--model', dir, '--data', 'fashion-mnist', '--limit', '5', '--label-only');
    expect(p.status).toBe(0);
    const [header, ...lines] = p.stdout.trim().split('\n');
    expect(header).toBe('index,class,label');
    expect(lines.every((l) => LABELS.includes(l.split(',')[2]!))).toBe(true);
  });

  it.each([
    [['train', '--data', 'fashion-mnist', '--model', 'lstm', '--out', 'x'], 2, '--model must be mlp or backbone for fashion-mnist, got "lstm"'],
    [['train', '--data', 'fashion-mnist', '--window', '20', '--out', 'x'], 2, '--window does not apply to --data fashion-mnist'],
    [['train', '--data', 'fashion-mnist', '--head-dropout', '0.2', '--out', 'x'], 2, '--head-dropout does not apply to --model mlp'],
    [['train', '--data', 'fashion-mnist', '--limit', '70000', '--out', 'x'], 2, '--limit must be an integer in [2, 60000], got "70000"'],
    [['train', '--data', 'runtofailure', '--val-split', '0.1', '--out', 'x'], 2, '--val-split does not apply to --data runtofailure'],
  ])('%j fails with status %i naming the flag', async (argv, status, message) => {
    const r = await run(...argv);
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(message);
  });

  it('export --onnx: onnxruntime gives the logits of the MLP on flat images', async () => {
    const file = join(tempDir(), 'mlp.onnx');
    const r = await run('export', '--model', mlpDir, '--onnx', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('input batch × 784');
    const saved = await loadModel(mlpDir);
    const x = narrow((await fashionMnist()).test.x, 0, 0, 4);
    const want = keelEval(saved.model, x);
    const got = await runOnnx(readFileSync(file), x.data, [4, 784]);
    expect([...got.dims]).toEqual([4, 10]);
    const scale = Math.max(1, ...want.data.map(Math.abs));
    want.data.forEach((w, i) => expect(Math.abs(got.data[i]! - w)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale));
  });

  it('a classifier refuses run-to-failure data and RUL-only flags', async () => {
    const e = await run('eval', '--model', mlpDir, '--data', 'runtofailure');
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('this model classifies Fashion-MNIST images');
    const p = await run('predict', '--model', mlpDir, '--data', 'fashion-mnist', '--last');
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('--last does not apply to a classifier');
  });

  it('predict --mc-dropout N: mean probabilities over the passes and the std of the chosen class, the same for the same --seed', async () => {
    const mc = (seed: string) => run('predict', '--model', mlpDir, '--data', 'fashion-mnist', '--limit', '20', '--mc-dropout', '6', '--seed', seed);
    const [a, b, c] = await Promise.all([mc('1'), mc('1'), mc('2')]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    const [header, ...lines] = a.stdout.trim().split('\n');
    expect(header).toBe(`index,class,label,std,${LABELS.join(',')}`);
    expect(lines).toHaveLength(20);
    for (const line of lines) {
      const fields = line.split(',');
      const probs = fields.slice(4).map(Number);
      expect(probs.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
      expect(probs[Number(fields[1])]).toBe(Math.max(...probs));
      expect(Number(fields[3])).toBeGreaterThanOrEqual(0);
    }
    expect(lines.some((l) => Number(l.split(',')[3]) > 0)).toBe(true); // dropout makes the passes differ
  });
});

describe('keel train --data fashion-mnist:DIR without the files', () => {
  it('is a runtime error that says how to install them', async () => {
    const dir = tempDir();
    const r = await run('train', '--data', `fashion-mnist:${dir}`, '--out', join(dir, 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`not found in ${dir}`);
    expect(r.stderr).toMatch(/^keel train: DatasetNotFoundError: /);
    expect(r.stderr).toContain('apt-get install dataset-fashion-mnist');
  });
});
