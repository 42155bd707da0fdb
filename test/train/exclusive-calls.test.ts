// One changer at a time per model (src/train/claims.ts): fit, findLearningRate and
// recalibrateBatchNorm each refuse a model another of them is changing, with a StateError naming the
// call that holds it, and the first runs as if alone. predict and evaluate wait for a sweep or a
// recalibration to end (src/train/modes.ts oneAtATime), so they never see a sweep's trial weights and a
// recalibration never counts their inputs. (Before: a sweep started beside a worker fit put back the
// weights from before the fit when it ended after it, and a predict during a recalibration entered its
// inputs into the recomputed statistics.)
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { evaluate } from '../../src/train/evaluate.js';
import { fit } from '../../src/train/fit.js';
import { findLearningRate } from '../../src/train/lr-finder.js';
import { predict } from '../../src/train/predict.js';
import { recalibrateBatchNorm } from '../../src/train/recalibrate-batchnorm.js';

/** A small MLP with BatchNorm and Dropout, its weights from `seed`. */
function net(seed: number): nn.Sequential {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(8, 32), new nn.BatchNorm1d(32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 2));
}

manualSeed(5);
const x = randn([2000, 8]), y = randn([2000, 2]);
const state = (model: nn.Module) => Object.values(model.stateDict()).map((t) => Array.from(t.data as ArrayLike<number | bigint>));
const sweepOptions = { x, y, numIterations: 30, batchSize: 64, seed: 3 };
const fitOptions = (worker: boolean) => ({ x, y, epochs: 2, batchSize: 64, worker, verbose: false, seed: 4 }) as const;

describe.each([true, false])('fit (worker: %s) and the other calls that change a model', (worker) => {
  it('a sweep or a recalibration during a fit is refused, and the fit trains as if alone', async () => {
    const alone = net(1);
    await fit(alone, fitOptions(worker));
    const model = net(1);
    const training = fit(model, fitOptions(worker));
    await expect(findLearningRate(model, sweepOptions)).rejects.toThrow(
      'findLearningRate: this model is already being trained by a fit() call; await that call (or abort it) before starting another',
    );
    await expect(recalibrateBatchNorm(model, x)).rejects.toThrow(
      'recalibrateBatchNorm: this model is already being trained by a fit() call',
    );
    await training;
    expect(state(model)).toEqual(state(alone));
  });

  it('a fit during a sweep is refused, and the sweep gives its curve alone and puts the weights back', async () => {
    const alone = await findLearningRate(net(2), sweepOptions);
    const model = net(2), before = state(model);
    const sweeping = findLearningRate(model, sweepOptions);
    await expect(fit(model, fitOptions(worker))).rejects.toThrow(StateError);
    await expect(fit(model, fitOptions(worker))).rejects.toThrow('fit: this model is already being swept through learning rates by a findLearningRate() call');
    expect((await sweeping).losses).toEqual(alone.losses);
    expect(state(model)).toEqual(before);
    await fit(model, { ...fitOptions(worker), epochs: 1 }); // free again
  });
});

describe('predict and evaluate beside a sweep or a recalibration', () => {
  it('wait for a sweep to put the weights back: they see the weights from before it', async () => {
    const model = net(3);
    const expected = Array.from((await predict(model, x)).data);
    const expectedLoss = (await evaluate(model, { x, y })).loss;
    const sweeping = findLearningRate(model, sweepOptions);
    const [out, scores] = await Promise.all([predict(model, x), evaluate(model, { x, y }), sweeping]);
    expect(Array.from(out.data)).toEqual(expected);
    expect(scores.loss).toBe(expectedLoss);
  });

  it('wait for a recalibration to end: its statistics are those of its data alone, and they predict with them', async () => {
    // The predict's inputs far from the recalibration's, so counting them would move the statistics.
    const data = randn([640, 8]), other = new Tensor(randn([2000, 8]).data.map((v) => 10 * v + 3), [2000, 8]);
    const alone = net(4);
    await recalibrateBatchNorm(alone, data, { batchSize: 64 });
    const model = net(4);
    const recalibrating = recalibrateBatchNorm(model, data, { batchSize: 64 });
    const [out] = await Promise.all([predict(model, other, { batchSize: 64 }), recalibrating]);
    expect(state(model)).toEqual(state(alone));
    expect(Array.from(out.data)).toEqual(Array.from((await predict(alone, other, { batchSize: 64 })).data));
  });

  it('a layer shared with a model being changed counts: the refusal names the layer', async () => {
    const model = net(5);
    const sharing = new nn.Sequential(model.at(0), new nn.Linear(32, 2));
    const sweeping = findLearningRate(model, sweepOptions);
    await expect(recalibrateBatchNorm(new nn.Sequential(sharing, new nn.BatchNorm1d(2)), randn([20, 8]))).rejects.toThrow(
      'recalibrateBatchNorm: a layer of this model (Linear(8→32)) is already being swept through learning rates by a findLearningRate() call',
    );
    await sweeping;
  });
});
