// Calls that await between batches, made at once on the caller's thread (a server's concurrent
// requests): fit, Monte-Carlo predict, predict, evaluate and findLearningRate each give what they give
// alone, bit for bit, and leave the caller's generator and the models' modes where they were. Each
// draws its random numbers from a generator of its own (OwnGenerator), and predict and evaluate on
// one model take turns (inEvalMode), and so do they and a worker fit's copy of the trained weights
// into the model (oneAtATime); they switch the model to eval() for each batch only, so a fit of the
// same model on the caller's thread trains in its own modes between them.
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import * as callbacks from '../../src/train/callbacks/index.js';
import { randn } from '../../src/tensor/create.js';
import { generatorState, manualSeed, OwnGenerator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { evaluate } from '../../src/train/evaluate.js';
import { fit } from '../../src/train/fit.js';
import { findLearningRate } from '../../src/train/lr-finder.js';
import { predict } from '../../src/train/predict.js';

/** A small MLP with BatchNorm and Dropout, its weights from `seed`. */
function net(seed: number): nn.Module {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(8, 32), new nn.BatchNorm1d(32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 2));
}

// Enough rows for several batches of 256, so each call yields to the event loop between them.
manualSeed(5);
const x = randn([2000, 8]), y = randn([2000, 2]);
const bits = (t: Tensor) => Array.from(t.data);
const mc = (seed: number) => ({ mcDropout: { samples: 3, seed } });

describe('calls made at once on the caller\'s thread', () => {
  it('Monte-Carlo predict of two models: each gives its result alone, and the caller\'s generator does not move', async () => {
    const a = net(1), b = net(2);
    const alone = [await predict(a, x, mc(1)), await predict(b, x, mc(2))];
    manualSeed(77);
    const before = generatorState();
    const both = await Promise.all([predict(a, x, mc(1)), predict(b, x, mc(2))]);
    expect(generatorState()).toEqual(before);
    for (const i of [0, 1]) {
      expect(bits(both[i]!.mean)).toEqual(bits(alone[i]!.mean));
      expect(bits(both[i]!.std)).toEqual(bits(alone[i]!.std));
    }
  });

  it('predict, Monte-Carlo predict and evaluate of one model in train mode take turns, and it stays in train mode', async () => {
    const model = net(3);
    model.train();
    const alone = [await predict(model, x), await predict(model, x, mc(4)), await evaluate(model, { x, y })];
    expect(model.training).toBe(true);
    const [plain, dropout, scores] = await Promise.all([predict(model, x), predict(model, x, mc(4)), evaluate(model, { x, y })]);
    expect(bits(plain)).toEqual(bits(alone[0] as Tensor));
    expect(bits(dropout.mean)).toEqual(bits((alone[1] as { mean: Tensor }).mean));
    expect(scores).toEqual(alone[2]);
    expect(model.modules().every((m) => m.training)).toBe(true);
    // A call that fails inside (a wrong input shape) lets the next one run.
    const [failed, next] = await Promise.allSettled([predict(model, randn([300, 5])), predict(model, x)]);
    expect(failed.status).toBe('rejected');
    expect(next.status === 'fulfilled' && bits(next.value)).toEqual(bits(alone[0] as Tensor));
  });

  it('fit on the caller\'s thread trains the same weights while another model predicts and a handler draws random numbers', async () => {
    const train = async (model: nn.Module) => {
      await fit(model, { x, y, epochs: 2, batchSize: 64, worker: false, verbose: false, seed: 11 });
      return Object.values(model.stateDict()).map((t) => Array.from(t.data as Float32Array));
    };
    const alone = await train(net(6));
    const [model, other] = [net(6), net(7)];
    manualSeed(21);
    const handlerAlone = bits(randn([16]));
    manualSeed(21);
    let handler: number[] = [];
    const [weights] = await Promise.all([
      train(model),
      predict(other, x, mc(8)),
      // Between fit's batches: what a request handler draws comes from the caller's generator.
      new Promise<void>((resolve) => setTimeout(() => { handler = bits(randn([16])); resolve(); }, 5)),
    ]);
    expect(weights).toEqual(alone);
    expect(handler).toEqual(handlerAlone);
  });

  it('fit on the caller\'s thread trains the same weights while predict and evaluate of the same model run between its batches, in eval()', async () => {
    const weights = (model: nn.Module) => Object.values(model.stateDict()).map((t) => Array.from(t.data as Float32Array));
    const options = { x, y, epochs: 2, batchSize: 64, worker: false, verbose: false, seed: 13 } as const;
    const alone = net(14);
    await fit(alone, options);
    const model = net(14);
    // A request handler's calls, each starting when the one before ends, until fit resolves. Its
    // predictions are of one row repeated: in eval() every copy in a batch gets the same output, in
    // train() dropout would differ (between batches, the weights fit changed may differ).
    const copies = new Tensor(Float32Array.from({ length: 600 * 8 }, (_, i) => x.data[i % 8]!), [600, 8]);
    let training = true, calls = 0, predictions = 0;
    const requests = (async () => {
      while (training) {
        if (calls++ % 2 === 1) await evaluate(model, { x, y, batchSize: 500 });
        else {
          const out = await predict(model, copies, { batchSize: 100 });
          expect(out.data.every((v, i) => v === out.data[i - (i % 200) + (i % 2)])).toBe(true); // 100 rows × 2 outputs a batch
          predictions++;
        }
      }
    })();
    await fit(model, options);
    training = false;
    await requests;
    expect(predictions).toBeGreaterThan(3);
    expect(weights(model)).toEqual(weights(alone));
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('a worker fit puts its weights into the model only after a predict already running on it has finished', async () => {
    const model = net(12);
    const many = randn([400_000, 8]);
    const old = bits(await predict(model, many));
    let during: Promise<Tensor> | null = null;
    // Started as the last epoch's logs arrive from the worker, just before fit copies the trained weights back.
    const startPredict = new (class extends callbacks.Callback {
      override onEpochEnd(): void {
        during = predict(model, many);
      }
    })();
    await fit(model, { x, y, epochs: 1, batchSize: 64, worker: true, verbose: false, callbacks: [startPredict] });
    // Rows that differ from the prediction with the old weights (counted: a diff of 800,000 numbers would take minutes to print).
    const changed = (t: Tensor) => t.data.reduce((n, v, i) => n + (v === old[i] ? 0 : 1), 0);
    expect(changed(await during!)).toBe(0);
    expect(changed(await predict(model, many))).toBeGreaterThan(0);
  });

  it('findLearningRate gives its curve alone while another model\'s Monte-Carlo predict runs', async () => {
    const sweep = () => findLearningRate(net(9), { x, y, numIterations: 20, batchSize: 64, seed: 3 });
    const alone = await sweep();
    const [together] = await Promise.all([sweep(), predict(net(10), x, mc(5))]);
    expect(together.losses).toEqual(alone.losses);
  });

  it('OwnGenerator: its runs draw what they would after manualSeed(seed), and the caller\'s draws in between are unchanged', () => {
    manualSeed(4);
    const expected = [bits(randn([5])), bits(randn([5]))];
    manualSeed(30);
    const callerAlone = [bits(randn([5])), bits(randn([5]))];
    manualSeed(30);
    const own = new OwnGenerator(4);
    const got = [own.run(() => bits(randn([5])))];
    const caller = [bits(randn([5]))];
    got.push(own.run(() => bits(randn([5]))));
    caller.push(bits(randn([5])));
    expect(got).toEqual(expected);
    expect(caller).toEqual(callerAlone);
    // A throw inside a run still puts the caller's generator back.
    manualSeed(30);
    expect(() => own.run(() => { randn([3]); throw new Error('inside'); })).toThrow('inside');
    expect(bits(randn([5]))).toEqual(callerAlone[0]);
  });
});
