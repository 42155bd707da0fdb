/**
 * Trains the DESIGN.md §1 Conv1d backbone on synthetic run-to-failure data with fit(): validation,
 * AdamW with weight decay on the weights only, a one-cycle schedule, early stopping that keeps the best
 * weights, a checkpoint of the best epoch — in a worker thread, so this process's event loop stays free
 * (a timer below counts its ticks while training runs). Then evaluate() and Monte-Carlo dropout predict().
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
import { backendInfo } from '../backend/index.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { randn, tensor } from '../tensor/create.js';
import { manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { callbacks, evaluate, fit, predict } from '../train/index.js';

const SENSORS = 14, WINDOW = 30, UNITS = 28, LIFE = 120;

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

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 12);
  manualSeed(42);
  const train = simulate(UNITS), val = simulate(UNITS / 4);
  const model = nn.conv1dBackbone({ inChannels: SENSORS, window: WINDOW });
  const dir = mkdtempSync(join(tmpdir(), 'keel-example-'));
  const info = backendInfo();
  console.log(`\ntraining conv1dBackbone (${model.numParameters()} parameters) on ${train.x.shape[0]} synthetic windows, ${info.backend} backend (${info.isa})`);

  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const history = await fit(model, {
    x: train.x, y: train.y, validationData: val,
    epochs, batchSize: 64,
    optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, 1e-2), { lr: 3e-3 }),
    scheduler: (opt, { epochs: total, stepsPerEpoch }) => new optim.OneCycleLR(opt, { maxLr: 3e-3, epochs: total, stepsPerEpoch }),
    metrics: ['rmse', 'mae'],
    earlyStopping: { patience: 4, restoreBestWeights: true },
    callbacks: [new callbacks.ModelCheckpoint({ path: join(dir, 'best.safetensors'), saveBestOnly: true })],
  });
  clearInterval(timer);
  const seconds = history.epochs.reduce((s, e) => s + e.seconds, 0);
  console.log(`the event loop ticked ${ticks} times (every 10 ms) while fit trained in a worker for ${seconds.toFixed(1)} s`);
  console.log(`best epoch ${history.bestEpoch}, divergence epoch ${history.divergenceEpoch ?? 'none'}, stopped: ${history.stopped}; best checkpoint in ${dir}`);

  const scores = await evaluate(model, { x: val.x, y: val.y, metrics: ['rmse'] });
  const y = val.y.data, meanY = y.reduce((a, b) => a + b, 0) / y.length;
  const baseline = Math.sqrt(y.reduce((a, b) => a + (b - meanY) ** 2, 0) / y.length);
  console.log(`validation rmse ${scores.rmse!.toFixed(4)} (predicting the mean scores ${baseline.toFixed(4)})`);
  const { mean, std } = await predict(model, val.x, { mcDropout: { samples: 20 } });
  console.log(`Monte-Carlo dropout, first window: ${mean.data[0]!.toFixed(3)} ± ${std.data[0]!.toFixed(3)} (true ${val.y.data[0]!.toFixed(3)})`);
}

await main();
