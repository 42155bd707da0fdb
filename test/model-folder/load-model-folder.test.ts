// loadModelFolder(dir).predict(inputs): a folder keel train wrote, used from Node, gives the numbers
// keel predict prints for the same data — a RUL model (each unit's last window, Monte-Carlo dropout
// too), table models (a classifier with text labels, a regressor), a sequence model read from a .ts
// file, a Fashion-MNIST classifier — rows as arrays or as objects keyed by column, short units padded
// with their first row, concurrent calls as if made one after another, a warning for data far from
// the training data, and the errors a caller meets.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/datasets/fashion-mnist.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { AbortError, DataError, FormatError, OptionError, StorageError } from '../../src/errors.js';
import { readIdxArray } from '../../src/data/idx.js';
import { loadModelFolder, type ClassPrediction, type ModelFolder, type ValuePrediction } from '../../src/model-folder/index.js';
import { run, tempDir, trainSmallModel } from '../cli/io.js';

/** A deterministic value in [−1, 1) for (i, k). */
const u = (i: number, k: number): number => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
};

/** keel predict's CSV: its header and its rows as cells. */
async function keelPredict(...argv: string[]): Promise<{ header: string[]; rows: string[][] }> {
  const r = await run('predict', ...argv);
  if (r.status !== 0) throw new Error(`keel predict failed (${r.status}): ${r.stderr}`);
  const [header, ...rows] = r.stdout.trim().split('\n').map((line) => line.split(','));
  return { header: header!, rows };
}

/** keel predict's number formats: RUL with three decimals, a table's target with six significant digits, probabilities with six decimals. */
const fixed3 = (v: number) => v.toFixed(3);
const sig6 = (v: number) => String(Number(v.toPrecision(6)));
const fixed6 = (v: number) => v.toFixed(6);

/** A classifier's predictions as keel predict's cells: class, label, then every probability. */
const classCells = (p: ClassPrediction[]) => p.map((q) => [String(q.index), q.label, ...q.probabilities.map(fixed6)]);

describe('loadModelFolder: a RUL model', () => {
  let folder: ModelFolder, dir: string;
  const test = runToFailure({ seed: 0, testUnits: 3 }).test;
  // Each unit's readings as objects keyed by every sensor (the model reads some of them).
  const readings = test.units.map((unit) => {
    const [T, C] = unit.values.shape as [number, number];
    return Array.from({ length: T }, (_, t) => Object.fromEntries(test.columns.map((name, c) => [name, unit.values.data[t * C + c]!])));
  });
  beforeAll(async () => {
    dir = await trainSmallModel();
    folder = await loadModelFolder(dir);
  }, 60_000);

  it('describes the model: kind, channels, window, no labels, eval mode', () => {
    expect(folder.kind).toBe('rul');
    expect(folder.window).toBe(30);
    expect(folder.labels).toBeNull();
    expect(folder.columns.length).toBeGreaterThan(0);
    expect(folder.columns.every((c) => test.columns.includes(c))).toBe(true);
    expect(folder.module.training).toBe(false);
  });

  it("gives each unit's RUL from its last window, as keel predict --last prints it", async () => {
    const cli = await keelPredict('--model', dir, '--data', 'runtofailure', '--units', '3', '--last');
    const got = (await folder.predict(readings)) as ValuePrediction[];
    expect(got.map((p) => fixed3(p.value))).toEqual(cli.rows.map((row) => row[2]));
    expect(got.every((p) => p.std === undefined)).toBe(true);
    // The same rows as arrays in the model's channel order give the same bits.
    const positional = readings.map((rows) => rows.map((row) => folder.columns.map((c) => row[c]!)));
    expect(await folder.predict(positional)).toEqual(got);
  });

  it('with mcDropout, the mean and std keel predict --last --mc-dropout prints for the same seed', async () => {
    const cli = await keelPredict('--model', dir, '--data', 'runtofailure', '--units', '3', '--last', '--mc-dropout', '6', '--seed', '4');
    const got = (await folder.predict(readings, { mcDropout: { samples: 6, seed: 4 } })) as ValuePrediction[];
    expect(got.map((p) => [fixed3(p.value), fixed3(p.std!)])).toEqual(cli.rows.map((row) => [row[2], row[3]]));
    expect(got.every((p) => p.std! > 0)).toBe(true);
  });

  it("with windows: 'all', each unit's RUL at every window, as keel predict prints it, with mcDropout too", async () => {
    const cli = await keelPredict('--model', dir, '--data', 'runtofailure', '--units', '3');
    const got = await folder.predict(readings, { windows: 'all' });
    expect(got.map((unit) => unit.length)).toEqual(readings.map((rows) => rows.length - 29));
    // CSV rows: unit, time (the cycle: row + 1), rul.
    expect(got.flatMap((unit) => unit.map((p) => [String(p.end + 1), fixed3(p.value)]))).toEqual(cli.rows.map((row) => [row[1], row[2]]));
    // Its last window per unit is what windows: 'last' gives, up to rounding (the window's place in the batch differs).
    const last = (await folder.predict(readings)) as ValuePrediction[];
    got.forEach((unit, i) => expect(unit.at(-1)!.value).toBeCloseTo(last[i]!.value, 3));
    const mc = await keelPredict('--model', dir, '--data', 'runtofailure', '--units', '3', '--mc-dropout', '5', '--seed', '2');
    const mcGot = await folder.predict(readings, { windows: 'all', mcDropout: { samples: 5, seed: 2 } });
    expect(mcGot.flat().map((p) => [fixed3(p.value), fixed3(p.std!)])).toEqual(mc.rows.map((row) => [row[2], row[3]]));
  });

  it("with windows: 'all', a unit shorter than the window has no window, and the others are unchanged", async () => {
    const short = readings[0]!.slice(0, 29);
    const [none, full] = await folder.predict([short, readings[1]!], { windows: 'all' });
    expect(none).toEqual([]);
    expect(full).toEqual((await folder.predict([readings[1]!], { windows: 'all' }))[0]);
    expect(await folder.predict([short, short], { windows: 'all' })).toEqual([[], []]);
    await expect(folder.predict([short], { windows: 'every' } as never)).rejects.toThrow("windows must be 'last' or 'all', got \"every\"");
  });

  it('pads a unit shorter than the window with its first row, and ignores readings older than the window', async () => {
    const short = readings[0]!.slice(0, 5);
    const padded = [...Array.from({ length: 25 }, () => short[0]!), ...short];
    const [a, b] = await folder.predict([short, padded]);
    expect(a).toEqual(b);
    const long = readings[1]!;
    const [c, d] = await folder.predict([long, long.slice(-30)]);
    expect(c).toEqual(d);
  });

  it('runs calls made at once one after another: the same results as made in turn', async () => {
    // Enough units for several batches: predict yields to the event loop between them.
    const many = Array.from({ length: 200 }, () => readings).flat();
    const mc = { mcDropout: { samples: 3, seed: 9 } };
    const alone = [await folder.predict(many, mc), await folder.predict(many)];
    expect(await Promise.all([folder.predict(many, mc), folder.predict(many)])).toEqual(alone);
  });

  it.each([
    [[], 'inputs is empty'],
    [[[]], 'inputs[0] must be a non-empty array of rows'],
    [[[{ s2: 1 }]], 'inputs[0][0] lacks'],
    [[[[1, 2]]], 'inputs[0][0]: expected'],
    [[['text']], 'inputs[0][0]: expected an array of'],
  ])('%j is a DataError naming the input and the row', async (inputs, message) => {
    const error = await folder.predict(inputs as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(message);
  });

  it('data far from the training data gets one process warning per folder and channel (KEEL_FAR_INPUTS), and its predictions', async () => {
    const seen: string[] = [];
    const listener = (w: Error & { code?: string }) => {
      if (w.code === 'KEEL_FAR_INPUTS') seen.push(w.message);
    };
    process.on('warning', listener);
    try {
      const own = await loadModelFolder(dir);
      const channel = own.columns[0]!;
      await own.predict(readings); // like the training data: quiet
      const moved = readings.map((rows) => rows.map((row) => ({ ...row, [channel]: row[channel]! + 1000 })));
      const got = (await own.predict(moved)) as ValuePrediction[];
      expect(got).toHaveLength(3);
      await own.predict(moved); // said once: a server predicting all day is not flooded
      await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
      expect(seen).toEqual([expect.stringMatching(new RegExp(`^ModelFolder\\.predict: the data is far from the model's training data: mean \\|z\\| ${channel} \\(`))]);
      expect(seen[0]).toContain(`(${dir})`);
    } finally {
      process.off('warning', listener);
    }
  });

  it('a value that is not a finite float32 number is a DataError naming the input, the row and the column', async () => {
    for (const bad of [Number.NaN, Infinity, 1e39, '3', null]) {
      const rows = readings[0]!.slice(0, 3).map((row) => ({ ...row }));
      (rows[2] as Record<string, unknown>)[folder.columns[1]!] = bad;
      const error = await folder.predict([rows]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toContain(`inputs[0][2]: column "${folder.columns[1]}" must be a finite number`);
    }
    // The failed calls leave the folder usable.
    expect(await folder.predict([readings[0]!])).toHaveLength(1);
  });

  it('bad options and folders are typed errors', async () => {
    await expect(folder.predict([readings[0]!], { mcDropot: {} } as never)).rejects.toThrow(OptionError);
    await expect(folder.predict([readings[0]!], { mcDropout: { samples: 1 } })).rejects.toThrow(/samples/);
    await expect(folder.predict([readings[0]!], { mcDropout: { samples: 4, transform: (t: unknown) => t } } as never)).rejects.toThrow(OptionError);
    await expect(folder.predict([readings[0]!], { mcDropout: 4 } as never)).rejects.toThrow('mcDropout must be an object');
    await expect(folder.predict([readings[0]!], { signal: AbortSignal.abort() })).rejects.toThrow(AbortError);
    await expect(loadModelFolder('')).rejects.toThrow(OptionError);
    await expect(loadModelFolder(join(tempDir(), 'none'))).rejects.toThrow(StorageError);
    await expect(loadModelFolder(join(dir, 'model.json'))).rejects.toThrow(`${join(dir, 'model.json')} is a file; give the model folder that holds it (${dir}), as keel train wrote it`);
    const damaged = tempDir();
    writeFileSync(join(damaged, 'model.json'), '{"format":"keel-model"}');
    await expect(loadModelFolder(damaged)).rejects.toThrow(FormatError);
  });
});

describe('loadModelFolder: table models', () => {
  const rows = Array.from({ length: 300 }, (_, i) => [u(i, 1), u(i, 2), u(i, 3)]);
  let tmp: string, classFile: string, valueFile: string;
  beforeAll(() => {
    tmp = tempDir();
    classFile = join(tmp, 'classes.csv');
    writeFileSync(classFile, `a,b,c,kind\n${rows.map(([a, b, c]) => `${a},${b},${c},${a! + b! < -0.3 ? 'low' : a! > b! ? 'east' : 'north'}`).join('\n')}\n`);
    valueFile = join(tmp, 'values.csv');
    writeFileSync(valueFile, `a;b;c;y\n${rows.map(([a, b, c]) => `${a};${b};${c};${50 + 8 * a! - 5 * b! + 2 * a! * c!}`).join('\n')}\n`);
  });
  const asObjects = (order: string[]) => rows.slice(0, 40).map((r) => Object.fromEntries(order.map((name) => [name, r['abc'.indexOf(name)]!])));

  it('a classifier: label, index and probabilities as keel predict prints them, for rows keyed by name in any order', async () => {
    const dir = join(tmp, 'classifier');
    const t = await run('train', '--data', `csv:${classFile}`, '--target', 'kind', '--epochs', '3', '--out', dir);
    expect(t.status).toBe(0);
    const folder = await loadModelFolder(dir);
    expect(folder).toMatchObject({ kind: 'table', columns: ['a', 'b', 'c'], labels: ['east', 'low', 'north'], window: null });
    writeFileSync(join(tmp, 'new.csv'), `c,a,b\n${rows.slice(0, 40).map(([a, b, c]) => `${c},${a},${b}`).join('\n')}\n`);
    const cli = await keelPredict('--model', dir, '--data', `csv:${join(tmp, 'new.csv')}`);
    expect(cli.header).toEqual(['index', 'class', 'label', 'east', 'low', 'north']);
    const got = (await folder.predict(asObjects(['c', 'a', 'b']))) as ClassPrediction[];
    expect(classCells(got)).toEqual(cli.rows.map((row) => row.slice(1)));
    expect(got.every((p) => Math.abs(p.probabilities.reduce((s, v) => s + v, 0) - 1) < 1e-5)).toBe(true);
    const mc = (await folder.predict(asObjects(['a', 'b', 'c']), { mcDropout: { samples: 5, seed: 2 } })) as ClassPrediction[];
    const cliMc = await keelPredict('--model', dir, '--data', `csv:${join(tmp, 'new.csv')}`, '--mc-dropout', '5', '--seed', '2');
    expect(mc.map((p) => [String(p.index), p.label, fixed6(p.std!), ...p.probabilities.map(fixed6)])).toEqual(cliMc.rows.map((row) => row.slice(1)));
  }, 60_000);

  it('a regressor: the target in its units, as keel predict prints it', async () => {
    const dir = join(tmp, 'regressor');
    const t = await run('train', '--data', `csv:${valueFile}`, '--target', 'y', '--epochs', '3', '--out', dir);
    expect(t.status).toBe(0);
    const folder = await loadModelFolder(dir);
    expect(folder).toMatchObject({ kind: 'table', labels: null });
    writeFileSync(join(tmp, 'new-values.csv'), `a;b;c\n${rows.slice(0, 40).map((r) => r.join(';')).join('\n')}\n`);
    const cli = await keelPredict('--model', dir, '--data', `csv:${join(tmp, 'new-values.csv')}`);
    const got = (await folder.predict(rows.slice(0, 40))) as ValuePrediction[];
    expect(got.map((p) => sig6(p.value))).toEqual(cli.rows.map((row) => row[1]));
    await expect(folder.predict([[1, 2]])).rejects.toThrow('inputs[0]: expected 3 values (a, b, c), got 2');
    await expect(folder.predict([{ a: 1, b: 2 }])).rejects.toThrow('inputs[0] lacks "c"');
    await expect(folder.predict(rows.slice(0, 2), { windows: 'all' })).rejects.toThrow("windows: 'all' is for a RUL model's units (kind 'rul'); this folder's model is of kind 'table'");
  }, 60_000);
});

describe('loadModelFolder: a sequence model from a .ts file', () => {
  const LABELS = ['slow', 'fast', 'flat'];
  // Case i: 16–24 steps of two channels, its class setting the frequency.
  const cases = Array.from({ length: 45 }, (_, i) => {
    const c = i % 3, phase = 3 * u(i, 1), freq = [0.35, 1.3, 0][c]!;
    const rows = Array.from({ length: 16 + ((i * 7) % 9) }, (_, t) => [
      Number((Math.sin(freq * t + phase) + 0.2 * u(i, 10 + t)).toFixed(4)),
      Number(((c === 2 ? 0.8 : Math.cos(freq * t + phase)) + 0.2 * u(i, 50 + t)).toFixed(4)),
    ]);
    return { label: LABELS[c]!, rows };
  });
  const tsText = (list: typeof cases) => `@problemName Waves\n@univariate false\n@dimensions 2\n@equalLength false\n@classLabel true ${LABELS.join(' ')}\n@data\n${list
    .map((s) => `${[0, 1].map((d) => s.rows.map((r) => r[d]).join(',')).join(':')}:${s.label}`).join('\n')}\n`;

  it("each sequence's label and probabilities (the mean over its windows), as keel predict prints them, with --standardize sequence", async () => {
    const tmp = tempDir(), train = join(tmp, 'Waves_TRAIN.ts'), test = join(tmp, 'Waves_TEST.ts'), dir = join(tmp, 'model');
    writeFileSync(train, tsText(cases.slice(0, 36)));
    writeFileSync(test, tsText(cases.slice(36)));
    const t = await run('train', '--data', `ts:${train}`, '--window', '12', '--stride', '3', '--standardize', 'sequence', '--epochs', '3', '--out', dir);
    expect(t.status).toBe(0);
    const folder = await loadModelFolder(dir);
    expect(folder).toMatchObject({ kind: 'sequences', columns: ['dim_0', 'dim_1'], window: 12, labels: ['fast', 'flat', 'slow'] });
    const cli = await keelPredict('--model', dir, '--data', `ts:${test}`);
    const got = (await folder.predict(cases.slice(36).map((s) => s.rows))) as ClassPrediction[];
    expect(classCells(got)).toEqual(cli.rows.map((row) => row.slice(1)));
    const cliMc = await keelPredict('--model', dir, '--data', `ts:${test}`, '--mc-dropout', '4', '--seed', '1');
    const mc = (await folder.predict(cases.slice(36).map((s) => s.rows), { mcDropout: { samples: 4, seed: 1 } })) as ClassPrediction[];
    expect(mc.map((p) => fixed6(p.std!))).toEqual(cliMc.rows.map((row) => row[3]));
    await expect(folder.predict([cases[0]!.rows], { signal: AbortSignal.abort(), mcDropout: { samples: 2 } })).rejects.toThrow(AbortError);
  }, 60_000);
});

const installed = existsSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')) || existsSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte'));
describe.skipIf(!installed)('loadModelFolder: a Fashion-MNIST classifier', () => {
  it('classifies images of 784 pixel values as keel predict does, in both layouts', async () => {
    const file = ['t10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte'].map((f) => join(FASHION_MNIST_DIR, f)).find(existsSync)!;
    const images = await readIdxArray(file);
    const pixels = Array.from({ length: 12 }, (_, n) => images.data.subarray(n * 784, (n + 1) * 784) as Uint8Array);
    for (const model of ['mlp', 'backbone']) {
      const dir = join(tempDir(), model);
      const t = await run('train', '--data', 'fashion-mnist', '--model', model, '--limit', '300', '--epochs', '1', '--out', dir);
      expect(t.status).toBe(0);
      const folder = await loadModelFolder(dir);
      expect(folder).toMatchObject({ kind: 'images', columns: [] });
      const cli = await keelPredict('--model', dir, '--data', 'fashion-mnist', '--limit', '12');
      expect(classCells((await folder.predict(pixels)) as ClassPrediction[])).toEqual(cli.rows.map((row) => row.slice(1)));
      expect((await folder.predict([Array.from(pixels[0]!)]))[0]).toEqual((await folder.predict([pixels[0]!]))[0]);
    }
  }, 120_000);

  it('an image of the wrong size or with a pixel outside [0, 255] is a DataError', async () => {
    const dir = join(tempDir(), 'mlp');
    expect((await run('train', '--data', 'fashion-mnist', '--limit', '100', '--epochs', '1', '--out', dir)).status).toBe(0);
    const folder = await loadModelFolder(dir);
    await expect(folder.predict([new Uint8Array(783)])).rejects.toThrow('inputs[0] must be an image of 784 pixel values');
    await expect(folder.predict([Array.from({ length: 784 }, (_, k) => (k === 5 ? 256 : 0))])).rejects.toThrow('inputs[0][5] must be a pixel value in [0, 255], got 256');
  }, 60_000);
});
