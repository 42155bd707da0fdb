/**
 * The MC-dropout example (examples/mc-dropout-intervals.ts) on the built-in data: one interval per test
 * engine around the mean of the dropout passes, mean ± 1.645·std with a positive width, the truth
 * being each engine's capped RUL, the coverage recomputed from the rows, the same numbers for the same
 * seed; with every dropout rate at 0 the passes agree and the intervals collapse to points; a single
 * pass (no standard deviation) is rejected.
 */
import { describe, expect, it } from 'vitest';
import { datasets } from 'keel';
import { mcDropoutIntervals } from '../../examples/mc-dropout-intervals.js';

const small = { epochs: 1, passes: 8, verbose: false } as const;

describe('MC-dropout intervals example', () => {
  it('gives every test engine a 90% interval around its MC mean and reports their coverage', async () => {
    const r = await mcDropoutIntervals(small);
    const test = datasets.runToFailure({ seed: 0 }).test.units;
    expect(r.rows.map((row) => row.engine)).toEqual(test.map((u) => u.id));
    expect(r.rows.map((row) => row.rul)).toEqual(test.map((u) => Math.min(u.rulAtEnd!, 125)));
    for (const row of r.rows) {
      expect(row.std).toBeGreaterThan(0);
      expect(row.upper - row.lower).toBeCloseTo(2 * 1.645 * row.std, 3);
      expect((row.lower + row.upper) / 2).toBeCloseTo(row.predicted, 3);
    }
    const inside = r.rows.filter((row) => row.lower <= row.rul && row.rul <= row.upper).length;
    expect(r.coverage).toBe(inside / r.rows.length);
    // One epoch already predicts something: not every engine outside its interval, and the
    // predictions are spread over the RUL range rather than one constant.
    expect(r.coverage).toBeGreaterThan(0);
    expect(new Set(r.rows.map((row) => Math.round(row.predicted))).size).toBeGreaterThan(10);

    const again = await mcDropoutIntervals(small);
    expect(again.rows).toEqual(r.rows);
  });

  it('collapses the intervals to points when every dropout rate is 0', async () => {
    const r = await mcDropoutIntervals({ ...small, backbone: { dropout: 0, headDropout: 0 } });
    for (const row of r.rows) expect([row.std, row.lower, row.upper]).toEqual([0, row.predicted, row.predicted]);
  });

  it('rejects a single pass, which has no standard deviation', async () => {
    await expect(mcDropoutIntervals({ ...small, passes: 1 })).rejects.toThrow(/^predict: mcDropout.*samples/);
  });
});
