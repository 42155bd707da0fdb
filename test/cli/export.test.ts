// keel export: a trained model folder becomes an ONNX file that onnxruntime runs with the same
// outputs as the saved model's eval forward, for any batch size; bad options are usage errors.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { isClassifier, isTable, loadModel } from '../../src/model-folder/format.js';
import { manualSeed, normals } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { keelEval, RELATIVE_TOLERANCE, runOnnx } from '../onnx/ort.js';
import { run, tempDir, trainSmallModel } from './io.js';

describe('keel export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await trainSmallModel();
  }, 30_000);

  test.each([[[]], [['--opset', '13', '--no-fold-batchnorm']]])('exports a RUL model that onnxruntime runs as keel does (%j)', async (extra) => {
    const file = join(tempDir(), 'rul.onnx');
    const r = await run('export', '--model', dir, '--onnx', file, ...extra);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const saved = await loadModel(dir);
    if (isClassifier(saved) || isTable(saved)) throw new Error('expected a RUL model');
    const shape = [3, saved.channels.length, saved.window];
    expect(r.stdout).toContain(`input batch × ${shape[1]} × ${shape[2]}`);
    manualSeed(5);
    const x = new Tensor(Float32Array.from(normals(shape[0]! * shape[1]! * shape[2]!)), shape);
    const want = keelEval(saved.model, x);
    const got = await runOnnx(readFileSync(file), x.data, shape);
    expect([...got.dims]).toEqual([3, 1]);
    const scale = Math.max(1, ...want.data.map(Math.abs));
    want.data.forEach((w, i) => expect(Math.abs(got.data[i]! - w)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale));
  });

  test('--onnx in folders that do not exist yet: they are made', async () => {
    const file = join(tempDir(), 'new', 'folder', 'rul.onnx');
    const r = await run('export', '--model', dir, '--onnx', file);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(existsSync(file)).toBe(true);
  });

  test('an opset out of range is a usage error and writes nothing', async () => {
    const file = join(tempDir(), 'bad.onnx');
    const r = await run('export', '--model', dir, '--onnx', file, '--opset', '12');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--opset/);
    expect(existsSync(file)).toBe(false);
  });

  test('--onnx naming a folder, or a path under a file, is a usage error before anything is read', async () => {
    const folder = tempDir();
    const r = await run('export', '--model', dir, '--onnx', folder);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--onnx ${folder} is a folder; give a file name`);
    expect((await run('export', '--model', dir, '--onnx', '/etc/hostname/m.onnx')).stderr).toContain('/etc/hostname is a file, so nothing can be written under it');
  });

  test('--onnx is required', async () => {
    const r = await run('export', '--model', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--onnx is required/);
  });
});
