/**
 * `keel train --model-config FILE`: the architecture from a JSON file — what `model.toJSON()` gives
 * (or the "architecture" of a keel model.json) — instead of the built-in backbone and its flags. The
 * model must take the data's windows, (N, channels, window), and give one output per window (a
 * regressor) or one logit per label (a classifier of sequences); a dry forward of one zero window
 * checks that before any training, so a mismatch is an error naming the file, not a failure in the
 * middle of fit.
 */
import { readFileSync } from 'node:fs';
import { FormatError, ShapeError, StorageError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { fromJSON } from '../nn/serialize.js';
import { UsageError } from './errors.js';
import { noGrad } from '../tensor/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';

/** The architecture flags a model config replaces (giving both is a usage error). */
export const ARCHITECTURE_FLAGS = ['dropout', 'head-dropout', 'no-batchnorm', 'bn-momentum', 'bn-virtual-batch', 'model'] as const;

/** The flags that describe the built-in architecture refused beside --model-config (they would be ignored). */
export function rejectArchitectureFlags(values: Partial<Record<(typeof ARCHITECTURE_FLAGS)[number] | 'model-config', string | boolean>>): void {
  if (values['model-config'] === undefined) return;
  const replaced = ARCHITECTURE_FLAGS.find((f) => values[f] !== undefined && values[f] !== false);
  if (replaced) throw new UsageError(`--${replaced} and --model-config both describe the model; give one`);
}

/** The model of `file`, checked to take (N, channels, window) and give (N, outputs). */
export function modelFromConfig(file: string, channels: number, window: number, outputs = 1): Module {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StorageError(`${file}: cannot read the model config as JSON (${(e as Error).message})`, file, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${file}: cannot read the model config as JSON (${(e as Error).message})`, { cause: e });
  }
  const spec = typeof json === 'object' && json !== null && 'architecture' in json ? (json as { architecture: unknown }).architecture : json;
  let model: Module;
  try {
    model = fromJSON(spec as Parameters<typeof fromJSON>[0]);
  } catch (e) {
    throw new FormatError(`${file}: not a model config (${(e as Error).message})`, { cause: e });
  }
  let shape: readonly number[];
  try {
    model.eval();
    shape = noGrad(() => model.forward(new Tensor(new Float32Array(channels * window), [1, channels, window]))).shape;
  } catch (e) {
    throw new ShapeError(`${file}: the model cannot take windows of ${channels} channels × ${window} steps (${(e as Error).message})`, { cause: e });
  } finally {
    model.train();
  }
  if (shape.length !== 2 || shape[1] !== outputs) {
    const want = outputs === 1 ? 'one output per window, (N, 1)' : `one logit per label, (N, ${outputs})`;
    throw new ShapeError(`${file}: the model must give ${want}, got (${shape.join(', ')}) for one window`);
  }
  return model;
}
