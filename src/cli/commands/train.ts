/**
 * `keel train`: trains the DESIGN.md §1 Conv1d backbone to predict remaining useful life from
 * run-to-failure data (the built-in engines or a CSV file), the way the README teaches — units split
 * into fitting and validation units BEFORE anything is fitted (groupSplit), a Standardizer fitted on
 * the fitting units only, windows of `--window` cycles with RUL targets capped at 125 and divided by
 * 125 (so the loss is O(1); RMSE in cycles = 125·√MSE, as src/study/data.ts) — and writes a model
 * folder (./../saved-model.ts) plus the report of the run (src/report/). The defaults are the study's
 * recipe: BatchNorm, Dropout, AdamW with decoupled weight decay, early stopping restoring the best epoch.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { getNumThreads, setNumThreads } from '../../backend/index.js';
import { groupSplit } from '../../data/group-split.js';
import { Standardizer } from '../../data/scalers/standardizer.js';
import type { SeriesTable } from '../../data/series.js';
import { div } from '../../functional/arithmetic.js';
import * as nn from '../../nn/index.js';
import * as optim from '../../optim/index.js';
import { type ReportTable, writeStudyReport } from '../../report/study.js';
import { textTable } from '../../report/text-table.js';
import { manualSeed } from '../../tensor/random.js';
import { Callback } from '../../train/callbacks/callback.js';
import { evaluate } from '../../train/evaluate.js';
import { fit } from '../../train/fit.js';
import type { EpochLogs } from '../../train/history.js';
import { type CommandIO, defineCommand, intOption, numberOption, requiredOption } from '../args.js';
import { csvColumns, DATA_OPTIONS, dataUsage, loadData, parseDataSpec } from '../data-source.js';
import { UsageError } from '../errors.js';
import { modelWindows, saveModel } from '../saved-model.js';

/** RUL cap in cycles, and the target scale: the model learns RUL/RUL_CAP. */
const RUL_CAP = 125;

/** Per-epoch progress in cycles: one line redrawn in place on a terminal, one line per epoch elsewhere. */
class EpochProgress extends Callback {
  readonly #tty: boolean;

  constructor(private readonly err: CommandIO['err'], private readonly epochs: number) {
    super();
    this.#tty = Boolean(err.isTTY) && !process.env.CI;
  }

  override get passive(): boolean {
    return true;
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    const text = `epoch ${epoch}/${this.epochs}  train RMSE ${cycles(logs.loss).toFixed(2)}  val RMSE ${cycles(logs.valLoss).toFixed(2)} cycles`;
    this.err.write(this.#tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  override onTrainEnd(): void {
    if (this.#tty) this.err.write('\n');
  }
}

/** The report's table: its columns are keys of the run's result. */
const COLUMNS: ReportTable['columns'] = [
  { key: 'bestValRmse', label: 'Best val RMSE', digits: 2 },
  { key: 'bestEpoch', label: 'Best epoch' },
  { key: 'divergenceEpoch', label: 'Divergence epoch' },
  { key: 'finalTrainRmse', label: 'Final train RMSE', digits: 2 },
  { key: 'finalValRmse', label: 'Final val RMSE', digits: 2 },
  { key: 'epochs', label: 'Epochs' },
  { key: 'seconds', label: 'Time', unit: 's', digits: 1 },
  { key: 'samplesPerSecond', label: 'Samples/s', digits: 0 },
];

/** Loss (MSE of RUL/125) → RMSE in cycles. */
function cycles(mse: number | undefined): number {
  return RUL_CAP * Math.sqrt(mse ?? NaN);
}

export const train = defineCommand({
  name: 'train',
  summary: 'train the Conv1d backbone on run-to-failure data; writes a model folder and a report',
  usage: `Usage: keel train --data SOURCE --out DIR [options]

Trains the Conv1d → BatchNorm → ReLU → Dropout backbone to predict remaining useful life (RUL) from
windows of sensor readings. The units (engines) are split into training and validation units first,
the scaler is fitted on the training units only, and targets are RUL capped at ${RUL_CAP} cycles.
Writes DIR/model.safetensors (PyTorch state-dict keys), DIR/model.json (architecture, scaler,
window, channels) and the report (DIR/index.html with the curves, results.json, results.md).

Options:
${dataUsage('training engines (default 20)')}
  --out DIR           the model folder (created if missing)
  --model NAME        the architecture: backbone (default backbone)
  --window N          cycles per window (default 30)
  --epochs N          at most this many epochs (default 40)
  --batch-size N      samples per batch (default 128)
  --lr X              AdamW's learning rate (default 0.001)
  --weight-decay X    AdamW's decoupled weight decay on weights, not biases or BatchNorm (default 0.1)
  --dropout X         dropout after each convolution block (default 0.15)
  --head-dropout X    dropout before the last Linear (default 0.5)
  --no-batchnorm      no BatchNorm1d (the convolutions then have biases)
  --early-stopping N  stop after N epochs without a better validation loss and keep the best
                      epoch's weights; 0 = off (default 8)
  --val-units F       share of the units held out for validation, in (0, 1) (default 0.2)
  --seed N            seed of the split, the initial weights, the batch order and dropout (default 0)
  --threads N         native kernel threads (default: all cores)
  --json              print one JSON result on stdout (progress stays on stderr)
  -h, --help          this text

Examples:
  keel train --data runtofailure --out models/rul
  keel train --data csv:train_FD001.txt --columns 6,7,8,11,12,13,15,16,17,18,19,21,24,25 --out fd001
  keel train --data runtofailure:3 --epochs 60 --dropout 0 --no-batchnorm --out no-reg --json
`,
  options: {
    ...DATA_OPTIONS,
    out: { type: 'string' },
    model: { type: 'string', default: 'backbone' },
    window: { type: 'string', default: '30' },
    epochs: { type: 'string', default: '40' },
    'batch-size': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    'weight-decay': { type: 'string', default: '0.1' },
    dropout: { type: 'string', default: '0.15' },
    'head-dropout': { type: 'string', default: '0.5' },
    'no-batchnorm': { type: 'boolean', default: false },
    'early-stopping': { type: 'string', default: '8' },
    'val-units': { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(values, _positionals, io) {
    const spec = parseDataSpec(requiredOption('data', values.data, 'the data to train on, runtofailure[:SEED] or csv:FILE'));
    const out = resolve(requiredOption('out', values.out, 'the folder to write the model and its report to'));
    if (values.model !== 'backbone') throw new UsageError(`--model must be backbone (the Conv1d backbone of DESIGN.md §1), got "${values.model}"`);
    const window = intOption('window', values.window, 1, 100000);
    const epochs = intOption('epochs', values.epochs, 1, 100000);
    const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
    const lr = numberOption('lr', values.lr, 0, Infinity, true);
    const weightDecay = numberOption('weight-decay', values['weight-decay'], 0, Infinity);
    const dropout = numberOption('dropout', values.dropout, 0, 1);
    const headDropout = numberOption('head-dropout', values['head-dropout'], 0, 1);
    const batchNorm = !values['no-batchnorm'];
    const patience = intOption('early-stopping', values['early-stopping'], 0, 100000);
    const valShare = numberOption('val-units', values['val-units'], 0, 1, true);
    const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    if (values.threads !== undefined) setNumThreads(intOption('threads', values.threads, 1, 1024));
    const csv = csvColumns(values);

    const data = await loadData(spec, 'train', values.units, csv);
    const [fitUnits, valUnits] = groupSplit(data.table, [1 - valShare, valShare], seed) as [SeriesTable, SeriesTable];
    if (fitUnits.units.length === 0 || valUnits.units.length === 0) {
      throw new UsageError(`--val-units ${valShare} leaves no ${fitUnits.units.length === 0 ? 'training' : 'validation'} unit among the ${data.table.units.length} units; choose a share that leaves at least one on each side`);
    }
    // Everything model.json records, so eval and predict window new data exactly as training did.
    const settings = {
      scaler: new Standardizer().fit(fitUnits), window, channels: [...data.channels], seed,
      target: { name: 'rul', cap: RUL_CAP, scale: RUL_CAP } as const,
      data: spec.kind === 'csv' ? { kind: 'csv' as const, ...csv } : { kind: 'runtofailure' as const, seed: spec.seed ?? 0 },
    };
    const fitW = modelWindows(settings, fitUnits, false), valW = modelWindows(settings, valUnits, false);
    const x = fitW.x, y = div(fitW.y, RUL_CAP), valX = valW.x, valY = div(valW.y, RUL_CAP);

    io.err.write(`keel train: ${data.description}; ${fitUnits.units.length} units (${x.shape[0]} windows) to fit, ${valUnits.units.length} (${valX.shape[0]}) to validate; ${getNumThreads()} threads\n`);
    manualSeed(seed);
    const model = nn.conv1dBackbone({ inChannels: data.channels.length, window, dropout, headDropout, batchNorm });
    const started = performance.now();
    const history = await fit(model, {
      x, y, validationData: { x: valX, y: valY },
      epochs, batchSize, seed,
      optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, weightDecay), { lr }),
      ...(patience > 0 ? { earlyStopping: { patience, restoreBestWeights: true } } : {}),
      callbacks: [new EpochProgress(io.err, epochs)],
      verbose: false,
    });
    const seconds = (performance.now() - started) / 1000;

    const trainRmse = history.values('loss').map(cycles);
    const valRmse = history.values('valLoss').map(cycles);
    const bestEpoch = history.bestEpoch!;
    const result = {
      data: data.description,
      units: { fit: fitUnits.units.length, validation: valUnits.units.length },
      windows: { fit: x.shape[0]!, validation: valX.shape[0]! },
      epochs: history.epochs.length,
      stopped: history.stopped,
      bestEpoch,
      bestValRmse: valRmse[bestEpoch - 1]!,
      divergenceEpoch: history.divergenceEpoch,
      // The kept weights (the best epoch's with early stopping), both sides in eval mode.
      finalTrainRmse: cycles((await evaluate(model, { x, y })).loss),
      finalValRmse: cycles((await evaluate(model, { x: valX, y: valY })).loss),
      seconds,
      samplesPerSecond: (history.epochs.length * x.shape[0]!) / seconds,
    };

    mkdirSync(out, { recursive: true });
    const files = await saveModel(out, { ...settings, model }, { ...result, options: { epochs, batchSize, lr, weightDecay, dropout, headDropout, batchNorm, earlyStopping: patience, valUnits: valShare } });
    const row = result as unknown as Record<string, number | null>;
    const table: ReportTable = { columns: COLUMNS, rows: [Object.fromEntries(COLUMNS.map((c) => [c.key, row[c.key]!]))] };
    const report = writeStudyReport(out, {
      title: 'keel train: Conv1d backbone, remaining useful life',
      summary: [
        `${data.description}: ${result.units.fit} units to fit (${result.windows.fit} windows of ${window} cycles), ${result.units.validation} to validate (${result.windows.validation} windows), split by unit with seed ${seed}.`,
        `BatchNorm ${batchNorm ? 'on' : 'off'}, dropout ${dropout} / head ${headDropout}, AdamW lr ${lr}, weight decay ${weightDecay}, batch ${batchSize}, ${patience > 0 ? `early stopping after ${patience} epochs` : 'no early stopping'}; ${result.epochs} epochs (${history.stopped}) in ${seconds.toFixed(1)} s.`,
      ],
      yLabel: 'RMSE (cycles)',
      runs: [{
        name: 'backbone', label: 'Conv1d backbone', train: trainRmse, validation: valRmse,
        bestEpoch, divergenceEpoch: history.divergenceEpoch, ...(result.epochs < epochs ? { stoppedEpoch: result.epochs } : {}),
      }],
      table,
      notes: [`Targets are RUL capped at ${RUL_CAP} cycles. Training RMSE is the mean over each epoch's batches in training mode; validation RMSE is measured after the epoch in eval mode.`],
    });

    if (values.json) {
      io.out.write(`${JSON.stringify({ modelDir: out, ...result, files: [...files, ...report.files] })}\n`);
    } else {
      io.out.write(`\n${textTable(table)}\nModel: ${files.join(', ')}\nReport: ${report.html}\n`);
    }
    return 0;
  },
});
