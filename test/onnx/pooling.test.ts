// ONNX export of MaxPool1d, AvgPool1d (padding, ceilMode, countIncludePad as PyTorch) and
// AdaptiveAvgPool1d (GlobalAveragePool for size 1, AveragePool when the length divides; else refused).
// Ceil mode over every small geometry: where PyTorch drops a last window that would start in the right
// padding, the file's declared length must also be what ONNX's own shape inference gives (checked with
// onnx.checker's full check when Python's onnx is installed; onnxruntime gives PyTorch's length anyway).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AdaptiveAvgPool1d } from '../../src/nn/adaptive-avgpool1d.js';
import { AvgPool1d, type AvgPool1dOptions } from '../../src/nn/avgpool1d.js';
import { MaxPool1d, type MaxPool1dOptions } from '../../src/nn/maxpool1d.js';
import { toOnnx } from '../../src/onnx/index.js';
import { poolWindows } from '../../src/onnx/layers.js';
import { expectSameAsKeel } from './ort.js';

describe('onnx export: pooling', () => {
  test.each<[number, MaxPool1dOptions, number]>([
    [2, {}, 10],
    [3, { stride: 2, padding: 1 }, 10],
    [3, { stride: 2, ceilMode: true }, 10],
    [2, { stride: 2, ceilMode: true }, 9],
    [3, { dilation: 2, padding: 1, stride: 1 }, 9],
  ])('MaxPool1d(%i, %j) on length %i matches keel', async (k, options, length) => {
    expect(await expectSameAsKeel(new MaxPool1d(k, options), { inputShape: [3, length] })).toBe(0);
  });

  test.each<[number, AvgPool1dOptions, number]>([
    [2, {}, 10],
    [3, { stride: 2, padding: 1 }, 10],
    [3, { stride: 2, padding: 1, countIncludePad: false }, 10],
    [3, { stride: 2, ceilMode: true }, 10],
    [2, { stride: 2, ceilMode: true }, 9],
    [3, { stride: 2, padding: 1, ceilMode: true }, 10],
    [3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }, 10],
  ])('AvgPool1d(%i, %j) on length %i matches keel', async (k, options, length) => {
    expect(await expectSameAsKeel(new AvgPool1d(k, options), { inputShape: [3, length] })).toBeLessThan(1e-6);
  });

  test.each([
    [1, 7, 'GlobalAveragePool'],
    [3, 12, 'AveragePool'],
  ])('AdaptiveAvgPool1d(%i) on length %i is a %s and matches keel', async (size, length, op) => {
    const model = new AdaptiveAvgPool1d(size);
    expect(Buffer.from(toOnnx(model, { inputShape: [3, length] })).includes(op)).toBe(true);
    expect(await expectSameAsKeel(model, { inputShape: [3, length] })).toBeLessThan(1e-6);
  });

  test('AdaptiveAvgPool1d with windows of unequal size is refused', () => {
    expect(() => toOnnx(new AdaptiveAvgPool1d(3), { inputShape: [2, 10] }))
      .toThrow(/onnx\.toOnnx: AdaptiveAvgPool1d\(outputSize=3\) needs an input length divisible by 3.*got \(batch, 2, 10\)/);
  });

  // Every ceil-mode geometry with kernel 1–4, stride 1–3, padding up to kernel/2, lengths 4–9.
  const ceilCases: Array<[number, number, number, number]> = [];
  for (let k = 1; k <= 4; k++) for (let s = 1; s <= 3; s++) for (let p = 0; p <= k / 2; p++) for (let L = Math.max(4, k); L <= 9; L++) ceilCases.push([k, s, p, L]);
  const checker = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

  test("ceil mode: the pads and ceil_mode written give, by ONNX's own length rule, the length declared (keel's and PyTorch's)", () => {
    // ONNX's output length: floor or ceil of (L + pads − span) / stride, plus 1, with no window dropped.
    const onnxLength = (L: number, span: number, stride: number, w: ReturnType<typeof poolWindows>) => {
      const q = (L + w.pads[0] + w.pads[1] - span) / stride;
      return (w.ceilMode ? Math.ceil(q) : Math.floor(q)) + 1;
    };
    let rewritten = 0;
    for (const [k, stride, padding, L] of ceilCases) {
      for (const dilation of [1, 2]) {
        const span = dilation * (k - 1) + 1;
        if (L + 2 * padding < span) continue;
        const w = poolWindows(L, k, stride, padding, dilation, true);
        expect(onnxLength(L, span, stride, w), `kernel ${k} stride ${stride} padding ${padding} dilation ${dilation} length ${L}`).toBe(w.length);
        expect(w.pads[1]).toBeLessThanOrEqual(padding); // never pads past PyTorch's padding
        if (w.ceilMode === 0) rewritten++;
      }
    }
    expect(rewritten).toBeGreaterThan(0); // the dropped-window case occurs in the sweep
  });

  test('ceil mode: every geometry matches keel in onnxruntime, and its declared length is what ONNX infers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-onnx-ceil-'));
    const files: string[] = [];
    for (const [k, stride, padding, L] of ceilCases) {
      const models = [
        new MaxPool1d(k, { stride, padding, ceilMode: true }),
        new AvgPool1d(k, { stride, padding, ceilMode: true, countIncludePad: false }),
        new AvgPool1d(k, { stride, padding, ceilMode: true }),
      ];
      for (const model of models) {
        const label = `${model.describe()} on length ${L}`;
        const bytes = toOnnx(model, { inputShape: [2, L], opset: 17 });
        expect(await expectSameAsKeel(model, { inputShape: [2, L] }), label).toBeLessThan(1e-6);
        const file = join(dir, `${files.length}.onnx`);
        writeFileSync(file, bytes);
        files.push(file);
      }
    }
    if (!checker) return;
    const check = 'import onnx, sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)';
    const r = spawnSync('/usr/bin/python3', ['-c', check, ...files], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
});
