/**
 * Trains the DESIGN.md §1 Conv1d backbone on built-in synthetic run-to-failure data, the way a
 * PyTorch user would write it: model, optimiser, schedule, mini-batches, train()/eval(), noGrad
 * validation, and a safetensors checkpoint of the best epoch.
 *
 * Data: units whose 14 sensors drift quadratically (with unit-specific gains and noise) as they
 * degrade; each sample is a 30-step window and the target is the remaining life fraction at its end.
 *
 *   npm start                              (after npm install; runs the kernel tour first)
 *   node dist/examples/train-backbone.js   [epochs]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as F from '../functional/index.js';
import { load, save } from '../io/index.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { randn, tensor } from '../tensor/create.js';
import { noGrad } from '../tensor/grad-mode.js';
import { manualSeed, randperm } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { backendInfo } from '../backend/index.js';

const SENSORS = 14, WINDOW = 30, UNITS = 28, LIFE = 120, BATCH = 64;

/** Windows (n, 14, 30) and targets (n, 1) from `units` simulated units. */
function simulate(units: number): { x: Tensor; y: Tensor } {
  const gains = randn([units, SENSORS]).data, noise = randn([units, LIFE, SENSORS]).data;
  const xs: number[] = [], ys: number[] = [];
  for (let u = 0; u < units; u++) {
    for (let end = WINDOW; end <= LIFE; end += 3) {
      for (let s = 0; s < SENSORS; s++) {
        for (let t = end - WINDOW; t < end; t++) {
          const wear = (t / LIFE) ** 2;
          xs.push(gains[u * SENSORS + s]! * wear + 0.1 * noise[(u * LIFE + t) * SENSORS + s]!);
        }
      }
      ys.push(1 - end / LIFE);
    }
  }
  return { x: tensor(xs, [ys.length, SENSORS, WINDOW]), y: tensor(ys, [ys.length, 1]) };
}

/** Rows `idx` of a tensor whose first dimension is the sample. */
function rows(t: Tensor, idx: ArrayLike<number>): Tensor {
  const per = t.numel / t.shape[0]!;
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) out.set(t.data.subarray(idx[i]! * per, (idx[i]! + 1) * per), i * per);
  return new Tensor(out, [idx.length, ...t.shape.slice(1)]);
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 6);
  manualSeed(42);
  const train = simulate(UNITS), val = simulate(UNITS / 4);
  const model = nn.conv1dBackbone({ inChannels: SENSORS, window: WINDOW });
  const opt = new optim.AdamW(optim.weightDecayGroups(model, 1e-2), { lr: 3e-3 });
  const steps = Math.ceil(train.x.shape[0]! / BATCH);
  const sched = new optim.OneCycleLR(opt, { maxLr: 3e-3, epochs, stepsPerEpoch: steps });

  const info = backendInfo();
  console.log(`\ntraining conv1dBackbone (${model.numParameters()} parameters) on ${train.x.shape[0]} synthetic windows, ${info.backend} backend (${info.isa})`);
  const dir = mkdtempSync(join(tmpdir(), 'keel-example-'));
  let best = Infinity;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    model.train();
    const order = randperm(train.x.shape[0]!);
    let trainLoss = 0;
    for (let s = 0; s < steps; s++) {
      const idx = order.subarray(s * BATCH, (s + 1) * BATCH);
      opt.zeroGrad();
      const loss = F.mseLoss(model.forward(rows(train.x, idx)), rows(train.y, idx));
      loss.backward();
      opt.step();
      sched.step();
      trainLoss += loss.item() * idx.length;
    }
    model.eval();
    const valLoss = noGrad(() => F.mseLoss(model.forward(val.x), val.y).item());
    const improved = valLoss < best;
    if (improved) {
      best = valLoss;
      await save(join(dir, 'best.safetensors'), model.stateDict(), { metadata: { epoch: String(epoch) } });
    }
    console.log(`epoch ${String(epoch).padStart(2)}  train mse ${(trainLoss / train.x.shape[0]!).toFixed(4)}  val mse ${valLoss.toFixed(4)}  ` +
      `${(performance.now() - t0).toFixed(0)} ms${improved ? '  (best, saved)' : ''}`);
  }
  model.loadStateDict(await load(join(dir, 'best.safetensors')));
  model.eval();
  const final = noGrad(() => F.mseLoss(model.forward(val.x), val.y).item());
  console.log(`restored the best checkpoint: val mse ${final.toFixed(4)} (a constant prediction scores ${noGrad(() => F.mseLoss(F.add(F.mul(val.y, 0), F.mean(val.y)), val.y).item()).toFixed(4)})`);
}

await main();
