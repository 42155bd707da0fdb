/**
 * The main example (src/examples/train-backbone.ts, what `npm start` runs) on the built-in dataset:
 * fit in a worker on engines split by unit, the test engines scored on their last window, and the
 * best checkpoint carrying the scaler it was trained with. Three epochs already beat the RMSE of
 * predicting the test engines' mean RUL.
 */
import { describe, expect, it } from 'vitest';
import { Standardizer } from '../../src/data/scalers/standardizer.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { trainBackbone } from '../../src/examples/train-backbone.js';
import { loadWithMetadata } from '../../src/io/save.js';

describe('backbone example on datasets.runToFailure', () => {
  it('trains, scores the test engines and checkpoints the best epoch with its scaler', async () => {
    const r = await trainBackbone({ epochs: 3, verbose: false });
    const truth = runToFailure({ seed: 0 }).test.units.map((u) => u.rulAtEnd!);
    expect(r.testEngines).toBe(truth.length);
    const mean = truth.reduce((s, v) => s + v, 0) / truth.length;
    const spread = Math.sqrt(truth.reduce((s, v) => s + (v - mean) ** 2, 0) / truth.length);
    expect(r.testRmse).toBeLessThan(spread);
    expect(Number.isFinite(r.testPhm08)).toBe(true);
    const { metadata } = await loadWithMetadata(r.checkpoint);
    expect(Number(metadata.epoch)).toBe(r.history.bestEpoch);
    expect(Standardizer.fromJSON(metadata.scaler!).fitted).toBe(true);
  });
});
