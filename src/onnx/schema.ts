/**
 * The subset of ONNX's schema that keel writes, as plain objects and their protobuf encoders.
 * Field numbers are onnx.proto3's (onnx/onnx, onnx/onnx.proto3; cited beside each field). Only what
 * an inference graph of float32 tensors needs is here: models, graphs, nodes, attributes of type
 * FLOAT/INT/STRING/INTS, tensors with raw_data, and value infos with fixed or symbolic dimensions.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here (onnx.proto3 enum DataType). */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values (onnx.proto3 enum AttributeType). */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** An attribute value: number with `float` set → FLOAT, integer → INT, string → STRING, number[] → INTS. */
export type AttributeValue = number | string | readonly number[] | { float: number };

export interface NodeProto {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface TensorProto {
  name: string;
  dims: readonly number[];
  dataType: (typeof DataType)[keyof typeof DataType];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

/** One dimension: a fixed size, or a symbolic name (dim_param) such as "batch". */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  elemType: (typeof DataType)[keyof typeof DataType];
  shape: readonly Dim[];
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graph: GraphProto;
}

function attribute(name: string, value: AttributeValue): Uint8Array {
  const w = new ProtoWriter().string(1, name); // AttributeProto.name = 1
  if (typeof value === 'string') w.int(20, AttributeType.STRING).string(4, value); // type = 20, s = 4 (bytes: the UTF-8 text)
  else if (typeof value === 'number') w.int(20, AttributeType.INT).int(3, value); // i = 3
  else if ('float' in value) w.int(20, AttributeType.FLOAT).float(2, value.float); // f = 2
  else w.int(20, AttributeType.INTS).packedInts(8, value); // ints = 8
  return w.finish();
}

function node(n: NodeProto): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i); // NodeProto.input = 1
  for (const o of n.outputs) w.string(2, o); // output = 2
  w.string(3, n.name).string(4, n.opType); // name = 3, op_type = 4
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.bytesField(5, attribute(k, v)); // attribute = 5
  return w.finish();
}

function tensor(t: TensorProto): Uint8Array {
  return new ProtoWriter()
    .packedInts(1, t.dims) // TensorProto.dims = 1
    .int(2, t.dataType) // data_type = 2
    .string(8, t.name) // name = 8
    .bytesField(9, t.raw) // raw_data = 9
    .finish();
}

function valueInfo(v: ValueInfoProto): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.bytesField(1, dim.finish()); // TensorShapeProto.dim = 1
  }
  // TypeProto.Tensor: elem_type = 1, shape = 2
  const tensorType = new ProtoWriter().int(1, v.elemType).bytesField(2, shape.finish()).finish();
  const type = new ProtoWriter().bytesField(1, tensorType).finish(); // TypeProto.tensor_type = 1
  return new ProtoWriter().string(1, v.name).bytesField(2, type).finish(); // ValueInfoProto.name = 1, type = 2
}

function graph(g: GraphProto): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.bytesField(1, node(n)); // GraphProto.node = 1
  w.string(2, g.name); // name = 2
  for (const t of g.initializers) w.bytesField(5, tensor(t)); // initializer = 5
  for (const v of g.inputs) w.bytesField(11, valueInfo(v)); // input = 11
  for (const v of g.outputs) w.bytesField(12, valueInfo(v)); // output = 12
  return w.finish();
}

/** The bytes of an ONNX model file. */
export function encodeModel(m: ModelProto): Uint8Array {
  const opset = new ProtoWriter().string(1, '').int(2, m.opsetVersion).finish(); // OperatorSetIdProto.domain = 1 ('' = ai.onnx), version = 2
  return new ProtoWriter()
    .int(1, m.irVersion) // ModelProto.ir_version = 1
    .string(2, m.producerName) // producer_name = 2
    .string(3, m.producerVersion) // producer_version = 3
    .bytesField(7, graph(m.graph)) // graph = 7
    .bytesField(8, opset) // opset_import = 8
    .finish();
}
