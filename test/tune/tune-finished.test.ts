// tune's `finished`: the trials of an interrupted search given back are kept as they are and not run
// again, so the resumed search gives the uninterrupted one's result; a trial that is not one of the
// search's (another config at its index, an index past the plan, another fold count) is refused.
import { describe, expect, it } from 'vitest';
import type { CvFold } from '../../src/tune/cross-validate.js';
import type { TrialConfig } from '../../src/tune/space.js';
import { type TrialResult, tune } from '../../src/tune/tune.js';

const space = { dropout: [0, 0.1, 0.2], lr: [1e-3, 1e-2] };

/** A trial that trains nothing: its score is a function of the config and the fold; it counts its calls. */
function counted(): { calls: string[]; trial: (c: TrialConfig) => (fold: CvFold) => Promise<number> } {
  const calls: string[] = [];
  return {
    calls,
    trial: (c) => async (fold) => {
      calls.push(`${c.dropout}/${c.lr}/${fold.index}`);
      return c.dropout === 0.2 && c.lr === 1e-2 ? Infinity : c.dropout * 10 + c.lr * 100 + fold.index;
    },
  };
}

describe('tune with finished trials', () => {
  it('runs only the others, and resolves with the uninterrupted search\'s trials', async () => {
    const whole = await tune(space, { trial: counted().trial, samples: 12, folds: 3, concurrency: 2 });
    expect(whole.trials).toHaveLength(6);
    const kept = whole.trials.filter((t) => t.index % 2 === 0); // the diverged trial (index 5) is among the others
    const again = counted();
    const done: number[] = [];
    const resumed = await tune(space, { trial: again.trial, samples: 12, folds: 3, concurrency: 2, finished: kept, onTrial: (_t, n) => done.push(n) });
    expect(again.calls).toHaveLength(3 * 3); // three trials of three folds
    expect(again.calls.every((c) => !kept.some((t) => c.startsWith(`${t.config.dropout}/${t.config.lr}/`)))).toBe(true);
    expect(done).toEqual([4, 5, 6]);
    expect(resumed.trials).toEqual(whole.trials);
    expect(resumed.best).toEqual(whole.best);
    expect(resumed.interrupted).toBe(false);
    // Every trial given: nothing runs.
    const none = counted();
    expect((await tune(space, { trial: none.trial, samples: 12, folds: 3, finished: whole.trials })).trials).toEqual(whole.trials);
    expect(none.calls).toEqual([]);
  });

  const trial = (over: Partial<TrialResult> = {}): TrialResult => ({ index: 1, config: { dropout: 0, weightDecay: 0.1, bnMomentum: 0.1, lr: 1e-2, batchSize: 128 }, scores: [1, 2, 3], mean: 2, std: 0.8, ...over });
  const refused: Array<[string, unknown, string | RegExp]> = [
    ['another config at its index', [trial({ index: 2 })], 'tune: finished[0] is not a trial of this search: its config has dropout 0, trial 2 of the search has 0.1'],
    ['an index past the plan', [trial({ index: 6 })], 'tune: finished[0].index must be an integer in [0, 5] (the search plans 6 trials), got 6'],
    ['an index twice', [trial(), trial()], 'tune: finished[1].index 1 is given twice'],
    ['another fold count', [trial({ scores: [1, 2] })], /tune: finished\[0\]\.scores must hold one number per fold \(3\), got/],
    ['a mean that is not a number', [trial({ mean: null as never })], 'tune: finished[0].mean and .std must be numbers, got null and 0.8'],
    ['not an array', { 0: trial() }, /tune: finished must be an array of TrialResult, got/],
  ];
  for (const [name, finished, message] of refused) {
    it(`refuses ${name}, before any trial runs`, async () => {
      const c = counted();
      await expect(tune(space, { trial: c.trial, samples: 12, folds: 3, finished: finished as TrialResult[] })).rejects.toThrow(message);
      expect(c.calls).toEqual([]);
    });
  }
});
