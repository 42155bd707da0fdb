// The ReduceLROnPlateau callback in fit, in both modes: lr reductions on a constructed plateau, and option validation.
import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { ReduceLROnPlateau as PlateauScheduler } from '../../src/optim/lr-scheduler-plateau.js';
import { SGD } from '../../src/optim/sgd.js';
import { ones, tensor, zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import type { FitContext } from '../../src/train/callbacks/callback.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce-lr-on-plateau.js';
import type { EpochLogs } from '../../src/train/history.js';
import { fit } from '../../src/train/fit.js';
import { linearFitOptions, linearNet } from './helpers.js';

const options = linearFitOptions();

describe('ReduceLROnPlateau callback', () => {
  it('reduces the lr after `patience` epochs of a plateau (PyTorch counting), and the history shows it (both modes)', async () => {
    // Without biases and BatchNorm the model maps x = 0 to exactly 0, whatever its weights: on validation
    // inputs of zeros with targets 1 the validation loss is exactly 1 every epoch — a plateau.
    const plateau = { x: zeros([16, 4]), y: ones([16, 1]) };
    const exported = [];
    for (const worker of [false, true]) {
      manualSeed(3);
      const model = new nn.Sequential(new nn.Linear(4, 8, { bias: false }), new nn.ReLU(), new nn.Linear(8, 1, { bias: false }));
      const reducer = new ReduceLROnPlateau({ patience: 1, factor: 0.5 });
      const history = await fit(model, options(worker, { validationData: plateau, epochs: 6, optimizer: (p) => new SGD(p, { lr: 0.1 }), callbacks: [reducer] }));
      expect(history.values('valLoss')).toEqual([1, 1, 1, 1, 1, 1]);
      // Epoch 1 sets the best; epochs 2, 3 are bad → after epoch 3 (2 > patience) lr halves; again after epoch 5.
      expect(history.values('lr')).toEqual([0.1, 0.1, 0.1, 0.1 * 0.5, 0.1 * 0.5, 0.1 * 0.5 * 0.5]);
      expect(history.optimizer.paramGroups[0]!.lr).toBe(0.1 * 0.5 * 0.5);
      // The training loss keeps changing (training runs; the plateau is the validation loss's alone).
      expect(new Set(history.values('loss')).size).toBe(6);
      exported.push(reducer.exportState());
    }
    expect(exported[1]).toEqual(exported[0]);
  });

  it('counts a NaN or infinite monitored value as an epoch without improvement (PyTorch, Keras), where the scheduler alone refuses it', () => {
    const optimizer = new SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const reducer = new ReduceLROnPlateau({ patience: 1, factor: 0.5 });
    const params = { epochs: 9, initialEpoch: 0, stepsPerEpoch: 1, batchSize: 1, samples: 1, validationSamples: 1, logKeys: ['loss', 'valLoss'], modes: { loss: 'min' as const, valLoss: 'min' as const }, mode: 'thread' as const };
    reducer.context = { optimizer, params } as unknown as FitContext;
    reducer.onTrainBegin({ epoch: 0 });
    const logs = (epoch: number, valLoss: number): EpochLogs => ({ epoch, loss: 1, valLoss, metrics: {}, lr: [0.1], seconds: 1, samplesPerSecond: 1 });
    // Epoch 1 sets the best; NaN and Infinity are two bad epochs (2 > patience 1): the lr halves.
    reducer.onEpochEnd(1, logs(1, 1));
    reducer.onEpochEnd(2, logs(2, NaN));
    expect(optimizer.paramGroups[0]!.lr).toBe(0.1);
    reducer.onEpochEnd(3, logs(3, Infinity));
    expect(optimizer.paramGroups[0]!.lr).toBe(0.05);
    expect(reducer.scheduler!.best).toBe(1);
    expect(reducer.scheduler!.lastEpoch).toBe(3);
    // optim.ReduceLROnPlateau used by hand keeps its documented refusal: in one's own loop it says the run diverged.
    const byHand = new PlateauScheduler(new SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 }));
    expect(() => byHand.step(NaN)).toThrow(NonFiniteError);
    expect(byHand.lastEpoch).toBe(0);
  });

  it('a validation loss that overflows to Infinity ends fit by EarlyStopping, which puts the best weights back (both modes)', async () => {
    // w·2e17 squared overflows float32 once the weight passes about 92; training drives it towards 100.
    const n = 64;
    const x = tensor(Array.from({ length: n }, (_, i) => i / n - 0.5), [n, 1]);
    const y = tensor(Array.from(x.data, (v) => 100 * v), [n, 1]);
    const validationData = { x: tensor([2e17, -2e17], [2, 1]), y: tensor([0, 0], [2, 1]) };
    const outcomes = [];
    for (const worker of [false, true]) {
      manualSeed(0);
      const model = new nn.Linear(1, 1);
      const es = new EarlyStopping({ patience: 50, restoreBestWeights: true });
      const reducer = new ReduceLROnPlateau({ patience: 50 });
      const history = await fit(model, { x, y, validationData, epochs: 40, batchSize: 16, verbose: false, checks: false, worker, optimizer: (p) => new SGD(p, { lr: 0.3 }), callbacks: [es, reducer] });
      const valLoss = history.values('valLoss');
      expect(valLoss.at(-1)).toBe(Infinity);
      expect(history.stopped).toBe('earlyStopping');
      expect(es.restored).toBe(true);
      expect(es.bestEpoch).toBe(valLoss.indexOf(Math.min(...valLoss)) + 1);
      outcomes.push({ weight: Array.from(model.weight.data), scheduler: reducer.exportState(), epochs: valLoss.length });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it("fit's own scheduler option: a ReduceLROnPlateau does the same with an Infinity validation loss, and per batch is refused before training", async () => {
    const n = 64;
    const x = tensor(Array.from({ length: n }, (_, i) => i / n - 0.5), [n, 1]);
    const y = tensor(Array.from(x.data, (v) => 100 * v), [n, 1]);
    const validationData = { x: tensor([2e17, -2e17], [2, 1]), y: tensor([0, 0], [2, 1]) };
    for (const worker of [false, true]) {
      manualSeed(0);
      const model = new nn.Linear(1, 1);
      const es = new EarlyStopping({ patience: 50, restoreBestWeights: true });
      const history = await fit(model, {
        x, y, validationData, epochs: 40, batchSize: 16, verbose: false, checks: false, worker, callbacks: [es],
        optimizer: (p) => new SGD(p, { lr: 0.3 }), scheduler: (opt) => new PlateauScheduler(opt, { patience: 50 }),
      });
      expect(history.values('valLoss').at(-1)).toBe(Infinity);
      expect([history.stopped, es.restored]).toEqual(['earlyStopping', true]);
    }
    const model = new nn.Linear(1, 1), before = Array.from(model.weight.data);
    await expect(fit(model, { x, y, epochs: 1, verbose: false, schedulerInterval: 'batch', scheduler: (opt) => new PlateauScheduler(opt) })).rejects.toThrow(
      "fit: schedulerInterval 'batch' with a ReduceLROnPlateau scheduler, which steps on an epoch's loss; leave schedulerInterval out (it then steps once an epoch)",
    );
    expect(Array.from(model.weight.data)).toEqual(before);
  });

  it('rejects bad options and an unlogged monitor', async () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/ReduceLROnPlateau/);
    expect(() => new ReduceLROnPlateau({ patiance: 1 } as never)).toThrow('ReduceLROnPlateau: unknown option "patiance"');
    await expect(fit(linearNet(), options(false, { validationData: undefined, callbacks: [new ReduceLROnPlateau()] }))).rejects.toThrow(
      "ReduceLROnPlateau: monitor 'valLoss' is not logged by this fit",
    );
  });
});
