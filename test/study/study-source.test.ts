// regularisationStudy({ data }): the study on a caller's run-to-failure units (keel demo --data). Given
// the built-in engines with the built-in protocol's settings it gives the built-in study's results bit
// for bit, so the caller's path is the same protocol; without test units the test scores are null; a
// malformed source is refused naming what is wrong.
import { describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { OptionError } from '../../src/errors.js';
import { regularisationStudy, type VariantResult } from '../../src/study/regularisation.js';

const quick = { epochs: 2, variants: ['none', 'recipe'], worker: false } as const;
/** A variant's results without its timings. */
const scores = ({ seconds: _s, samplesPerSecond: _r, ...rest }: VariantResult) => rest;

describe('regularisationStudy({ data })', () => {
  it("the built-in engines given as data, with the built-in protocol's settings, give the built-in study", async () => {
    const ds = runToFailure({ seed: 2 });
    const source = { train: ds.train, test: ds.test, channels: ds.informative, validationShare: 0.4, window: 30, description: 'the same engines' };
    const [builtIn, given] = [await regularisationStudy({ seed: 2, ...quick }), await regularisationStudy({ seed: 2, ...quick, data: source })];
    expect(given.variants.map(scores)).toEqual(builtIn.variants.map(scores));
    expect(given.engines).toEqual({ fit: 12, validation: 8, test: 100 });
    expect(given.data).toBe('the same engines');
    expect(builtIn.data).toBe('Built-in run-to-failure data, seed 2');
  });

  it('without test units: every column a channel, a fifth of the units validated, no test scores', async () => {
    const ds = runToFailure({ seed: 1, trainUnits: 10 });
    const study = await regularisationStudy({ seed: 1, ...quick, variants: ['none'], data: { train: ds.train, window: 20 } });
    expect(study.engines).toEqual({ fit: 8, validation: 2, test: 0 });
    expect(study.window).toBe(20);
    expect(study.variants[0]!.testRmse).toBeNull();
    expect(study.variants[0]!.phm08).toBeNull();
    expect(Number.isFinite(study.variants[0]!.bestValRmse)).toBe(true);
  });

  it('refuses test units without their true RUL, unknown channels, a share outside (0, 1) and unknown keys', async () => {
    const ds = runToFailure({ seed: 1, trainUnits: 6, testUnits: 2 });
    const study = (data: object) => regularisationStudy({ ...quick, data: data as never });
    await expect(study({ train: ds.train, test: ds.train })).rejects.toThrow(/data\.test unit 1 \(units\[0\]\) has no rulAtEnd/);
    await expect(study({ train: ds.train, channels: ['s2', 'pressure'] })).rejects.toThrow(/data\.channels names "pressure", which is not a column of data\.train/);
    await expect(study({ train: ds.train, validationShare: 1 })).rejects.toThrow(/data\.validationShare/);
    await expect(study({ train: ds.train, tset: ds.test })).rejects.toThrow(OptionError);
    await expect(study({ train: [] })).rejects.toThrow(/data\.train has no units/);
  });
});
