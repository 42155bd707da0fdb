/** toString(): PyTorch's repr layout with keel's option names; Sequential indents its children. */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';

describe('toString', () => {
  it('conv1dBackbone prints like torch.nn.Sequential', () => {
    const model = nn.conv1dBackbone({ widths: [64, 64] });
    expect(model.toString()).toBe(
      [
        'Sequential(',
        '  (0): Conv1d(14, 64, kernelSize=3, stride=1, padding=1, bias=false)',
        '  (1): BatchNorm1d(64, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)',
        '  (2): ReLU()',
        '  (3): Dropout(p=0.15)',
        '  (4): Conv1d(64, 64, kernelSize=3, stride=1, padding=1, bias=false)',
        '  (5): BatchNorm1d(64, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)',
        '  (6): ReLU()',
        '  (7): Dropout(p=0.15)',
        '  (8): Flatten(startDim=1, endDim=-1)',
        '  (9): Linear(inFeatures=1920, outFeatures=128, bias=true)',
        '  (10): ReLU()',
        '  (11): Dropout(p=0.5)',
        '  (12): Linear(inFeatures=128, outFeatures=1, bias=true)',
        ')',
      ].join('\n'),
    );
  });

  it('leaf layers and nesting', () => {
    expect(String(new nn.Conv1d(4, 8, 2, { padding: 'same', dilation: 2, groups: 2 }))).toBe("Conv1d(4, 8, kernelSize=2, stride=1, padding='same', dilation=2, groups=2)");
    expect(String(new nn.BatchNorm1d(3, { momentum: null, affine: false }))).toBe('BatchNorm1d(3, eps=0.00001, momentum=null, affine=false, trackRunningStats=true)');
    expect(String(new nn.LeakyReLU(0.2))).toBe('LeakyReLU(negativeSlope=0.2)');
    expect(String(new nn.GELU('tanh'))).toBe("GELU(approximate='tanh')");
    expect(String(new nn.LayerNorm(5))).toBe('LayerNorm([5], eps=0.00001, elementwiseAffine=true)');
    expect(String(new nn.MaxPool1d(2))).toBe('MaxPool1d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)');
    expect(String(new nn.AvgPool1d(2))).toBe('AvgPool1d(kernelSize=2, stride=2, padding=0)');
    expect(String(new nn.AdaptiveAvgPool1d(1))).toBe('AdaptiveAvgPool1d(outputSize=1)');
    expect(String(new nn.Dropout1d(0.1))).toBe('Dropout1d(p=0.1)');
    expect(String(new nn.Sequential(new nn.ReLU(), new nn.Sequential(new nn.Linear(2, 3))))).toBe(
      'Sequential(\n  (0): ReLU()\n  (1): Sequential(\n    (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  )\n)',
    );
    expect(String(new nn.Sequential())).toBe('Sequential()');
  });

  it('a user module without its own toString prints in the same layout inside a Sequential', () => {
    class Block extends nn.Module {
      constructor() {
        super();
        this.registerModule('act', new nn.ReLU());
      }
      forward(x: never): never {
        return x;
      }
      toJSON(): nn.ModuleJSON {
        return { type: 'Block' };
      }
    }
    expect(String(new nn.Sequential(new Block()))).toBe('Sequential(\n  (0): Block(\n    (act): ReLU()\n  )\n)');
    expect(nn.moduleRepr(new Block())).toBe('Block(\n  (act): ReLU()\n)');
  });
});
