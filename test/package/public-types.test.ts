/**
 * The public API's types, as a strict TypeScript user meets them (tsconfig: strict,
 * noUncheckedIndexedAccess): checked by `tsc -p tsconfig.check.json` (npm test's first step), and the
 * calls run too. Splits give tuples as long as the lengths given, evaluate's loss is a number,
 * predict takes a PredictOptions variable, a resolved fit's stop reason is never null, loadStateDict's
 * error carries typed key lists, load()'s F32 entries narrow to a Tensor on their dtype.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data, datasets, evaluate, fit, FormatError, load, nn, predict, randn, save, StateDictError, type MCDropoutPrediction, type PredictOptions, type StopReason, type Tensor } from 'keel';

describe('public types', () => {
  it('groupSplit and randomSplit give one part per length, as a tuple', () => {
    const table = datasets.runToFailure({ seed: 0, trainUnits: 4, testUnits: 1 }).train;
    const [fitUnits, valUnits] = data.groupSplit(table, [0.75, 0.25], 0);
    expectTypeOf(fitUnits).toEqualTypeOf<data.SeriesTable>();
    expect(fitUnits.units.length + valUnits.units.length).toBe(4);
    const ds = new data.TensorDataset(randn([10, 2]));
    const [a, b, c] = data.randomSplit(ds, [5, 3, 2], 1);
    expectTypeOf(c).toEqualTypeOf<data.Subset>();
    expect([a.length, b.length, c.length]).toEqual([5, 3, 2]);
    const lengths: number[] = [0.5, 0.5];
    expectTypeOf(data.randomSplit(ds, lengths, 1)).toEqualTypeOf<data.Subset[]>();
  });

  it('evaluate resolves with a loss that is a number, and metrics by name', async () => {
    const model = new nn.Linear(3, 2);
    const scores = await evaluate(model, { x: randn([8, 3]), y: randn([8, 2]) });
    expectTypeOf(scores.loss).toEqualTypeOf<number>();
    expect(scores.loss).toBeGreaterThan(0);
  });

  it('a resolved fit says why training ended: history.stopped is a StopReason, never null', async () => {
    const history = await fit(new nn.Linear(3, 1), { x: randn([8, 3]), y: randn([8, 1]), epochs: 1, worker: false, verbose: false });
    expectTypeOf(history.stopped).toEqualTypeOf<StopReason>();
    expect(history.stopped).toBe('completed');
  });

  it('predict takes options decided at run time', async () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Dropout(0.5));
    const options: PredictOptions = { batchSize: 4 };
    const out = await predict(model, randn([6, 3]), options);
    expectTypeOf(out).toEqualTypeOf<Tensor | MCDropoutPrediction>();
    expectTypeOf(await predict(model, randn([6, 3]))).toEqualTypeOf<Tensor>();
    expectTypeOf(await predict(model, randn([6, 3]), { mcDropout: { samples: 2 } })).toEqualTypeOf<MCDropoutPrediction>();
    expect('shape' in out && out.shape).toEqual([6, 4]);
  });

  it("load()'s entries narrow on their dtype: an F32 one is a Tensor a module takes as it is", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keel-types-')), 'x.safetensors');
    const bn = new nn.BatchNorm1d(3);
    await save(file, { x: randn([2, 3]), ...bn.stateDict() });
    const loaded = await load(file);
    const x = loaded.x!;
    if (x.dtype !== 'F32') throw new Error('x is F32');
    expectTypeOf(x).toEqualTypeOf<Tensor>();
    expect(bn.forward(x).shape).toEqual([2, 3]);
    const count = loaded.num_batches_tracked!;
    if (count.dtype === 'F32') throw new Error('num_batches_tracked is I64');
    expect(count.data).toBeInstanceOf(BigInt64Array);
    bn.loadStateDict(loaded, { strict: false }); // a LoadedStateDict is a StateDict
  });

  it("loadStateDict's error is a StateDictError with typed key lists", () => {
    const model = new nn.Linear(3, 2);
    let err: unknown;
    try {
      model.loadStateDict({ extra: model.stateDict().weight! });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    if (!(err instanceof StateDictError)) throw new Error('expected a StateDictError');
    expectTypeOf(err.missingKeys).toEqualTypeOf<string[]>();
    expect(err.missingKeys).toEqual(['weight', 'bias']);
    expect(err.unexpectedKeys).toEqual(['extra']);
    expect(err.mismatchedKeys).toEqual([]);
    expect(err.invalidKeys).toEqual([]);
  });
});
