/**
 * `keel train`: trains the DESIGN.md §1 Conv1d backbone to predict remaining useful life from
 * run-to-failure data (the built-in engines or a CSV file), the way the README teaches — units split
 * into fitting and validation units BEFORE anything is fitted (groupSplit), a Standardizer fitted on
 * the fitting units only, windows of `--window` cycles with RUL targets capped at 125 and divided by
 * 125 (so the loss is O(1); RMSE in cycles = 125·√MSE, as src/study/data.ts) — and writes a model
 * folder (../../model-folder/format.ts) plus the report of the run (src/report/). The defaults are
 * the study's recipe: BatchNorm, Dropout, AdamW with decoupled weight decay, early stopping restoring
 * the best epoch.
 * `--data fashion-mnist` trains an image classifier instead (./train-images.ts), and `--target COL`
 * the MLP on the rows of a CSV table (./train-table.ts).
 */
import { mkdirSync } from 'node:fs';
import { groupSplit } from '../../data/group-split.js';
import { fitStandardizer, type OperatingConditions } from '../../data/operating-conditions.js';
import type { SeriesTable } from '../../data/series.js';
import { div } from '../../functional/arithmetic.js';
import * as nn from '../../nn/index.js';
import { type ReportTable, writeStudyReport } from '../../report/study.js';
import { manualSeed } from '../../tensor/random.js';
import { evaluate } from '../../train/evaluate.js';
import { defineCommand, intOption, numberOption, rejectOptions, requiredOption } from '../args.js';
import { applyThreads, threadsText } from '../threads.js';
import { CONDITIONS_OPTION, conditionsUsage, csvColumns, DATA_OPTIONS, dataUsage, loadData, parseDataSpec, rejectCsvFlags, checkShortUnits } from '../data-source.js';
import { finishRun, prepareBackup, printRun, savedWeightsText, stoppedBy, trainingText, trainWithProgress } from '../epoch-progress.js';
import { UsageError } from '../errors.js';
import { saveModel, WEIGHTS_FILE } from '../../model-folder/format.js';
import { modelWindows } from '../../model-folder/rul-windows.js';
import { nothingTrained } from '../interrupt.js';
import { outputPath } from '../output-path.js';
import { RUL_CAP, rmseCycles as cycles } from '../../study/data.js';
import { modelFromConfig, rejectArchitectureFlags } from '../model-config.js';
import { RECIPE_OPTIONS, RECIPE_USAGE, recipeFitOptions } from '../recipe-flags.js';
import { BATCHNORM_OPTIONS, BATCHNORM_USAGE, batchNormFlags, batchNormRecord } from '../batchnorm-flags.js';
import { IMAGE_DEFAULTS, trainImages } from './train-images.js';
import { TABLE_DEFAULTS, trainTable } from './train-table.js';
import { trainSequences } from './train-sequences.js';
import { constantPrediction, runReading } from '../run-reading.js';
import { conditionsHint } from '../conditions-hint.js';

/** The report's table: its columns are keys of the run's result. */
const COLUMNS: ReportTable['columns'] = [
  { key: 'bestValRmse', label: 'Best val RMSE', digits: 2 },
  { key: 'bestEpoch', label: 'Best epoch' },
  { key: 'divergenceEpoch', label: 'Divergence epoch' },
  { key: 'finalTrainRmse', label: 'Saved model: train RMSE', digits: 2 },
  { key: 'finalValRmse', label: 'Saved model: val RMSE', digits: 2 },
  { key: 'epochs', label: 'Epochs' },
  { key: 'seconds', label: 'Time', unit: 's', digits: 1 },
  { key: 'samplesPerSecond', label: 'Samples/s', digits: 0 },
];

// Options whose default depends on the data have none here: each path fills in its own.
export const TRAIN_OPTIONS = {
  ...DATA_OPTIONS,
  ...CONDITIONS_OPTION,
  out: { type: 'string' },
  target: { type: 'string' },
  task: { type: 'string' },
  model: { type: 'string' },
  hidden: { type: 'string' },
  window: { type: 'string' },
  stride: { type: 'string' },
  standardize: { type: 'string' },
  pad: { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string', default: '128' },
  lr: { type: 'string', default: '0.001' },
  'weight-decay': { type: 'string' },
  dropout: { type: 'string' },
  'head-dropout': { type: 'string' },
  ...BATCHNORM_OPTIONS,
  'early-stopping': { type: 'string' },
  ...RECIPE_OPTIONS,
  'model-config': { type: 'string' },
  config: { type: 'string' },
  'val-units': { type: 'string' },
  'val-split': { type: 'string' },
  seed: { type: 'string', default: '0' },
  threads: { type: 'string' },
  resume: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export const train = defineCommand({
  name: 'train',
  summary: 'train the backbone on run-to-failure data, or an MLP on images or a CSV table; writes a model and a report',
  usage: `Usage: keel train --data SOURCE --out DIR [options]

Trains the Conv1d → BatchNorm → ReLU → Dropout backbone to predict remaining useful life (RUL) from
windows of sensor readings. The units (engines) are split into training and validation units first,
the scaler is fitted on the training units only, and targets are RUL capped at ${RUL_CAP} cycles.
With --data fashion-mnist it trains an image classifier instead (cross-entropy, accuracy): the MLP
784 → 512 → 256 → 10 (Linear → BatchNorm → ReLU → Dropout) or the backbone on 28 × 28 sequences,
validated on random rows (--val-split). With --data csv:FILE --target COL it trains the MLP on the
rows of a table instead: every other column (or --columns) a numeric feature, standardised on the
training rows; a classifier when the target holds text (or --task classification), else a
regressor of the target, validated on random rows (--val-split). With --target and --unit-column
it trains the backbone on labelled sequences instead: each unit's rows (in the file's order, whose
--time-column must increase within a unit) are one sequence, the target its label or value, windows of --window steps every
--stride, the sequences split by --val-units. --data ts:FILE reads such sequences from a .ts file
of the UEA/UCR archives (or UCR's .tsv): each case a sequence, its dimensions the channels.
Writes DIR/model.safetensors (PyTorch state-dict keys), DIR/model.json (architecture, scaler,
window, channels; the label names; or a table's features and target) and the report (DIR/index.html
with the curves, results.json, results.md). Ctrl-C (or SIGTERM) stops after the current batch and
still writes the model (the weights at the stop; the best epoch's with early stopping) and the
report of the completed epochs (exit status 130, or 143 for SIGTERM). Each finished epoch's whole
training state is backed up in DIR/backup.safetensors, so a run stopped by Ctrl-C, a kill or a crash
goes on with --resume, ending as it would have uninterrupted; a run that ends as planned removes it.

Options:
${dataUsage('training engines (default 20)')}
${conditionsUsage('Every channel is standardised per condition, and the model keeps the\n                      conditions for eval and predict')}
  --target COL        CSV: train on the table's rows to predict this column, name or 0-based index
                      (the file then has no unit or time column; --columns are the features);
                      with --unit-column, each unit's label or value (every row of a unit repeats
                      it), and --time-column is optional (default: the rows in file order)
  --task NAME         with --target: classification, regression or auto (default: regression when
                      every value is a number, classification when over 5% are text; a few text
                      cells among numbers are an error naming the first)
  --out DIR           the model folder (created if missing; an existing one keel did not write must
                      not hold files of the names it writes: model.json, index.html, …)
  --model NAME        the architecture: backbone, or for fashion-mnist mlp (default) or backbone;
                      mlp for a table
  --hidden LIST       mlp: the hidden layers' widths (default ${IMAGE_DEFAULTS.hidden} for fashion-mnist,
                      ${TABLE_DEFAULTS.hidden} for a table; "" for none)
  --window N          cycles per window (default 30; labelled sequences: the shortest sequence)
  --stride N          labelled sequences: steps between the ends of a sequence's windows (default:
                      the window, so windows do not overlap)
  --standardize HOW   labelled sequences: training (default: each channel with the training
                      sequences' mean and std) or sequence (each sequence's channels with its own,
                      as the UCR archive's series are: for shapes whose level and amplitude vary)
  --pad               labelled sequences: one window, padded with its first row, from each sequence
                      shorter than --window in training too, as in eval and predict (default: they
                      are left out of training)
  --model-config FILE run-to-failure/CSV: the architecture from a JSON file (model.toJSON(), or a
                      model.json); replaces --model, --dropout, --head-dropout, --no-batchnorm and
                      --bn-momentum; it must take (N, channels, window) and give (N, 1), or
                      (N, labels) for a classifier of labelled sequences
  --config FILE       options from a JSON file of option names and values (what keel tune writes);
                      options on the command line win
  --epochs N          at most this many epochs (default 40; fashion-mnist ${IMAGE_DEFAULTS.epochs}; table ${TABLE_DEFAULTS.epochs})
  --batch-size N      samples per batch (default 128)
  --lr X              the learning rate (the peak with --schedule onecycle) (default 0.001)
  --weight-decay X    weight decay on weights, not biases or BatchNorm (see --optimizer)
                      (default 0.1; fashion-mnist, table and labelled sequences ${IMAGE_DEFAULTS.weightDecay})
  --dropout X         dropout after each convolution block or hidden Linear (default 0.15; mlp ${IMAGE_DEFAULTS.mlpDropout})
  --head-dropout X    backbone: dropout before the last Linear (default 0.5)
${BATCHNORM_USAGE}
  --early-stopping N  stop after N epochs without a better validation loss and keep the best
                      epoch's weights; 0 = off (default 8; fashion-mnist ${IMAGE_DEFAULTS.earlyStopping}; table ${TABLE_DEFAULTS.earlyStopping})
${RECIPE_USAGE}
  --val-units F       run-to-failure/CSV: share of the units (or labelled sequences) held out for
                      validation, in (0, 1) (default 0.2)
  --val-split F       fashion-mnist and table: share of the rows held out for validation, random
                      rows, in (0, 1) (default ${IMAGE_DEFAULTS.valSplit}; table ${TABLE_DEFAULTS.valSplit})
  --seed N            seed of the split, the initial weights, the batch order and dropout (default 0)
  --threads N         native kernel threads (default: all cores)
  --resume            go on with the run interrupted in --out (Ctrl-C, a kill, a crash) after its
                      last finished epoch, from DIR/backup.safetensors; give the options it was
                      started with (without --resume, a new run replaces that backup)
  --json              print one JSON result on stdout (progress stays on stderr)
  -h, --help          this text

Examples:
  keel train --data runtofailure --out models/rul
  keel train --data csv:train_FD001.txt --columns 6,7,8,11,12,13,15,16,17,18,19,21,24,25 --out fd001
  keel train --data csv:train_FD002.txt --conditions 2,3,4 --out fd002
  keel train --data runtofailure:3 --epochs 60 --dropout 0 --no-batchnorm --out no-reg --json
  keel train --data fashion-mnist --model mlp --epochs 10 --out fmnist
  keel train --data csv:winequality-red.csv --target quality --out wine
  keel train --data csv:iris.csv --target species --hidden 32,16 --out iris
  keel train --data csv:har.csv --target activity --unit-column id --time-column t --out har
  keel train --data ts:BasicMotions_TRAIN.ts --out motions
  keel train --config tune-best.json --out best          (the configuration keel tune found)
  keel train --data runtofailure --model-config arch.json --out custom
  keel train --data csv:train_FD001.txt --out fd001 --resume   (after Ctrl-C or a kill: the rest)
`,
  options: TRAIN_OPTIONS,
  async run(values, _positionals, io) {
    const spec = parseDataSpec(requiredOption('data', values.data, 'the data to train on, runtofailure[:SEED], csv:FILE, ts:FILE or fashion-mnist[:DIR]'));
    const out = outputPath('out', requiredOption('out', values.out, 'the folder to write the model and its report to'), 'folder');
    prepareBackup(out, values.resume);
    applyThreads(values.threads, io.err);
    if (values.target !== undefined && spec.kind !== 'csv') {
      const theirs = { runtofailure: 'run-to-failure targets are the RUL', ts: "a ts file's targets are its cases' labels", 'fashion-mnist': "the images' targets are their labels" }[spec.kind];
      throw new UsageError(`--target is for a CSV table (--data csv:FILE); ${theirs}`);
    }
    if (values.target === undefined) rejectOptions(values, ['task'], `a model without --target (it says what a table's target column holds${spec.kind === 'ts' ? "; a ts file's header says it" : ''})`);
    if (spec.kind === 'fashion-mnist') return trainImages(values, spec, out, io);
    if (spec.kind === 'ts') return trainSequences(values, spec, out, io);
    if (values.target !== undefined) {
      rejectOptions(values, ['conditions'], '--target (operating conditions are for run-to-failure units)');
      const csv = spec as { kind: 'csv'; file: string };
      return values['unit-column'] !== undefined ? trainSequences(values, csv, out, io) : trainTable(values, csv.file, out, io);
    }
    rejectOptions(values, ['stride', 'standardize', 'pad'], 'run-to-failure data (every window of a unit is a sample; it is for labelled sequences, --target with --unit-column)');
    rejectCsvFlags(spec, values);
    rejectOptions(values, ['limit', 'val-split', 'hidden'], `--data ${spec.kind} (they are for fashion-mnist and tables; units are split by --val-units)`);
    rejectArchitectureFlags(values);
    if ((values.model ?? 'backbone') !== 'backbone') throw new UsageError(`--model must be backbone (the Conv1d backbone of DESIGN.md §1) for run-to-failure data, got "${values.model}"`);
    const window = intOption('window', values.window ?? '30', 1, 100000);
    const epochs = intOption('epochs', values.epochs ?? '40', 1, 100000);
    const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
    const lr = numberOption('lr', values.lr, 0, Infinity, true);
    const weightDecay = numberOption('weight-decay', values['weight-decay'] ?? '0.1', 0, Infinity);
    const dropout = numberOption('dropout', values.dropout ?? '0.15', 0, 1);
    const headDropout = numberOption('head-dropout', values['head-dropout'] ?? '0.5', 0, 1);
    const bn = batchNormFlags(values);
    const patience = intOption('early-stopping', values['early-stopping'] ?? '8', 0, 100000);
    const valShare = numberOption('val-units', values['val-units'] ?? '0.2', 0, 1, true);
    const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    const csv = csvColumns(values);
    // --optimizer, --schedule and --augment checked before the data is read.
    const recipe = recipeFitOptions(values, lr, weightDecay, { timeSeries: true, classes: 0 });

    const data = await loadData(spec, 'train', values.units, csv);
    checkShortUnits(io.err, 'train', data.table, window, { padded: false, fix: (longest) => `use a --window of ${longest} or less` });
    const hint = spec.kind === 'csv' && !data.settings ? conditionsHint(data.table) : null;
    if (hint) io.err.write(`keel train: ${hint}\n`);
    const [fitUnits, valUnits] = groupSplit(data.table, [1 - valShare, valShare], seed) as [SeriesTable, SeriesTable];
    if (fitUnits.units.length === 0 || valUnits.units.length === 0) {
      throw new UsageError(`--val-units ${valShare} leaves no ${fitUnits.units.length === 0 ? 'training' : 'validation'} unit among the ${data.table.units.length} units; choose a share that leaves at least one on each side`);
    }
    // The scaler of the fitting units (per operating condition of the settings, when given).
    const { scaler, conditions } = fitStandardizer(fitUnits, data.settings);
    // Everything model.json records, so eval and predict window new data exactly as training did.
    const settings = {
      scaler, ...(conditions && { conditions }), window, channels: [...data.channels], seed,
      target: { name: 'rul', cap: RUL_CAP, scale: RUL_CAP } as const,
      // A CSV file's columns by the names its header gives them (loadData), so they are found by name.
      data: spec.kind === 'csv' ? { kind: 'csv' as const, ...(data.csv ?? csv) } : { kind: 'runtofailure' as const, seed: spec.seed ?? 0 },
    };
    const fitW = modelWindows(settings, fitUnits, false), valW = modelWindows(settings, valUnits, false);
    const y = div(fitW.y, RUL_CAP), valY = div(valW.y, RUL_CAP);
    // Windows cut as batches are drawn: holding them all would take `window` times the table.
    const train = fitW.toDataset(y), validation = valW.toDataset(valY);

    io.err.write(`keel train: ${data.description}; ${fitUnits.units.length} units (${train.length} windows) to fit, ${valUnits.units.length} (${validation.length}) to validate; ${threadsText()}\n`);
    if (conditions) io.err.write(`keel train: ${conditionsText(conditions)}\n`);
    manualSeed(seed);
    const model = values['model-config'] !== undefined
      ? modelFromConfig(values['model-config'], data.channels.length, window)
      : nn.conv1dBackbone({ inChannels: data.channels.length, window, dropout, headDropout, batchNorm: bn.batchNorm, bnMomentum: bn.momentum, bnVirtualBatchSize: bn.virtualBatchSize });
    const { history, seconds, epochsRun, interrupt, end } = await trainWithProgress(io, model, {
      data: train, validationData: validation, epochs, batchSize, seed, ...recipe.fit,
    }, patience, (l) => `train RMSE ${cycles(l.loss).toFixed(2)}  val RMSE ${cycles(l.valLoss).toFixed(2)} cycles`, out);
    if (history.epochs.length === 0) return nothingTrained(io, interrupt);

    const trainRmse = history.values('loss').map(cycles);
    const valRmse = history.values('valLoss').map(cycles);
    const bestEpoch = history.bestEpoch!;
    const constant = constantPrediction(y, valY, RUL_CAP);
    const result = {
      data: data.description,
      units: { fit: fitUnits.units.length, validation: valUnits.units.length },
      windows: { fit: train.length, validation: validation.length },
      ...(conditions && { operatingConditions: conditions.count }),
      epochs: history.epochs.length,
      stopped: end.stopped,
      bestEpoch,
      bestValRmse: valRmse[bestEpoch - 1]!,
      divergenceEpoch: history.divergenceEpoch,
      // The kept weights (the best epoch's with early stopping), both sides in eval mode.
      finalTrainRmse: cycles((await evaluate(model, { data: train })).loss),
      finalValRmse: cycles((await evaluate(model, { data: validation })).loss),
      baselineValRmse: constant.valRmse,
      seconds,
      samplesPerSecond: (epochsRun * train.length) / seconds,
    };

    mkdirSync(out, { recursive: true });
    // Which units were fitted and which validated, so a user can score the model on held-out units only.
    const unitIds = { fit: fitUnits.units.map((u) => u.id), validation: valUnits.units.map((u) => u.id) };
    const files = await saveModel(out, { ...settings, model }, { ...result, unitIds, options: { epochs, batchSize, lr, weightDecay, dropout, headDropout, ...batchNormRecord(bn), earlyStopping: patience, valUnits: valShare, ...(values['model-config'] !== undefined ? { modelConfig: values['model-config'] } : {}), ...recipe.recipe } });
    const row = result as unknown as Record<string, number | null>;
    const table: ReportTable = { columns: COLUMNS, rows: [Object.fromEntries(COLUMNS.map((c) => [c.key, row[c.key]!]))] };
    const findings = runReading({
      metric: 'rmse', best: result.bestValRmse, bestEpoch, epochs: result.epochs, divergenceEpoch: result.divergenceEpoch,
      stopped: end.stopped, nonFinite: end.nonFinite, earlyStopping: patience > 0,
      baseline: { score: constant.valRmse, text: `a constant prediction (the fitting windows' mean RUL, ${constant.mean.toFixed(1)} cycles)` },
    });
    const report = writeStudyReport(out, {
      title: 'keel train: Conv1d backbone, remaining useful life',
      summary: [
        `${data.description}: ${result.units.fit} units to fit (${result.windows.fit} windows of ${window} cycles), ${result.units.validation} to validate (${result.windows.validation} windows), split by unit with seed ${seed}.`,
        ...(conditions ? [`${conditionsText(conditions)}.`] : []),
        trainingText({ bn, dropout, headDropout, modelConfig: values['model-config'], recipe: recipe.recipe, lr, weightDecay, batchSize, patience, epochs: result.epochs, stopped: end.stopped, seconds }),
      ],
      yLabel: 'RMSE (cycles)',
      runs: [{
        name: 'backbone', label: 'Conv1d backbone', train: trainRmse, validation: valRmse,
        bestEpoch, divergenceEpoch: history.divergenceEpoch, ...(result.epochs < epochs ? { stoppedEpoch: result.epochs, stoppedBy: stoppedBy(end.stopped) } : {}),
      }],
      table,
      findings,
      notes: [
        `Targets are RUL capped at ${RUL_CAP} cycles. Training RMSE is the mean over each epoch's batches in training mode; validation RMSE is measured after the epoch in eval mode.`,
        `"Saved model" scores the weights written to ${WEIGHTS_FILE} (${savedWeightsText(patience, history.stopped)}) in eval mode on every fitting and validation window, so its train RMSE differs from the training curve's, which dropout and batch statistics raise.`,
      ],
    });

    printRun(io, values.json, { out, result, files, report, table, findings });
    return finishRun(interrupt, end);
  },
});

/** The conditions keel train found, as its output and report say them. */
function conditionsText(c: OperatingConditions): string {
  const each = Array.from({ length: c.count }, (_, k) => `${k}: ${c.describeCondition(k)}`).join('; ');
  return `${c.count} operating ${c.count === 1 ? 'condition' : 'conditions'} of ${c.columns.join(', ')} in the fitting units, each channel standardised per condition (${each})`;
}
