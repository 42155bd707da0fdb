/**
 * ONNX export of a keel model in its eval form: toOnnx returns the bytes of an ONNX model
 * (ai.onnx opset 13–21, default 17) and exportModel writes them to a file atomically. The input's
 * first dimension is the symbolic "batch"; the others come from inputShape and are checked layer by
 * layer as the graph is built, so a wrong inputShape fails here, not in the runtime. Nested
 * Sequentials are walked as one chain of layers; a BatchNorm1d right after a Conv1d or a 2-D Linear
 * is folded into it unless foldBatchNorm is false. The model is only read: its parameters, buffers
 * and training flags are as they were, and the graph is its eval form whatever its mode.
 */
import { OptionError } from '../errors.js';
import { Sequential } from '../nn/sequential.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import { Conv1d } from '../nn/conv1d.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { writeFileAtomic } from '../io/save.js';
import { version } from '../version.js';
import { boolean, checkOptions, integer, or, positiveInt, show } from '../nn/validate.js';
import { batchDim, GraphBuilder, type Value } from './graph.js';
import { CONVERTERS, convertLayer, foldedAffine, type Affine } from './layers.js';
import { DataType, type Dim, encodeModel } from './schema.js';

/** Options of onnx.exportModel and onnx.toOnnx. */
export interface OnnxExportOptions {
  /** The input's shape without the batch dimension, e.g. [14, 30] for (N, 14, 30). Required. */
  inputShape: readonly number[];
  /** ai.onnx opset version, an integer in [13, 21]. Default 17 (LayerNormalization needs ≥ 17; Gelu is native from 20). */
  opset?: number;
  /** Fold each BatchNorm1d into the Conv1d or Linear right before it, when possible. Default true. */
  foldBatchNorm?: boolean;
  /** Name of the graph input. Default 'input'. */
  inputName?: string;
  /** Name of the graph output. Default 'output'. */
  outputName?: string;
}

const OPTIONS = ['inputShape', 'opset', 'foldBatchNorm', 'inputName', 'outputName'] as const;
export const MIN_OPSET = 13, MAX_OPSET = 21, DEFAULT_OPSET = 17;

/**
 * The IR version the model declares: the one the ONNX release that introduced the opset shipped
 * with (onnx/docs/Versioning.md: opset 19–20 → IR 9, opset 21 → IR 10), and at least 8.
 */
function irVersionFor(opset: number): number {
  return opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
}

function nonEmptyName(fn: string, key: string, v: unknown, fallback: string): string {
  const name = or(v as string | undefined, fallback);
  if (typeof name !== 'string' || name === '') throw new OptionError(`${fn}: ${key} must be a non-empty string, got ${show(name)}`);
  return name;
}

/** The model's layers in order, nested Sequentials opened, each with its dotted state-dict path. */
function leaves(fn: string, m: Module, path: string): Array<[string, Module]> {
  if (m.constructor === Sequential) return (m as Module).namedChildren().flatMap(([n, c]) => leaves(fn, c, path ? `${path}.${n}` : n));
  if (!CONVERTERS.has(m.constructor)) {
    const supported = ['Sequential', ...[...CONVERTERS.keys()].map((c) => c.name)].join(', ');
    throw new OptionError(`${fn}: cannot export ${m.constructor.name}${path ? ` at "${path}"` : ''} (supported modules: ${supported})`);
  }
  return [[path || m.constructor.name, m]];
}

/** The folded weight and bias when `layer` is a Conv1d, or a Linear on (N, in), and `next` a BatchNorm1d of its outputs. */
function foldWith(layer: Module, next: Module | undefined, x: Value): Affine | null {
  if (next?.constructor !== BatchNorm1d || !(next as BatchNorm1d).runningMean) return null;
  const bn = next as BatchNorm1d;
  const target = layer.constructor === Conv1d ? (layer as Conv1d) : layer.constructor === Linear && x.shape.length === 2 ? (layer as Linear) : null;
  const features = target instanceof Conv1d ? target.outChannels : target?.outFeatures;
  return target && features === bn.numFeatures ? foldedAffine(target.weight.data, target.bias?.data ?? null, bn) : null;
}

/** A shape for the file: dimension 0 becomes its symbolic name. */
function symbolic(shape: readonly number[]): Dim[] {
  return [batchDim(shape[0]!), ...shape.slice(1)];
}

function build(fn: string, model: Module, options: OnnxExportOptions): Uint8Array {
  if (!(model instanceof Module)) throw new OptionError(`${fn}: model must be a Module, got ${show(model)}`);
  const o = checkOptions(fn, options as OnnxExportOptions | undefined, OPTIONS);
  if (!Array.isArray(o.inputShape)) throw new OptionError(`${fn}: inputShape must be an array of positive integers (the shape without the batch), got ${show(o.inputShape)}`);
  const inputShape = o.inputShape.map((d, i) => positiveInt(fn, `inputShape[${i}]`, d));
  const opset = integer(fn, 'opset', or(o.opset, DEFAULT_OPSET));
  if (opset < MIN_OPSET || opset > MAX_OPSET) throw new OptionError(`${fn}: opset must be an integer in [${MIN_OPSET}, ${MAX_OPSET}], got ${opset}`);
  const fold = boolean(fn, 'foldBatchNorm', or(o.foldBatchNorm, true));
  const inputName = nonEmptyName(fn, 'inputName', o.inputName, 'input');
  const outputName = nonEmptyName(fn, 'outputName', o.outputName, 'output');
  if (inputName === outputName) throw new OptionError(`${fn}: inputName and outputName must differ, both are ${show(inputName)}`);

  const g = new GraphBuilder(opset, fn);
  g.unique(inputName); // reserved before any layer names a value
  g.unique(outputName);
  const layers = leaves(fn, model, '');
  let x: Value = { name: inputName, shape: [-1, ...inputShape] };
  for (let i = 0; i < layers.length; i++) {
    const [name, layer] = layers[i]!;
    const affine = fold ? foldWith(layer, layers[i + 1]?.[1], x) : null;
    x = convertLayer(layer, x, g, name, affine ?? undefined);
    if (affine) i++; // the BatchNorm1d is inside the node just written
  }
  // The last node (x's writer) writes the graph output directly; a model of identities alone gets an Identity node.
  if (x.name === inputName) g.node('Identity', [x.name], 'Identity');
  g.nodes[g.nodes.length - 1] = { ...g.nodes[g.nodes.length - 1]!, outputs: [outputName] };

  return encodeModel({
    irVersion: irVersionFor(opset),
    opsetVersion: opset,
    producerName: 'keel',
    producerVersion: version(),
    graph: {
      name: model.constructor.name,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: inputName, elemType: DataType.FLOAT, shape: symbolic([-1, ...inputShape]) }],
      outputs: [{ name: outputName, elemType: DataType.FLOAT, shape: symbolic(x.shape) }],
    },
  });
}

/** The ONNX bytes of model's eval form (see the module comment). */
export function toOnnx(model: Module, options: OnnxExportOptions): Uint8Array {
  return build('onnx.toOnnx', model, options);
}

/** Writes model's eval form to path as an ONNX file, atomically (temp file, fsync, rename); a refused write is a StorageError. */
export async function exportModel(model: Module, path: string, options: OnnxExportOptions): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new OptionError(`onnx.exportModel: path must be a non-empty string, got ${show(path)}`);
  await writeFileAtomic(path, build('onnx.exportModel', model, options), 'onnx.exportModel');
}
