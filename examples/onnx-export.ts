/**
 * ONNX export for deployment: the DESIGN.md §1 Conv1d backbone, trained briefly on the built-in
 * run-to-failure data, written with onnx.exportModel (its eval form: each BatchNorm1d folded into the
 * Conv1d before it, Dropout dropped, the batch dimension dynamic), then run in onnxruntime-node on the
 * test engines' windows and compared with keel's own eval output (predict). It prints the file's size,
 * its opset and the largest difference.
 *
 * onnxruntime-node is a devDependency of keel, not a dependency: this example imports it dynamically,
 * and where it is not installed (`npm install onnxruntime-node` adds it) it still writes the file and
 * says the comparison was skipped. The file runs in any ONNX runtime (Python's onnxruntime, ONNX
 * Runtime Web, C#, ...) with the input named "input", shape (batch, 14, 30).
 *
 *     npx tsx examples/onnx-export.ts [epochs] [path]        (default 2 epochs, a temporary file)
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { data, datasets, fit, manualSeed, nn, onnx, predict } from 'keel';

const WINDOW = 30;
const OPSET = 17;

export interface OnnxExportResult {
  /** Where the model was written, its size in bytes and the opset it declares. */
  path: string;
  bytes: number;
  opset: number;
  /** Test windows compared (the dynamic batch dimension: all of them in one run). */
  samples: number;
  /** The largest |keel output| (the scale the difference is relative to). */
  maxAbsOutput: number;
  /** max |onnxruntime − keel| over every output; null when onnxruntime-node is not installed. */
  maxAbsDiff: number | null;
}

type OnnxRuntime = typeof import('onnxruntime-node');

/** onnxruntime-node if it is installed, else null (any other failure to load it is rethrown). */
async function onnxRuntime(): Promise<OnnxRuntime | null> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}

export async function exportBackbone(options: { epochs?: number; path?: string } = {}): Promise<OnnxExportResult> {
  // Train briefly on the built-in data, split by engine and scaled on the training engines.
  const ds = datasets.runToFailure({ seed: 0 });
  const scaler = new data.Standardizer().fit(ds.train);
  const windows = (t: data.SeriesTable, last = false) =>
    data.slidingWindows(scaler.transform(t), { window: WINDOW, channels: ds.informative, targets: 'rul', ...(last ? { last, rulCap: Infinity } : {}) });
  const train = windows(ds.train), test = windows(ds.test, true);
  manualSeed(0);
  const model = nn.conv1dBackbone({ inChannels: ds.informative.length, window: WINDOW });
  await fit(model, { x: train.x, y: train.y, epochs: options.epochs ?? 2, batchSize: 128, verbose: false });

  const path = options.path ?? join(mkdtempSync(join(tmpdir(), 'keel-onnx-')), 'backbone.onnx');
  await onnx.exportModel(model, path, { inputShape: [ds.informative.length, WINDOW], opset: OPSET });
  const expected = await predict(model, test.x); // keel's eval output: BatchNorm on running statistics, no dropout
  const result: OnnxExportResult = {
    path, bytes: statSync(path).size, opset: OPSET, samples: test.x.shape[0]!,
    maxAbsOutput: Math.max(...expected.data.map(Math.abs)), maxAbsDiff: null,
  };

  const ort = await onnxRuntime();
  if (!ort) return result;
  const session = await ort.InferenceSession.create(path);
  try {
    const { output } = await session.run({ input: new ort.Tensor('float32', test.x.data, test.x.shape) });
    const got = output!.data as Float32Array;
    result.maxAbsDiff = 0;
    for (let i = 0; i < got.length; i++) result.maxAbsDiff = Math.max(result.maxAbsDiff, Math.abs(got[i]! - expected.data[i]!));
  } finally {
    await session.release();
  }
  return result;
}

async function main(): Promise<void> {
  const r = await exportBackbone({ epochs: Number(process.argv[2] ?? 2), ...(process.argv[3] ? { path: process.argv[3] } : {}) });
  console.log(`wrote ${r.path}: ${(r.bytes / 1024).toFixed(1)} kB, ONNX opset ${r.opset}, input "input" (batch, 14, ${WINDOW})`);
  if (r.maxAbsDiff === null) {
    console.log('onnxruntime-node is not installed, so the file was not run (npm install onnxruntime-node to compare)');
  } else {
    console.log(`onnxruntime-node vs keel on ${r.samples} test windows: max |difference| ${r.maxAbsDiff.toExponential(2)} (outputs up to ${r.maxAbsOutput.toFixed(1)})`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
