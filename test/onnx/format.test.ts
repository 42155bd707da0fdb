// The ONNX file's header fields and exportModel: ir_version per opset, opset_import, producer
// "keel" with the package version, the dynamic "batch" input dimension and the chosen value names;
// exportModel writes exactly toOnnx's bytes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { version } from '../../src/version.js';
import { Linear } from '../../src/nn/linear.js';
import { exportModel, toOnnx } from '../../src/onnx/index.js';
import { ProtoWriter } from '../../src/onnx/protobuf.js';

const includes = (bytes: Uint8Array, part: Uint8Array) => Buffer.from(bytes).includes(Buffer.from(part));

describe('onnx file format', () => {
  test.each([[13, 8], [17, 8], [18, 8], [19, 9], [20, 9], [21, 10]])('opset %i declares ir_version %i and loads in onnxruntime', async (opset, ir) => {
    const bytes = toOnnx(new Linear(3, 2), { inputShape: [3], opset });
    expect(hex(bytes.subarray(0, 2))).toBe(hex(new ProtoWriter().int(1, ir).finish())); // ir_version is field 1, written first
    const opsetImport = new ProtoWriter().bytesField(8, new ProtoWriter().string(1, '').int(2, opset).finish()).finish();
    expect(includes(bytes, opsetImport)).toBe(true);
    const session = await InferenceSession.create(bytes);
    await session.release();
  });

  test('producer, names and the symbolic batch dimension', async () => {
    const bytes = toOnnx(new Linear(3, 2), { inputShape: [3], inputName: 'features', outputName: 'rul' });
    expect(includes(bytes, new ProtoWriter().string(2, 'keel').string(3, version()).finish())).toBe(true);
    expect(includes(bytes, new ProtoWriter().string(2, 'batch').finish())).toBe(true); // dim_param
    const session = await InferenceSession.create(bytes);
    expect([session.inputNames, session.outputNames]).toEqual([['features'], ['rul']]);
    await session.release();
  });

  test('exportModel writes the bytes toOnnx returns', async () => {
    const model = new Linear(3, 2);
    const file = join(mkdtempSync(join(tmpdir(), 'keel-onnx-')), 'model.onnx');
    await exportModel(model, file, { inputShape: [3] });
    expect(new Uint8Array(readFileSync(file))).toEqual(toOnnx(model, { inputShape: [3] }));
  });
});

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
