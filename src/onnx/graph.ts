/**
 * The graph under construction while a model is exported: nodes in topological order (each layer
 * appends its own after its input's), float32 and int64 initializers, and unique value names. A
 * value carries its shape so that each layer can check the shape it receives; dimension 0 is
 * symbolic (the batch) and is never checked.
 */
import type { AttributeValue, NodeProto, TensorProto } from './schema.js';
import { DataType } from './schema.js';

/**
 * A tensor flowing between nodes: its name in the graph and its shape. shape[0] is symbolic: −1 is
 * the batch, −k the batch times k (after a Flatten that merges the batch with other dimensions).
 */
export interface Value {
  name: string;
  shape: readonly number[];
}

/** The symbolic name of dimension 0: "batch", or "batch*k". */
export function batchDim(d0: number): string {
  return d0 === -1 ? 'batch' : `batch*${-d0}`;
}

/** `(batch, 14, 30)`: a shape as error messages print it. */
export function formatDims(shape: readonly number[]): string {
  return `(${[batchDim(shape[0]!), ...shape.slice(1)].join(', ')})`;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** fn names the exporting function in error messages. */
  constructor(readonly opset: number, readonly fn: string) {}

  /** name, or name_1, name_2, … if it is taken: ONNX requires every value name to be unique. */
  unique(name: string): string {
    let out = name;
    for (let i = 1; this.used.has(out); i++) out = `${name}_${i}`;
    this.used.add(out);
    return out;
  }

  /** A float32 initializer (copied, so later changes to the model do not reach the bytes). */
  floats(name: string, data: ArrayLike<number>, dims: readonly number[]): string {
    const unique = this.unique(name);
    const raw = new Uint8Array(Float32Array.from(data).buffer); // little-endian on every platform Node supports
    this.initializers.push({ name: unique, dims, dataType: DataType.FLOAT, raw });
    return unique;
  }

  /** A float32 scalar constant (shape []), for the decomposed formulas. */
  scalar(name: string, value: number): string {
    return this.floats(name, [value], []);
  }

  /** An int64 initializer (Reshape's target shape). */
  int64s(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    const raw = new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
    this.initializers.push({ name: unique, dims: [values.length], dataType: DataType.INT64, raw });
    return unique;
  }

  /** Appends a node with one output named after it; returns the output's name. */
  node(opType: string, inputs: readonly string[], name: string, attributes?: Record<string, AttributeValue>): string {
    const output = this.unique(`${name}_output`);
    this.nodes.push({ opType, inputs, outputs: [output], name: this.unique(name), attributes });
    return output;
  }
}
