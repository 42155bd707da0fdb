/**
 * The built-in dataset's overfitting claim (issue 9), measured rather than assumed: with
 * runToFailure's defaults, does the unregularised backbone overfit — its validation loss reaching a
 * minimum and then rising while its training loss keeps falling — and does regularisation give a
 * lower best AND final validation loss? The verdict line answers both per seed set.
 *
 *   npx tsx bench/overfitting.ts --seeds 1,2,3,4 [--curves]      (and --seeds 5,6,7,8)
 *
 * Per seed: ds = datasets.runToFailure({ seed }); split the 20 TRAIN engines by engine 60/40
 * (groupSplit: 12 fit, 8 validate — enough validation engines for a readable curve); Standardizer
 * fitted on the fitting engines only; windows of 30 cycles, stride 1, over the 14 informative sensors;
 * target RUL/125 with RUL capped at 125 (so the loss is O(1) and RMSE in cycles = 125·sqrt(MSE)). Two
 * fits of nn.conv1dBackbone({ inChannels: 14, window: 30 }), 40 epochs, batch 128, Adam's default
 * lr 1e-3 (the rate a user starts with), same initial weights (manualSeed(seed)):
 *   none         dropout 0, headDropout 0, Adam, no weight decay, no early stopping
 *   regularised  the default dropouts 0.15 / 0.5, AdamW with decoupled weight decay 0.1 on weights only
 *                (optim.weightDecayGroups; 1e-2 barely shrank the weights at this lr and epoch count)
 * Fits run on this thread (worker: false: no worker start-up in the timing).
 *
 * Verdict, per seed (sv, st: validation and training loss smoothed by a centred 3-epoch mean, as
 * History.divergenceEpoch smooths them):
 *   overfits  history.divergenceEpoch is non-null, or sv's final value is ≥ 15% above sv's minimum
 *             while st fell from that epoch to the end;
 *   helps     the regularised fit's best val loss AND its smoothed final val loss are lower than the
 *             unregularised fit's (the final one is what overfitting costs; smoothed so that one noisy
 *             last epoch does not decide it).
 *
 * Measured with the defaults (runToFailure's header has the why): seeds 1–4 overfit on 3/4 and
 * regularisation helps on 4/4; seeds 5–8 overfit on 1/4 and it helps on 2/4 — the claim is not yet
 * robust (the validation curve often rises after an early minimum and then falls again).
 */
import { runToFailure, type RunToFailureOptions } from '../src/datasets/run-to-failure.js';
import { groupSplit } from '../src/data/group-split.js';
import type { SeriesTable } from '../src/data/series.js';
import { Standardizer } from '../src/data/scalers/standardizer.js';
import { slidingWindows } from '../src/data/windows.js';
import { fit, manualSeed, nn, optim, Tensor } from '../src/index.js';
import { parseCli, usageError } from './cli.js';

const PROG = 'bench:overfitting';
const WINDOW = 30;
const CAP = 125;
/** Share of the training engines held out for validation: 8 of 20 by default, so the curve is readable. */
const VAL_FRACTION = 0.4;
const LR = 1e-3;
/** AdamW's decoupled weight decay of the regularised fit (weights only, not biases or BatchNorm). */
const WEIGHT_DECAY = 0.1;
/** Smoothed final validation loss at least this far above the smoothed minimum counts as overfitting. */
const RISE = 1.15;

const USAGE = `Usage: npx tsx bench/overfitting.ts [options]

  --seeds LIST     dataset/model seeds, comma-separated (default 1,2,3,4)
  --epochs N       epochs per fit, 1..200 (default 40)
  --train-units N  runToFailure trainUnits (default: the dataset's default)
  --noise X        runToFailure noise (default: the dataset's default)
  --batch N        batch size, 1..4096 (default 128)
  --curves         also print each fit's training and validation loss per epoch
  --only MODE      run one fit per seed: none | regularised (default both)
  --help           this text
`;

function parseOptions() {
  const v = parseCli(PROG, USAGE, {
    seeds: { type: 'string', default: '1,2,3,4' },
    epochs: { type: 'string', default: '40' },
    'train-units': { type: 'string' },
    noise: { type: 'string' },
    batch: { type: 'string', default: '128' },
    only: { type: 'string' },
    curves: { type: 'boolean', default: false },
  });
  const seeds = v.seeds.split(',').map(Number);
  if (seeds.length === 0 || seeds.length > 32 || !seeds.every((s) => Number.isSafeInteger(s) && s >= 0)) usageError(PROG, `--seeds must be up to 32 non-negative integers, got "${v.seeds}"`);
  const epochs = Number(v.epochs);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) usageError(PROG, `--epochs must be an integer in [1, 200], got "${v.epochs}"`);
  const batch = Number(v.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) usageError(PROG, `--batch must be an integer in [1, 4096], got "${v.batch}"`);
  const dataset: RunToFailureOptions = {};
  if (v['train-units'] !== undefined) dataset.trainUnits = Number(v['train-units']);
  if (v.noise !== undefined) dataset.noise = Number(v.noise);
  if (v.only !== undefined && v.only !== 'none' && v.only !== 'regularised') usageError(PROG, `--only must be none or regularised, got "${v.only}"`);
  return { seeds, epochs, batch, dataset, only: v.only as Mode | undefined, curves: v.curves };
}

type Mode = 'none' | 'regularised';

function scaled(y: Tensor): Tensor {
  return new Tensor(y.data.map((v) => v / CAP), y.shape);
}

interface Row {
  seed: number;
  mode: Mode;
  best: number;
  minVal: number;
  finalVal: number;
  finalTrain: number;
  divergence: number | null;
  /** Epoch (1-based) of the minimum of the smoothed validation curve, and smoothed final / smoothed minimum. */
  smoothedBest: number;
  rise: number;
  /** The overfitting verdict: a divergence epoch, or rise ≥ RISE while smoothed training loss fell after smoothedBest. */
  overfits: boolean;
  smoothedFinal: number;
  seconds: number;
  train: number[];
  val: number[];
}

async function run(seed: number, mode: Mode, epochs: number, batch: number, data: { x: Tensor; y: Tensor; vx: Tensor; vy: Tensor }): Promise<Row> {
  manualSeed(seed);
  const regularised = mode === 'regularised';
  const model = nn.conv1dBackbone({ inChannels: 14, window: WINDOW, ...(regularised ? {} : { dropout: 0, headDropout: 0 }) });
  const t0 = performance.now();
  const history = await fit(model, {
    x: data.x, y: data.y,
    validationData: { x: data.vx, y: data.vy },
    epochs, batchSize: batch, seed,
    optimizer: regularised ? (_p, m) => new optim.AdamW(optim.weightDecayGroups(m, WEIGHT_DECAY), { lr: LR }) : (p) => new optim.Adam(p, { lr: LR }),
    verbose: false,
    worker: false,
  });
  const seconds = (performance.now() - t0) / 1000;
  const val = history.values('valLoss'), train = history.values('loss');
  const best = argmin(val);
  const sv = smooth(val), st = smooth(train), sb = argmin(sv);
  const rise = sv.at(-1)! / sv[sb]!;
  const overfits = history.divergenceEpoch !== null || (rise >= RISE && st.at(-1)! < st[sb]!);
  return {
    seed, mode, best: best + 1, minVal: val[best]!, finalVal: val.at(-1)!, finalTrain: train.at(-1)!, divergence: history.divergenceEpoch,
    smoothedBest: sb + 1, rise, overfits, smoothedFinal: sv.at(-1)!, seconds, train, val,
  };
}

function prepare(seed: number, dataset: RunToFailureOptions) {
  const ds = runToFailure({ ...dataset, seed });
  const [train, val] = groupSplit(ds.train, [1 - VAL_FRACTION, VAL_FRACTION], seed) as [SeriesTable, SeriesTable];
  const scaler = new Standardizer().fit(train);
  const options = { window: WINDOW, channels: ds.informative, targets: 'rul', rulCap: CAP } as const;
  const wt = slidingWindows(scaler.transform(train), options);
  const wv = slidingWindows(scaler.transform(val), options);
  return { x: wt.x, y: scaled(wt.y!), vx: wv.x, vy: scaled(wv.y!), units: [train.units.length, val.units.length] };
}

/** Centred 3-epoch moving average, cut off at the ends (the smoothing of History.divergenceEpoch). */
function smooth(v: number[]): number[] {
  return v.map((_, i) => {
    const w = v.slice(Math.max(0, i - 1), i + 2);
    return w.reduce((a, b) => a + b, 0) / w.length;
  });
}

function argmin(v: number[]): number {
  let k = 0;
  v.forEach((x, i) => { if (x < v[k]!) k = i; });
  return k;
}

const rmse = (mse: number) => (CAP * Math.sqrt(mse)).toFixed(1);

async function main(): Promise<void> {
  const { seeds, epochs, batch, dataset, only, curves } = parseOptions();
  const modes: Mode[] = only ? [only] : ['none', 'regularised'];
  console.log(`runToFailure(${JSON.stringify(dataset)}), ${epochs} epochs, batch ${batch}; losses are MSE of RUL/${CAP}, RMSE in cycles`);
  console.log('seed  fit          units   windows  best  min val  final val  final train  diverges  smoothed best  rise  RMSE best  RMSE final  seconds');
  const rows: Row[] = [];
  for (const seed of seeds) {
    const data = prepare(seed, dataset);
    for (const mode of modes) {
      const r = await run(seed, mode, epochs, batch, data);
      rows.push(r);
      console.log(
        `${String(seed).padEnd(5)} ${mode.padEnd(12)} ${`${data.units[0]}/${data.units[1]}`.padEnd(7)} ${`${data.x.shape[0]}/${data.vx.shape[0]}`.padEnd(8)} ` +
          `${String(r.best).padStart(4)}  ${r.minVal.toFixed(4).padStart(7)}  ${r.finalVal.toFixed(4).padStart(9)}  ${r.finalTrain.toFixed(4).padStart(11)}  ` +
          `${String(r.divergence ?? '-').padStart(8)}  ${String(r.smoothedBest).padStart(13)}  ${r.rise.toFixed(2).padStart(4)}  ${rmse(r.minVal).padStart(9)}  ${rmse(r.finalVal).padStart(10)}  ${r.seconds.toFixed(1).padStart(7)}`,
      );
      if (curves) console.log(`      train ${r.train.map((v) => v.toFixed(4)).join(' ')}\n      val   ${r.val.map((v) => v.toFixed(4)).join(' ')}`);
    }
  }
  if (modes.length < 2) return;
  const none = rows.filter((r) => r.mode === 'none'), reg = rows.filter((r) => r.mode === 'regularised');
  const overfits = none.filter((r) => r.overfits).length;
  const helps = none.filter((r, i) => reg[i]!.minVal < r.minVal && reg[i]!.smoothedFinal < r.smoothedFinal).length;
  const both = none.filter((r, i) => r.overfits && reg[i]!.minVal < r.minVal && reg[i]!.smoothedFinal < r.smoothedFinal).length;
  console.log(`unregularised overfits on ${overfits}/${seeds.length} seeds; regularisation lowers the best and the (smoothed) final val loss on ${helps}/${seeds.length}; both on ${both}/${seeds.length}`);
}

await main();
