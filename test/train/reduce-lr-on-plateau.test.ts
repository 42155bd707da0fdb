// The ReduceLROnPlateau callback in fit, in both modes: lr reductions on a constructed plateau, and option validation.
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { ones, zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce-lr-on-plateau.js';
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

  it('rejects bad options and an unlogged monitor', async () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/ReduceLROnPlateau/);
    expect(() => new ReduceLROnPlateau({ patiance: 1 } as never)).toThrow('ReduceLROnPlateau: unknown option "patiance"');
    await expect(fit(linearNet(), options(false, { validationData: undefined, callbacks: [new ReduceLROnPlateau()] }))).rejects.toThrow(
      "ReduceLROnPlateau: monitor 'valLoss' is not logged by this fit",
    );
  });
});
