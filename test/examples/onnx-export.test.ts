/**
 * The ONNX export example (examples/onnx-export.ts): a briefly trained backbone is written as an ONNX
 * file, which onnxruntime-node (a devDependency, so installed here) runs on a whole batch of test
 * windows with the same outputs as keel's eval forward, within the tolerance of test/onnx/ort.ts:
 * max |onnx − keel| <= 1e-4 · max(1, max |keel|) (float32 rounding of reordered, BatchNorm-folded sums).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportBackbone } from '../../examples/onnx-export.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-onnx-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onnx-export example', () => {
  it("writes the file and onnxruntime reproduces keel's eval output", async () => {
    const path = join(dir, 'backbone.onnx');
    const r = await exportBackbone({ epochs: 1, path });
    expect(r.path).toBe(path);
    expect(r.bytes).toBe(readFileSync(path).length);
    expect(r.bytes).toBeGreaterThan(4 * 64 * 30 * 128); // the head's Linear(1920 → 128) weights alone
    expect(r.samples).toBeGreaterThan(1); // one run over a batch of many windows: the batch is dynamic
    expect(r.maxAbsDiff).not.toBeNull();
    expect(r.maxAbsDiff!).toBeLessThanOrEqual(1e-4 * Math.max(1, r.maxAbsOutput));
  });
});
