/**
 * `keel train --data fashion-mnist[:DIR]`: an image classifier on Fashion-MNIST — the regularised MLP
 * of DESIGN.md §1 (784 → 512 → 256 → 10, Linear → BatchNorm1d → ReLU → Dropout; `--model mlp`, the
 * default) or the Conv1d backbone reading each image as a sequence of 28 steps (columns) of 28 channels
 * (rows) (`--model backbone`) — trained with cross-entropy on logits, accuracy as the metric, and a
 * validation split of seeded random rows (the images are i.i.d., so rows may be split; run-to-failure
 * windows may not). Writes the model folder (model.json records the layout and the label names) and the
 * report of the run, as train.ts does for RUL.
 */
import { mkdirSync } from 'node:fs';
import * as nn from '../../nn/index.js';
import { type ReportTable, writeStudyReport } from '../../report/study.js';
import { manualSeed } from '../../tensor/random.js';
import { evaluate } from '../../train/evaluate.js';
import { type CommandIO, intOption, numberOption, type ParsedValues, rejectOptions } from '../args.js';
import { threadsText } from '../threads.js';
import { FASHION_MNIST_LABELS, type ImagesSpec, loadImages, SERIES_FLAGS } from '../data-source.js';
import { recipeFitOptions } from '../recipe-flags.js';
import { batchNormFlags, batchNormRecord, checkRowBatchSizes } from '../batchnorm-flags.js';
import { classifierProgress, finishRun, printRun, savedWeightsText, stoppedBy, trainingText, trainWithProgress } from '../epoch-progress.js';
import { UsageError } from '../errors.js';
import { saveModel, WEIGHTS_FILE } from '../../model-folder/format.js';
import { nothingTrained } from '../interrupt.js';
import type { TRAIN_OPTIONS } from './train.js';
import { mostFrequentClass, runReading } from '../run-reading.js';
import { hiddenOption, mlp } from '../mlp.js';

/** The defaults for images where they differ from the RUL ones (those of examples/fashion-mnist-mlp.ts). */
export const IMAGE_DEFAULTS = { epochs: 10, weightDecay: 0.01, mlpDropout: 0.3, earlyStopping: 3, valSplit: 0.1, hidden: '512,256' } as const;

const COLUMNS: ReportTable['columns'] = [
  { key: 'bestValAccuracy', label: 'Best val accuracy', digits: 4 },
  { key: 'bestValLoss', label: 'Best val loss', digits: 4 },
  { key: 'bestEpoch', label: 'Best epoch' },
  { key: 'divergenceEpoch', label: 'Divergence epoch' },
  { key: 'finalTrainAccuracy', label: 'Saved model: accuracy on the training file', digits: 4 },
  { key: 'epochs', label: 'Epochs' },
  { key: 'seconds', label: 'Time', unit: 's', digits: 1 },
  { key: 'samplesPerSecond', label: 'Samples/s', digits: 0 },
];

export async function trainImages(values: ParsedValues<typeof TRAIN_OPTIONS>, spec: ImagesSpec, out: string, io: CommandIO): Promise<number> {
  rejectOptions(values, [...SERIES_FLAGS, 'window', 'stride', 'standardize', 'pad', 'val-units', 'model-config'], '--data fashion-mnist (images are split by --val-split; the architecture is --model)');
  const arch = values.model ?? 'mlp';
  if (arch !== 'mlp' && arch !== 'backbone') throw new UsageError(`--model must be mlp or backbone for fashion-mnist, got "${arch}"`);
  if (arch === 'mlp') rejectOptions(values, ['head-dropout'], '--model mlp (its dropout is --dropout)');
  else rejectOptions(values, ['hidden'], '--model backbone (its layers are fixed; --hidden is for the MLP)');
  const hidden = hiddenOption(values.hidden ?? IMAGE_DEFAULTS.hidden);
  const epochs = intOption('epochs', values.epochs ?? String(IMAGE_DEFAULTS.epochs), 1, 100000);
  const batchSize = intOption('batch-size', values['batch-size'], 1, 1 << 20);
  const lr = numberOption('lr', values.lr, 0, Infinity, true);
  const weightDecay = numberOption('weight-decay', values['weight-decay'] ?? String(IMAGE_DEFAULTS.weightDecay), 0, Infinity);
  const dropout = numberOption('dropout', values.dropout ?? String(arch === 'mlp' ? IMAGE_DEFAULTS.mlpDropout : 0.15), 0, 1);
  const headDropout = numberOption('head-dropout', values['head-dropout'] ?? '0.5', 0, 1);
  const bn = batchNormFlags(values);
  if (arch === 'mlp' && bn.batchNorm) checkRowBatchSizes([batchSize], ', or --no-batchnorm');
  const patience = intOption('early-stopping', values['early-stopping'] ?? String(IMAGE_DEFAULTS.earlyStopping), 0, 100000);
  const valSplit = numberOption('val-split', values['val-split'] ?? String(IMAGE_DEFAULTS.valSplit), 0, 1, true);
  const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);

  const recipe = recipeFitOptions(values, lr, weightDecay, { timeSeries: arch === 'backbone', classes: FASHION_MNIST_LABELS.length }); // before the images are read
  const layout = arch === 'mlp' ? 'flat' : 'sequence';
  const data = await loadImages(spec, 'train', layout, values.limit);
  const n = data.x.shape[0]!, nVal = Math.round(n * valSplit);
  if (nVal === 0 || nVal === n) throw new UsageError(`--val-split ${valSplit} of ${n} images leaves no ${nVal === 0 ? 'validation' : 'training'} image; choose a share that leaves at least one on each side`);

  io.err.write(`keel train: ${data.description}; ${n - nVal} to fit, ${nVal} to validate (random rows, seed ${seed}); ${threadsText()}\n`);
  manualSeed(seed);
  const model = arch === 'mlp'
    ? mlp(784, hidden, FASHION_MNIST_LABELS.length, dropout, bn)
    : nn.conv1dBackbone({
      inChannels: 28, window: 28, outputs: FASHION_MNIST_LABELS.length, dropout, headDropout,
      batchNorm: bn.batchNorm, bnMomentum: bn.momentum, bnVirtualBatchSize: bn.virtualBatchSize,
    });
  const { history, seconds, epochsRun, interrupt, end } = await trainWithProgress(io, model, {
    x: data.x, y: data.y, validationSplit: valSplit, epochs, batchSize, seed, loss: 'crossEntropy', metrics: ['accuracy'], ...recipe.fit,
  }, patience, classifierProgress, out);
  if (history.epochs.length === 0) return nothingTrained(io, interrupt);

  const bestEpoch = history.bestEpoch!;
  const frequent = mostFrequentClass(data.y, FASHION_MNIST_LABELS);
  const result = {
    data: data.description,
    model: arch,
    samples: { fit: n - nVal, validation: nVal },
    epochs: history.epochs.length,
    stopped: end.stopped,
    bestEpoch,
    bestValLoss: history.values('valLoss')[bestEpoch - 1]!,
    bestValAccuracy: history.values('valAccuracy')[bestEpoch - 1]!,
    divergenceEpoch: history.divergenceEpoch,
    // The kept weights in eval mode, on every training image (fit's split is internal to it).
    finalTrainAccuracy: (await evaluate(model, { x: data.x, y: data.y, loss: 'crossEntropy', metrics: ['accuracy'] })).accuracy!,
    baselineAccuracy: frequent.share,
    seconds,
    samplesPerSecond: (epochsRun * (n - nVal)) / seconds,
  };

  mkdirSync(out, { recursive: true });
  const files = await saveModel(
    out,
    { model, layout, target: { name: 'classification', labels: [...FASHION_MNIST_LABELS] }, data: { kind: 'fashion-mnist' }, seed },
    { ...result, options: { epochs, batchSize, lr, weightDecay, dropout, ...(arch === 'backbone' ? { headDropout } : { hidden }), ...batchNormRecord(bn), earlyStopping: patience, valSplit, ...recipe.recipe } },
  );
  const row = result as unknown as Record<string, number | null>;
  const table: ReportTable = { columns: COLUMNS, rows: [Object.fromEntries(COLUMNS.map((c) => [c.key, row[c.key]!]))] };
  const findings = runReading({
    metric: 'accuracy', best: result.bestValAccuracy, bestEpoch, epochs: result.epochs, divergenceEpoch: result.divergenceEpoch,
    stopped: end.stopped, nonFinite: end.nonFinite, earlyStopping: patience > 0,
    baseline: { score: frequent.share, text: `always answering the training images' most frequent class (${frequent.label})` },
  });
  const label = arch === 'mlp' ? `MLP ${[784, ...hidden, FASHION_MNIST_LABELS.length].join(' → ')}` : 'Conv1d backbone on 28 × 28 sequences';
  const report = writeStudyReport(out, {
    title: `keel train: ${label}, Fashion-MNIST`,
    summary: [
      `${data.description}: ${n - nVal} to fit, ${nVal} to validate (random rows, seed ${seed}).`,
      trainingText({ bn, dropout, ...(arch === 'backbone' ? { headDropout } : {}), recipe: recipe.recipe, lr, weightDecay, batchSize, patience, epochs: result.epochs, stopped: end.stopped, seconds }),
    ],
    yLabel: 'cross-entropy loss',
    runs: [{
      name: arch, label, train: history.values('loss'), validation: history.values('valLoss'),
      bestEpoch, divergenceEpoch: history.divergenceEpoch, ...(result.epochs < epochs ? { stoppedEpoch: result.epochs, stoppedBy: stoppedBy(end.stopped) } : {}),
    }],
    table,
    findings,
    notes: [
      'Training loss is the mean over each epoch\'s batches in training mode; validation loss is measured after the epoch in eval mode.',
      `"Saved model" scores the weights written to ${WEIGHTS_FILE} (${savedWeightsText(patience, history.stopped)}) in eval mode on every image of the training file, the ${nVal} held out for validation included.`,
    ],
  });

  printRun(io, values.json, { out, result, files, report, table, findings });
  return finishRun(interrupt, end);
}
