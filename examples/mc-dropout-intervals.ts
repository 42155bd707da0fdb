/**
 * Prediction intervals from Monte-Carlo dropout (Gal & Ghahramani 2016): the DESIGN.md §1 Conv1d
 * backbone is trained briefly on the built-in run-to-failure engines (datasets.runToFailure), then
 * predict() runs each test engine's last 30-cycle window many times with the Dropout layers on
 * (BatchNorm stays in eval) and returns the mean and standard deviation of the predicted RUL. Each
 * engine gets a 90% interval mean ± 1.645·std; the example prints a few engines and the share of all
 * test engines whose RUL falls inside their interval (the empirical coverage).
 *
 * The spread of the dropout passes measures the model's uncertainty, not the noise in the engines'
 * sensors, so after a short training the coverage is usually well below 90%: the printed number says
 * how far these intervals can be trusted as they are.
 *
 *   npx tsx examples/mc-dropout-intervals.ts [epochs] [passes]      (defaults: 15, 50)
 */
import { pathToFileURL } from 'node:url';
import { data, datasets, fit, type FitHistory, manualSeed, nn, optim, predict, textTable } from 'keel';

const WINDOW = 30;
/** RUL targets are capped here (DESIGN.md §9); the test engines' truth is capped the same way, so interval and truth measure one thing. */
const RUL_CAP = 125;
/** The standard normal's 95th percentile: mean ± Z·std holds 90% of a Gaussian. */
const Z = 1.645;

export interface McDropoutExampleOptions {
  /** Training epochs. Default 15. */
  epochs?: number;
  /** Monte-Carlo passes per test window (predict requires at least 2). Default 50. */
  passes?: number;
  /** Seed of the data, the initial weights, the batch order and the dropout masks. Default 0. */
  seed?: number;
  /** Overrides of the backbone's options, e.g. its dropout rates. Default: none (nn.conv1dBackbone's defaults). */
  backbone?: nn.Conv1dBackboneOptions;
  /** fit's progress output. Default 'auto'. */
  verbose?: 'auto' | false;
}

/** One test engine's interval, in cycles. */
export interface EngineInterval {
  /** The engine's id in datasets.runToFailure's test table. */
  engine: string | number;
  /** Its true RUL at its last cycle, capped at 125 like the training targets. */
  rul: number;
  /** The mean of the Monte-Carlo passes. */
  predicted: number;
  /** Their standard deviation. */
  std: number;
  lower: number;
  upper: number;
}

export interface McDropoutExampleResult {
  history: FitHistory;
  rows: EngineInterval[];
  /** The share of rows with lower ≤ rul ≤ upper. */
  coverage: number;
}

export async function mcDropoutIntervals(options: McDropoutExampleOptions = {}): Promise<McDropoutExampleResult> {
  const seed = options.seed ?? 0;
  const ds = datasets.runToFailure({ seed });
  // The scaler sees the training engines only; the test engines are scored on their last window.
  const scaler = new data.Standardizer().fit(ds.train);
  const windows = (t: data.SeriesTable, last: boolean) =>
    data.slidingWindows(scaler.transform(t), { window: WINDOW, channels: ds.informative, targets: 'rul', rulCap: RUL_CAP, last });
  const train = windows(ds.train, false), test = windows(ds.test, true);

  manualSeed(seed);
  const model = nn.conv1dBackbone({ inChannels: ds.informative.length, window: WINDOW, ...options.backbone });
  const history = await fit(model, {
    x: train.x, y: train.y, epochs: options.epochs ?? 15, batchSize: 128, seed,
    optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, 5e-2), { lr: 3e-3 }),
    verbose: options.verbose ?? 'auto',
  });

  const { mean, std } = await predict(model, test.x, { mcDropout: { samples: options.passes ?? 50, seed } });
  // A Gaussian approximation of the passes' spread: the interval is mean ± Z·std, not the empirical
  // 5% and 95% quantiles of the passes (predict returns their mean and std only).
  const rows = Array.from(test.groups, (unit, i): EngineInterval => {
    const predicted = mean.data[i]!, s = std.data[i]!;
    return { engine: ds.test.units[unit]!.id, rul: test.y!.data[i]!, predicted, std: s, lower: predicted - Z * s, upper: predicted + Z * s };
  });
  const covered = rows.filter((r) => r.lower <= r.rul && r.rul <= r.upper).length;
  return { history, rows, coverage: covered / rows.length };
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 15), passes = Number(process.argv[3] ?? 50);
  const { rows, coverage } = await mcDropoutIntervals({ epochs, passes });
  const shown = rows.slice(0, 10).map((r) => ({
    engine: r.engine, rul: r.rul, predicted: r.predicted, interval: `[${r.lower.toFixed(1)}, ${r.upper.toFixed(1)}]`,
    inside: r.lower <= r.rul && r.rul <= r.upper ? 'yes' : 'no',
  }));
  console.log(textTable({
    columns: [
      { key: 'engine', label: 'engine' },
      { key: 'rul', label: 'true RUL', digits: 0 },
      { key: 'predicted', label: 'predicted', digits: 1 },
      { key: 'interval', label: '90% interval' },
      { key: 'inside', label: 'inside' },
    ],
    rows: shown,
  }));
  const width = rows.reduce((s, r) => s + (r.upper - r.lower), 0) / rows.length;
  console.log(`first ${shown.length} of ${rows.length} test engines (RUL capped at ${RUL_CAP}); ${passes} dropout passes each`);
  console.log(`empirical coverage of the 90% intervals: ${(100 * coverage).toFixed(0)}% (mean width ${width.toFixed(1)} cycles)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
