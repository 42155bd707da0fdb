// The model folder contract at load (src/model-folder/format.ts): a folder whose files load but would
// predict junk — a non-finite weight, a negative running_var, a target scale or scaler statistic
// float32 cannot hold — or whose model.json contradicts its architecture or its CSV settings is a
// FormatError naming the file, the key or field and the value (a table or sequence model's inputs,
// target, scaler and columns too), and eval/predict/export exit 1 before
// writing anything; data lacking one of the model's channels is a DataError naming the channel and
// the model folder, and data with its columns in another order still reads them by name.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/model-folder/format.js';
import { Linear } from '../../src/nn/linear.js';
import { ReLU } from '../../src/nn/relu.js';
import { Sequential } from '../../src/nn/sequential.js';
import { run, tempDir, trainSmallModel } from './io.js';

/** Overwrites element `index` of `key` in a safetensors file: an 8-byte little-endian header length, the JSON header, then raw little-endian data. */
function writeWeight(file: string, key: string, index: number, value: number): void {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const entry = JSON.parse(bytes.toString('utf8', 8, 8 + n))[key];
  expect(entry?.dtype, key).toBe('F32');
  bytes.writeFloatLE(value, 8 + n + entry.data_offsets[0] + 4 * index);
  writeFileSync(file, bytes);
}

/** Sets every element of `key` in a safetensors file to `value` (the layout as for writeWeight). */
function fillWeight(file: string, key: string, value: number): void {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const [begin, end] = JSON.parse(bytes.toString('utf8', 8, 8 + n))[key].data_offsets;
  for (let at = 8 + n + begin; at < 8 + n + end; at += 4) bytes.writeFloatLE(value, at);
  writeFileSync(file, bytes);
}

/** model.json of `dir` changed by `edit` (which may mutate it in place). */
function editConfig(dir: string, edit: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
}

/** A copy of the model folder `from`, damaged by `damage`. */
function damaged(from: string, damage: (dir: string) => void): string {
  const dir = join(tempDir(), 'model');
  cpSync(from, dir, { recursive: true });
  damage(dir);
  return dir;
}

/** A CSV with a header: unit, time, then `columns` (each a smooth function of unit and time), 50 rows per unit. */
function writeCsv(file: string, columns: readonly string[], units = 6): void {
  const value: Record<string, (u: number, t: number) => number> = {
    a: (u, t) => 100 + t * 0.5 + u,
    b: (u, t) => Math.sin(t / 7 + u),
    c: (u, t) => 20 + Math.cos(t / 5) * u,
    d: (u, t) => u * t,
  };
  const lines = [['unit', 'time', ...columns].join(',')];
  for (let u = 1; u <= units; u++) for (let t = 1; t <= 50; t++) lines.push([u, t, ...columns.map((c) => value[c]!(u, t).toFixed(4))].join(','));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** keel eval, predict and export on `dir` all fail with exit status 1 and a message matching `message`; predict writes no CSV and export no ONNX file. */
async function refusedEverywhere(dir: string, message: RegExp): Promise<void> {
  const out = tempDir();
  const e = await run('eval', '--model', dir, '--data', 'runtofailure', '--units', '2', '--json');
  const p = await run('predict', '--model', dir, '--data', 'runtofailure', '--units', '2', '--out', join(out, 'p.csv'));
  const x = await run('export', '--model', dir, '--onnx', join(out, 'm.onnx'));
  for (const [name, r] of [['eval', e], ['predict', p], ['export', x]] as const) {
    expect(r.status, `${name}: ${r.stderr}`).toBe(1);
    expect(r.stderr, name).toMatch(message);
    expect(r.stdout, name).toBe('');
  }
  expect(existsSync(join(out, 'p.csv'))).toBe(false);
  expect(existsSync(join(out, 'm.onnx'))).toBe(false);
}

let model: string; // built-in data: 14 channels of 21 sensors, window 30
let csvModel: string; // csv:abc.csv, channels a, b, c, data.columns null
let csvDir: string;
beforeAll(async () => {
  model = await trainSmallModel();
  csvDir = tempDir();
  writeCsv(join(csvDir, 'abc.csv'), ['a', 'b', 'c']);
  csvModel = join(csvDir, 'model');
  const r = await run('train', '--data', `csv:${join(csvDir, 'abc.csv')}`, '--epochs', '1', '--out', csvModel);
  if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
});

describe('a model folder with values that would predict junk is refused at load', () => {
  it('the untouched folders load and predict finite numbers (the control for every case below)', async () => {
    const e = await run('eval', '--model', model, '--data', 'runtofailure', '--units', '2', '--json');
    expect(e.status, e.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(e.stdout).rmse)).toBe(true);
    const c = await run('eval', '--model', csvModel, '--data', `csv:${join(csvDir, 'abc.csv')}`, '--json');
    expect(c.status, c.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(c.stdout).rmse)).toBe(true);
  });

  it.each([
    ['a NaN weight', '0.weight', 17, NaN, /model\.safetensors: every value of "0\.weight" must be finite, got NaN at \[0, 5, 2\] \(index 17 of shape \(64, 14, 3\)\)/],
    ['an infinite bias', '16.bias', 0, -Infinity, /model\.safetensors: every value of "16\.bias" must be finite, got -Infinity at \[0\]/],
    ['a NaN running mean', '5.running_mean', 3, NaN, /model\.safetensors: every value of "5\.running_mean" must be finite, got NaN at \[3\]/],
    ['a negative running_var', '1.running_var', 7, -0.5, /model\.safetensors: every value of "1\.running_var" must be finite and ≥ 0 \(a variance\), got -0\.5 at \[7\]/],
  ])('%s in model.safetensors: eval, predict and export exit 1 naming the file, key, index and value', async (_what, key, index, value, message) => {
    const dir = damaged(model, (d) => writeWeight(join(d, 'model.safetensors'), key, index, value));
    await refusedEverywhere(dir, message);
  });

  it('finite weights too large to compute with (an infinite output for a zero input) are refused too', async () => {
    const dir = damaged(model, (d) => {
      fillWeight(join(d, 'model.safetensors'), '13.bias', 1e30); // every hidden unit ≈ 1e30 …
      fillWeight(join(d, 'model.safetensors'), '16.weight', 1e30); // … times 1e30 overflows float32
    });
    await refusedEverywhere(dir, /model\.safetensors: the model's output for an all-zero input of shape \(1, 14, 30\) is Infinity, although every weight is finite/);
  });

  it.each([
    ['target.scale 1e308 (Infinity in float32)', (j: Record<string, any>) => (j.target.scale = 1e308), /model\.json: "target\.scale" must be a positive number that float32 holds .*, got 1e\+308/],
    ['target.scale 1e-300 (0 in float32)', (j: Record<string, any>) => (j.target.scale = 1e-300), /model\.json: "target\.scale" must be a positive number that float32 holds .*, got 1e-300/],
    ['target.cap -5', (j: Record<string, any>) => (j.target.cap = -5), /model\.json: "target\.cap" must be a positive number .*, got -5/],
    ['a scaler mean of 1e300', (j: Record<string, any>) => (j.scaler.mean[0][3] = 1e300), /model\.json: "scaler\.mean\[0\]\[3\]" must be a number that float32 holds .*column "s4"\), got 1e\+300/],
    ['a scaler scale of 1e-300', (j: Record<string, any>) => (j.scaler.scale[0][1] = 1e-300), /model\.json: "scaler\.scale\[0\]\[1\]" must be a positive number that float32 holds .*column "s2"\), got 1e-300/],
    ['a negative scaler scale', (j: Record<string, any>) => (j.scaler.scale[0][1] = -2), /model\.json: Standardizer\.fromJSON: mean\[0\]\[1\] = .* and scale\[0\]\[1\] = -2: scale must be positive/],
    ['a scaler without column names', (j: Record<string, any>) => (j.scaler.columns = null), /model\.json: "scaler\.columns" must be the names of the columns it was fitted on/],
  ])('%s in model.json: exit 1 naming the file, the field and the value', async (_what, edit, message) => {
    await refusedEverywhere(damaged(model, (d) => editConfig(d, edit)), message);
  });

  it('a classifier with a NaN bias (or labels or a layout its architecture contradicts) is refused too', async () => {
    const dir = join(tempDir(), 'classifier');
    mkdirSync(dir);
    const labels = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    const mlp = new Sequential(new Linear(784, 16), new ReLU(), new Linear(16, 10));
    await saveModel(dir, { model: mlp, layout: 'flat', target: { name: 'classification', labels }, data: { kind: 'fashion-mnist' }, seed: 0 }, {});
    const onnx = join(tempDir(), 'c.onnx');
    const good = await run('export', '--model', dir, '--onnx', onnx);
    expect(good.status, good.stderr).toBe(0);

    const cases: [(d: string) => void, RegExp][] = [
      [(d) => writeWeight(join(d, 'model.safetensors'), '2.bias', 4, NaN), /model\.safetensors: every value of "2\.bias" must be finite, got NaN at \[4\]/],
      [(d) => editConfig(d, (j) => j.target.labels.pop()), /model\.json: the architecture must give \(N, 9\) \("target\.labels" lists 9 labels, one logit each\), got \(1, 10\)/],
      [(d) => editConfig(d, (j) => (j.layout = 'sequence')), /model\.json: "layout" \("sequence"\) does not fit the architecture: an input of shape \(1, 28, 28\) fails with ShapeError: Linear\(784→16\)/],
    ];
    for (const [damage, message] of cases) {
      const r = await run('export', '--model', damaged(dir, damage), '--onnx', join(tempDir(), 'x.onnx'));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('model.json fields that contradict the architecture or cannot read a CSV are refused at load', () => {
  it.each([
    ['window 20 for a model built for 30', (j: Record<string, any>) => (j.window = 20),
      /model\.json: "window" \(20\) and "channels" \(14: s2, .*\) do not fit the architecture: an input of shape \(1, 14, 20\) fails with ShapeError: Linear\(1920→128\): expected input \(\*, 1920\), got \(1, 1280\)/],
    ['13 of the 14 channels', (j: Record<string, any>) => j.channels.pop(),
      /model\.json: "window" \(30\) and "channels" \(13: .*\) do not fit the architecture: an input of shape \(1, 13, 30\) fails with ShapeError: Conv1d\(14→64\)/],
    ['a channel listed twice', (j: Record<string, any>) => (j.channels[1] = j.channels[0]), /model\.json: "channels" must be distinct column names \("s2" is listed twice\)/],
    ['a channel the scaler was not fitted on', (j: Record<string, any>) => (j.channels[0] = 'pressure'), /model\.json: "scaler\.columns" must be the columns it was fitted on, every channel among them \(missing "pressure"\)/],
  ])('%s: exit 1 naming model.json and the fields', async (_what, edit, message) => {
    await refusedEverywhere(damaged(model, (d) => editConfig(d, edit)), message);
  });

  it.each([
    ['delimiter "ab"', { delimiter: 'ab' }, /model\.json: "data\.delimiter" must be one character \(not a quote or line break\) or "whitespace", got "ab"/],
    ['a quote as delimiter', { delimiter: '"' }, /"data\.delimiter" must be one character/],
    ['header "yes"', { header: 'yes' }, /model\.json: "data\.header" must be true or false, got "yes"/],
    ['columns [99] for 3 channels', { columns: [99] }, /model\.json: "data\.columns" must be one column per channel \(3: a, b, c\), got \[99\]/],
    ['columns naming another column', { columns: ['a', 'b', 'x'] }, /model\.json: "data\.columns\[2\]" must be the column of channel 2, "c", got "x"/],
    ['headerless columns that are not the channels', { header: false, columns: [2, 3, 4] }, /model\.json: "data\.columns\[0\]" must be the column of channel 0, "a", got 2/],
    ['the unit column among the columns', { unit: 'a', columns: ['a', 'b', 'c'] }, /model\.json: "data\.columns\[0\]" must be a column other than "data\.unit" and "data\.time", got "a"/],
    ['unit and time the same column', { unit: 0, time: 0 }, /model\.json: "data\.time" must be a column name or 0-based index other than "data\.unit", got 0/],
    ['a negative unit column', { unit: -1 }, /model\.json: "data\.unit" must be a column name or 0-based index, got -1/],
  ])('data.* with %s: eval exits 1 naming model.json and the field', async (_what, change, message) => {
    const dir = damaged(csvModel, (d) => editConfig(d, (j) => Object.assign(j.data, change)));
    const r = await run('eval', '--model', dir, '--data', `csv:${join(csvDir, 'abc.csv')}`);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(join(dir, 'model.json'));
  });

  it('an architecture from --model-config is checked the same way', async () => {
    const config = join(csvDir, 'arch.json');
    writeFileSync(config, JSON.stringify({
      type: 'Sequential',
      children: [
        { type: 'Conv1d', options: { inChannels: 3, outChannels: 4, kernelSize: 5 } },
        { type: 'ReLU' },
        { type: 'Flatten' },
        { type: 'Linear', options: { inFeatures: 4 * 26, outFeatures: 1 } },
      ],
    }));
    const m = join(tempDir(), 'custom');
    const t = await run('train', '--data', `csv:${join(csvDir, 'abc.csv')}`, '--model-config', config, '--epochs', '1', '--out', m);
    expect(t.status, t.stderr).toBe(0);
    const ok = await run('eval', '--model', m, '--data', `csv:${join(csvDir, 'abc.csv')}`);
    expect(ok.status, ok.stderr).toBe(0);
    const r = await run('eval', '--model', damaged(m, (d) => editConfig(d, (j) => (j.window = 31))), '--data', `csv:${join(csvDir, 'abc.csv')}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/model\.json: "window" \(31\) and "channels" \(3: a, b, c\) do not fit the architecture: .*Linear\(104→1\): expected input \(\*, 104\), got \(1, 108\)/);
  });
});

describe('a table model\'s model.json (--target) is checked the same way', () => {
  let tableModel: string, tableCsv: string;
  beforeAll(async () => {
    tableCsv = join(csvDir, 'table.csv');
    writeFileSync(tableCsv, `p,q,y\n${Array.from({ length: 30 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 2 ? 'odd' : 'even'}`).join('\n')}\n`);
    tableModel = join(tempDir(), 'table');
    const r = await run('train', '--data', `csv:${tableCsv}`, '--target', 'y', '--epochs', '1', '--out', tableModel);
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
  });

  it.each([
    ['the untouched folder (the control)', () => {}, null],
    ['one feature dropped (and its scaler statistics)', (j: Record<string, any>) => {
      j.features.pop();
      for (const key of ['columns', 'mean', 'scale']) j.scaler[key] = key === 'columns' ? j.scaler.columns.slice(0, 1) : j.scaler[key].map((row: number[]) => row.slice(0, 1));
    }, /model\.json: "features" \(1: p\) do not fit the architecture: an input of shape \(1, 1\) fails with ShapeError: Linear\(2→128\)/],
    ['the target among the features', (j: Record<string, any>) => (j.target.column = 'p'), /model\.json: "target\.column" must be a column that is not a feature, got "p"/],
    ['one label', (j: Record<string, any>) => (j.target.labels = ['odd']), /model\.json: "target\.labels" must be at least two label names, got \["odd"\]/],
    ['a third label', (j: Record<string, any>) => j.target.labels.push('prime'), /model\.json: the architecture must give \(N, 3\) \("target\.labels" lists 3 labels, one logit each\), got \(1, 2\)/],
    ['a regression target without a scale', (j: Record<string, any>) => (j.target = { name: 'regression', column: 'y', mean: 1 }), /model\.json: "target\.scale" must be a positive number that float32 holds/],
    ['no header setting', (j: Record<string, any>) => delete j.data.header, /model\.json: "data\.header" must be true or false, got undefined/],
    ['a scaler fitted on the features in another order', (j: Record<string, any>) => j.scaler.columns.reverse(), /model\.json: "scaler\.columns" must be the features, in their order \(p, q\), got \["q","p"\]/],
  ])('%s', async (_what, edit, message) => {
    const dir = damaged(tableModel, (d) => editConfig(d, edit));
    const r = await run('eval', '--model', dir, '--data', `csv:${tableCsv}`, '--json');
    if (message === null) {
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).samples).toBe(30);
      return;
    }
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('a sequence model\'s model.json (--target --unit-column) is checked the same way', () => {
  let seqModel: string, seqCsv: string;
  beforeAll(async () => {
    seqCsv = join(csvDir, 'sequences.csv');
    const rows = Array.from({ length: 12 }, (_, i) => Array.from({ length: 10 }, (_, t) => `${i},${t},${Math.sin(i + t)},${Math.cos(i * t)},${i % 2 ? 'odd' : 'even'}`)).flat();
    writeFileSync(seqCsv, `id,t,p,q,y\n${rows.join('\n')}\n`);
    seqModel = join(tempDir(), 'sequences');
    const r = await run('train', '--data', `csv:${seqCsv}`, '--target', 'y', '--unit-column', 'id', '--time-column', 't', '--window', '6', '--stride', '2', '--epochs', '1', '--out', seqModel);
    if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
  });

  it.each([
    ['the untouched folder (the control)', () => {}, null],
    ['a window the architecture cannot take', (j: Record<string, any>) => (j.window = 7), /model\.json: "window" \(7\) and "channels" \(2: p, q\) do not fit the architecture: an input of shape \(1, 2, 7\) fails/],
    ['a stride of 0', (j: Record<string, any>) => (j.stride = 0), /model\.json: "stride" must be a positive integer, got 0/],
    ['the target among the channels', (j: Record<string, any>) => (j.target.column = 'q'), /model\.json: "target\.column" must be a column that is not a channel, got "q"/],
    ['the time column the unit column', (j: Record<string, any>) => (j.data.time = 'id'), /model\.json: "data\.time" must be null \(rows in file order\) or a column name or 0-based index other than "data\.unit", got "id"/],
    ['no unit column', (j: Record<string, any>) => delete j.data.unit, /model\.json: "data\.unit" must be a column name or 0-based index, got undefined/],
    ['a scaler fitted on the channels in another order', (j: Record<string, any>) => j.scaler.columns.reverse(), /model\.json: "scaler\.columns" must be the channels, in their order \(p, q\), got \["q","p"\]/],
    ['an unknown standardisation', (j: Record<string, any>) => (j.standardize = 'each'), /model\.json: "standardize" must be "training" or "sequence", got "each"/],
    ['a folder from before --standardize (no field): the training statistics', (j: Record<string, any>) => delete j.standardize, null],
    ['a ts source with CSV fields', (j: Record<string, any>) => (j.data.format = 'ts'), /model\.json: "data" must be \{ "kind": "sequences", "format": "ts" \} or a CSV file's unit, time, delimiter and header/],
  ])('%s', async (_what, edit, message) => {
    const dir = damaged(seqModel, (d) => editConfig(d, edit));
    const r = await run('eval', '--model', dir, '--data', `csv:${seqCsv}`, '--json');
    if (message === null) {
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).samples).toBe(12);
      return;
    }
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('data that does not hold the model\'s channels', () => {
  it('built-in data for a CSV model names the missing channels and the model folder', async () => {
    const r = await run('eval', '--model', csvModel, '--data', 'runtofailure', '--units', '2');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`DataError: --data runtofailure lacks columns "a", "b", "c", which the model in ${csvModel} was trained on (channels a, b, c); its columns are s1, s2,`);
  });

  it("a file without a header row, for a model of named channels: the error says to add one", async () => {
    const file = join(csvDir, 'FD-like.txt'); // NASA's layout: unit, cycle, then 24 values, no header
    writeFileSync(file, Array.from({ length: 40 }, (_, t) => [1, t + 1, ...Array.from({ length: 24 }, (_, c) => c + t / 100)].join(' ')).join('\n'));
    const r = await run('predict', '--model', model, '--data', `csv:${file}`, '--last');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('its columns are c2, c3,');
    expect(r.stderr).toContain('; a file without a header row names its columns c0, c1, …: add a header row that names them (s2, s3,');
  });

  it('a CSV lacking one column names it; with data.columns saved, the CsvError names model.json', async () => {
    const file = join(csvDir, 'ab.csv');
    writeCsv(file, ['a', 'b'], 2);
    for (const command of ['eval', 'predict']) {
      const r = await run(command, '--model', csvModel, '--data', `csv:${file}`);
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toContain(`DataError: --data csv:${file} lacks column "c", which the model in ${csvModel} was trained on (channels a, b, c); its columns are a, b`);
    }
    const named = damaged(csvModel, (d) => editConfig(d, (j) => (j.data.columns = ['a', 'b', 'c'])));
    const r = await run('predict', '--model', named, '--data', `csv:${file}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`CsvError: ${file}:1: ${join(named, 'model.json')} "data.columns[2]": column "c" not found (columns: "unit", "time", "a", "b") (how the model's training data was read; --columns reads another)`);
  });

  it('columns in another order, or an extra one, are read by name: the same predictions', async () => {
    const shuffled = join(csvDir, 'cdba.csv');
    writeCsv(shuffled, ['c', 'd', 'b', 'a']);
    const want = await run('predict', '--model', csvModel, '--data', `csv:${join(csvDir, 'abc.csv')}`);
    const got = await run('predict', '--model', csvModel, '--data', `csv:${shuffled}`);
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe(want.stdout);
  });
});
