/**
 * What `keel tune` cross-validates, by --data: the Conv1d backbone on run-to-failure units (tune()'s
 * own trial, folds by unit), the MLP on a CSV table's rows (--target; tableTrial, folds by row, the
 * scaler fitted per fold), the backbone on labelled sequences (--target with --unit-column, or a
 * .ts or UCR file; sequenceTrial, folds by sequence), or the Fashion-MNIST MLP on images
 * (tableTrial on pixels / 255 as keel train reads them, folds by image). Each comes with how its
 * score reads and the flags that make the best configuration a `keel train --config` that trains on
 * the same data the same way.
 */
import { resolve } from 'node:path';
import { FASHION_MNIST_DIR } from '../datasets/fashion-mnist.js';
import { sequenceTrial } from '../tune/sequence-trial.js';
import { tableTrial } from '../tune/table-trial.js';
import type { TrialConfig } from '../tune/space.js';
import type { TuneOptions } from '../tune/tune.js';
import { intOption, rejectOptions } from './args.js';
import { checkShortUnits, csvColumns, type DataSpec, loadData, loadImages, rejectCsvFlags, SERIES_FLAGS } from './data-source.js';
import { UsageError } from './errors.js';
import { hiddenOption } from './mlp.js';
import { loadTrainingSequences, standardizeOption } from './sequence-data.js';
import { ownStandardized } from '../model-folder/sequence-windows.js';
import { loadTrainingTable } from './table-data.js';
import { IMAGE_DEFAULTS } from './commands/train-images.js';
import { SEQUENCE_DEFAULTS } from './commands/train-sequences.js';
import { TABLE_DEFAULTS } from './commands/train-table.js';

/** What the trials are scored by: RMSE in cycles (the backbone), a table's RMSE in its target's units, or cross-entropy. */
export interface Score {
  name: 'RMSE' | 'loss';
  unit: string | undefined;
  digits: number;
  /** What the score is, for the results file and --json ("RMSE in cycles of the held-out units"). */
  text: string;
}

export interface TuneSubject {
  /** tune()'s options for it: the backbone's table and channels, or a trial and its sample count. */
  options: Pick<TuneOptions, 'table' | 'channels' | 'conditions' | 'window' | 'trial' | 'samples'>;
  description: string;
  score: Score;
  /** keel train's data flags for the best configuration (undefined: not given). */
  flags: Record<string, string | number | boolean | undefined>;
  /** keel train's defaults for this data where they differ from the backbone's (DEFAULT_CONFIG): the values of the keys the search leaves out. */
  defaults: Partial<TrialConfig>;
  /** Whether the trials train the MLP on rows (tableTrial), whose BatchNorm needs batches of 2 or more. */
  rows: boolean;
}

/** The flags keel tune reads besides the search's. */
export type SubjectFlags = {
  units?: string; columns?: string; conditions?: string; 'unit-column'?: string; 'time-column'?: string; delimiter?: string;
  header?: boolean; 'no-header'?: boolean; limit?: string; target?: string; task?: string; hidden?: string; standardize?: string;
  window?: string;
};


const LOSS: Score = { name: 'loss', unit: undefined, digits: 4, text: 'mean cross-entropy of the held-out samples' };
/** A regression target's score: RMSE in the units of the column. */
const targetRmse = (column: string | undefined): Score => ({ name: 'RMSE', unit: undefined, digits: 4, text: `RMSE of the held-out samples in the units of ${column}` });

/** The subject of --data (`text` as typed), checked against the flags and the fold count before anything trains. */
export async function tuneSubject(
  spec: DataSpec, text: string, values: SubjectFlags, run: { epochs: number; seed: number; folds: number }, err: { write(s: string): unknown },
): Promise<TuneSubject> {
  const tooFew = (n: number, what: string) => {
    if (run.folds > n) throw new UsageError(`--folds ${run.folds} needs at least ${run.folds} ${what}, the data has ${n}`);
  };
  if (spec.kind === 'fashion-mnist') {
    rejectOptions(values, [...SERIES_FLAGS, 'target', 'task', 'standardize', 'window'], '--data fashion-mnist (keel tune tunes its MLP)');
    const hidden = hiddenOption(values.hidden ?? IMAGE_DEFAULTS.hidden);
    const data = await loadImages(spec, 'train', 'flat', values.limit);
    tooFew(data.x.shape[0]!, 'images');
    return {
      options: { samples: data.x.shape[0]!, trial: (config) => tableTrial(config, { x: data.x, y: data.y, classes: 10, hidden, scale: false, epochs: run.epochs, seed: run.seed }) },
      description: `${data.description} (the MLP 784 → ${hidden.join(' → ')} → 10)`,
      score: LOSS,
      defaults: { dropout: IMAGE_DEFAULTS.mlpDropout, weightDecay: IMAGE_DEFAULTS.weightDecay },
      flags: { data: `fashion-mnist:${resolve(spec.dir ?? FASHION_MNIST_DIR)}`, limit: values.limit === undefined ? undefined : Number(values.limit), hidden: hidden.join(',') },
      rows: true,
    };
  }
  rejectOptions(values, ['limit'], `--data ${spec.kind} (it is for fashion-mnist images)`);
  if (spec.kind === 'ts' || values.target !== undefined) rejectOptions(values, ['window'], 'keel tune with --target or --data ts:FILE (labelled sequences are windowed by their shortest sequence; a table has no windows)');
  rejectCsvFlags(spec, values);
  if (spec.kind === 'ts' || values.target !== undefined) rejectOptions(values, ['conditions'], `${spec.kind === 'ts' ? '--data ts:FILE' : '--target'} (operating conditions are for run-to-failure units)`);
  // The CSV flags as keel train takes them; a file by its absolute path, so the config works from any folder.
  const csv = {
    columns: values.columns, delimiter: values.delimiter, header: values.header, 'no-header': values['no-header'],
  };
  if (spec.kind === 'ts' || (values.target !== undefined && values['unit-column'] !== undefined)) {
    if (spec.kind === 'runtofailure') throw new UsageError('--target is for a CSV file (--data csv:FILE); run-to-failure targets are the RUL');
    if (spec.kind === 'ts') rejectOptions(values, ['target', 'task'], "--data ts:FILE (its cases' labels are the target; the header says which kind)");
    rejectOptions(values, ['units', 'hidden'], `${spec.kind === 'ts' ? '--data ts:FILE' : '--target with --unit-column'} (labelled sequences for the backbone)`);
    const standardize = standardizeOption(values.standardize);
    const t = await loadTrainingSequences(spec, values);
    const table = ownStandardized(standardize, t.data.table);
    const sequences = table.units.length;
    tooFew(sequences, 'sequences');
    // keel train's defaults: windows as long as the shortest sequence, not overlapping.
    const window = Math.min(...table.units.map((u) => u.values.shape[0]!));
    return {
      options: { samples: sequences, trial: (config) => sequenceTrial(config, { table, y: t.y, classes: t.labels?.length ?? 0, window, stride: window, epochs: run.epochs, seed: run.seed }) },
      description: `${t.data.description} (${t.text}; windows of ${window} steps)`,
      score: t.labels ? LOSS : targetRmse(values.target ?? 'the target'),
      defaults: { weightDecay: SEQUENCE_DEFAULTS.weightDecay },
      flags: {
        ...(spec.kind === 'ts' ? { data: `ts:${resolve(spec.file)}` }
          : { data: `csv:${resolve(spec.file)}`, ...csv, target: values.target, task: t.task, 'unit-column': values['unit-column'], 'time-column': values['time-column'] }),
        standardize: values.standardize,
      },
      rows: false,
    };
  }
  rejectOptions(values, ['standardize'], 'data other than labelled sequences (it is for --target with --unit-column, or --data ts:FILE)');
  if (values.target !== undefined) {
    if (spec.kind !== 'csv') throw new UsageError('--target is for a CSV table (--data csv:FILE); run-to-failure targets are the RUL');
    rejectOptions(values, ['units', 'time-column'], '--target (a table of independent rows: no units or time; --unit-column makes its rows labelled sequences)');
    const hidden = hiddenOption(values.hidden ?? TABLE_DEFAULTS.hidden);
    const t = await loadTrainingTable(spec.file, values);
    tooFew(t.y.shape[0]!, 'rows');
    return {
      options: { samples: t.y.shape[0]!, trial: (config) => tableTrial(config, { x: t.data.x, y: t.y, classes: t.labels?.length ?? 0, hidden, epochs: run.epochs, seed: run.seed }) },
      description: `${t.data.description} (${t.text})`,
      score: t.labels ? LOSS : targetRmse(values.target ?? 'the target'),
      defaults: { dropout: TABLE_DEFAULTS.dropout, weightDecay: TABLE_DEFAULTS.weightDecay },
      flags: { data: `csv:${resolve(spec.file)}`, ...csv, target: values.target, task: t.task, hidden: hidden.join(',') },
      rows: true,
    };
  }
  rejectOptions(values, ['task', 'hidden'], 'keel tune without --target (they are for a CSV table, or --hidden for fashion-mnist)');
  const window = intOption('window', values.window ?? '30', 1, 100000); // keel train's
  const data = await loadData(spec, 'train', values.units, csvColumns(values));
  // As keel train: units shorter than the window give no window; say so, and leave them out of the
  // folds, so --folds counts only units that can be scored (a fold of short units alone has nothing).
  checkShortUnits(err, 'tune', data.table, window, { padded: false, fix: (longest) => `use a --window of ${longest} or less` });
  const table = { columns: data.table.columns, units: data.table.units.filter((u) => u.values.shape[0]! >= window) };
  tooFew(table.units.length, table.units.length < data.table.units.length ? `units of ${window} rows or more` : 'units');
  return {
    options: { table, channels: data.channels, ...(data.settings && { conditions: data.settings }), window },
    description: data.description,
    score: { name: 'RMSE', unit: 'cycles', digits: 2, text: 'RMSE in cycles of the held-out units' },
    defaults: {},
    flags: {
      data: spec.kind === 'csv' ? `csv:${resolve(spec.file)}` : text, units: values.units === undefined ? undefined : Number(values.units),
      window: values.window === undefined ? undefined : window,
      ...csv, conditions: values.conditions, 'unit-column': values['unit-column'], 'time-column': values['time-column'],
    },
    rows: false,
  };
}
