/**
 * `keel export`: writes a saved model (a `keel train` folder) as an ONNX file for deployment
 * runtimes (onnxruntime and others), in its eval form with a dynamic batch dimension. The input shape
 * comes from the folder: (channels, window) for a RUL model or one of labelled sequences, 784 values (flat) or 28 rows × 28 steps
 * (sequence) for a Fashion-MNIST classifier, the features for a table model. A RUL or table model's
 * ONNX input is standardised (windows, rows) and a regressor's output is scaled as the model itself
 * computes; model.json keeps the scaler and the target's scale a deployment needs.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { exportModel, MAX_OPSET, MIN_OPSET } from '../../onnx/export.js';
import { defineCommand, intOption, requiredOption } from '../args.js';
import { isClassifier, isTable, loadModel } from '../../model-folder/format.js';
import { outputPath } from '../output-path.js';

const EXPORT_OPTIONS = {
  model: { type: 'string' },
  onnx: { type: 'string' },
  opset: { type: 'string' },
  'no-fold-batchnorm': { type: 'boolean', default: false },
} as const;

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'write a saved model as an ONNX file',
  usage: `Usage: keel export --model DIR --onnx FILE [options]

Writes the model of a folder written by keel train as an ONNX file (eval form: Dropout removed,
BatchNorm folded into the layer before it or kept as BatchNormalization). The first input dimension
is the dynamic batch; the others are the model's: (channels, window) for a RUL model or a model of
labelled sequences, 784 for a flat classifier, (28, 28) for a sequence classifier of images, the
features for a table model. A RUL model takes standardised windows and outputs RUL divided by the
target scale; a table or sequence model takes standardised rows or windows, and a regressor outputs
(target − mean) / scale (all in the folder's model.json); a sequence's prediction is the mean over
its windows, which are cut after standardising each sequence by its own mean and std first when
model.json's standardize is "sequence".

Options:
  --model DIR             the model folder (model.json + model.safetensors)
  --onnx FILE             the ONNX file to write (replaced atomically)
  --opset N               ai.onnx opset version, 13 to 21 (default 17)
  --no-fold-batchnorm     keep BatchNorm1d layers as BatchNormalization nodes
  -h, --help              this text

Examples:
  keel export --model models/rul --onnx rul.onnx
  keel export --model fmnist --onnx fmnist.onnx --opset 13 --no-fold-batchnorm
`,
  options: EXPORT_OPTIONS,
  async run(values, _positionals, io) {
    const dir = resolve(requiredOption('model', values.model, 'the model folder written by keel train'));
    const file = outputPath('onnx', requiredOption('onnx', values.onnx, 'the ONNX file to write'), 'file');
    const opset = values.opset === undefined ? undefined : intOption('opset', values.opset, MIN_OPSET, MAX_OPSET);
    const saved = await loadModel(dir);
    const inputShape = isTable(saved) ? [saved.features.length] : isClassifier(saved) ? (saved.layout === 'flat' ? [784] : [28, 28]) : [saved.channels.length, saved.window];
    mkdirSync(dirname(file), { recursive: true }); // outputPath checked that its missing folders can be made
    await exportModel(saved.model, file, { inputShape, opset, foldBatchNorm: !values['no-fold-batchnorm'] });
    io.out.write(`wrote ${file} (input ${['batch', ...inputShape].join(' × ')})\n`);
    return 0;
  },
});
