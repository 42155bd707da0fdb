/**
 * The main job, on the built-in data: the DESIGN.md §1 Conv1d backbone predicting the remaining useful
 * life (RUL) of turbofan engines from 30-cycle windows of their 14 informative sensors
 * (datasets.runToFailure, a seeded imitation of NASA C-MAPSS FD001; nothing to download).
 *
 *   engines split 80/20 BY ENGINE (no engine's windows on both sides) → Standardizer fitted on the
 *   training engines only → sliding windows with RUL targets capped at 125 → fit() in a worker thread
 *   (AdamW with weight decay on the weights only, a one-cycle schedule, scaling augmentation, early
 *   stopping that keeps the best weights, a best-epoch checkpoint that carries the scaler) → the test
 *   engines scored on their last window (RMSE and the PHM08 score). Uncertainty for the same model is
 *   examples/mc-dropout-intervals.ts.
 *
 * A timer counts its ticks while training runs, to show the caller's event loop stays free.
 *
 *   npx tsx examples/backbone-fit.ts [epochs]        (default 15)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { augment, backendInfo, callbacks, data, datasets, fit, type FitHistory, manualSeed, nn, optim, phm08Score, predict, rmse } from 'keel';

const WINDOW = 30;

export interface BackboneExampleResult {
  history: FitHistory;
  /** Test engines scored on their last window, in cycles. */
  testRmse: number;
  testPhm08: number;
  testEngines: number;
  /** Where the best epoch's checkpoint (with the scaler in its metadata) went. */
  checkpoint: string;
}

export async function trainBackbone(options: { epochs?: number; verbose?: 'auto' | false; seed?: number } = {}): Promise<BackboneExampleResult> {
  const seed = options.seed ?? 0;
  const ds = datasets.runToFailure({ seed });
  const [trainEngines, valEngines] = data.groupSplit(ds.train, [0.8, 0.2], seed) as [data.SeriesTable, data.SeriesTable];
  const scaler = new data.Standardizer().fit(trainEngines);
  const windows = (t: data.SeriesTable, last = false) =>
    data.slidingWindows(scaler.transform(t), { window: WINDOW, channels: ds.informative, targets: 'rul', ...(last ? { last, rulCap: Infinity } : {}) });
  const train = windows(trainEngines), val = windows(valEngines), test = windows(ds.test, true);

  manualSeed(seed);
  const model = nn.conv1dBackbone({ inChannels: ds.informative.length, window: WINDOW });
  const checkpoint = join(mkdtempSync(join(tmpdir(), 'keel-example-')), 'best.safetensors');
  const history = await fit(model, {
    x: train.x, y: train.y, validationData: { x: val.x, y: val.y },
    epochs: options.epochs ?? 15, batchSize: 128, seed,
    optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, 5e-2), { lr: 3e-3 }),
    scheduler: (opt, { epochs, stepsPerEpoch }) => new optim.OneCycleLR(opt, { maxLr: 3e-3, epochs, stepsPerEpoch }),
    augment: augment.scaling({ sigma: 0.1 }),
    metrics: ['rmse', 'phm08'],
    earlyStopping: { patience: 5, restoreBestWeights: true },
    callbacks: [new callbacks.ModelCheckpoint({ path: checkpoint, saveBestOnly: true, metadata: { scaler: JSON.stringify(scaler) } })],
    verbose: options.verbose ?? 'auto',
  });
  const predicted = await predict(model, test.x);
  return { history, testRmse: rmse(predicted, test.y), testPhm08: phm08Score(predicted, test.y), testEngines: test.x.shape[0]!, checkpoint };
}

async function main(): Promise<void> {
  const info = backendInfo();
  console.log(`\ntraining conv1dBackbone on datasets.runToFailure (seed 0), ${info.backend} backend (${info.isa})`);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const r = await trainBackbone({ epochs: Number(process.argv[2] ?? 15) });
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const best = r.history.bestEpoch!;
  console.log(`the event loop ticked ${ticks} times (every 10 ms) during the ${seconds.toFixed(1)} s of fit in a worker`);
  console.log(`best epoch ${best} (validation RMSE ${r.history.values('valRmse')[best - 1]!.toFixed(1)} cycles), divergence epoch ${r.history.divergenceEpoch ?? 'none'}, stopped: ${r.history.stopped}`);
  console.log(`${r.testEngines} test engines, last window each: RMSE ${r.testRmse.toFixed(1)} cycles, PHM08 score ${r.testPhm08.toFixed(0)}; best checkpoint (with its scaler) in ${r.checkpoint}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
