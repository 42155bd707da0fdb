/**
 * `keel eval`: how good a saved model (a `keel train` folder) is on data — RMSE and the PHM08 score
 * in cycles of remaining useful life, and R² (how much of the true RUL's variance the model explains:
 * 0 for a constant prediction of their mean, so the RMSE can be judged against that). Units cut
 * before failure with a known true RUL (the built-in test engines, or a CSV file with --rul) are
 * scored as the literature scores C-MAPSS: the last window of each unit against its true RUL, uncapped. Units observed until failure have no such
 * point, so every window is scored against the capped RUL the model was trained on. The output says
 * which of the two it did, since the numbers are not comparable. A Fashion-MNIST classifier is scored
 * by accuracy and mean cross-entropy on the test images; a table model on a CSV file's rows, by the
 * same for a classifier, or RMSE, MAE and R² in the target's units for a regressor; a model of
 * labelled sequences on a CSV file's sequences, each scored by the mean of its windows.
 */
import { resolve } from 'node:path';
import { add, mul } from '../../functional/arithmetic.js';
import type { Module } from '../../nn/module.js';
import { Tensor } from '../../tensor/tensor.js';
import { mae, phm08Score, r2Score, rmse } from '../../train/metrics/rul.js';
import { evaluate } from '../../train/evaluate.js';
import { predict } from '../../train/predict.js';
import { type CommandIO, defineCommand, type ParsedValues, rejectOptions, requiredOption } from '../args.js';
import { applyThreads } from '../threads.js';
import { warnFarInputs } from '../far-inputs.js';
import { DATA_OPTIONS, type DataSpec, dataUsage, parseDataSpec, rejectCsvFlags, checkShortUnits, withRulFile } from '../data-source.js';
import { isClassifier, isSequences, isTable, loadModel, type SavedSequences, type SavedTable } from '../../model-folder/format.js';
import { loadDataFor, loadImagesFor } from '../model-data.js';
import { modelWindows } from '../../model-folder/rul-windows.js';
import { loadSequencesFor, unitLabels } from '../sequence-data.js';
import { predictSequences, sequenceWindows } from '../../model-folder/sequence-windows.js';
import { loadTableFor } from '../table-data.js';
import { tableInputs } from '../../model-folder/table-inputs.js';
import { encodeClasses, targetNumbers } from '../table-target.js';

const EVAL_OPTIONS = {
  ...DATA_OPTIONS,
  model: { type: 'string' },
  rul: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** A classifier's scores: accuracy and mean cross-entropy over `samples` (images, rows or sequences). */
function printClassifier(io: CommandIO, json: boolean, result: { model: string; data: string; samples: number; accuracy: number; loss: number }, samples: string): number {
  io.out.write(json
    ? `${JSON.stringify(result)}\n`
    : `${result.data}\naccuracy  ${result.accuracy.toFixed(4)} (${Math.round(result.accuracy * result.samples)} of ${result.samples}${samples})\nloss      ${result.loss.toFixed(4)} (mean cross-entropy)\n`);
  return 0;
}

/** A regressor's scores in the target's units: RMSE, MAE and R² of `predicted` against `y`. */
function printRegression(io: CommandIO, json: boolean, head: { model: string; data: string; samples: number }, column: string, predicted: Tensor, y: Tensor): number {
  const result = { ...head, rmse: rmse(predicted, y), mae: mae(predicted, y), r2: r2Score(predicted, y) };
  const v = (x: number) => String(Number(x.toPrecision(4)));
  io.out.write(json
    ? `${JSON.stringify(result)}\n`
    : `${result.data}\nRMSE      ${v(result.rmse)} (${column})\nMAE       ${v(result.mae)}\nR²        ${result.r2.toFixed(3)} (1 − MSE / the variance of "${column}": 0 is no better than predicting its mean)\n`);
  return 0;
}

/** Accuracy and mean cross-entropy of a classifier `model` on inputs `x` with class indices `y`. */
async function scoreClassifier(dir: string, model: Module, data: { x: Tensor; y: Tensor; description: string }, json: boolean, io: CommandIO): Promise<number> {
  const scores = await evaluate(model, { x: data.x, y: data.y, loss: 'crossEntropy', metrics: ['accuracy'] });
  return printClassifier(io, json, { model: dir, data: data.description, samples: data.x.shape[0]!, accuracy: scores.accuracy!, loss: scores.loss! }, '');
}

/** A table model on the rows of a CSV file with its target column: accuracy and loss, or RMSE, MAE and R² in the target's units. */
async function evalTable(dir: string, saved: SavedTable, spec: DataSpec, values: ParsedValues<typeof EVAL_OPTIONS>, io: CommandIO): Promise<number> {
  rejectOptions(values, ['rul'], 'a table model (its target column is in the file)');
  const data = await loadTableFor(saved, spec, values, true);
  const x = tableInputs(saved, data.x), n = x.shape[0]!, t = saved.target, truth = data.target!.values;
  warnFarInputs(io.err, 'eval', x, saved.features);
  if (t.name === 'classification') return scoreClassifier(dir, saved.model, { x, y: new Tensor(encodeClasses(t.column, truth, t.labels), [n]), description: data.description }, values.json, io);
  const y = new Tensor(Float32Array.from(targetNumbers(t.column, truth, 'a regression model is scored against numbers')), [n]);
  const predicted = add(mul(await predict(saved.model, x), t.scale), t.mean);
  return printRegression(io, values.json, { model: dir, data: data.description, samples: n }, t.column, predicted, y);
}

/**
 * A sequence model on the labelled sequences of a CSV file: each sequence scored by the mean of its
 * windows' probabilities (accuracy, and the cross-entropy −log of its label's mean probability) or
 * outputs (RMSE, MAE and R² in the target's units).
 */
async function evalSequences(dir: string, saved: SavedSequences, spec: DataSpec, values: ParsedValues<typeof EVAL_OPTIONS>, io: CommandIO): Promise<number> {
  rejectOptions(values, ['rul'], 'a sequence model (its target column is in the file)');
  const data = await loadSequencesFor(saved, spec, values, true);
  checkShortUnits(io.err, 'eval', data.table, saved.window, { padded: true }, 'sequences');
  const n = data.table.units.length, t = saved.target, truth = unitLabels(data.table);
  const windows = sequenceWindows(saved, data.table, true);
  warnFarInputs(io.err, 'eval', windows.toDataset(), saved.channels);
  const { mean } = await predictSequences(saved.model, windows, n, t.name === 'classification', null);
  const head = { model: dir, data: data.description, samples: n };
  if (t.name === 'classification') {
    const k = t.labels.length, y = encodeClasses(t.column, truth, t.labels);
    let right = 0, loss = 0;
    y.forEach((c, u) => {
      const p = mean.subarray(u * k, (u + 1) * k);
      if (p.indexOf(Math.max(...p)) === c) right++;
      loss -= Math.log(Math.max(p[c]!, Number.MIN_VALUE));
    });
    return printClassifier(io, values.json, { ...head, accuracy: right / n, loss: loss / n }, ' sequences');
  }
  const y = new Tensor(Float32Array.from(targetNumbers(t.column, truth, 'a regression model is scored against numbers')), [n]);
  const predicted = new Tensor(Float32Array.from(mean, (v) => v * t.scale + t.mean), [n]);
  return printRegression(io, values.json, head, t.column, predicted, y);
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'RMSE, PHM08 score and R² (accuracy and loss for a classifier) of a saved model on data',
  usage: `Usage: keel eval --model DIR --data SOURCE [options]

Loads a model folder written by keel train, windows the data with its scaler, window and channels,
and prints RMSE and the PHM08 score (Σ e^(−d/13) − 1 for early, e^(d/10) − 1 for late predictions;
lower is better; Infinity, null in --json, once a prediction is ~7,100 cycles late or ~9,200
early), both in cycles, and R² (1 − MSE / the variance of the true RUL; 0 is no better than
predicting their mean, 1 is perfect). Units with a known true RUL (the built-in test engines,
or --rul) are scored on their last window against that RUL; otherwise every window is scored
against the RUL capped as in training. A Fashion-MNIST classifier prints accuracy and mean cross-entropy on the
test images. A table model (keel train --target) reads the rows of --data csv:FILE, features and
target by name, and prints accuracy and loss, or RMSE, MAE and R² in the target's units. A sequence
model (keel train --target --unit-column, or --data ts:FILE) reads the file's labelled sequences
the same way and scores each sequence by the mean of its windows' probabilities (or outputs).

Options:
  --model DIR         the model folder (model.json + model.safetensors)
${dataUsage('test engines (default 100)')}
  --rul FILE          CSV: the true RUL at each unit's last row, one number per line, line k for
                      the unit with the k-th smallest (numeric) id, whatever the order of the units
                      in the data (NASA's RUL_FD001.txt)
  --threads N         native kernel threads (default: all cores)
  --json              one JSON object on stdout
  -h, --help          this text

Examples:
  keel eval --model models/rul --data runtofailure
  keel eval --model fd001 --data csv:test_FD001.txt --rul RUL_FD001.txt --json
  keel eval --model fmnist --data fashion-mnist
  keel eval --model wine --data csv:wine-test.csv
  keel eval --model motions --data ts:BasicMotions_TEST.ts
`,
  options: EVAL_OPTIONS,
  async run(values, _positionals, io) {
    const dir = resolve(requiredOption('model', values.model, 'the model folder written by keel train'));
    const spec = parseDataSpec(requiredOption('data', values.data, 'the data to evaluate on, runtofailure[:SEED], csv:FILE, ts:FILE or fashion-mnist[:DIR]'));
    rejectCsvFlags(spec, values);
    // The built-in engines know their true RUL; a --rul file would silently replace it.
    if (spec.kind !== 'csv') rejectOptions(values, ['rul'], `--data ${spec.kind} (it is for csv:FILE test units)`);
    applyThreads(values.threads, io.err);
    const saved = await loadModel(dir);
    if (isTable(saved)) return evalTable(dir, saved, spec, values, io);
    if (isSequences(saved)) return evalSequences(dir, saved, spec, values, io);
    if (isClassifier(saved)) {
      rejectOptions(values, ['rul'], 'a classifier');
      return scoreClassifier(dir, saved.model, await loadImagesFor(saved, spec, values), values.json, io);
    }
    const data = await loadDataFor(saved, spec, values);
    const table = values.rul !== undefined ? await withRulFile(data.table, values.rul) : data.table;
    const last = table.units.every((u) => u.rulAtEnd !== undefined);
    checkShortUnits(io.err, 'eval', table, saved.window, last
      ? { padded: true }
      : { padded: false, fix: () => `the model's window is fixed; give longer series, or each unit's true RUL at its end (--rul FILE) to score its last window, padded` });
    // A CSV's units without a true RUL are taken to fail at their last row: right for run-to-failure
    // (training-like) files, meaningless for test files whose units stop early — say so, on stderr.
    if (!last && spec.kind === 'csv') {
      io.err.write(`keel eval: each unit's RUL is counted back from its last row (the units ran to failure); for test units that stop before failure (NASA's test_FD00x.txt), give their true RUL with --rul FILE\n`);
    }
    const w = modelWindows(saved, table, last), windows = w.toDataset(); // cut per batch (WindowDataset)
    warnFarInputs(io.err, 'eval', windows, saved.channels);
    const predicted = mul(await predict(saved.model, windows), saved.target.scale);
    const result = {
      model: dir,
      data: data.description,
      scored: last ? 'last' : 'all',
      units: table.units.length,
      windows: windows.length,
      rmse: rmse(predicted, w.y),
      phm08: phm08Score(predicted, w.y),
      r2: r2Score(predicted, w.y),
    };
    if (values.json) {
      io.out.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const scored = last
      ? `the last window of each of ${result.units} units, against its true RUL`
      : `all ${result.windows} windows of ${result.units} units, against RUL capped at ${saved.target.cap}`;
    io.out.write(`${data.description}\nscored    ${scored}\nRMSE      ${result.rmse.toFixed(2)} cycles\nPHM08     ${result.phm08.toFixed(1)} (sum over ${result.windows} windows)\n` +
      `R²        ${result.r2.toFixed(3)} (1 − MSE / the variance of the true RUL: 0 is no better than predicting their mean)\n`);
    return 0;
  },
});
