/**
 * Errors cross fit's worker boundary intact: the same failing fit on the caller's thread and with
 * worker: true rejects with the same class (instanceof holds), name, message and own fields — a
 * ShapeError from an input of the wrong width, an OptionError from a callback, a NonFiniteLossError
 * with its epoch, batch and value (and the caller's history), a CsvError with its file, line and
 * column — and the worker's stack, marked as the worker's. Every other class of src/errors.ts, its
 * subclasses declared elsewhere in keel and a class declared outside keel (registered with
 * registerErrorClass) go through the same transport with their fields. A failure in the worker
 * before training starts (an import that throws) arrives as its class too, the caller's model untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CsvError } from '../../src/data/csv/error.js';
import { DataError, FormatError, KeelError, NonFiniteError, OptionError, plainError, reviveError, ShapeError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { NonFiniteLossError } from '../../src/train/errors.js';
import { fit } from '../../src/train/fit.js';
import { History } from '../../src/train/history.js';
import type { FitOptions } from '../../src/train/options.js';
import { linearData, linearNet, stateValues } from './helpers.js';
import { FAULTS, type Fault, FaultyLayer } from './worker-errors-fixture.js';

const train = linearData(64, 10);

/** The error fit rejects with, in the given mode (it must reject). */
async function failure(worker: boolean, model: nn.Module, over: Partial<FitOptions>): Promise<Error> {
  const options: FitOptions = { x: train.x, y: train.y, epochs: 3, batchSize: 16, optimizer: (p) => new SGD(p, { lr: 0.01 }), verbose: false, checks: false, worker, ...over };
  const error = await fit(model, options).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** What must match across the modes: class, name, message and own fields (history compared apart). */
function described(e: Error): { type: unknown; name: string; message: string; fields: Record<string, unknown> } {
  const fields = Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'history'));
  return { type: e.constructor, name: e.name, message: e.message, fields };
}

/** Runs the same failing fit in both modes; returns the two errors after checking they agree. */
async function bothModes(model: () => nn.Module, over: Partial<FitOptions>, type: new (...args: never[]) => Error): Promise<[Error, Error]> {
  const inThread = await failure(false, model(), over);
  const inWorker = await failure(true, model(), over);
  for (const e of [inThread, inWorker]) {
    expect(e).toBeInstanceOf(type);
    expect(e).toBeInstanceOf(KeelError);
  }
  expect(described(inWorker)).toEqual(described(inThread));
  return [inThread, inWorker];
}

describe('fit in a worker rejects with the error the same fit rejects with on the caller thread', () => {
  it('a ShapeError from an input of the wrong width; the stack is the worker\'s, marked as such', async () => {
    manualSeed(3);
    const wide = randn([64, 5]);
    const [inThread, inWorker] = await bothModes(() => linearNet(), { x: wide }, ShapeError);
    expect(inThread.message).toContain('expected input (*, 4), got (16, 5)');
    expect(inWorker.stack).toMatch(/^ShapeError: .*\n {4}\(in fit's worker thread\)\n {4}at /);
    expect(inWorker.stack).toMatch(/worker[\\/]entry\.[jt]s/); // the worker's frames
    expect(inThread.stack).not.toContain("(in fit's worker thread)");
  });

  it('an OptionError from a callback (EarlyStopping on a key the fit does not log)', async () => {
    const [inThread, inWorker] = await bothModes(() => linearNet(), { earlyStopping: { monitor: 'valRmse' } }, OptionError);
    expect(inThread.message).toContain("EarlyStopping: monitor 'valRmse' is not logged by this fit");
    expect(inWorker.stack).toContain("(in fit's worker thread)"); // EarlyStopping runs with the model, in the worker
  });

  it('a NonFiniteLossError keeps epoch, batch and value, and gets the caller\'s history', async () => {
    const over: Partial<FitOptions> = { optimizer: (p) => new SGD(p, { lr: 1e6 }) };
    const [inThread, inWorker] = await bothModes(() => linearNet(), over, NonFiniteLossError);
    const [a, b] = [inThread, inWorker] as NonFiniteLossError[];
    expect(b).toBeInstanceOf(NonFiniteError);
    expect({ epoch: b!.epoch, batch: b!.batch }).toEqual({ epoch: 1, batch: 3 });
    expect(Number.isFinite(b!.value)).toBe(false);
    expect(b!.value).toEqual(a!.value);
    for (const e of [a!, b!]) {
      expect(e.history).toBeInstanceOf(History);
      expect(e.history!.stopped).toBe('nonFinite');
    }
  });

  it('a subclass declared outside src/errors.ts keeps its class and fields (CsvError: file, line, column, reason)', async () => {
    const [, inWorker] = await bothModes(() => new nn.Sequential(new nn.Linear(4, 1), new FaultyLayer('CsvError')), {}, CsvError);
    expect(inWorker).toBeInstanceOf(FormatError);
    expect({ ...inWorker }).toEqual({ file: 'data/train.csv', line: 12, column: 3, reason: 'expected a number, got "x"' });
  });
});

// Every other class takes the same path (plainError → postMessage's structured clone → reviveError);
// spawning a worker for each would take seconds, so the path runs here without the fit around it.
describe('every class survives the transport with its fields', () => {
  it.each(Object.keys(FAULTS) as Fault[])('%s', (fault) => {
    const original = FAULTS[fault]();
    const revived = reviveError(structuredClone(plainError(original)));
    expect(revived.constructor).toBe(original.constructor);
    expect(revived).toBeInstanceOf(KeelError);
    expect(described(revived)).toEqual(described(original));
    expect(revived.stack).toBe(original.stack);
  });
});

describe('a failure in the worker before training starts', () => {
  afterEach(() => {
    delete process.env.KEEL_TEST_FAIL_IMPORT;
  });

  it('arrives as its class with its message, and the caller\'s model is untouched', async () => {
    process.env.KEEL_TEST_FAIL_IMPORT = '1'; // read by the fixture when the worker imports it
    const model = new nn.Sequential(new nn.Linear(4, 1), new FaultyLayer('SensorError'));
    const before = stateValues(model.stateDict());
    const error = await failure(true, model, {});
    expect(error).toBeInstanceOf(DataError);
    expect(error).toBeInstanceOf(KeelError);
    expect(error.message).toBe('worker-errors-fixture: failing on import, as KEEL_TEST_FAIL_IMPORT asks');
    expect(error.stack).toContain("(in fit's worker thread)");
    expect(stateValues(model.stateDict())).toEqual(before);
  });
});
