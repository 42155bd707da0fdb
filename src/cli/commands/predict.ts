/**
 * `keel predict`: a saved model's predicted remaining useful life for every window of the data (or
 * the last window of each unit with --last), as CSV — unit, time (the time column's value at the
 * window's last row, or the 1-based row when there is none), rul — to a file or stdout. With
 * --mc-dropout N, Monte-Carlo dropout (predict()'s mcDropout: Dropout on, BatchNorm on its running
 * statistics) gives the mean of N passes as rul and their standard deviation as std. A Fashion-MNIST
 * classifier writes index (0-based test image), class, label and one probability column per label
 * (softmax of the logits), or only index, class and label with --label-only; with --mc-dropout N the
 * probabilities are the mean of the N passes' softmax and std is the standard deviation of the chosen
 * class's probability over the passes. A table model (keel train --target) writes one row per data
 * row of the CSV file: a classifier as above, a regressor index and the predicted target (in its
 * units) and std. A model of labelled sequences writes one row per sequence, keyed by its unit id,
 * from the mean of its windows' probabilities or outputs; with --mc-dropout each pass averages the
 * windows first, so std is the spread of the sequence's prediction. --json writes the same rows as one
 * JSON value instead: { model, columns, predictions: [{ column: value, … }] }, numbers as numbers.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mul } from '../../functional/arithmetic.js';
import { softmax } from '../../functional/softmax.js';
import { writeFileAtomic } from '../../io/save.js';
import { Dropout } from '../../nn/dropout.js';
import { Dropout1d } from '../../nn/dropout1d.js';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { predict as predictRows } from '../../train/predict.js';
import { type CommandIO, defineCommand, intOption, type ParsedValues, rejectOptions, requiredOption } from '../args.js';
import { applyThreads } from '../threads.js';
import { DATA_OPTIONS, type DataSpec, dataUsage, parseDataSpec, rejectCsvFlags, checkShortUnits } from '../data-source.js';
import { outputPath } from '../output-path.js';
import { warnFarInputs } from '../far-inputs.js';
import { isClassifier, isSequences, isTable, loadModel, type SavedModel, type SavedSequences, type SavedTable } from '../../model-folder/format.js';
import { loadDataFor, loadImagesFor } from '../model-data.js';
import { modelWindows } from '../../model-folder/rul-windows.js';
import { loadSequencesFor } from '../sequence-data.js';
import { predictSequences, sequenceWindows } from '../../model-folder/sequence-windows.js';
import { loadTableFor } from '../table-data.js';
import { tableInputs } from '../../model-folder/table-inputs.js';

/**
 * The predictions: named columns and one row per prediction, numbers rounded as printed. `fixed`
 * names the columns CSV prints with a fixed number of decimals (probabilities to 6, RUL to 3).
 */
interface Predictions {
  columns: string[];
  rows: Array<Array<string | number>>;
  fixed: Record<string, number>;
}

/** A CSV field: quoted when it holds a delimiter, a quote or a line break (RFC 4180). */
function field(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(p: Predictions): string {
  const digits = p.columns.map((c) => p.fixed[c]);
  const lines = [p.columns.map(field).join(',')];
  for (const row of p.rows) lines.push(row.map((v, c) => (typeof v === 'number' && digits[c] !== undefined ? v.toFixed(digits[c]) : field(v))).join(','));
  return `${lines.join('\n')}\n`;
}

function toJson(p: Predictions, model: string): string {
  const predictions = p.rows.map((row) => Object.fromEntries(p.columns.map((c, i) => [c, row[i]])));
  return `${JSON.stringify({ model, columns: p.columns, predictions })}\n`;
}

/** `v` rounded to `digits` decimals, as CSV prints it. */
const round = (v: number, digits: number): number => Number(v.toFixed(digits));

const PREDICT_OPTIONS = {
  ...DATA_OPTIONS,
  model: { type: 'string' },
  last: { type: 'boolean', default: false },
  'mc-dropout': { type: 'string' },
  seed: { type: 'string' },
  'label-only': { type: 'boolean', default: false },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  threads: { type: 'string' },
} as const;

/**
 * A classifier's rows: one per input (`key` names the first column and gives its values: image or
 * row index, or sequence id), the most probable class first, then every class's probability.
 * `p` (inputs, K) holds the probabilities, `std` their spread over Monte-Carlo passes.
 */
function classRows(key: string, keys: ArrayLike<string | number>, p: ArrayLike<number>, std: ArrayLike<number> | null, labels: readonly string[], labelOnly: boolean): Predictions {
  const k = labels.length;
  const columns = [key, 'class', 'label', ...(std ? ['std'] : []), ...(labelOnly ? [] : labels)];
  const rows: Predictions['rows'] = [];
  for (let n = 0; n < keys.length; n++) {
    const row = Array.from({ length: k }, (_, j) => p[n * k + j]!);
    const best = row.indexOf(Math.max(...row));
    const cells: Array<string | number> = [keys[n]!, best, labels[best]!];
    if (std) cells.push(round(std[n * k + best]!, 6));
    if (!labelOnly) cells.push(...row.map((v) => round(v, 6)));
    rows.push(cells);
  }
  return { columns, rows, fixed: Object.fromEntries(columns.slice(3).map((c) => [c, 6])) };
}

/** A classifier's rows for inputs x (images or table rows), indexed from 0. */
async function classify(model: Module, x: Tensor, labels: readonly string[], values: ParsedValues<typeof PREDICT_OPTIONS>, samples: number | null, seed: number): Promise<Predictions> {
  const toProbabilities = (logits: Tensor) => softmax(logits, 1);
  const indices = Array.from({ length: x.shape[0]! }, (_, n) => n);
  if (samples === null) return classRows('index', indices, toProbabilities(await predictRows(model, x)).data, null, labels, values['label-only']);
  const mc = await predictRows(model, x, { mcDropout: { samples, seed, transform: toProbabilities } });
  return classRows('index', indices, mc.mean.data, mc.std.data, labels, values['label-only']);
}

/** A regressor's rows: the key column, the prediction in the target's units (`out` · scale + mean) and std. */
function valueRows(key: string, keys: ArrayLike<string | number>, column: string, out: ArrayLike<number>, std: ArrayLike<number> | null, t: { mean: number; scale: number }): Predictions {
  // Six significant digits: the target may be in any units.
  const v = (z: number) => Number(z.toPrecision(6));
  const rows = Array.from({ length: keys.length }, (_, n) => [keys[n]!, v(out[n]! * t.scale + t.mean), ...(std ? [v(std[n]! * t.scale)] : [])]);
  return { columns: [key, column, ...(std ? ['std'] : [])], rows, fixed: {} };
}

export const predict = defineCommand({
  name: 'predict',
  summary: 'predicted RUL (or class) of a saved model as CSV (--mc-dropout N adds a std column)',
  usage: `Usage: keel predict --model DIR --data SOURCE [options]

Loads a model folder written by keel train and writes its predicted remaining useful life (cycles)
for every window of the data as CSV: unit,time,rul (time is the unit's time column at the window's
last row), and std with --mc-dropout. A Fashion-MNIST classifier writes index,class,label and the
probability of each label (the test images in order); with --mc-dropout the probabilities are the
mean over the passes and std is that of the chosen class's probability. A table model (keel train
--target) reads the rows of --data csv:FILE (features by name; the target column may be absent) and
writes index and the predicted target (and std), or a classifier's columns as above. A sequence
model (keel train --target --unit-column, or --data ts:FILE) writes the same columns with unit
(a .ts file's case number, from 1) instead of index, one row per sequence of the file: the mean of
its windows' probabilities (or outputs).

Options:
  --model DIR         the model folder (model.json + model.safetensors)
${dataUsage('test engines (default 100)')}
  --last              only the last window of each unit (short units padded with their first row)
  --mc-dropout N      Monte-Carlo dropout: rul (or each probability) is the mean of N >= 2 passes
                      with dropout on, std their standard deviation
  --seed N            seed of the Monte-Carlo dropout masks (default 0)
  --label-only        classifier: only index, class and label, no probability columns
  --out FILE          write the CSV to FILE (default stdout)
  --json              the same rows as one JSON value: { model, columns, predictions: [{ column:
                      value, … }] }, to stdout or --out
  --threads N         native kernel threads (default: all cores)
  -h, --help          this text

Examples:
  keel predict --model models/rul --data runtofailure --last
  keel predict --model fd001 --data csv:test_FD001.txt --mc-dropout 30 --out predictions.csv
  keel predict --model fmnist --data fashion-mnist --limit 100 --label-only
  keel predict --model wine --data csv:new-wines.csv --out quality.csv
  keel predict --model motions --data ts:BasicMotions_TEST.ts --mc-dropout 20
`,
  options: PREDICT_OPTIONS,
  async run(values, _positionals, io) {
    const dir = resolve(requiredOption('model', values.model, 'the model folder written by keel train'));
    const spec = parseDataSpec(requiredOption('data', values.data, 'the data to predict on, runtofailure[:SEED], csv:FILE, ts:FILE or fashion-mnist[:DIR]'));
    rejectCsvFlags(spec, values);
    const samples = values['mc-dropout'] !== undefined ? intOption('mc-dropout', values['mc-dropout'], 2, 100000) : null;
    const seed = intOption('seed', values.seed ?? '0', 0, Number.MAX_SAFE_INTEGER);
    if (samples === null) rejectOptions(values, ['seed'], 'predict without --mc-dropout (it seeds the dropout masks)');
    const out = values.out === undefined ? undefined : outputPath('out', values.out, 'file');
    applyThreads(values.threads, io.err);
    const saved = await loadModel(dir);
    if (samples !== null && !hasActiveDropout(saved.model)) {
      io.err.write(`keel predict: every Dropout layer of the model in ${dir} has p = 0, so the ${samples} passes agree and std is 0: it measures nothing\n`);
    }
    let predictions: Predictions;
    if (isTable(saved)) {
      predictions = await predictTable(saved, spec, values, samples, seed, io.err);
    } else if (isSequences(saved)) {
      predictions = await predictSequenceRows(saved, spec, values, samples, seed, io.err);
    } else if (isClassifier(saved)) {
      rejectOptions(values, ['last'], 'a classifier');
      predictions = await classify(saved.model, (await loadImagesFor(saved, spec, values)).x, saved.target.labels, values, samples, seed);
    } else {
      predictions = await predictRul(saved, spec, values, samples, seed, io.err);
    }
    const text = values.json ? toJson(predictions, dir) : toCsv(predictions);
    if (out === undefined) {
      io.out.write(text);
    } else {
      mkdirSync(dirname(out), { recursive: true }); // outputPath checked that its missing folders can be made
      await writeFileAtomic(out, Buffer.from(text));
      io.err.write(`keel predict: ${predictions.rows.length} predictions written to ${out}\n`);
    }
    return 0;
  },
});

/** A table model's rows: a classifier's as for images; a regressor's index and the prediction in the target's units (and std). */
async function predictTable(saved: SavedTable, spec: DataSpec, values: ParsedValues<typeof PREDICT_OPTIONS>, samples: number | null, seed: number, err: CommandIO['err']): Promise<Predictions> {
  rejectOptions(values, ['last'], 'a table model (its rows are independent)');
  const x = tableInputs(saved, (await loadTableFor(saved, spec, values, false)).x);
  warnFarInputs(err, 'predict', x, saved.features);
  const t = saved.target;
  if (t.name === 'classification') return classify(saved.model, x, t.labels, values, samples, seed);
  rejectOptions(values, ['label-only'], 'a regression model');
  const mc = samples === null ? null : await predictRows(saved.model, x, { mcDropout: { samples, seed } });
  const out = mc ? mc.mean : await predictRows(saved.model, x);
  return valueRows('index', Array.from({ length: x.shape[0]! }, (_, n) => n), t.column, out.data, mc ? mc.std.data : null, t);
}

/** A sequence model's rows: one row per sequence (unit id first), from the mean of its windows' probabilities or outputs. */
async function predictSequenceRows(saved: SavedSequences, spec: DataSpec, values: ParsedValues<typeof PREDICT_OPTIONS>, samples: number | null, seed: number, err: CommandIO['err']): Promise<Predictions> {
  rejectOptions(values, ['last'], 'a sequence model (it predicts each sequence from all its windows)');
  const { table } = await loadSequencesFor(saved, spec, values, false);
  checkShortUnits(err, 'predict', table, saved.window, { padded: true }, 'sequences');
  const t = saved.target, ids = table.units.map((u) => u.id);
  if (t.name === 'regression') rejectOptions(values, ['label-only'], 'a regression model');
  const windows = sequenceWindows(saved, table, true);
  warnFarInputs(err, 'predict', windows.toDataset(), saved.channels);
  const p = await predictSequences(saved.model, windows, ids.length, t.name === 'classification', samples === null ? null : { samples, seed });
  return t.name === 'classification'
    ? classRows('unit', ids, p.mean, p.std, t.labels, values['label-only'])
    : valueRows('unit', ids, t.column, p.mean, p.std, t);
}

/** Whether Monte-Carlo dropout can vary anything: a Dropout layer with p > 0. */
function hasActiveDropout(model: Module): boolean {
  return model.modules().some((m) => (m instanceof Dropout || m instanceof Dropout1d) && m.p > 0);
}

/** The RUL rows (the header comment says what they hold); `samples` null: no Monte-Carlo dropout. */
async function predictRul(saved: SavedModel, spec: DataSpec, values: ParsedValues<typeof PREDICT_OPTIONS>, samples: number | null, seed: number, err: CommandIO['err']): Promise<Predictions> {
  rejectOptions(values, ['label-only'], 'a RUL model');
  const { table } = await loadDataFor(saved, spec, values);
  checkShortUnits(err, 'predict', table, saved.window, values.last
    ? { padded: true }
    : { padded: false, fix: () => `the model's window is fixed; --last predicts each unit's end, a short unit padded with its first row` });
  const w = modelWindows(saved, table, values.last), windows = w.toDataset(); // cut per batch (WindowDataset)
  warnFarInputs(err, 'predict', windows, saved.channels);
  let rul: Tensor, std: Tensor | null = null;
  if (samples === null) {
    rul = await predictRows(saved.model, windows);
  } else {
    const mc = await predictRows(saved.model, windows, { mcDropout: { samples, seed } });
    rul = mc.mean;
    std = mul(mc.std, saved.target.scale);
  }
  rul = mul(rul, saved.target.scale);

  const rows = Array.from(w.groups, (group, n) => {
    const unit = table.units[group]!, end = w.ends[n]!;
    return [unit.id, unit.time ? unit.time[end]! : end + 1, round(rul.data[n]!, 3), ...(std ? [round(std.data[n]!, 3)] : [])];
  });
  return { columns: ['unit', 'time', 'rul', ...(std ? ['std'] : [])], rows, fixed: { rul: 3, std: 3 } };
}
