// tune(): each trial is a cross-validation of the backbone (or of a trial of the caller's, tableTrial,
// over rows); scores do not depend on how many fits run
// at once; results come sorted by mean; aborting keeps the trials that had finished. Tiny runs: a few
// built-in engines, 2 folds, 1 epoch.
import { describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { DataError, OptionError } from '../../src/errors.js';
import { narrow } from '../../src/functional/indexing.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { TrialConfig } from '../../src/tune/space.js';
import { backboneTrial } from '../../src/tune/backbone-trial.js';
import { tableTrial } from '../../src/tune/table-trial.js';
import { tune } from '../../src/tune/tune.js';

const ds = runToFailure({ seed: 1, trainUnits: 4 });
const small = { table: ds.train, channels: ds.informative, epochs: 1, folds: 2, seed: 3 };

describe('tune', () => {
  it('gives the same scores with concurrency 1 and 2, sorted by mean', async () => {
    const space = { dropout: [0, 0.3], lr: [1e-3, 1e-2] };
    const seen: Array<{ done: number; total: number; finished: number[] }> = [];
    const one = await tune(space, {
      ...small, concurrency: 1, trials: 2,
      onTrial: (t, done, total, finished) => seen.push({ done, total, finished: finished.map((f) => f.index) }),
    });
    // onTrial hears of each trial with every trial finished so far, the newest last.
    expect(seen).toEqual([
      { done: 1, total: 2, finished: [seen[0]!.finished[0]!] },
      { done: 2, total: 2, finished: [seen[0]!.finished[0]!, seen[1]!.finished[1]!] },
    ]);
    expect(new Set(seen[1]!.finished)).toEqual(new Set([0, 1]));
    const two = await tune(space, { ...small, concurrency: 2, trials: 2 });
    expect(one.search).toBe('random');
    expect(one.trials).toHaveLength(2);
    expect(two.trials).toEqual(one.trials);
    expect(one.interrupted).toBe(false);
    for (const t of one.trials) {
      expect(t.scores).toHaveLength(2);
      for (const s of t.scores) expect(s).toBeGreaterThan(0);
      expect(t.mean).toBeCloseTo((t.scores[0]! + t.scores[1]!) / 2, 10);
    }
    expect(one.trials[0]!.mean).toBeLessThanOrEqual(one.trials[1]!.mean);
    expect(one.best).toBe(one.trials[0]);
    // Different configurations are really trained differently.
    expect(one.trials[0]!.mean).not.toBe(one.trials[1]!.mean);
  }, 20000);

  it('an abort stops the search and keeps the finished trials', async () => {
    const controller = new AbortController();
    const result = await tune({ dropout: [0, 0.1, 0.2] }, {
      ...small, concurrency: 1, signal: controller.signal,
      onTrial: () => controller.abort(),
    });
    expect(result.interrupted).toBe(true);
    expect(result.planned).toBe(3);
    expect(result.trials).toHaveLength(1);
    expect(result.trials[0]!.config.dropout).toBe(0);
    expect(result.best).toBe(result.trials[0]);
  }, 20000);

  it('a trial of your own (tableTrial, the MLP on rows) over `samples`: plain k-fold, the same scores at any concurrency', async () => {
    const n = 40;
    const x = new Tensor(Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7)), [n, 3]);
    const y = new Tensor(Float32Array.from({ length: n }, (_, r) => 10 + 3 * x.data[3 * r]! - x.data[3 * r + 1]!), [n, 1]);
    const options = { samples: n, trial: (c: TrialConfig) => tableTrial(c, { x, y, classes: 0, hidden: [8], epochs: 2, seed: 1 }), folds: 2, seed: 3 };
    const one = await tune({ dropout: [0, 0.3] }, { ...options, concurrency: 1 });
    const two = await tune({ dropout: [0, 0.3] }, { ...options, concurrency: 2 });
    expect(two.trials).toEqual(one.trials);
    for (const t of one.trials) for (const s of t.scores) expect(s).toBeGreaterThan(0); // RMSE in y's units
    expect(one.trials[0]!.mean).not.toBe(one.trials[1]!.mean);
    await expect(tune({}, { samples: n })).rejects.toThrow(/tune: trial must be a function \(config\) => MakeTrial, given with samples, got undefined/);
    await expect(tune({}, { ...options, table: ds.train })).rejects.toThrow(/tune: table is for the backbone's trial; a trial of your own reads its own data/);
    await expect(tune({}, { trial: options.trial })).rejects.toThrow(/tune: samples must be a positive integer, got undefined/);
  }, 20000);

  it('rejects bad options before training', async () => {
    await expect(tune({}, { ...small, concurency: 2 } as never)).rejects.toThrow(/tune: unknown option "concurency"/);
    await expect(tune({ momentum: [0.1] } as never, small)).rejects.toThrow(/tune: unknown option "momentum"/);
    await expect(tune({}, { ...small, channels: ['nope'] })).rejects.toThrow(/tune: channels must be a non-empty array of column names/);
    await expect(tune({}, { ...small, channels: ['nope'] })).rejects.toBeInstanceOf(OptionError);
    await expect(tune({}, { ...small, onTrial: 3 } as never)).rejects.toBeInstanceOf(OptionError);
    await expect(tune({}, { ...small, folds: 5 })).rejects.toThrow('tune: folds (5) must not exceed the number of units (4)');
  });

  it('units shorter than the window are a DataError before anything trains, not a failure mid-search on some seeds', async () => {
    const short = { id: 99, values: narrow(ds.train.units[0]!.values, 0, 0, 10) };
    const table = { columns: ds.train.columns, units: [...ds.train.units, short] };
    await expect(tune({}, { ...small, table })).rejects.toThrow('tune: 1 of the 5 units of the table have fewer than window (30) rows, so no window (units 99); leave them out of table or give a smaller window');
    await expect(tune({}, { ...small, table })).rejects.toBeInstanceOf(DataError);
  });

  it("leaves the caller's global generator as it was (the trials seed their own builds)", async () => {
    const x = new Tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [20, 2]);
    const y = new Tensor(Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)), [20, 1]);
    manualSeed(42);
    const expected = Array.from(randn([3]).data);
    manualSeed(42);
    await tune({}, { samples: 20, trial: (c) => tableTrial(c, { x, y, classes: 0, hidden: [4], epochs: 1, seed: 7 }), folds: 2, concurrency: 1 });
    await tune({}, { ...small, concurrency: 1 });
    expect(Array.from(randn([3]).data)).toEqual(expected);
  }, 20000);

  it('names tune and the option in what it rejects: folds, signal, a trial factory that returns no function', async () => {
    await expect(tune({}, { ...small, folds: 2.5 })).rejects.toThrow('tune: folds must be an integer >= 2, got 2.5');
    await expect(tune({}, { ...small, folds: 2.5 })).rejects.toBeInstanceOf(OptionError);
    await expect(tune({}, { ...small, folds: 5 })).rejects.toBeInstanceOf(DataError);
    // With samples there are no groups to speak of.
    await expect(tune({}, { trial: () => async () => 1, samples: 6, folds: 7 })).rejects.toThrow('tune: folds (7) must not exceed the number of samples (6)');
    await expect(tune({}, { ...small, signal: {} as never })).rejects.toThrow('tune: signal must be an AbortSignal, got');
    await expect(tune({}, { ...small, signal: {} as never })).rejects.toBeInstanceOf(OptionError);
    await expect(tune({}, { trial: () => 42 as never, samples: 10, folds: 2 })).rejects.toThrow(/tune: trial\(config\) must return a function \(fold\) => Promise<score>, got 42 for \{"dropout":0\.15/);
  });
});

describe('the package exports what the docs promise for tuning', () => {
  it('tableTrial, sequenceTrial, grid, randomConfigs and DEFAULT_CONFIG come from keel, with the tune API', async () => {
    const keel = await import('../../src/index.js');
    for (const name of ['tune', 'crossValidate', 'backboneTrial', 'tableTrial', 'sequenceTrial', 'grid', 'randomConfigs'] as const) {
      expect(typeof keel[name], name).toBe('function');
    }
    expect(keel.DEFAULT_CONFIG).toMatchObject({ dropout: 0.15, weightDecay: 0.1, bnMomentum: 0.1, lr: 1e-3, batchSize: 128 });
    expect(keel.grid({ dropout: [0, 0.3] })).toHaveLength(2);
    // The settings types are exported too (a compile-time check).
    const settings: Pick<import('../../src/index.js').TableTrialSettings, 'classes'> & Pick<import('../../src/index.js').SequenceTrialSettings, 'stride'> = { classes: 0, stride: 1 };
    expect(settings.classes).toBe(0);
  });
});

describe('backboneTrial checks its arguments when called, naming itself', () => {
  const config = { dropout: 0.1, weightDecay: 0.1, bnMomentum: 0.1, lr: 1e-3, batchSize: 64 };
  const good = { table: ds.train, channels: ds.informative, window: 30, epochs: 1, seed: 0 };
  it.each([
    [config, {}, /backboneTrial: settings\.table must be/],
    [config, null, /backboneTrial: settings must be an object with table, channels, window, epochs, seed \(and optionally conditions\), got null/],
    [config, { ...good, windw: 20 }, /backboneTrial: unknown option "windw"/],
    [config, { ...good, channels: 's2' }, /backboneTrial: channels must be a non-empty array of column names/],
    [config, { ...good, channels: ['zz'] }, /backboneTrial: channels must be a non-empty array of column names/],
    [config, { ...good, epochs: '1' }, /backboneTrial: settings\.epochs must be a positive integer/],
    [config, { ...good, seed: undefined }, /backboneTrial: settings\.seed must be/],
    [null, good, /backboneTrial: config must be an object with dropout, weightDecay, bnMomentum, lr, batchSize, got null/],
    [{}, good, /backboneTrial: config\.dropout must be one of the numbers in \[0, 1\], got undefined/],
    [{ ...config, lr: -1 }, good, /backboneTrial: config\.lr must be one of the finite numbers > 0, got -1/],
    [{ ...config, momentum: 0.9 }, good, /backboneTrial: unknown option "momentum"/],
  ])('rejects config %j with settings %#', (c, s, message) => {
    expect(() => backboneTrial(c as never, s as never)).toThrow(message);
    expect(() => backboneTrial(c as never, s as never)).toThrow(OptionError);
  });
});
