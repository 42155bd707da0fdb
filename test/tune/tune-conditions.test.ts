// tune and backboneTrial with `conditions`: the operating-setting columns of the table. Each fold
// fits the conditions and a scaler per condition on its training units: with a single condition
// that is the plain scaler (the same scores, bit for bit); with six, every fold still trains and
// scores; options that cannot be settings are refused. Tiny runs: a few engines, 2 folds, 1 epoch.
import { describe, expect, it } from 'vitest';
import type { SeriesTable } from '../../src/data/series.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { OptionError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { backboneTrial } from '../../src/tune/backbone-trial.js';
import { crossValidate } from '../../src/tune/cross-validate.js';
import { DEFAULT_CONFIG } from '../../src/tune/space.js';
import { tune } from '../../src/tune/tune.js';

/** The units with a setting column appended: `setting(u, t)` for row t of unit u. */
function withSetting(table: SeriesTable, setting: (u: number, t: number) => number): SeriesTable {
  return {
    columns: [...table.columns, 'alt'],
    units: table.units.map((unit, u) => {
      const [T, C] = unit.values.shape as [number, number];
      const out = new Float32Array(T * (C + 1));
      for (let t = 0; t < T; t++) {
        out.set(unit.values.data.subarray(t * C, (t + 1) * C), t * (C + 1));
        out[t * (C + 1) + C] = setting(u, t);
      }
      return { ...unit, values: new Tensor(out, [T, C + 1]) };
    }),
  };
}

const ds = runToFailure({ seed: 1, trainUnits: 4, operatingConditions: true });
const ALTITUDES = [0, 10, 20, 25, 35, 42];
const flown = withSetting(ds.train, (u, t) => ALTITUDES[ds.train.units[u]!.conditions![t]!]!);
const settings = { channels: ds.informative, window: 30, epochs: 1, seed: 3 };

describe('tune with operating conditions', () => {
  it('one condition: the same scores as without conditions, bit for bit', async () => {
    const plain = runToFailure({ seed: 1, trainUnits: 4 }).train;
    const level = withSetting(plain, () => 100);
    const folds = { groups: plain.units.map((u) => u.id), folds: 2, seed: 0 };
    const without = await crossValidate(backboneTrial(DEFAULT_CONFIG, { table: level, ...settings }), folds);
    const within = await crossValidate(backboneTrial(DEFAULT_CONFIG, { table: level, ...settings, conditions: ['alt'] }), folds);
    expect(within.scores).toEqual(without.scores);
  }, 60_000);

  it('six conditions: every fold trains and scores; channels default to every column but the settings', async () => {
    const r = await tune({ dropout: [0.1] }, { table: flown, conditions: ['alt'], epochs: 1, folds: 2, seed: 3, concurrency: 1 });
    expect(r.trials).toHaveLength(1);
    expect(r.trials[0]!.scores.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    // Without the per-condition scaler the same search scores otherwise: the conditions were used.
    const plain = await tune({ dropout: [0.1] }, { table: flown, channels: flown.columns.filter((c) => c !== 'alt'), epochs: 1, folds: 2, seed: 3, concurrency: 1 });
    expect(plain.trials[0]!.scores).not.toEqual(r.trials[0]!.scores);
  }, 60_000);

  it('conditions that cannot be settings are refused before anything trains', async () => {
    await expect(tune({}, { table: flown, conditions: ['nope'] })).rejects.toThrow(/tune: conditions must be a non-empty array of column names of the table that are not channels/);
    await expect(tune({}, { table: flown, channels: ['alt', 's2'], conditions: ['alt'] })).rejects.toThrow(OptionError);
    await expect(tune({}, { conditions: ['alt'] })).rejects.toThrow(/tune: conditions are setting columns of your table; the built-in engines have one operating condition/);
    expect(() => backboneTrial(DEFAULT_CONFIG, { table: flown, ...settings, conditions: [] })).toThrow(/backboneTrial: conditions must be a non-empty array/);
  });
});
