/**
 * fit's `augment` option: transforms run on training batches only — never on validation, evaluate or
 * predict — once per training batch, before the forward; built-in transforms move to a worker thread
 * and give bitwise the same run there as on the caller's thread; a function or a user subclass keeps the
 * run on the caller's thread (worker: true says why); the same seed repeats the augmented run.
 */
import { describe, expect, it } from 'vitest';
import { augment, evaluate, fit, predict, Tensor } from '../../src/index.js';
import { Augmentation, type AugmentedBatch, type AugmentSpec } from '../../src/augment/augmentation.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { smallBackbone } from './helpers.js';

/** n windows of 4 channels × 12 steps, uniform in [−1, 1), with y = mean of channel 0 (n, 1). */
function windows(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const x = Float32Array.from({ length: n * 48 }, () => 2 * r() - 1);
  const y = Float32Array.from({ length: n }, (_, i) => x.subarray(i * 48, i * 48 + 12).reduce((s, v) => s + v, 0) / 12);
  return { x: new Tensor(x, [n, 4, 12]), y: new Tensor(y, [n, 1]) };
}

/** Records the batch sizes it sees and shifts every input by +`shift` (a user type: stays on the caller's thread). */
class Recorder extends Augmentation {
  readonly type = 'recorder';
  readonly sizes: number[] = [];

  constructor(private readonly shift: number) {
    super();
  }

  apply(x: Tensor, y?: Tensor): AugmentedBatch {
    this.sizes.push(x.shape[0]!);
    return { x: new Tensor(x.data.map((v) => v + this.shift), x.shape), ...(y ? { y } : {}) };
  }

  toSpec(): AugmentSpec {
    return { type: this.type, options: { shift: this.shift } };
  }
}

const train = windows(100, 1), val = windows(40, 2);
const base = (over: Partial<FitOptions>): FitOptions => ({
  x: train.x, y: train.y, validationData: val, epochs: 2, batchSize: 32, verbose: false, seed: 3, ...over,
});

describe('fit augment', () => {
  it('augments every training batch once, and nothing else', async () => {
    const rec = new Recorder(0);
    const model = smallBackbone(5);
    await fit(model, base({ augment: rec, worker: false }));
    // 100 samples in batches of 32: 32, 32, 32 and 4, in each of the 2 epochs.
    expect(rec.sizes).toEqual([32, 32, 32, 4, 32, 32, 32, 4]);
    await evaluate(model, { x: val.x, y: val.y });
    await predict(model, val.x);
    expect(rec.sizes).toHaveLength(8);
  });

  it('validation sees the data as given: the last valLoss is evaluate()\'s loss even under a large shift', async () => {
    const model = smallBackbone(5);
    const history = await fit(model, base({ augment: augment.jitter({ sigma: 5 }), worker: true }));
    const { loss } = await evaluate(model, { x: val.x, y: val.y });
    expect(history.epochs.at(-1)!.valLoss).toBe(loss);
  });

  it('a worker run with built-in transforms is bitwise the in-thread run; the seed repeats it', async () => {
    const pipeline = () => [augment.jitter({ sigma: 0.1 }), augment.timeWarp(), augment.mixup({ alpha: 0.4, targets: 'regression' })];
    const run = async (worker: boolean, seed: number) => {
      const model = smallBackbone(7, { dropout: 0.1 });
      const history = await fit(model, base({ augment: pipeline(), worker, seed }));
      return { model: snapshot(model), losses: history.values('loss') };
    };
    const inWorker = await run(true, 3), inThread = await run(false, 3), other = await run(true, 4);
    expectSameSnapshot(inWorker.model, inThread.model);
    expect(inWorker.losses).toEqual(inThread.losses);
    expect(other.losses).not.toEqual(inWorker.losses);
  });

  it('augmentation changes training: an unaugmented run differs', async () => {
    const plain = smallBackbone(7), augmented = smallBackbone(7);
    const a = await fit(plain, base({ worker: false }));
    const b = await fit(augmented, base({ augment: augment.jitter({ sigma: 0.5 }), worker: false }));
    expect(b.values('loss')).not.toEqual(a.values('loss'));
  });

  it('a function or a user transform cannot move to a worker; worker: true says why', async () => {
    await expect(fit(smallBackbone(5), base({ augment: (x, y) => ({ x, y }), worker: true }))).rejects.toThrow(/augment is a function, which cannot move to a worker/);
    await expect(fit(smallBackbone(5), base({ augment: new Recorder(1), worker: true }))).rejects.toThrow(/the augmentation cannot be rebuilt in a worker/);
    class LoudJitter extends augment.Jitter {}
    await expect(fit(smallBackbone(5), base({ augment: [augment.scaling(), new LoudJitter()], worker: true }))).rejects.toThrow(
      'fromSpec(toSpec()) does not rebuild LoudJitter as itself',
    );
  });

  it.each([false, true])('a binary classifier (bce, one logit) with MixUp and CutMix logs accuracy of its mixed labels (worker: %s)', async (worker) => {
    // Labels 0/1, blended by the mixing transforms into (0, 1): the training accuracy reads each as the nearer class.
    const y = new Tensor(Float32Array.from(train.y.data, (v) => (v > 0 ? 1 : 0)), [100, 1]);
    const mix = [augment.mixup({ targets: 'probabilities' }), augment.cutmix({ targets: 'regression' })];
    const history = await fit(smallBackbone(5), base({ y, validationData: undefined, loss: 'bce', metrics: ['accuracy'], augment: mix, worker }));
    const accuracy = history.values('accuracy');
    expect(accuracy).toHaveLength(2);
    for (const a of accuracy) expect(a >= 0 && a <= 1, `accuracy ${a}`).toBe(true);
  });

  it('rejects what is not an augmentation, naming the option', async () => {
    await expect(fit(smallBackbone(5), base({ augment: 'jitter' as never }))).rejects.toThrow(
      'fit: augment must be an augmentation (augment.jitter(), ...), a list of them, or a function (x, y) => { x, y }, got "jitter"',
    );
    await expect(fit(smallBackbone(5), base({ augment: [augment.jitter(), {} as never] }))).rejects.toThrow(/fit: augment\[1\] must be an augmentation/);
  });
});
