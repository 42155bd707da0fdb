/**
 * The typed errors of the training API: each class train/ throws is an instance of itself and of
 * KeelError (OptionError, ShapeError, DataError, FormatError, StateError, BackendError,
 * NonFiniteError through NonFiniteLossError — see also worker-errors.test.ts), and every abortable
 * call but fit (evaluate, predict, recalibrateBatchNorm, findLearningRate) rejects on its signal with
 * an AbortError naming the call whose cause is the signal's reason; an aborted fit resolves with the
 * partial history. The regularisation study (which runs on fit) throws OptionError and AbortError too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, BackendError, DataError, FormatError, KeelError, NonFiniteError, OptionError, ShapeError, StateError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { regularisationStudy } from '../../src/study/regularisation.js';
import { randn } from '../../src/tensor/create.js';
import { divergenceIndex } from '../../src/train/divergence.js';
import { NonFiniteLossError } from '../../src/train/errors.js';
import { evaluate } from '../../src/train/evaluate.js';
import { fit } from '../../src/train/fit.js';
import { History } from '../../src/train/history.js';
import { resolveLoss } from '../../src/train/losses.js';
import { findLearningRate } from '../../src/train/lr-finder.js';
import { registerMetric } from '../../src/train/metrics.js';
import { predict } from '../../src/train/predict.js';
import { recalibrateBatchNorm } from '../../src/train/recalibrate-batchnorm.js';
import { linearData, linearNet, stateValues } from './helpers.js';
import { FaultyLayer } from './worker-errors-fixture.js';

/** What fn throws (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function expectTyped(e: unknown, type: abstract new (...args: never[]) => Error, message: string): void {
  expect(e).toBeInstanceOf(type);
  expect(e).toBeInstanceOf(KeelError);
  expect((e as Error).message).toBe(message);
}

const data = linearData(48, 10);

describe('each class train/ throws is itself and a KeelError', () => {
  it('OptionError: an unknown loss name', () => {
    expectTyped(thrown(() => resolveLoss('mse2' as never)), OptionError,
      `resolveLoss: unknown loss "mse2" (known losses: 'mse', 'mae', 'huber', 'crossEntropy', 'bce', or a function (yPred, y) => Tensor)`);
  });

  it('ShapeError: a loss on yPred and y of different shapes', () => {
    expectTyped(thrown(() => resolveLoss('mse').compute(randn([4, 1]), randn([4, 2]))), ShapeError, "loss 'mse': yPred (4, 1) and y (4, 2) must have the same shape");
  });

  it('DataError: a NaN in a loss curve', () => {
    expectTyped(thrown(() => divergenceIndex([1, NaN, 3], [1, 2, 3])), DataError, 'divergenceIndex: trainLoss[1] must be a finite number, got NaN');
  });

  it('FormatError: a History JSON that is not one, or holds a bad record (cause: the record check)', () => {
    expectTyped(thrown(() => History.fromJSON(3)), FormatError, 'History.fromJSON: expected the object History.toJSON() returns, got 3');
    const bad = thrown(() => History.fromJSON({ epochs: [{ epoch: 0, loss: 1, metrics: {}, lr: [0.1], seconds: 1, samplesPerSecond: 1 }] }));
    expectTyped(bad, FormatError, 'History.fromJSON: epochs[0]: epoch must be a positive integer, got 0');
    expect((bad as Error).cause).toBeInstanceOf(OptionError);
  });

  it('StateError: a metric name registered twice', () => {
    const probe = () => ({ name: 'typedErrorsProbe', mode: 'min' as const, portable: false, reset() {}, update() {}, result: () => 0 });
    registerMetric('typedErrorsProbe', probe);
    expectTyped(thrown(() => registerMetric('typedErrorsProbe', probe)), StateError,
      'registerMetric: a metric named "typedErrorsProbe" is already registered (pass { replace: true } to replace it)');
  });

  it('OptionError: a study variant that does not exist', async () => {
    const e = await regularisationStudy({ variants: ['dropuot' as never] }).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(OptionError);
    expect(e).toBeInstanceOf(KeelError);
    expect((e as Error).message).toMatch(/^regularisationStudy: variants must be a non-empty list of distinct names from .*, got \["dropuot"\]$/);
  });

  it('NonFiniteError: NonFiniteLossError is one', () => {
    const e = new NonFiniteLossError(2, 3, NaN);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e).toBeInstanceOf(KeelError);
    expect(e.name).toBe('NonFiniteLossError');
    expect(Object.keys(e)).not.toContain('name'); // non-enumerable, as on built-in errors
  });

  describe('BackendError: a worker that exits before training finished', () => {
    afterEach(() => {
      delete process.env.KEEL_TEST_EXIT_IMPORT;
    });

    it('rejects fit, the model untouched', async () => {
      process.env.KEEL_TEST_EXIT_IMPORT = '1'; // read by the fixture when the worker imports it
      const model = new nn.Sequential(new nn.Linear(4, 1), new FaultyLayer('SensorError'));
      const before = stateValues(model.stateDict());
      const e = await fit(model, { ...data, epochs: 1, verbose: false, checks: false, worker: true }).then(() => null, (err: unknown) => err);
      expectTyped(e, BackendError, 'fit: the worker thread exited (code 3) before training finished');
      expect(stateValues(model.stateDict())).toEqual(before);
    });
  });
});

describe('an aborted call rejects with an AbortError naming it, its cause the signal\'s reason', () => {
  const reason = new Error('the caller gave up');
  const aborted = () => AbortSignal.abort(reason);
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['evaluate', () => evaluate(linearNet(), { ...data, signal: aborted() })],
    ['predict', () => predict(linearNet(), data.x, { signal: aborted() })],
    ['recalibrateBatchNorm', () => recalibrateBatchNorm(linearNet(), data.x, { signal: aborted() })],
    ['findLearningRate', () => findLearningRate(linearNet(), { ...data, signal: aborted() })],
  ];

  it.each(cases)('%s', async (name, run) => {
    const e = await run().then(() => null, (err: unknown) => err);
    expectTyped(e, AbortError, `${name}: aborted by its AbortSignal`);
    expect((e as Error).name).toBe('AbortError');
    expect((e as Error).cause).toBe(reason);
  });

  it('regularisationStudy (its fit stops, then the study rejects)', async () => {
    const e = await regularisationStudy({ variants: ['none'], epochs: 1, worker: false, signal: aborted() }).then(() => null, (err: unknown) => err);
    expectTyped(e, AbortError, 'regularisationStudy: aborted by its AbortSignal');
    expect((e as Error).cause).toBe(reason);
  });

  it('mid-run too (predict, aborted after its first batch)', async () => {
    const ac = new AbortController();
    const run = predict(linearNet(), data.x, { batchSize: 8, signal: ac.signal });
    ac.abort(reason);
    const e = await run.then(() => null, (err: unknown) => err);
    expectTyped(e, AbortError, 'predict: aborted by its AbortSignal');
    expect((e as Error).cause).toBe(reason);
  });

  it('but fit resolves with the partial history', async () => {
    const history = await fit(linearNet(), { ...data, epochs: 2, optimizer: (p) => new SGD(p, { lr: 0.01 }), verbose: false, checks: false, worker: false, signal: aborted() });
    expect(history.stopped).toBe('aborted');
  });
});
