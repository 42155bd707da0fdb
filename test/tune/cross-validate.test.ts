// crossValidate: group k-fold never puts one unit on both sides, every sample is held out exactly
// once, the summary is the population mean/std of the fold scores, bad options/trials fail loudly
// (OptionError), and an abort rejects with an AbortError whose cause is the signal's reason.
import { describe, expect, it } from 'vitest';
import { slidingWindows } from '../../src/data/windows.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { AbortError, KeelError, OptionError } from '../../src/errors.js';
import { crossValidate, type CvFold, cvFolds } from '../../src/tune/cross-validate.js';

describe('crossValidate', () => {
  it('group folds never share a unit, and hold out every window exactly once', async () => {
    const ds = runToFailure({ seed: 3, trainUnits: 7 });
    const w = slidingWindows(ds.train, { window: 30, channels: ds.informative });
    const groups = Array.from(w.groups, String);
    const seen: CvFold[] = [];
    const result = await crossValidate(async (fold) => (seen.push(fold), fold.index + 1), { groups, folds: 3, seed: 5, concurrency: 2 });
    expect(seen).toHaveLength(3);
    const held = new Int32Array(groups.length);
    for (const f of seen) {
      const trainUnits = new Set(Array.from(f.train, (i) => groups[i]));
      const valUnits = new Set(Array.from(f.validation, (i) => groups[i]));
      expect([...valUnits].filter((u) => trainUnits.has(u))).toEqual([]);
      expect(f.train.length + f.validation.length).toBe(groups.length);
      for (const i of f.validation) held[i]!++;
    }
    expect(Array.from(held).every((h) => h === 1)).toBe(true);
    expect(result.scores).toEqual([1, 2, 3]);
    expect(result.mean).toBe(2);
    expect(result.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('without groups is a shuffled k-fold over the samples, fixed by the seed', () => {
    const a = cvFolds('t', { samples: 10, folds: 3, seed: 1 });
    expect(a.map((f) => f.validation.length)).toEqual([4, 3, 3]);
    expect(cvFolds('t', { samples: 10, folds: 3, seed: 1 })).toEqual(a);
    expect(cvFolds('t', { samples: 10, folds: 3, seed: 2 })).not.toEqual(a);
    expect(Array.from(a[0]!.validation)).not.toEqual([0, 1, 2, 3]);
  });

  it('a diverged fold (Infinity) makes the mean Infinity and the std NaN', async () => {
    const r = await crossValidate(async (f) => (f.index === 0 ? Infinity : 1), { samples: 4, folds: 2 });
    expect(r.mean).toBe(Infinity);
    expect(r.std).toBeNaN();
  });

  it.each([
    [{ folds: 2 }, /give either samples .* or groups .*, got neither/],
    [{ samples: 4, groups: [1, 2, 3, 4] }, /got both/],
    [{ samples: 4, folds: 1 }, /crossValidate: folds must be an integer >= 2, got 1/],
    [{ samples: 4, folds: 2.5 }, /crossValidate: folds must be an integer >= 2, got 2\.5/],
    [{ samples: 4, folds: 5 }, /crossValidate: folds \(5\) must not exceed the number of samples \(4\)/],
    [{ groups: [1, 1, 2, 2], folds: 3 }, /crossValidate: folds \(3\) must not exceed the number of groups \(2\)/],
    [{ samples: 4, folds: 2, signal: {} }, /crossValidate: signal must be an AbortSignal, got/],
    [{ samples: 4, folds: 2, concurrency: 0 }, /crossValidate: concurrency must be a positive integer, got 0/],
    [{ samples: 4, fold: 2 }, /crossValidate: unknown option "fold"/],
  ])('rejects options %j', async (options, message) => {
    await expect(crossValidate(async () => 1, options as never)).rejects.toThrow(message);
  });

  it('rejects a trial that does not resolve to a number, after every fold settled', async () => {
    let settled = 0;
    const trial = async (f: CvFold) => {
      await new Promise((r) => setTimeout(r, 5 * f.index));
      settled++;
      return (f.index === 0 ? 'bad' : 1) as number;
    };
    await expect(crossValidate(trial, { samples: 6, folds: 3 })).rejects.toThrow("crossValidate: makeTrial must resolve to a number (fold 0's score), got");
    expect(settled).toBe(3);
  });

  it('bad options and trials are OptionErrors', async () => {
    for (const run of [
      () => crossValidate(async () => 1, { folds: 2 } as never),
      () => crossValidate(async () => 1, { samples: 4, fold: 2 } as never),
      () => crossValidate('trial' as never, { samples: 4 }),
      () => crossValidate(async () => 'bad' as never, { samples: 4, folds: 2 }),
      // A trial that returns no promise gets the score check, not a TypeError about .then.
      () => crossValidate((() => undefined) as never, { samples: 4, folds: 2 }),
      () => crossValidate(async () => 1, { samples: 4, folds: 2, signal: {} as never }),
      () => crossValidate(async () => 1, { samples: 4, folds: 2.5 }),
    ]) {
      const e = await run().then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(OptionError);
      expect(e).toBeInstanceOf(KeelError);
    }
  });

  it('an abort rejects with an AbortError naming crossValidate (cause: the reason), after every fold settled', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    let settled = 0;
    const trial = async (f: CvFold) => {
      if (f.index === 0) controller.abort(reason);
      await new Promise((r) => setTimeout(r, 5));
      settled++;
      return 1; // a trial that ignores the signal still settles before crossValidate rejects
    };
    const e = await crossValidate(trial, { samples: 6, folds: 3, concurrency: 1, signal: controller.signal }).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(AbortError);
    expect(e).toBeInstanceOf(KeelError);
    expect((e as Error).message).toBe('crossValidate: aborted by its AbortSignal');
    expect((e as Error).cause).toBe(reason);
    expect(settled).toBe(1); // the folds not yet started never start
  });
});
