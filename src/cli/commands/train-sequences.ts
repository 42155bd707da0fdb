/**
 * `keel train --data csv:FILE --target COL --unit-column ID` and `keel train --data ts:FILE`: the
 * Conv1d backbone of DESIGN.md §1 on labelled sequences (../sequence-data.ts) — a classifier of
 * whole sequences (cross-entropy, accuracy) when the target holds text or --task classification (or
 * a ts file's @classLabel) says so, else a regressor of a per-sequence value (MSE on the
 * standardised target). The sequences are split into fitting and validation sequences first
 * (groupSplit, --val-units), so no sequence has windows on both sides, and the channel scaler and
 * the target's statistics are fitted on the fitting sequences only (after each sequence is
 * standardised by its own statistics, with --standardize sequence).
 * Writes the model folder (model.json: window, stride, channels, scaler, target, columns) and the
 * report, through ../labelled-run.ts as the table path does.
 */
import { groupSplit } from '../../data/group-split.js';
import { Standardizer } from '../../data/scalers/standardizer.js';
import type { SeriesTable } from '../../data/series.js';
import { indexSelect } from '../../functional/indexing.js';
import * as nn from '../../nn/index.js';
import { manualSeed } from '../../tensor/random.js';
import { type CommandIO, intOption, numberOption, type ParsedValues, rejectOptions } from '../args.js';
import { batchNormFlags } from '../batchnorm-flags.js';
import { checkShortUnits } from '../data-source.js';
import { UsageError } from '../errors.js';
import { runLabelled } from '../labelled-run.js';
import { modelFromConfig, rejectArchitectureFlags } from '../model-config.js';
import { recipeFitOptions } from '../recipe-flags.js';
import { isTsSource, type SavedSequences } from '../../model-folder/format.js';
import { loadTrainingSequences, standardizeOption } from '../sequence-data.js';
import { ownStandardized, sequenceWindows } from '../../model-folder/sequence-windows.js';
import { fitTarget } from '../table-target.js';
import { threadsText } from '../threads.js';
import type { TRAIN_OPTIONS } from './train.js';

/** The defaults for labelled sequences where they differ from the RUL ones. */
export const SEQUENCE_DEFAULTS = { epochs: 40, weightDecay: 0.01, earlyStopping: 8 } as const;

/** A channel that increases within every sequence is likely a time column read as a channel, which the model would learn from: said on stderr. */
function warnOfClock(io: CommandIO, table: SeriesTable): void {
  const C = table.columns.length;
  const increasing = (values: Float32Array, c: number) => values.every((v, i) => i < C || i % C !== c || v > values[i - C]!);
  if (!table.units.some((u) => u.values.shape[0]! > 1)) return;
  const clock = table.columns.find((_, c) => table.units.every((u) => increasing(u.values.data as Float32Array, c)));
  if (clock !== undefined) io.err.write(`keel train: channel "${clock}" increases within every sequence; if it is the time, pass --time-column ${JSON.stringify(clock)} (a channel is learnt from)\n`);
}

export async function trainSequences(values: ParsedValues<typeof TRAIN_OPTIONS>, spec: { kind: 'csv' | 'ts'; file: string }, out: string, io: CommandIO): Promise<number> {
  const what = spec.kind === 'ts' ? '--data ts:FILE' : '--target with --unit-column';
  rejectOptions(values, ['units', 'limit', 'val-split', 'hidden'], `${what} (labelled sequences for the backbone: split by --val-units)`);
  rejectArchitectureFlags(values);
  if ((values.model ?? 'backbone') !== 'backbone') throw new UsageError(`--model must be backbone for labelled sequences (${what}), got "${values.model}"`);
  const epochs = intOption('epochs', values.epochs ?? String(SEQUENCE_DEFAULTS.epochs), 1, 100000);
  const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
  const lr = numberOption('lr', values.lr, 0, Infinity, true);
  const weightDecay = numberOption('weight-decay', values['weight-decay'] ?? String(SEQUENCE_DEFAULTS.weightDecay), 0, Infinity);
  const dropout = numberOption('dropout', values.dropout ?? '0.15', 0, 1);
  const headDropout = numberOption('head-dropout', values['head-dropout'] ?? '0.5', 0, 1);
  const bn = batchNormFlags(values);
  const patience = intOption('early-stopping', values['early-stopping'] ?? String(SEQUENCE_DEFAULTS.earlyStopping), 0, 100000);
  const valShare = numberOption('val-units', values['val-units'] ?? '0.2', 0, 1, true);
  const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
  const asked = {
    window: values.window === undefined ? null : intOption('window', values.window, 1, 100000),
    stride: values.stride === undefined ? null : intOption('stride', values.stride, 1, 100000),
  };

  const standardize = standardizeOption(values.standardize);
  const { data, source, column, task, labels: classes, y: targets, text } = await loadTrainingSequences(spec, values);
  if (!isTsSource(source) && source.time === null) warnOfClock(io, data.table);
  // Per-sequence standardisation comes first, so the scaler below is fitted on its output (≈ the identity).
  const table = ownStandardized(standardize, data.table);
  const recipe = recipeFitOptions(values, lr, weightDecay, { timeSeries: true, classes: classes?.length ?? 0 });
  const sequences = data.table.units.length;
  // Every sequence gives at least one window unless --window asks for longer ones.
  const lengths = data.table.units.map((u) => u.values.shape[0]!).sort((a, b) => a - b);
  const window = asked.window ?? lengths[0]!, median = lengths[lengths.length >> 1]!;
  if (asked.window === null && window < median / 2) {
    io.err.write(`keel train: the shortest sequence (${window} steps) sets the window, a fraction of the median length (${median}); --window N cuts longer windows (shorter sequences are then left out in training, or with --pad padded, as eval and predict pad them)\n`);
  }
  const stride = asked.stride ?? window;
  const pad = values.pad ?? false;
  checkShortUnits(io.err, 'train', data.table, window, pad ? { padded: true } : { padded: false, fix: (longest) => `use a --window of ${longest} or less, or --pad` }, 'sequences');
  // Without --pad, sequences shorter than the window give no window: left out before the split, so
  // neither the split nor the scaler counts them. The rest are split whole, so no sequence has windows on both sides.
  const usable = table.units.map((u, i) => ({ ...u, id: i })).filter((u) => pad || u.values.shape[0]! >= window);
  const [fitSeqs, valSeqs] = groupSplit({ columns: table.columns, units: usable }, [1 - valShare, valShare], seed) as [SeriesTable, SeriesTable];
  if (fitSeqs.units.length === 0 || valSeqs.units.length === 0) {
    throw new UsageError(`--val-units ${valShare} leaves no ${fitSeqs.units.length === 0 ? 'training' : 'validation'} sequence among the ${usable.length}${usable.length < sequences ? ` with ${window} steps or more` : ''}; choose a share that leaves at least one on each side`);
  }
  const fitIds = Int32Array.from(fitSeqs.units, (u) => u.id as number);
  const { target, y } = fitTarget(column, classes, targets, fitIds);
  const scaler = new Standardizer().fit(fitSeqs);
  // Each window learns its sequence's target; windows are cut as batches are drawn (at --stride 1,
  // holding them all would take `window` times the table).
  const windows = (side: SeriesTable) => {
    const w = sequenceWindows({ window, stride, scaler }, side, pad);
    const targets = indexSelect(y, 0, Int32Array.from(w.groups, (g) => side.units[g]!.id as number));
    return { data: w.toDataset(targets), y: targets };
  };
  const fitW = windows(fitSeqs), valW = windows(valSeqs);

  const split = `${fitSeqs.units.length} sequences (${fitW.data.length} windows) to fit, ${valSeqs.units.length} (${valW.data.length}) to validate`;
  io.err.write(`keel train: ${data.description} (${text}); windows of ${window} steps every ${stride}; ${split}; ${threadsText()}\n`);
  manualSeed(seed);
  const config = values['model-config'], channels = data.table.columns.length, outputs = classes ? classes.length : 1;
  const model = config !== undefined
    ? modelFromConfig(config, channels, window, outputs)
    : nn.conv1dBackbone({ inChannels: channels, window, outputs, dropout, headDropout, batchNorm: bn.batchNorm, bnMomentum: bn.momentum, bnVirtualBatchSize: bn.virtualBatchSize });
  const settings: Omit<SavedSequences, 'model'> = {
    window, stride, standardize, channels: [...data.table.columns], scaler, target, seed,
    data: source,
  };
  return runLabelled({
    out, json: values.json, model, name: 'backbone',
    label: `${config !== undefined ? `the model of ${config}` : 'Conv1d backbone'} on ${channels} channel${channels === 1 ? '' : 's'} × ${window} steps`,
    fit: fitW.data, validation: valW.data, fitY: fitW.y, valY: valW.y,
    target, samples: 'windows', settings,
    facts: {
      data: data.description, task, target: column,
      sequences: { fit: fitSeqs.units.length, validation: valSeqs.units.length },
      windows: { fit: fitW.data.length, validation: valW.data.length },
    },
    summary: `${data.description}: ${split} (sequences split at random, seed ${seed}); windows of ${window} steps every ${stride}, ${standardize === 'sequence' ? "each sequence's channels standardised with its own mean and std" : "channels standardised with the fitting sequences' statistics"}${classes ? '' : ', the target with theirs'}.`,
    flags: { epochs, batchSize, lr, weightDecay, dropout, bn, patience, seed, recipe },
    options: { window, stride, standardize, ...(pad ? { pad } : {}), headDropout, valUnits: valShare, ...(config !== undefined ? { modelConfig: config } : {}) },
    headDropout, modelConfig: config,
  }, io);
}
