/**
 * fit, evaluate and predict on a WindowDataset (slidingWindows(…).toDataset(): windows cut as batches
 * are drawn) train and score to the same bits as on the windows' x and y, in a worker thread and on
 * the caller's, with validationData or a validationSplit; a NaN a window reads is refused before any
 * step, naming the sample, channel and step, and one no window reads (a row the stride skips) is not.
 */
import { describe, expect, it } from 'vitest';
import type { SeriesTable } from '../../src/data/series.js';
import { slidingWindows } from '../../src/data/windows.js';
import { DataError } from '../../src/errors.js';
import { evaluate, fit, predict, Tensor } from '../../src/index.js';
import type { FitHistory } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';
import { expectBitwiseEqual, expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { smallBackbone } from './helpers.js';

/**
 * `lengths.length` units of 4 channels, uniform in [−1, 1) from prng(seed), and a per-row target:
 *   target[t] = sin(3·x[t, 0]) + x[t − 1, 1]·x[t, 2]   (x[−1] = 0)
 */
function table(lengths: readonly number[], seed: number): { table: SeriesTable; targets: Float32Array[] } {
  const r = prng(seed);
  const units = lengths.map((T, u) => ({ id: u, values: new Tensor(Float32Array.from({ length: T * 4 }, () => 2 * r() - 1), [T, 4]) }));
  const targets = units.map(({ values: { data } }, u) =>
    Float32Array.from({ length: lengths[u]! }, (_, t) => Math.sin(3 * data[t * 4]!) + (t > 0 ? data[(t - 1) * 4 + 1]! : 0) * data[t * 4 + 2]!),
  );
  return { table: { columns: ['a', 'b', 'c', 'd'], units }, targets };
}

const options = { window: 12, stride: 2 };
const fitData = table([40, 33, 51, 28], 7), valData = table([36, 30], 8);
const train = slidingWindows(fitData.table, { ...options, targets: fitData.targets });
const val = slidingWindows(valData.table, { ...options, targets: valData.targets });

const curves = (h: FitHistory) => h.epochs.map((e) => ({ loss: e.loss, valLoss: e.valLoss, lr: e.lr }));
const common: FitOptions = { epochs: 2, batchSize: 16, seed: 5, verbose: false };

async function trained(over: Partial<FitOptions>) {
  const model = smallBackbone(3, { dropout: 0.1, headDropout: 0.2 });
  const history = await fit(model, { ...common, ...over } as FitOptions);
  return { model, history };
}

describe('fit on a WindowDataset', () => {
  it('trains to the bits of x and y, in a worker and not, with validationData and with a validationSplit', async () => {
    for (const split of [false, true]) {
      const validation: Partial<FitOptions> = split ? { validationSplit: 0.25 } : {};
      const want = await trained({ x: train.x, y: train.y, ...validation, ...(split ? {} : { validationData: { x: val.x, y: val.y } }), worker: false });
      for (const worker of [false, true]) {
        const got = await trained({ data: train.toDataset(), ...validation, ...(split ? {} : { validationData: val.toDataset() }), worker });
        const what = `${split ? 'validationSplit' : 'validationData'}, worker ${worker}`;
        expect(curves(got.history), what).toEqual(curves(want.history));
        expectSameSnapshot(snapshot(got.model), snapshot(want.model));
      }
    }
  });

  it('evaluate and predict give the bits of x and y', async () => {
    const { model } = await trained({ data: train.toDataset(), worker: false });
    expect(await evaluate(model, { data: val.toDataset() })).toEqual(await evaluate(model, { x: val.x, y: val.y }));
    expectBitwiseEqual((await predict(model, val.toDataset())).data, (await predict(model, val.x)).data, 'predictions');
  });

  it('refuses a NaN that a window reads, naming its sample, channel and step, before any step', async () => {
    const bad = table([40, 33], 9);
    bad.table.units[1]!.values.data[20 * 4 + 2] = NaN; // unit 1, row 20, channel 2
    const w = slidingWindows(bad.table, { ...options, targets: bad.targets });
    // Unit 1's windows end at rows 12, 14, …, 32 (anchored at its last row, 32): the first to read row 20
    // ends at 20 and is sample 15 + 4 (unit 0 has 15 windows), step 11.
    expect(Array.from(w.ends.subarray(15, 20))).toEqual([12, 14, 16, 18, 20]);
    const model = smallBackbone(3);
    const before = snapshot(model);
    for (const worker of [false, true]) {
      const run = fit(model, { ...common, data: w.toDataset(), worker });
      await expect(run).rejects.toThrow(DataError);
      await expect(fit(model, { ...common, data: w.toDataset(), worker })).rejects.toThrow(
        'fit: data must be finite, got NaN in sample 19 (channel 2, step 11 of its window); nothing was trained',
      );
    }
    expectSameSnapshot(snapshot(model), before);
    await expect(fit(model, { ...common, x: train.x, y: train.y, validationData: w.toDataset() })).rejects.toThrow('fit: validationData must be finite, got NaN in sample 19');
  });

  it('trains past a NaN in a row no window reads (the oldest row of a unit the stride skips)', async () => {
    const skipped = table([41], 10); // window 12, stride 2: windows end at 40, 38, …, 12; row 0 is in none
    skipped.table.units[0]!.values.data[1] = NaN;
    const w = slidingWindows(skipped.table, { ...options, targets: skipped.targets });
    expect(w.ends[0]).toBe(12);
    const { history } = await trained({ data: w.toDataset(), worker: false });
    expect(history.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
  });
});
