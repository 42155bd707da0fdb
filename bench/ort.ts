/**
 * onnxruntime-node for backbone.eval.fwd: optional, never a dependency. It is looked up in
 * --ort-dir / KEEL_BENCH_ORT_DIR (a directory into which it was installed, e.g.
 * `npm install --no-save --ignore-scripts --prefix /tmp/ort onnxruntime-node`), then from this
 * package (`npm install --no-save --ignore-scripts onnxruntime-node` in the checkout).
 * The model is the eval backbone exported by bench/torch_cases.py --onnx.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { NATIVE_POLICY, medianMsAsync, type Timing } from './timing.js';

/** The part of onnxruntime-node's API used here. */
interface OrtTensor {
  dispose?(): void;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
  readonly inputNames: readonly string[];
}
interface OrtModule {
  InferenceSession: {
    create(path: string, options: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string> };
}

export interface Ort {
  ort: OrtModule;
  version: string;
  from: string;
}

/** Loads onnxruntime-node, or returns why it cannot. */
export function loadOrt(dir: string | undefined): Ort | { problem: string } {
  const problems: string[] = [];
  const bases = [dir ? join(resolve(dir), 'package.json') : undefined, import.meta.url].filter((b): b is string => !!b);
  for (const base of bases) {
    try {
      const req = createRequire(base);
      const path = req.resolve('onnxruntime-node');
      const ort = req('onnxruntime-node') as OrtModule;
      const version = ort.env.versions?.node ?? ort.env.versions?.common ?? '?';
      return { ort, version, from: path };
    } catch (e) {
      problems.push(`${base}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { problem: `onnxruntime-node not resolvable (${problems.join('; ')})` };
}

/** Median time of session.run on a (256, 14, 30) batch, intra-op threads = `threads`. */
export async function timeOrtBackbone(o: Ort, modelPath: string, threads: number): Promise<Timing> {
  const session = await o.ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const data = new Float32Array(256 * 14 * 30);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37); // any values: the time does not depend on them
  const x = new o.ort.Tensor('float32', data, [256, 14, 30]);
  const feeds = { [session.inputNames[0] ?? 'x']: x };
  try {
    return await medianMsAsync(() => session.run(feeds), NATIVE_POLICY);
  } finally {
    await session.release?.();
  }
}
