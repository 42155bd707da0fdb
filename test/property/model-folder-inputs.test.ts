/**
 * Property test of ModelFolder.predict's inputs (fast-check): on anything — random values, and near-valid
 * inputs with one thing wrong (a value that is NaN, a string, a BigInt or too large for float32, a
 * missing key, a row of the wrong length, a hole in a row, a series or the inputs) — predict of a
 * RUL folder and of a table folder either gives one finite prediction per input or rejects with a
 * KeelError (a DataError or OptionError naming what is wrong); never another exception, and never a
 * prediction made from a value it could not read. Fixed seed (./runs.ts).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeelError } from '../../src/errors.js';
import { loadModelFolder, type ModelFolder, type Prediction } from '../../src/model-folder/index.js';
import { run, tempDir, trainSmallModel } from '../cli/io.js';
import { runs } from './runs.js';

/** A value predict cannot read as a number. */
const unreadable = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e39, -4e38, '1', null, undefined, true, [], {}),
  fc.bigInt(),
);

/** Valid rows of `columns`: objects with extra keys, or arrays, finite values. */
const rowArb = (columns: readonly string[]) => fc.oneof(
  fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: columns.length, maxLength: columns.length }),
  fc.tuple(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: columns.length, maxLength: columns.length }), fc.dictionary(fc.string(), fc.anything()))
    .map(([values, extra]) => ({ ...extra, ...Object.fromEntries(columns.map((c, k) => [c, values[k]!])) })),
);

/** One thing wrong with an otherwise valid row. */
const breakRow = (columns: readonly string[]) => fc.tuple(fc.nat(columns.length - 1), unreadable, fc.nat(3)).map(([k, bad, how]) => (row: unknown) => {
  const copy: any = Array.isArray(row) ? [...row] : { ...(row as object) };
  if (how === 0) copy[Array.isArray(copy) ? k : columns[k]!] = bad;
  else if (how === 1) return Array.isArray(copy) ? copy.slice(1) : Object.fromEntries(Object.entries(copy).filter(([key]) => key !== columns[k]));
  else if (how === 2) return Array.isArray(copy) ? [...copy, 0] : new Float32Array(columns.length + 1);
  else if (Array.isArray(copy)) delete copy[k]; // a hole
  else return [copy];
  return copy;
});

/** predict's outcome: the predictions, or what it threw (a KeelError is the only allowed throw). */
async function outcome(folder: ModelFolder, inputs: unknown, options?: unknown): Promise<Prediction[] | KeelError> {
  try {
    return await folder.predict(inputs as never, options as never);
  } catch (e) {
    if (!(e instanceof KeelError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    return e;
  }
}

const finite = (p: Prediction) => ('value' in p ? Number.isFinite(p.value) : p.probabilities.every(Number.isFinite));

describe('ModelFolder.predict on hostile inputs', () => {
  let rul: ModelFolder, table: ModelFolder;
  beforeAll(async () => {
    rul = await loadModelFolder(await trainSmallModel());
    const tmp = tempDir(), file = join(tmp, 't.csv');
    writeFileSync(file, `a,b,kind\n${Array.from({ length: 60 }, (_, i) => `${Math.sin(i)},${Math.cos(i * 3)},${i % 2 ? 'odd' : 'even'}`).join('\n')}\n`);
    expect((await run('train', '--data', `csv:${file}`, '--target', 'kind', '--epochs', '1', '--out', join(tmp, 'm'))).status).toBe(0);
    table = await loadModelFolder(join(tmp, 'm'));
  }, 60_000);

  it('anything at all: predictions or a KeelError', async () => {
    await fc.assert(fc.asyncProperty(fc.anything({ withTypedArray: true, withSparseArray: true, withBigInt: true, withNullPrototype: true }), fc.option(fc.anything()), async (inputs, options) => {
      for (const folder of [rul, table]) {
        const r = await outcome(folder, inputs, options ?? undefined);
        if (Array.isArray(r)) expect(r.every(finite)).toBe(true);
      }
    }), runs(150));
  });

  it('valid rows predict; one broken value, key, length or hole is a KeelError, never a prediction', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(rowArb(table.columns), { minLength: 1, maxLength: 5 }), fc.nat(4), breakRow(table.columns),
      fc.array(fc.array(rowArb(rul.columns), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }), breakRow(rul.columns),
      async (rows, at, breakTableRow, units, breakUnitRow) => {
        const good = await outcome(table, rows);
        expect(Array.isArray(good) && good.length === rows.length && good.every(finite)).toBe(true);
        const broken = [...rows];
        broken[at % rows.length] = breakTableRow(rows[at % rows.length]);
        expect(await outcome(table, broken)).toBeInstanceOf(KeelError);
        const holey = [...rows];
        delete holey[at % rows.length];
        expect(await outcome(table, holey)).toBeInstanceOf(KeelError);

        const series = await outcome(rul, units);
        expect(Array.isArray(series) && series.length === units.length && series.every(finite)).toBe(true);
        const damaged = units.map((u) => [...u]);
        const unit = damaged[at % damaged.length]!;
        unit[at % unit.length] = breakUnitRow(unit[at % unit.length]) as never;
        expect(await outcome(rul, damaged)).toBeInstanceOf(KeelError);
        const gap = units.map((u) => [...u]);
        delete gap[at % gap.length]![at % gap[at % gap.length]!.length];
        expect(await outcome(rul, gap)).toBeInstanceOf(KeelError);
      },
    ), runs(100));
  });
});
