/**
 * Modes are right by construction, and this file proves each rule on data generated here from a
 * seeded formula: training batches run in train() with grad on; validation, evaluate and predict in
 * eval() under noGrad (seen from inside the model by a spy module); BatchNorm's running statistics and
 * num_batches_tracked are never touched by validation, evaluate or predict (counts and bitwise
 * snapshots); every module's previous mode is restored afterwards — after fit (worker and caller's
 * thread), a fit that rejects on a NaN loss, evaluate and predict; a BatchNorm model whose last batch
 * would hold one sample trains (the batch is merged, said once); and fit, evaluate and predict never
 * trigger the "did you forget model.eval()?" warning themselves.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, fit, isGradEnabled, manualSeed, nn, noGrad, NonFiniteLossError, predict, Tensor } from '../../src/index.js';
import { type BatchLogs, Callback } from '../../src/train/callbacks/callback.js';
import { TensorDataset } from '../../src/data/dataset.js';
import type { Module, ModuleJSON } from '../../src/nn/module.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { PhaseMarker, regressionData, regressionMlp, smallBackbone, trackedPerBatchNorm, warningsWithCode } from './helpers.js';

const modesOf = (model: Module): boolean[] => model.modules().map((m) => m.training);

/** Warnings with `code` emitted while fn runs (process.emitWarning delivers on a later tick: waited for). */
async function warningsDuring(code: string, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }): void => {
    if (w.code === code) seen.push(w.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

/** A module that records, at every forward, the phase of the run, its own mode, a BatchNorm's and a Dropout's, and grad mode. */
class ModeSpy extends nn.Module {
  phase = 'none';
  readonly seen: Array<{ phase: string; training: boolean; bn: boolean; dropout: boolean; grad: boolean }> = [];
  bn: Module | null = null;
  dropout: Module | null = null;

  forward(x: Tensor): Tensor {
    this.seen.push({ phase: this.phase, training: this.training, bn: this.bn!.training, dropout: this.dropout!.training, grad: isGradEnabled() });
    return x;
  }

  toJSON(): ModuleJSON {
    return { type: 'ModeSpy' };
  }
}

/** Records each training batch's size, per epoch. */
class BatchSizes extends Callback {
  readonly sizes: number[][] = [];

  override onEpochBegin(): void {
    this.sizes.push([]);
  }

  override onBatchEnd(_batch: number, logs: BatchLogs): void {
    this.sizes.at(-1)!.push(logs.size);
  }
}

const train = regressionData(64, 11);
const val = regressionData(24, 12);

describe('fit, evaluate and predict run each forward in the right mode', () => {
  it('training batches in train() with grad on; validation, evaluate and predict (also Monte-Carlo) in eval() under noGrad', async () => {
    const spy = new ModeSpy();
    manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(6, 16, { bias: false }), new nn.BatchNorm1d(16), new nn.ReLU(), spy, new nn.Dropout(0.3), new nn.Linear(16, 1));
    spy.bn = model.modules()[2]!;
    spy.dropout = model.modules()[5]!;
    expect(spy.bn).toBeInstanceOf(nn.BatchNorm1d);
    expect(spy.dropout).toBeInstanceOf(nn.Dropout);
    // A custom module cannot be rebuilt in a worker: this fit runs on the test's thread, where the spy is.
    const history = await fit(model, {
      ...train, validationData: val, epochs: 2, batchSize: 16, validationBatchSize: 10, verbose: false, worker: false, callbacks: [new PhaseMarker(spy, 'none')],
    });
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const phase = (p: string) => spy.seen.filter((s) => s.phase === p);
    // 64 samples in batches of 16: 4 training forwards per epoch; 24 validation samples in batches of 10: 3.
    expect(phase('train')).toEqual(Array(2 * 4).fill({ phase: 'train', training: true, bn: true, dropout: true, grad: true }));
    expect(phase('validation')).toEqual(Array(2 * 3).fill({ phase: 'validation', training: false, bn: false, dropout: false, grad: false }));
    expect(spy.seen).toHaveLength(2 * 4 + 2 * 3);

    model.train();
    spy.phase = 'evaluate';
    await evaluate(model, { ...val, batchSize: 10 });
    spy.phase = 'predict';
    await predict(model, val.x, { batchSize: 10 });
    spy.phase = 'mcDropout';
    await predict(model, val.x, { batchSize: 10, mcDropout: { samples: 3 } });
    expect(phase('evaluate')).toEqual(Array(3).fill({ phase: 'evaluate', training: false, bn: false, dropout: false, grad: false }));
    expect(phase('predict')).toEqual(Array(3).fill({ phase: 'predict', training: false, bn: false, dropout: false, grad: false }));
    // Monte-Carlo dropout: only the Dropout layers train; BatchNorm (and everything else) stays in eval.
    expect(phase('mcDropout')).toEqual(Array(3 * 3).fill({ phase: 'mcDropout', training: false, bn: false, dropout: true, grad: false }));
    expect(modesOf(model).every((t) => t)).toBe(true);
  });
});

describe('BatchNorm running statistics are only changed by training batches', () => {
  it('num_batches_tracked = epochs × stepsPerEpoch after fit with validation data, on the caller\'s thread and in a worker', async () => {
    for (const worker of [false, true]) {
      const model = regressionMlp();
      const history = await fit(model, { ...train, validationData: val, epochs: 3, batchSize: 16, validationBatchSize: 5, verbose: false, worker });
      expect(history.epochs.every((e) => Number.isFinite(e.valLoss))).toBe(true);
      expect(trackedPerBatchNorm(model)).toEqual([3 * 4]); // 64 / 16 = 4 steps per epoch; 5 validation batches per epoch add nothing
    }
    const backbone = smallBackbone(2);
    const r = prng(5);
    const x = new Tensor(Float32Array.from({ length: 40 * 48 }, () => 2 * r() - 1), [40, 4, 12]);
    const y = new Tensor(Float32Array.from({ length: 40 }, () => r()), [40, 1]);
    await fit(backbone, { x, y, validationSplit: 0.25, epochs: 2, batchSize: 10, validationBatchSize: 3, verbose: false });
    expect(trackedPerBatchNorm(backbone)).toEqual([2 * 3, 2 * 3]); // 30 training samples / 10 = 3 steps per epoch, in both BatchNorm layers
  });

  it('a fit with validation data leaves the model bit for bit as the same fit without it', async () => {
    const withValidation = regressionMlp(), without = regressionMlp();
    const a = await fit(withValidation, { ...train, validationData: val, epochs: 3, batchSize: 16, seed: 4, verbose: false, worker: false });
    const b = await fit(without, { ...train, epochs: 3, batchSize: 16, seed: 4, verbose: false, worker: false });
    expect(a.epochs.map((e) => e.valLoss)).not.toContain(undefined);
    expect(b.epochs.map((e) => e.valLoss)).toEqual([undefined, undefined, undefined]);
    expect(a.epochs.map((e) => e.loss)).toEqual(b.epochs.map((e) => e.loss));
    expectSameSnapshot(snapshot(withValidation), snapshot(without));
  });

  it('evaluate and predict (also Monte-Carlo) leave every parameter and buffer bit for bit as they were, the model in train()', async () => {
    const model = regressionMlp();
    await fit(model, { ...train, epochs: 2, batchSize: 16, verbose: false, worker: false });
    model.train();
    const before = snapshot(model);
    const scores = await evaluate(model, { ...val, batchSize: 7 });
    const out = await predict(model, val.x, { batchSize: 64 });
    await predict(model, val.x, { batchSize: 5, mcDropout: { samples: 4 } });
    expectSameSnapshot(snapshot(model), before);
    expect(modesOf(model).every((t) => t)).toBe(true);
    // What they computed is the eval-mode forward (running statistics, no dropout), by hand:
    model.eval();
    const want = noGrad(() => model.forward(val.x));
    model.train();
    expect(Array.from(out.data)).toEqual(Array.from(want.data));
    let se = 0;
    for (let i = 0; i < 24; i++) se += (want.data[i]! - val.y.data[i]!) ** 2;
    expect(scores.loss).toBeCloseTo(se / 24, 6);
  });
});

describe('the mode each module had is restored afterwards', () => {
  const nanTargets = (): Tensor => {
    const y = new Float32Array(train.y.data);
    y[5] = NaN;
    return new Tensor(y, [64, 1]);
  };
  const setups: Array<[string, (m: nn.Sequential) => void]> = [
    ['the whole model in eval()', (m) => m.eval()],
    ['train() with its BatchNorm kept in eval', (m) => {
      m.train();
      m.modules()[2]!.training = false;
    }],
  ];

  for (const worker of [false, true]) {
    for (const [name, setup] of setups) {
      it(`${name}: after fit (${worker ? 'worker' : 'caller\'s thread'}), a fit that rejects on a NaN loss, evaluate and predict`, async () => {
        const model = regressionMlp();
        setup(model);
        const modes = modesOf(model);
        expect(modes).toContain(false);
        await fit(model, { ...train, validationData: val, epochs: 1, batchSize: 16, verbose: false, worker });
        expect(modesOf(model)).toEqual(modes);

        // A Dataset, so the NaN is met by a batch mid-run (a Tensor y with NaN is refused before training).
        const failed = fit(model, { data: new TensorDataset(train.x, nanTargets()), epochs: 2, batchSize: 16, verbose: false, worker });
        await expect(failed).rejects.toBeInstanceOf(NonFiniteLossError);
        expect(modesOf(model)).toEqual(modes);

        await evaluate(model, val);
        expect(modesOf(model)).toEqual(modes);
        await predict(model, val.x);
        expect(modesOf(model)).toEqual(modes);
        await predict(model, val.x, { mcDropout: { samples: 2 } });
        expect(modesOf(model)).toEqual(modes);
      });
    }
  }
});

describe('a last batch of one sample with BatchNorm', () => {
  const warnings = warningsWithCode('KEEL_MERGED_LAST_BATCH');

  it('is merged into the batch before it: 33 samples in batches of 8 train as 8, 8, 8, 9 — said once', async () => {
    const data = regressionData(33, 21);
    const model = regressionMlp();
    // Without the merge, BatchNorm in training mode cannot normalise a batch of one:
    expect(() => model.forward(new Tensor(data.x.data.slice(0, 6), [1, 6]))).toThrow();
    for (const worker of [false, true]) {
      const m = regressionMlp(), sizes = new BatchSizes();
      const history = await fit(m, { ...data, epochs: 2, batchSize: 8, verbose: false, worker, callbacks: [sizes] });
      expect(history.epochs).toHaveLength(2);
      expect(sizes.sizes).toEqual([[8, 8, 8, 9], [8, 8, 8, 9]]);
      expect(trackedPerBatchNorm(m)).toEqual([2 * Math.floor(33 / 8)]);
      expect(history.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      'fit: 33 training samples in batches of 8 leave a last batch of 1 sample, on which BatchNorm cannot compute batch statistics; it is merged into the batch before it (of 9) every epoch.',
    ]);
  });
});

describe('fit, evaluate and predict never trigger the "did you forget model.eval()?" warning', () => {
  it('none from a fit with validation, evaluate, predict or Monte-Carlo predict; the warning does fire for a real mistake', async () => {
    nn.resetModeWarning();
    const model = regressionMlp();
    const seen = await warningsDuring(nn.TRAINING_MODE_NO_GRAD, async () => {
      await fit(model, { ...train, validationData: val, epochs: 2, batchSize: 16, verbose: false, worker: false });
      await evaluate(model, val);
      await predict(model, val.x);
      await predict(model, val.x, { mcDropout: { samples: 3 } });
    });
    expect(seen).toEqual([]);
    // The listener sees the warning when the mistake is made (a training-mode forward under noGrad):
    const mistake = await warningsDuring(nn.TRAINING_MODE_NO_GRAD, async () => {
      model.train();
      noGrad(() => model.forward(val.x));
    });
    expect(mistake).toHaveLength(1);
    expect(mistake[0]).toMatch(/^BatchNorm1d\(16\) ran in training mode under noGrad\(\)/);
  });
});
