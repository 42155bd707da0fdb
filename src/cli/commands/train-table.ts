/**
 * `keel train --data csv:FILE --target COL`: the regularised MLP (Linear → BatchNorm1d → ReLU →
 * Dropout blocks, ../mlp.ts) on the rows of a CSV table — a classifier (cross-entropy, accuracy) when
 * the target holds text or --task classification says so, else a regressor (MSE on the standardised
 * target, RMSE in the target's units). Rows are independent samples, so the validation rows are a
 * seeded random share (--val-split), held out BEFORE the scaler and the target's statistics are
 * fitted. Writes the model folder (model.json: features, scaler, target; ../../model-folder/format.ts)
 * and the report, as train.ts does for run-to-failure data.
 */
import { TensorDataset } from '../../data/dataset.js';
import { indexSelect } from '../../functional/indexing.js';
import { Standardizer } from '../../data/scalers/standardizer.js';
import { permutation, SPLIT_STREAM } from '../../data/shuffle.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CommandIO, intOption, numberOption, type ParsedValues, rejectOptions } from '../args.js';
import { batchNormFlags, checkRowBatchSizes } from '../batchnorm-flags.js';
import { UsageError } from '../errors.js';
import { runLabelled } from '../labelled-run.js';
import { hiddenOption, mlp } from '../mlp.js';
import { threadsText } from '../threads.js';
import { recipeFitOptions } from '../recipe-flags.js';
import type { SavedTable } from '../../model-folder/format.js';
import { loadTrainingTable } from '../table-data.js';
import { rowsAsTable } from '../../model-folder/table-inputs.js';
import { fitTarget } from '../table-target.js';
import type { TRAIN_OPTIONS } from './train.js';

/** The defaults for tables where they differ from the RUL ones. */
export const TABLE_DEFAULTS = { epochs: 100, weightDecay: 0.01, dropout: 0.3, earlyStopping: 10, valSplit: 0.2, hidden: '128,64' } as const;

/** Rows `index` of a (rows, …) tensor. */
const rows = (t: Tensor, index: Int32Array): Tensor => indexSelect(t, 0, index);

export async function trainTable(values: ParsedValues<typeof TRAIN_OPTIONS>, file: string, out: string, io: CommandIO): Promise<number> {
  rejectOptions(values, ['units', 'limit', 'time-column', 'window', 'stride', 'standardize', 'pad', 'val-units', 'head-dropout', 'model-config', 'augment'],
    '--target (a table of independent rows for the MLP: no units, time or windows; --unit-column makes its rows labelled sequences)');
  if ((values.model ?? 'mlp') !== 'mlp') throw new UsageError(`--model must be mlp for a table (--target), got "${values.model}"`);
  const hidden = hiddenOption(values.hidden ?? TABLE_DEFAULTS.hidden);
  const epochs = intOption('epochs', values.epochs ?? String(TABLE_DEFAULTS.epochs), 1, 100000);
  const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
  const lr = numberOption('lr', values.lr, 0, Infinity, true);
  const weightDecay = numberOption('weight-decay', values['weight-decay'] ?? String(TABLE_DEFAULTS.weightDecay), 0, Infinity);
  const dropout = numberOption('dropout', values.dropout ?? String(TABLE_DEFAULTS.dropout), 0, 1);
  const bn = batchNormFlags(values);
  if (bn.batchNorm) checkRowBatchSizes([batchSize], ', or --no-batchnorm');
  const patience = intOption('early-stopping', values['early-stopping'] ?? String(TABLE_DEFAULTS.earlyStopping), 0, 100000);
  const valSplit = numberOption('val-split', values['val-split'] ?? String(TABLE_DEFAULTS.valSplit), 0, 1, true);
  const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
  const recipe = recipeFitOptions(values, lr, weightDecay, { timeSeries: false, classes: 0 }); // before the file is read

  const { data, column, task, labels: classes, y: targets, text } = await loadTrainingTable(file, values);
  const n = data.x.shape[0]!, nVal = Math.round(n * valSplit);
  if (nVal === 0 || nVal === n) throw new UsageError(`--val-split ${valSplit} of ${n} rows leaves no ${nVal === 0 ? 'validation' : 'training'} row; choose a share that leaves at least one on each side`);
  if (bn.batchNorm && n - nVal === 1) throw new UsageError(`--val-split ${valSplit} of ${n} rows leaves 1 row to fit, and the MLP's BatchNorm needs batches of 2 rows or more; choose a smaller share, give more rows, or --no-batchnorm`);
  // Seeded random rows, as fit's validationSplit, but here: the scaler and the target's statistics see the fitting rows only.
  const order = permutation(seed, SPLIT_STREAM, n);
  const fitRows = order.slice(0, n - nVal), valRows = order.slice(n - nVal);

  const { target, y } = fitTarget(column, classes, targets, fitRows);
  const scaler = new Standardizer().fit(rowsAsTable(rows(data.x, fitRows), data.features));
  const x = scaler.transform(rowsAsTable(data.x, data.features)).units[0]!.values;
  const fitY = rows(y, fitRows), valY = rows(y, valRows);

  io.err.write(`keel train: ${data.description} (${text}); ${n - nVal} rows to fit, ${nVal} to validate (random rows, seed ${seed}); ${threadsText()}\n`);
  manualSeed(seed);
  const model = mlp(data.features.length, hidden, classes ? classes.length : 1, dropout, bn);
  const settings: Omit<SavedTable, 'model'> = { scaler, features: data.features, target, data: { kind: 'table', ...data.format }, seed };
  return runLabelled({
    out, json: values.json, model, name: 'mlp', label: `MLP ${[data.features.length, ...hidden, classes ? classes.length : 1].join(' → ')}`,
    fit: new TensorDataset(rows(x, fitRows), fitY), validation: new TensorDataset(rows(x, valRows), valY), fitY, valY,
    target, samples: 'rows', settings,
    facts: { data: data.description, task, target: column, rows: { fit: n - nVal, validation: nVal } },
    summary: `${data.description}: ${n - nVal} rows to fit, ${nVal} to validate (random rows, seed ${seed}); features standardised with the fitting rows' statistics${classes ? '' : ', and the target too'}.`,
    flags: { epochs, batchSize, lr, weightDecay, dropout, bn, patience, seed, recipe },
    options: { hidden, valSplit },
  }, io);
}
