// ONNX export's argument errors: unsupported modules (naming the class and the supported ones),
// an inputShape the layers reject (naming the layer, expected and actual shape), bad opsets and
// options. Nothing is written when export fails.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KeelError, OptionError, ShapeError, StorageError } from '../../src/errors.js';
import { Conv1d } from '../../src/nn/conv1d.js';
import { Linear } from '../../src/nn/linear.js';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { ReLU } from '../../src/nn/relu.js';
import { Sequential } from '../../src/nn/sequential.js';
import { exportModel, toOnnx } from '../../src/onnx/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';

class Square extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  toJSON(): ModuleJSON {
    return { type: 'Square' };
  }
}
class MyReLU extends ReLU {}

describe('onnx export: errors', () => {
  test('an unsupported module is an OptionError naming it, where it is, and what is supported', () => {
    const model = new Sequential(new Linear(3, 3), new Sequential(new Square()));
    expect(() => toOnnx(model, { inputShape: [3] })).toThrow(OptionError);
    expect(() => toOnnx(model, { inputShape: [3] })).toThrow(KeelError);
    expect(() => toOnnx(model, { inputShape: [3] })).toThrow(/onnx\.toOnnx: cannot export Square at "1\.0" \(supported modules: Sequential, Conv1d, Linear, BatchNorm1d, .*AdaptiveAvgPool1d\)/);
    expect(() => toOnnx(new MyReLU(), { inputShape: [3] })).toThrow(/cannot export MyReLU \(supported/); // a subclass may compute something else
  });

  test('an inputShape the model rejects is a ShapeError naming the layer and both shapes', () => {
    const model = new Sequential(new Conv1d(14, 8, 3), new ReLU());
    expect(() => toOnnx(model, { inputShape: [12, 30] })).toThrow(ShapeError);
    expect(() => toOnnx(model, { inputShape: [12, 30] })).toThrow(KeelError);
    expect(() => toOnnx(model, { inputShape: [12, 30] })).toThrow('onnx.toOnnx: Conv1d(14→8) expected input (batch, 14, L), got (batch, 12, 30)');
    expect(() => toOnnx(model, { inputShape: [14, 2] })).toThrow(/Conv1d\(14→8\) expected input length L with L \+ 0 padding >= kernel span 3, got \(batch, 14, 2\)/);
    expect(() => toOnnx(new Linear(4, 2), { inputShape: [5] })).toThrow('onnx.toOnnx: Linear(4→2) expected input (batch, …, 4), got (batch, 5)');
  });

  test('bad options', () => {
    const m = new Linear(4, 2);
    expect(() => toOnnx(m, { inputShape: [4], opset: 12 })).toThrow(new OptionError('onnx.toOnnx: opset must be an integer in [13, 21], got 12'));
    expect(() => toOnnx(m, { inputShape: [4], opset: 22 })).toThrow(OptionError);
    expect(() => toOnnx(m, { inputShape: [4], opset: 17.5 })).toThrow(/opset must be an integer, got 17\.5/);
    expect(() => toOnnx(m, { inputShape: [0] })).toThrow(/inputShape\[0\] must be a positive integer, got 0/);
    expect(() => toOnnx(m, {} as never)).toThrow(/inputShape must be an array of positive integers.*got undefined/);
    expect(() => toOnnx(m, { inputShape: [4], opSet: 17 } as never)).toThrow(/unknown option "opSet"/);
    expect(() => toOnnx(m, { inputShape: [4], inputName: 'x', outputName: 'x' })).toThrow(/inputName and outputName must differ/);
    expect(() => toOnnx({} as Module, { inputShape: [4] })).toThrow(/onnx\.toOnnx: model must be a Module/);
  });

  test('exportModel writes nothing when the export fails', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keel-onnx-')), 'm.onnx');
    await expect(exportModel(new Linear(4, 2), file, { inputShape: [5] })).rejects.toThrow(/onnx\.exportModel: Linear\(4→2\)/);
    expect(existsSync(file)).toBe(false);
  });

  test('exportModel into a missing folder is a StorageError naming the path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keel-onnx-')), 'no', 'm.onnx');
    const err = await exportModel(new Linear(4, 2), file, { inputShape: [4] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toBeInstanceOf(KeelError);
    expect(err).toMatchObject({ code: 'ENOENT', path: file });
    expect((err as Error).message).toContain(`onnx.exportModel(${JSON.stringify(file)}) failed: the file or its folder does not exist`);
  });
});
