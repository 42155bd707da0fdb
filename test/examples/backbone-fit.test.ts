/**
 * The main example (examples/backbone-fit.ts) on the built-in dataset:
 * fit in a worker on engines split by unit, the test engines scored on their last window, and the
 * best checkpoint carrying the scaler it was trained with. Three epochs already beat the RMSE of
 * predicting the test engines' mean RUL.
 */
import { describe, expect, it } from 'vitest';
import { data, datasets, loadWithMetadata } from 'keel';
import { trainBackbone } from '../../examples/backbone-fit.js';

describe('backbone example on datasets.runToFailure', () => {
  it('trains, scores the test engines and checkpoints the best epoch with its scaler', async () => {
    const r = await trainBackbone({ epochs: 3, verbose: false });
    const truth = datasets.runToFailure({ seed: 0 }).test.units.map((u) => u.rulAtEnd!);
    expect(r.testEngines).toBe(truth.length);
    const mean = truth.reduce((s, v) => s + v, 0) / truth.length;
    const spread = Math.sqrt(truth.reduce((s, v) => s + (v - mean) ** 2, 0) / truth.length);
    expect(r.testRmse).toBeLessThan(spread);
    expect(Number.isFinite(r.testPhm08)).toBe(true);
    const { metadata } = await loadWithMetadata(r.checkpoint);
    expect(Number(metadata.epoch)).toBe(r.history.bestEpoch);
    expect(data.Standardizer.fromJSON(metadata.scaler!).fitted).toBe(true);
  });
});
