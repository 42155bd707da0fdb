// keel train/eval/predict/export on labelled sequences (--target with --unit-column): a classifier of
// whole sequences (text labels) and a regressor of a per-sequence value, with the split by sequence,
// model.json, eval agreeing with predict, a sequence's prediction recomputed here as the mean of its
// windows (end-anchored every --stride steps, a short one padded with its first row), Monte-Carlo
// dropout per sequence, ONNX, and the errors a user meets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model-folder/format.js';
import * as nn from '../../src/nn/index.js';
import { softmax } from '../../src/functional/softmax.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { keelEval, RELATIVE_TOLERANCE, runOnnx } from '../onnx/ort.js';
import { run, tempDir } from './io.js';

/** A deterministic value in [−1, 1) for (i, k). */
const u = (i: number, k: number): number => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
};

const SEQUENCES = 90;
const LABELS = ['slow', 'fast', 'flat'] as const;

interface Sequence {
  id: string;
  label: string;
  amplitude: number;
  /** (steps, 2) channel values. */
  rows: number[][];
}

/** Sequence i: 24–32 steps of two noisy channels; its class sets the frequency, its amplitude the size. */
function sequence(i: number, classOf = (k: number) => k % 3): Sequence {
  const c = classOf(i), steps = 24 + ((i * 7) % 9), amplitude = 1 + (i % 5) * 0.5, phase = 3 * u(i, 1);
  const freq = [0.35, 1.3, 0][c]!;
  const rows = Array.from({ length: steps }, (_, t) => [
    amplitude * Math.sin(freq * t + phase) + 0.2 * u(i, 10 + t),
    amplitude * (c === 2 ? 0.8 : Math.cos(freq * t + phase)) + 0.2 * u(i, 50 + t),
  ]);
  return { id: `s${i}`, label: LABELS[c]!, amplitude, rows };
}

/** The long layout: id,t,a,b,<target> with one row per step. */
function writeSequences(file: string, seqs: readonly Sequence[], target: (s: Sequence) => string, header = 'id,t,a,b,activity'): void {
  const lines = seqs.flatMap((s) => s.rows.map((r, t) => `${s.id},${t},${r[0]!.toFixed(4)},${r[1]!.toFixed(4)},${target(s)}`));
  writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
}

/** keel predict's CSV as [header, rows of cells]. */
function cells(csv: string): [string, string[][]] {
  const [header, ...lines] = csv.trim().split('\n');
  return [header!, lines.map((l) => l.split(','))];
}

describe('keel train --target --unit-column (a classifier of sequences)', () => {
  const seqs = Array.from({ length: SEQUENCES }, (_, i) => sequence(i));
  let dir: string, file: string, trained: Record<string, unknown>;
  beforeAll(async () => {
    const tmp = tempDir();
    file = join(tmp, 'har.csv');
    writeSequences(file, seqs, (s) => s.label);
    dir = join(tmp, 'model');
    const r = await run('train', '--data', `csv:${file}`, '--target', 'activity', '--unit-column', 'id', '--time-column', 't', '--epochs', '15', '--out', dir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    trained = JSON.parse(r.stdout);
  }, 60_000);

  it('splits whole sequences, one window each by default (the shortest length), and beats the most frequent label', () => {
    expect(trained).toMatchObject({ task: 'classification', target: 'activity', sequences: { fit: 72, validation: 18 }, windows: { fit: 72, validation: 18 } });
    expect(trained.bestValAccuracy as number).toBeGreaterThan(0.8);
    expect(trained.baselineAccuracy as number).toBeLessThan(0.5);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({
      window: 24, stride: 24, channels: ['a', 'b'],
      target: { name: 'classification', column: 'activity', labels: ['fast', 'flat', 'slow'] },
      data: { kind: 'sequences', unit: 'id', time: 't', delimiter: ',', header: true },
    });
    expect(saved.scaler.columns).toEqual(['a', 'b']);
    expect(saved.architecture.children[0]).toMatchObject({ type: 'Conv1d', options: { inChannels: 2 } });
    expect(saved.architecture.children.at(-1)).toMatchObject({ type: 'Linear', options: { outFeatures: 3 } });
  });

  it("eval's accuracy and loss are those of predict's probabilities, one row per sequence in file order", async () => {
    const e = await run('eval', '--model', dir, '--data', `csv:${file}`, '--json');
    expect(e.status, e.stderr).toBe(0);
    const p = await run('predict', '--model', dir, '--data', `csv:${file}`);
    expect(p.status, p.stderr).toBe(0);
    const [header, rows] = cells(p.stdout);
    expect(header).toBe('unit,class,label,fast,flat,slow');
    expect(rows.map((r) => r[0])).toEqual(seqs.map((s) => s.id));
    const right = rows.filter((r, i) => r[2] === seqs[i]!.label).length;
    const loss = rows.reduce((a, r, i) => a - Math.log(Number(r[3 + ['fast', 'flat', 'slow'].indexOf(seqs[i]!.label)])), 0) / SEQUENCES;
    const scores = JSON.parse(e.stdout);
    expect(scores).toMatchObject({ samples: SEQUENCES, accuracy: right / SEQUENCES });
    expect(scores.loss).toBeCloseTo(loss, 3);
    const text = await run('eval', '--model', dir, '--data', `csv:${file}`);
    expect(text.stdout).toContain(`accuracy  ${(right / SEQUENCES).toFixed(4)} (${right} of ${SEQUENCES} sequences)`);
  });

  it('export --onnx: standardised windows (channels × window) in, as keel computes', async () => {
    const onnx = join(tempDir(), 'seq.onnx');
    const r = await run('export', '--model', dir, '--onnx', onnx);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('input batch × 2 × 24');
    const saved = await loadModel(dir);
    const x = new Tensor(Float32Array.from({ length: 3 * 2 * 24 }, (_, i) => u(i, 99)), [3, 2, 24]);
    const want = keelEval(saved.model, x);
    const got = await runOnnx(readFileSync(onnx), x.data, [3, 2, 24]);
    want.data.forEach((w, i) => expect(Math.abs(got.data[i]! - w)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.max(1, Math.abs(w))));
  });
});

describe('keel predict on sequences of several windows', () => {
  const seqs = Array.from({ length: 30 }, (_, i) => sequence(i));
  let dir: string, file: string;
  beforeAll(async () => {
    const tmp = tempDir();
    file = join(tmp, 'har.csv');
    writeSequences(file, seqs, (s) => s.label);
    dir = join(tmp, 'model');
    const r = await run('train', '--data', `csv:${file}`, '--target', 'activity', '--unit-column', 'id', '--time-column', 't', '--window', '8', '--stride', '5', '--epochs', '2', '--out', dir, '--json');
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
    // Windows end at the last step, then every 5 back: ⌊(T − 8) / 5⌋ + 1 per sequence.
    const windows = JSON.parse(r.stdout).windows;
    expect(windows.fit + windows.validation).toBe(seqs.reduce((a, s) => a + Math.floor((s.rows.length - 8) / 5) + 1, 0));
  }, 60_000);

  /** The mean over a sequence's windows of the softmax probabilities, computed here from the model folder. */
  async function expected(rows: number[][]): Promise<number[]> {
    const saved = await loadModel(dir);
    const { mean, scale } = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).scaler;
    const z = rows.map((r) => r.map((v, c) => Math.fround((Math.fround(v) - mean[0][c]) / scale[0][c])));
    const T = z.length, ends = T < 8 ? [T - 1] : Array.from({ length: Math.floor((T - 8) / 5) + 1 }, (_, j) => T - 1 - j * 5);
    const x = new Tensor(Float32Array.from(ends.flatMap((e) => [0, 1].flatMap((c) => Array.from({ length: 8 }, (_, k) => z[Math.max(0, e - 7 + k)]![c]!)))), [ends.length, 2, 8]);
    saved.model.eval();
    const p = softmax(noGrad(() => saved.model.forward(x)), 1).data;
    return [0, 1, 2].map((j) => ends.reduce((a, _, n) => a + p[n * 3 + j]!, 0) / ends.length);
  }

  it("a sequence's probabilities are the mean of its windows', and a sequence shorter than the window is padded with its first row", async () => {
    const short = { ...sequence(100), id: 'short' };
    short.rows = short.rows.slice(0, 5);
    const some = join(tempDir(), 'some.csv');
    writeSequences(some, [seqs[0]!, short, seqs[7]!], (s) => s.label);
    const p = await run('predict', '--model', dir, '--data', `csv:${some}`);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stderr).toContain('1 of 3 sequences have fewer than 8 rows, their window repeats their first row to fill it (sequences short)');
    const [, rows] = cells(p.stdout);
    expect(rows.map((r) => r[0])).toEqual(['s0', 'short', 's7']);
    for (const [k, s] of [seqs[0]!, short, seqs[7]!].entries()) {
      const want = await expected(s.rows);
      want.forEach((w, j) => expect(Number(rows[k]![3 + j])).toBeCloseTo(w, 5));
    }
  });

  it('--mc-dropout averages each pass over a sequence\'s windows: a std per sequence, probabilities summing to 1', async () => {
    const p = await run('predict', '--model', dir, '--data', `csv:${file}`, '--mc-dropout', '6', '--seed', '3');
    expect(p.status, p.stderr).toBe(0);
    const [header, rows] = cells(p.stdout);
    expect(header).toBe('unit,class,label,std,fast,flat,slow');
    expect(rows).toHaveLength(30);
    for (const r of rows) {
      expect(Number(r[3])).toBeGreaterThan(0);
      expect(Number(r[4]) + Number(r[5]) + Number(r[6])).toBeCloseTo(1, 4);
    }
    const again = await run('predict', '--model', dir, '--data', `csv:${file}`, '--mc-dropout', '6', '--seed', '3');
    expect(again.stdout).toBe(p.stdout);
  });
});

describe('keel train --target --unit-column (a regressor of sequences)', () => {
  // One frequency; the target is each sequence's amplitude.
  const seqs = Array.from({ length: 80 }, (_, i) => sequence(i, () => 0));
  it('predicts a number per sequence, standardised on the fitting sequences; eval agrees with predict', async () => {
    const tmp = tempDir(), file = join(tmp, 'amp.txt'), dir = join(tmp, 'model');
    // Whitespace-separated, no header, no time column: the rows in file order; columns by index.
    writeFileSync(file, `${seqs.flatMap((s, i) => s.rows.map((r) => `${i} ${r[0]!.toFixed(4)} ${r[1]!.toFixed(4)} ${s.amplitude}`)).join('\n')}\n`);
    const r = await run('train', '--data', `csv:${file}`, '--target', '3', '--unit-column', '0', '--epochs', '30', '--out', dir, '--json');
    expect(r.status, r.stderr).toBe(0);
    const trained = JSON.parse(r.stdout);
    expect(trained).toMatchObject({ task: 'regression', target: 'c3', sequences: { fit: 64, validation: 16 } });
    expect(trained.bestValRmse).toBeLessThan(trained.baselineValRmse / 2);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({ channels: ['c1', 'c2'], target: { name: 'regression', column: 'c3' }, data: { kind: 'sequences', unit: 0, time: null, delimiter: 'whitespace', header: false } });
    const p = await run('predict', '--model', dir, '--data', `csv:${file}`);
    const [header, rows] = cells(p.stdout);
    expect(header).toBe('unit,c3');
    expect(rows.map((x) => x[0])).toEqual(seqs.map((_, i) => String(i)));
    const errors = rows.map((x, i) => Number(x[1]) - seqs[i]!.amplitude);
    const e = JSON.parse((await run('eval', '--model', dir, '--data', `csv:${file}`, '--json')).stdout);
    expect(e.rmse).toBeCloseTo(Math.sqrt(errors.reduce((a, d) => a + d * d, 0) / errors.length), 4);
    const mc = await run('predict', '--model', dir, '--data', `csv:${file}`, '--mc-dropout', '4');
    expect(cells(mc.stdout)[0]).toBe('unit,c3,std');
  }, 60_000);
});

describe('keel train --target --unit-column: errors', () => {
  const file = join(tempDir(), 'e.csv');
  writeFileSync(file, 'id,t,a,kind\n1,0,0.5,x\n1,1,0.7,x\n2,0,0.1,y\n2,1,0.2,y\n3,0,0.3,x\n3,1,0.1,x\n');

  it.each([
    [['--target', 'kind', '--unit-column', 'kind'], 2, '--target and --unit-column name the same column "kind"; each needs its own'],
    [['--target', 'kind', '--unit-column', 'id', '--columns', 'a,id'], 2, '--columns lists "id", which --unit-column names; the channels must be other columns'],
    [['--target', 'kind', '--unit-column', 'id', '--hidden', '8'], 2, '--hidden does not apply to --target with --unit-column'],
    [['--target', 'kind', '--unit-column', 'id', '--model', 'mlp'], 2, '--model must be backbone for labelled sequences (--target with --unit-column), got "mlp"'],
    [['--target', 'kind', '--unit-column', 'id', '--val-units', '0.1'], 2, '--val-units 0.1 leaves no validation sequence among the 3'],
    [['--target', 'kind', '--unit-column', 'id', '--time-column', 't', '--window', '3'], 1, 'every sequence has fewer than 3 rows (the longest has 2), so there is no window; use a --window of 2 or less'],
    [['--target', 'kind', '--unit-column', 'nope'], 1, '--unit-column "nope" not found (columns: "id", "t", "a", "kind")'],
    [['--target', 't', '--unit-column', 'id'], 1, '"kind": "x" is not a number (channels must be numeric: encode this column as numbers, or leave it out with --columns)'],
    [['--target', 'kind', '--time-column', 't'], 2, '--time-column does not apply to --target'],
    [['--target', 'kind', '--stride', '2'], 2, '--stride does not apply to --target'],
  ])('%j fails with status %i naming the problem', async (flags, status, message) => {
    const r = await run('train', '--data', `csv:${file}`, ...flags, '--out', join(tempDir(), 'm'));
    expect(r.status, r.stderr).toBe(status);
    expect(r.stderr).toContain(message);
  });

  it('a unit whose rows disagree on the label, and --stride for run-to-failure data', async () => {
    const odd = join(tempDir(), 'odd.csv');
    writeFileSync(odd, 'id,a,kind\n1,0.5,x\n1,0.7,y\n2,0.1,y\n');
    const r = await run('train', '--data', `csv:${odd}`, '--target', 'kind', '--unit-column', 'id', '--out', join(tempDir(), 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('odd.csv:3:3: "kind": unit 1 is labelled "y" here and "x" on line 2; with a group column each unit (sequence) has one label');
    // Sequences shorter than the window are left out before the split: any seed leaves windows on both sides.
    const short = join(tempDir(), 'short.csv');
    writeFileSync(short, `id,a,kind\n${[12, 12, 12, 12, 5].flatMap((T, i) => Array.from({ length: T }, (_, t) => `${i},${u(i, t)},${'xy'[i % 2]}`)).join('\n')}\n`);
    for (const seed of ['2', '5', '7']) {
      const ok = await run('train', '--data', `csv:${short}`, '--target', 'kind', '--unit-column', 'id', '--window', '8', '--val-units', '0.25', '--epochs', '1', '--seed', seed, '--out', join(tempDir(), 'm'), '--json');
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('1 of 5 sequences have fewer than 8 rows, so no window, and are left out (sequences 4)');
      expect(ok.stderr).not.toContain('sets the window');
      expect(JSON.parse(ok.stdout).sequences).toEqual({ fit: 3, validation: 1 });
    }
    const byDefault = await run('train', '--data', `csv:${short}`, '--target', 'kind', '--unit-column', 'id', '--val-units', '0.25', '--epochs', '1', '--out', join(tempDir(), 'm'));
    expect(byDefault.stderr).toContain('the shortest sequence (5 steps) sets the window, a fraction of the median length (12); --window N cuts longer windows');
    const s = await run('train', '--data', 'runtofailure', '--stride', '2', '--out', join(tempDir(), 'm'));
    expect([s.status, s.stderr]).toEqual([2, expect.stringContaining('--stride does not apply to run-to-failure data')]);
  });

  it('--augment mixup mixes a classifier\'s labels as probabilities (and jitter the channels)', async () => {
    const train = join(tempDir(), 'mix.csv');
    writeSequences(train, Array.from({ length: 12 }, (_, i) => sequence(i)), (s) => s.label);
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', `csv:${train}`, '--target', 'activity', '--unit-column', 'id', '--augment', 'mixup,jitter', '--epochs', '2', '--out', dir, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).training.options.augment).toBe('mixup,jitter');
    // Without --time-column the step column is a channel: said, since the model learns from it.
    expect(r.stderr).toContain('channel "t" increases within every sequence; if it is the time, pass --time-column "t" (a channel is learnt from)');
  });

  it('--model-config: an architecture of the user\'s that gives one logit per label; one that does not is an error naming the file', async () => {
    const train = join(tempDir(), 'cfg.csv'), dir = tempDir();
    writeSequences(train, Array.from({ length: 12 }, (_, i) => sequence(i)), (s) => s.label);
    const arch = nn.conv1dBackbone({ inChannels: 2, window: 24, outputs: 3, widths: [8], headHidden: 8 }).toJSON();
    writeFileSync(join(dir, 'arch.json'), JSON.stringify(arch));
    const r = await run('train', '--data', `csv:${train}`, '--target', 'activity', '--unit-column', 'id', '--time-column', 't', '--model-config', join(dir, 'arch.json'), '--epochs', '1', '--out', join(dir, 'm'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8')).architecture).toEqual(arch);
    expect(readFileSync(join(dir, 'm', 'index.html'), 'utf8')).toContain(`the architecture of ${join(dir, 'arch.json')}`);
    writeFileSync(join(dir, 'one.json'), JSON.stringify(nn.conv1dBackbone({ inChannels: 2, window: 24, widths: [8], headHidden: 8 }).toJSON()));
    const bad = await run('train', '--data', `csv:${train}`, '--target', 'activity', '--unit-column', 'id', '--time-column', 't', '--model-config', join(dir, 'one.json'), '--out', join(dir, 'w'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'one.json')}: the model must give one logit per label, (N, 3), got (1, 1) for one window`);
    const both = await run('train', '--data', `csv:${train}`, '--target', 'activity', '--unit-column', 'id', '--model-config', join(dir, 'arch.json'), '--dropout', '0.2', '--out', join(dir, 'b'));
    expect([both.status, both.stderr]).toEqual([2, expect.stringContaining('--dropout and --model-config both describe the model; give one')]);
  });

  it('--unit-column and --time-column given by index under a header are kept by name: a file with a column more in front predicts the same', async () => {
    const seqs = Array.from({ length: 12 }, (_, i) => sequence(i));
    const train = join(tempDir(), 'tr.csv'), dir = join(tempDir(), 'm');
    writeSequences(train, seqs, (s) => s.label);
    const r = await run('train', '--data', `csv:${train}`, '--target', '4', '--unit-column', '0', '--time-column', '1', '--epochs', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).data).toMatchObject({ unit: 'id', time: 't' });
    // pandas' to_csv writes its index first: positions 0 and 1 are now the index and the id
    const shifted = join(tempDir(), 'shifted.csv');
    const [head, ...rows] = readFileSync(train, 'utf8').trim().split('\n');
    writeFileSync(shifted, [`,${head}`, ...rows.map((row, i) => `${i},${row}`)].join('\n') + '\n');
    const [plain, moved] = [await run('predict', '--model', dir, '--data', `csv:${train}`), await run('predict', '--model', dir, '--data', `csv:${shifted}`)];
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toBe(plain.stdout);
  });

  it('eval names the unit column model.json recorded when the file lacks it, and refuses other data', async () => {
    const seqs = Array.from({ length: 12 }, (_, i) => sequence(i));
    const train = join(tempDir(), 'tr.csv'), dir = join(tempDir(), 'm');
    writeSequences(train, seqs, (s) => s.label);
    const r = await run('train', '--data', `csv:${train}`, '--target', 'activity', '--unit-column', 'id', '--epochs', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const other = join(tempDir(), 'other.csv');
    writeFileSync(other, 'seq,t,a,b,activity\n1,0,0,0,fast\n');
    const e = await run('eval', '--model', dir, '--data', `csv:${other}`);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain('column "id" not found (columns: "seq", "t", "a", "b", "activity"): model.json "data.unit"');
    const byFlag = await run('eval', '--model', dir, '--data', `csv:${other}`, '--unit-column', 'seq');
    expect(byFlag.status, byFlag.stderr).toBe(0);
    const rtf = await run('predict', '--model', dir, '--data', 'runtofailure');
    expect([rtf.status, rtf.stderr]).toEqual([2, expect.stringContaining('this model was trained on labelled sequences of a CSV file')]);
  });
});
