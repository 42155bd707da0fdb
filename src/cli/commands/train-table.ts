/**
 * `keel train --data csv:FILE --target COL`: the regularised MLP (Linear → BatchNorm1d → ReLU →
 * Dropout blocks, ../mlp.ts) on the rows of a CSV table — a classifier (cross-entropy, accuracy) when
 * the target holds text or --task classification says so, else a regressor (MSE on the standardised
 * target, RMSE in the target's units). Rows are independent samples, so the validation rows are a
 * seeded random share (--val-split), held out BEFORE the scaler and the target's statistics are
 * fitted. Writes the model folder (model.json: features, scaler, target; ../saved-model.ts) and the
 * report, as train.ts does for run-to-failure data.
 */
import { mkdirSync } from 'node:fs';
import { indexSelect } from '../../functional/indexing.js';
import { Standardizer } from '../../data/scalers/standardizer.js';
import { permutation, SPLIT_STREAM } from '../../data/shuffle.js';
import { type ReportTable, writeStudyReport } from '../../report/study.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { evaluate } from '../../train/evaluate.js';
import { fit } from '../../train/fit.js';
import { type CommandIO, intOption, numberOption, type ParsedValues, rejectOptions } from '../args.js';
import { batchNormFlags, batchNormRecord } from '../batchnorm-flags.js';
import { classifierProgress, EpochProgress, printRun, savedWeightsText, stoppedBy, trainingText } from '../epoch-progress.js';
import { UsageError } from '../errors.js';
import { catchInterrupt, nothingTrained } from '../interrupt.js';
import { hiddenOption, mlp } from '../mlp.js';
import { threadsText } from '../threads.js';
import { recipeFitOptions } from '../recipe-flags.js';
import { constantPrediction, mostFrequentClass, runReading } from '../run-reading.js';
import { saveModel, type SavedTable, WEIGHTS_FILE } from '../saved-model.js';
import { loadTrainingTable, rowsAsTable } from '../table-data.js';
import type { TableTarget } from '../table-target.js';
import type { TRAIN_OPTIONS } from './train.js';

/** The defaults for tables where they differ from the RUL ones. */
export const TABLE_DEFAULTS = { epochs: 100, weightDecay: 0.01, dropout: 0.3, earlyStopping: 10, valSplit: 0.2, hidden: '128,64' } as const;

/** Rows `index` of a (rows, …) tensor. */
const rows = (t: Tensor, index: Int32Array): Tensor => indexSelect(t, 0, index);

export async function trainTable(values: ParsedValues<typeof TRAIN_OPTIONS>, file: string, out: string, io: CommandIO): Promise<number> {
  rejectOptions(values, ['units', 'limit', 'unit-column', 'time-column', 'window', 'val-units', 'head-dropout', 'model-config', 'augment'],
    '--target (a table of independent rows for the MLP: no units, time or windows)');
  if ((values.model ?? 'mlp') !== 'mlp') throw new UsageError(`--model must be mlp for a table (--target), got "${values.model}"`);
  const hidden = hiddenOption(values.hidden ?? TABLE_DEFAULTS.hidden);
  const epochs = intOption('epochs', values.epochs ?? String(TABLE_DEFAULTS.epochs), 1, 100000);
  const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
  const lr = numberOption('lr', values.lr, 0, Infinity, true);
  const weightDecay = numberOption('weight-decay', values['weight-decay'] ?? String(TABLE_DEFAULTS.weightDecay), 0, Infinity);
  const dropout = numberOption('dropout', values.dropout ?? String(TABLE_DEFAULTS.dropout), 0, 1);
  const bn = batchNormFlags(values);
  const patience = intOption('early-stopping', values['early-stopping'] ?? String(TABLE_DEFAULTS.earlyStopping), 0, 100000);
  const valSplit = numberOption('val-split', values['val-split'] ?? String(TABLE_DEFAULTS.valSplit), 0, 1, true);
  const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
  const recipe = recipeFitOptions(values, lr, weightDecay, { timeSeries: false, regression: true }); // before the file is read

  const { data, column, task, labels: classes, y: targets, text } = await loadTrainingTable(file, values);
  const n = data.x.shape[0]!, nVal = Math.round(n * valSplit);
  if (nVal === 0 || nVal === n) throw new UsageError(`--val-split ${valSplit} of ${n} rows leaves no ${nVal === 0 ? 'validation' : 'training'} row; choose a share that leaves at least one on each side`);
  // Seeded random rows, as fit's validationSplit, but here: the scaler and the target's statistics see the fitting rows only.
  const order = permutation(seed, SPLIT_STREAM, n);
  const fitRows = order.slice(0, n - nVal), valRows = order.slice(n - nVal);

  // A regression target is standardised with the fitting rows' statistics, so the loss is O(1) whatever its units.
  const targetScaler = classes ? null : new Standardizer().fit(rows(targets, fitRows));
  const moments = targetScaler?.toJSON();
  const regression = moments ? { name: 'regression' as const, column, mean: moments.mean[0]![0]!, scale: moments.scale[0]![0]! } : null;
  const targetSettings: TableTarget = regression ?? { name: 'classification', column, labels: classes! };
  const y = targetScaler ? targetScaler.transform(targets) : targets;
  const scaler = new Standardizer().fit(rowsAsTable(rows(data.x, fitRows), data.features));
  const x = scaler.transform(rowsAsTable(data.x, data.features)).units[0]!.values;
  const fitX = rows(x, fitRows), fitY = rows(y, fitRows), valX = rows(x, valRows), valY = rows(y, valRows);

  io.err.write(`keel train: ${data.description} (${text}); ${n - nVal} rows to fit, ${nVal} to validate (random rows, seed ${seed}); ${threadsText()}\n`);
  manualSeed(seed);
  const model = mlp(data.features.length, hidden, classes ? classes.length : 1, dropout, bn);
  const loss = classes ? 'crossEntropy' : 'mse';
  // RMSE in the target's units from the standardised MSE.
  const units = (mse: number | undefined) => (regression ? regression.scale * Math.sqrt(mse ?? NaN) : NaN);
  const started = performance.now();
  const interrupt = catchInterrupt(io, 'train', 'the completed epochs');
  const history = await fit(model, {
    x: fitX, y: fitY, validationData: { x: valX, y: valY },
    epochs, batchSize, seed, loss, ...(classes ? { metrics: ['accuracy'] } : {}),
    ...recipe.fit,
    ...(patience > 0 ? { earlyStopping: { patience, restoreBestWeights: true } } : {}),
    callbacks: [new EpochProgress(io.err, epochs, classes ? classifierProgress : (l) => `train RMSE ${units(l.loss).toPrecision(4)}  val RMSE ${units(l.valLoss).toPrecision(4)}`)],
    verbose: false,
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  const seconds = (performance.now() - started) / 1000;
  if (history.epochs.length === 0) return nothingTrained(io, interrupt);

  const bestEpoch = history.bestEpoch!;
  const score = async (xs: Tensor, ys: Tensor) => {
    const s = await evaluate(model, { x: xs, y: ys, loss, ...(classes ? { metrics: ['accuracy'] } : {}) });
    return classes ? s.accuracy! : units(s.loss);
  };
  // The baselines that ignore the inputs, on the validation rows: DummyClassifier (the fitting rows'
  // most frequent label) and DummyRegressor (their mean target).
  const frequent = classes ? mostFrequentClass(fitY, classes) : null;
  const baseline = frequent
    ? valY.data.filter((c) => c === classes!.indexOf(frequent.label)).length / nVal
    : constantPrediction(fitY, valY, regression!.scale).valRmse;
  const [trainScore, valScore] = [await score(fitX, fitY), await score(valX, valY)];
  const best = classes ? history.values('valAccuracy')[bestEpoch - 1]! : units(history.values('valLoss')[bestEpoch - 1]);
  // The kept weights in eval mode, on both sides of the split.
  const scores = classes
    ? { bestValAccuracy: best, finalTrainAccuracy: trainScore, finalValAccuracy: valScore, baselineAccuracy: baseline }
    : { bestValRmse: best, finalTrainRmse: trainScore, finalValRmse: valScore, baselineValRmse: baseline };
  const result = {
    data: data.description,
    task,
    target: column,
    rows: { fit: n - nVal, validation: nVal },
    epochs: history.epochs.length,
    stopped: history.stopped,
    bestEpoch,
    bestValLoss: history.values('valLoss')[bestEpoch - 1]!,
    divergenceEpoch: history.divergenceEpoch,
    ...scores,
    seconds,
    samplesPerSecond: (history.epochs.length * (n - nVal)) / seconds,
  };

  mkdirSync(out, { recursive: true });
  const saved: SavedTable = { model, scaler, features: data.features, target: targetSettings, data: { kind: 'table', ...data.format }, seed };
  const files = await saveModel(out, saved, {
    ...result,
    options: { epochs, batchSize, lr, weightDecay, dropout, hidden, ...batchNormRecord(bn), earlyStopping: patience, valSplit, ...recipe.recipe },
  });
  const [m, key] = classes ? ['accuracy', 'Accuracy'] : ['RMSE', 'Rmse'];
  const columns: ReportTable['columns'] = [
    { key: `bestVal${key}`, label: `Best val ${m}`, digits: 4 },
    ...(classes ? [{ key: 'bestValLoss', label: 'Best val loss', digits: 4 }] : []),
    { key: 'bestEpoch', label: 'Best epoch' },
    { key: 'divergenceEpoch', label: 'Divergence epoch' },
    { key: `finalTrain${key}`, label: `Saved model: train ${m}`, digits: 4 },
    { key: `finalVal${key}`, label: `Saved model: val ${m}`, digits: 4 },
    { key: 'epochs', label: 'Epochs' },
    { key: 'seconds', label: 'Time', unit: 's', digits: 1 },
    { key: 'samplesPerSecond', label: 'Samples/s', digits: 0 },
  ];
  const row = result as unknown as Record<string, number | null>;
  const table: ReportTable = { columns, rows: [Object.fromEntries(columns.map((c) => [c.key, row[c.key]!]))] };
  const findings = runReading({
    metric: classes ? 'accuracy' : 'rmse', unit: 'target', best, bestEpoch, epochs: result.epochs,
    divergenceEpoch: result.divergenceEpoch, stopped: history.stopped, earlyStopping: patience > 0,
    baseline: {
      score: baseline,
      text: frequent
        ? `always answering the fitting rows' most frequent label (${JSON.stringify(frequent.label)})`
        : `a constant prediction (the fitting rows' mean "${column}", ${Number(regression!.mean.toPrecision(4))})`,
    },
  });
  const label = `MLP ${[data.features.length, ...hidden, classes ? classes.length : 1].join(' → ')}`;
  const report = writeStudyReport(out, {
    title: `keel train: ${label}, ${classes ? 'classification' : 'regression'} of "${column}"`,
    summary: [
      `${data.description}: ${n - nVal} rows to fit, ${nVal} to validate (random rows, seed ${seed}); features standardised with the fitting rows' statistics${classes ? '' : ', and the target too'}.`,
      trainingText({ bn, dropout, recipe: recipe.recipe, lr, weightDecay, batchSize, patience, epochs: result.epochs, stopped: history.stopped, seconds }),
    ],
    yLabel: classes ? 'cross-entropy loss' : `RMSE (${column})`,
    runs: [{
      name: 'mlp', label,
      train: classes ? history.values('loss') : history.values('loss').map(units),
      validation: classes ? history.values('valLoss') : history.values('valLoss').map(units),
      bestEpoch, divergenceEpoch: history.divergenceEpoch, ...(result.epochs < epochs ? { stoppedEpoch: result.epochs, stoppedBy: stoppedBy(history.stopped) } : {}),
    }],
    table,
    findings,
    notes: [
      `Training ${classes ? 'loss' : 'RMSE'} is the mean over each epoch's batches in training mode; validation ${classes ? 'loss' : 'RMSE'} is measured after the epoch in eval mode.`,
      `"Saved model" scores the weights written to ${WEIGHTS_FILE} (${savedWeightsText(patience, history.stopped)}) in eval mode on the fitting and the validation rows.`,
    ],
  });

  printRun(io, values.json, { out, result, files, report, table, findings });
  return interrupt.exitStatus() ?? 0;
}
