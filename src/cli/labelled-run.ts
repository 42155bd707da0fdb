/**
 * The second half of `keel train` for data with a target column — a table's rows for the MLP
 * (./commands/train-table.ts) or labelled sequences for the backbone (./commands/train-sequences.ts):
 * given the model and the samples already split, scaled and encoded, it fits with the flags' recipe,
 * scores the kept weights and the baseline that ignores the inputs, writes the model folder and the
 * report, and prints the run. A classifier learns cross-entropy and is scored by accuracy against
 * DummyClassifier (the fitting samples' most frequent label); a regressor learns MSE on the
 * standardised target and is scored by RMSE in the target's units against DummyRegressor (the
 * fitting samples' mean).
 */
import { mkdirSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { type ReportTable, writeStudyReport } from '../report/study.js';
import type { Tensor } from '../tensor/tensor.js';
import { evaluate } from '../train/evaluate.js';
import type { CommandIO } from './args.js';
import { type BatchNormFlags, batchNormRecord } from './batchnorm-flags.js';
import { classifierProgress, finishRun, printRun, savedWeightsText, stoppedBy, trainingText, trainWithProgress } from './epoch-progress.js';
import { nothingTrained } from './interrupt.js';
import type { recipeFitOptions } from './recipe-flags.js';
import { constantPrediction, mostFrequentClass, runReading } from './run-reading.js';
import { type AnySavedModel, saveModel, type TableTarget, WEIGHTS_FILE } from '../model-folder/format.js';

/** The fit flags every path reads (each with its own defaults). */
export interface TrainingFlags {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  bn: BatchNormFlags;
  patience: number;
  seed: number;
  recipe: ReturnType<typeof recipeFitOptions>;
}

export interface LabelledRun {
  out: string;
  json: boolean;
  /** Built under the seed by the caller. */
  model: Module;
  /** The run's name in results.json ("mlp", "backbone") and the model in a few words for the report ("MLP 13 → 128 → 64 → 1"). */
  name: string;
  label: string;
  /** The samples, split, scaled and encoded, as (input, target) datasets: a table's rows, or sequences' windows cut as batches are drawn. */
  fit: Dataset;
  validation: Dataset;
  /** Their targets, for the baselines: class indices (N), or standardised targets (N, 1). */
  fitY: Tensor;
  valY: Tensor;
  target: TableTarget;
  /** What the samples are, for notes: "rows", "windows". */
  samples: string;
  /** model.json's settings (every field of the saved model but the model). */
  settings: Omit<AnySavedModel, 'model'>;
  /** The result's first fields: what was read and how it was split. */
  facts: Record<string, unknown>;
  /** The report's first summary sentence: the data and the split. */
  summary: string;
  flags: TrainingFlags;
  /** Options model.json records besides the fit flags (hidden, window, …). */
  options: Record<string, unknown>;
  /** Options of the backbone: its head's dropout, for the summary. */
  headDropout?: number;
  /** --model-config's file, when the architecture came from it. */
  modelConfig?: string | undefined;
}

/**
 * Few batches an epoch (a UCR archive's 30–200 training series at the default batch of 128) leave
 * few optimiser steps in all, which a user should hear about: on such data a smaller batch trained
 * better (Tecator's mean test RMSE 9.0 → 3.3 at 16, docs/ts-files.md).
 */
function warnOfFewSteps(io: CommandIO, n: number, samples: string, batchSize: number, epochs: number): void {
  const steps = Math.ceil(n / batchSize);
  if (steps >= 4 || n < 32) return;
  io.err.write(`keel train: ${n} fitting ${samples} make ${steps === 1 ? 'one batch' : `${steps} batches`} of --batch-size ${batchSize} an epoch, so ${epochs} epochs are ${steps * epochs} optimiser steps; a smaller --batch-size (such as ${n >= 256 ? 64 : 16}) takes more\n`);
}

export async function runLabelled(run: LabelledRun, io: CommandIO): Promise<number> {
  const { model, fit, validation, fitY, valY, target, flags } = run;
  const { epochs, batchSize, lr, weightDecay, dropout, bn, patience, seed, recipe } = flags;
  const classes = target.name === 'classification' ? target.labels : null;
  const regression = target.name === 'regression' ? target : null;
  const loss = classes ? 'crossEntropy' : 'mse';
  const metrics = classes ? { metrics: ['accuracy' as const] } : {};
  // RMSE in the target's units from the standardised MSE.
  const units = (mse: number | undefined) => (regression ? regression.scale * Math.sqrt(mse ?? NaN) : NaN);
  warnOfFewSteps(io, fit.length, run.samples, batchSize, epochs);
  const { history, seconds, epochsRun, interrupt, end } = await trainWithProgress(io, model, {
    data: fit, validationData: validation, epochs, batchSize, seed, loss, ...metrics, ...recipe.fit,
  }, patience, classes ? classifierProgress : (l) => `train RMSE ${units(l.loss).toPrecision(4)}  val RMSE ${units(l.valLoss).toPrecision(4)}`, run.out);
  if (history.epochs.length === 0) return nothingTrained(io, interrupt);

  const bestEpoch = history.bestEpoch!;
  const score = async (data: Dataset) => {
    const s = await evaluate(model, { data, loss, ...metrics });
    return classes ? s.accuracy! : units(s.loss);
  };
  const nFit = fit.length, nVal = validation.length;
  const frequent = classes ? mostFrequentClass(fitY, classes) : null;
  const baseline = frequent
    ? valY.data.filter((c) => c === classes!.indexOf(frequent.label)).length / nVal
    : constantPrediction(fitY, valY, regression!.scale).valRmse;
  const [trainScore, valScore] = [await score(fit), await score(validation)];
  const best = classes ? history.values('valAccuracy')[bestEpoch - 1]! : units(history.values('valLoss')[bestEpoch - 1]);
  // The kept weights in eval mode, on both sides of the split.
  const scores = classes
    ? { bestValAccuracy: best, finalTrainAccuracy: trainScore, finalValAccuracy: valScore, baselineAccuracy: baseline }
    : { bestValRmse: best, finalTrainRmse: trainScore, finalValRmse: valScore, baselineValRmse: baseline };
  const result = {
    ...run.facts,
    epochs: history.epochs.length,
    stopped: end.stopped,
    bestEpoch,
    bestValLoss: history.values('valLoss')[bestEpoch - 1]!,
    divergenceEpoch: history.divergenceEpoch,
    ...scores,
    seconds,
    samplesPerSecond: (epochsRun * nFit) / seconds,
  };

  mkdirSync(run.out, { recursive: true });
  const files = await saveModel(run.out, { ...run.settings, model } as AnySavedModel, {
    ...result,
    options: { epochs, batchSize, lr, weightDecay, dropout, ...run.options, ...batchNormRecord(bn), earlyStopping: patience, ...recipe.recipe },
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
    divergenceEpoch: result.divergenceEpoch, stopped: end.stopped, nonFinite: end.nonFinite, earlyStopping: patience > 0,
    baseline: {
      score: baseline,
      text: frequent
        ? `always answering the fitting ${run.samples}' most frequent label (${JSON.stringify(frequent.label)})`
        : `a constant prediction (the fitting ${run.samples}' mean "${target.column}", ${Number(regression!.mean.toPrecision(4))})`,
    },
  });
  const report = writeStudyReport(run.out, {
    title: `keel train: ${run.label}, ${classes ? 'classification' : 'regression'} of "${target.column}"`,
    summary: [
      run.summary,
      trainingText({ bn, dropout, ...(run.headDropout === undefined ? {} : { headDropout: run.headDropout }), modelConfig: run.modelConfig, recipe: recipe.recipe, lr, weightDecay, batchSize, patience, epochs: result.epochs, stopped: end.stopped, seconds }),
    ],
    yLabel: classes ? 'cross-entropy loss' : `RMSE (${target.column})`,
    runs: [{
      name: run.name, label: run.label,
      train: classes ? history.values('loss') : history.values('loss').map(units),
      validation: classes ? history.values('valLoss') : history.values('valLoss').map(units),
      bestEpoch, divergenceEpoch: history.divergenceEpoch, ...(result.epochs < epochs ? { stoppedEpoch: result.epochs, stoppedBy: stoppedBy(end.stopped) } : {}),
    }],
    table,
    findings,
    notes: [
      `Training ${classes ? 'loss' : 'RMSE'} is the mean over each epoch's batches in training mode; validation ${classes ? 'loss' : 'RMSE'} is measured after the epoch in eval mode.`,
      `"Saved model" scores the weights written to ${WEIGHTS_FILE} (${savedWeightsText(patience, history.stopped)}) in eval mode on the fitting and the validation ${run.samples}.`,
    ],
  });

  printRun(io, run.json, { out: run.out, result, files, report, table, findings });
  return finishRun(interrupt, end);
}
