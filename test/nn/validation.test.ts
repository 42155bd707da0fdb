/**
 * Constructor option validation (bad options throw, naming the layer and the option; nothing is
 * clamped) and shape errors at forward time that name the layer and the shapes involved.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, OptionError, ShapeError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { zeros } from '../../src/tensor/create.js';

const bad = (v: unknown) => v as never;

describe('constructor options', () => {
  const cases: Array<[string, () => unknown, RegExp | string]> = [
    ['Conv1d inChannels 0', () => new nn.Conv1d(0, 4, 3), 'Conv1d: inChannels must be a positive integer, got 0'],
    ['Conv1d outChannels 2.5', () => new nn.Conv1d(4, 2.5, 3), 'Conv1d: outChannels must be a positive integer, got 2.5'],
    ['Conv1d kernelSize "3"', () => new nn.Conv1d(4, 4, bad('3')), 'Conv1d: kernelSize must be a positive integer, got "3"'],
    ['Conv1d stride 0', () => new nn.Conv1d(4, 4, 3, { stride: 0 }), 'Conv1d: stride must be a positive integer, got 0'],
    ['Conv1d padding -1', () => new nn.Conv1d(4, 4, 3, { padding: -1 }), 'Conv1d: padding must be a non-negative integer, got -1'],
    ['Conv1d padding "full"', () => new nn.Conv1d(4, 4, 3, { padding: bad('full') }), `Conv1d: padding must be one of 'same', 'valid', got "full"`],
    ['Conv1d same + stride', () => new nn.Conv1d(4, 4, 3, { padding: 'same', stride: 2 }), /Conv1d: padding='same' is not supported for strided convolutions/],
    ['Conv1d dilation 0', () => new nn.Conv1d(4, 4, 3, { dilation: 0 }), /Conv1d: dilation must be a positive integer/],
    ['Conv1d groups vs inChannels', () => new nn.Conv1d(14, 64, 3, { groups: 4 }), 'Conv1d: inChannels (14) must be divisible by groups (4)'],
    ['Conv1d groups vs outChannels', () => new nn.Conv1d(4, 6, 3, { groups: 4 }), 'Conv1d: outChannels (6) must be divisible by groups (4)'],
    ['Conv1d bias "no"', () => new nn.Conv1d(4, 4, 3, { bias: bad('no') }), 'Conv1d: bias must be true or false, got "no"'],
    ['Conv1d paddingMode reflect', () => new nn.Conv1d(4, 4, 3, { paddingMode: bad('reflect') }), `Conv1d: paddingMode "reflect" is not supported (only 'zeros')`],
    ['Conv1d unknown option', () => new nn.Conv1d(4, 4, 3, bad({ biass: false })), /Conv1d: unknown option "biass" \(known options: stride, padding/],
    ['Conv1d options not an object', () => new nn.Conv1d(4, 4, 3, bad(5)), 'Conv1d: options must be an object, got 5'],
    ['BatchNorm1d numFeatures 0', () => new nn.BatchNorm1d(0), 'BatchNorm1d: numFeatures must be a positive integer, got 0'],
    ['BatchNorm1d eps -1', () => new nn.BatchNorm1d(4, { eps: -1 }), 'BatchNorm1d: eps must be a finite number >= 0, got -1'],
    ['BatchNorm1d momentum 1.5', () => new nn.BatchNorm1d(4, { momentum: 1.5 }), 'BatchNorm1d: momentum must be a number in [0, 1] or null (cumulative average), got 1.5'],
    ['BatchNorm1d momentum NaN', () => new nn.BatchNorm1d(4, { momentum: NaN }), /BatchNorm1d: momentum must be a number in \[0, 1\] or null/],
    ['BatchNorm1d affine 1', () => new nn.BatchNorm1d(4, { affine: bad(1) }), 'BatchNorm1d: affine must be true or false, got 1'],
    ['BatchNorm1d trackRunningStats', () => new nn.BatchNorm1d(4, { trackRunningStats: bad('yes') }), /BatchNorm1d: trackRunningStats must be true or false/],
    ['Dropout p 1.5', () => new nn.Dropout(1.5), 'Dropout: p has to be between 0 and 1, but got 1.5'],
    ['Dropout p just above 1 (no clamping)', () => new nn.Dropout(1 + 1e-12), /Dropout: p has to be between 0 and 1/],
    ['Dropout p -0.1', () => new nn.Dropout({ p: -0.1 }), 'Dropout: p has to be between 0 and 1, but got -0.1'],
    ['Dropout p NaN', () => new nn.Dropout(NaN), 'Dropout: p has to be between 0 and 1, but got NaN'],
    ['Dropout1d p 2', () => new nn.Dropout1d(2), 'Dropout1d: p has to be between 0 and 1, but got 2'],
    ['Linear inFeatures 1.5', () => new nn.Linear(1.5, 2), 'Linear: inFeatures must be a positive integer, got 1.5'],
    ['Linear outFeatures 0', () => new nn.Linear(3, 0), 'Linear: outFeatures must be a positive integer, got 0'],
    ['Linear bias null', () => new nn.Linear(3, 2, { bias: bad(null) }), 'Linear: bias must be true or false, got null'],
    ['Conv1d stride null (no silent default)', () => new nn.Conv1d(4, 4, 3, { stride: bad(null) }), 'Conv1d: stride must be a positive integer, got null'],
    ['Dropout options null', () => new nn.Dropout(bad(null)), 'Dropout: options must be an object, got null'],
    ['Dropout p as a string', () => new nn.Dropout(bad('0.5')), 'Dropout: p has to be between 0 and 1, but got "0.5"'],
    ['LeakyReLU NaN', () => new nn.LeakyReLU(NaN), 'LeakyReLU: negativeSlope must be a finite number, got NaN'],
    ['GELU fast', () => new nn.GELU(bad('fast')), `GELU: approximate must be one of 'none', 'tanh', got "fast"`],
    ['Flatten start after end', () => new nn.Flatten(2, 1), 'Flatten: startDim (2) cannot come after endDim (1)'],
    ['Flatten startDim 1.5', () => new nn.Flatten({ startDim: 1.5 }), 'Flatten: startDim must be an integer, got 1.5'],
    ['LayerNorm []', () => new nn.LayerNorm([]), /LayerNorm: normalizedShape must be a positive integer or a non-empty array/],
    ['LayerNorm [4, 0]', () => new nn.LayerNorm([4, 0]), 'LayerNorm: normalizedShape[1] must be a positive integer, got 0'],
    ['LayerNorm eps', () => new nn.LayerNorm(4, { eps: -1e-5 }), /LayerNorm: eps must be a finite number >= 0/],
    ['MaxPool1d kernelSize 0', () => new nn.MaxPool1d(0), 'MaxPool1d: kernelSize must be a positive integer, got 0'],
    ['MaxPool1d padding > k/2', () => new nn.MaxPool1d(3, { padding: 2 }), 'MaxPool1d: padding should be at most half of kernelSize, but got padding=2 and kernelSize=3'],
    ['MaxPool1d ceilMode', () => new nn.MaxPool1d(2, { ceilMode: bad(1) }), /MaxPool1d: ceilMode must be true or false/],
    ['AvgPool1d padding > k/2', () => new nn.AvgPool1d(4, { padding: 3 }), /AvgPool1d: padding should be at most half of kernelSize/],
    ['AvgPool1d stride 0', () => new nn.AvgPool1d(4, { stride: 0 }), 'AvgPool1d: stride must be a positive integer, got 0'],
    ['AdaptiveAvgPool1d 0', () => new nn.AdaptiveAvgPool1d(0), 'AdaptiveAvgPool1d: outputSize must be a positive integer, got 0'],
    ['Sequential non-module', () => new nn.Sequential(new nn.ReLU(), bad(42)), 'Sequential: argument 1 is not a Module, got 42'],
    ['conv1dBackbone widths []', () => nn.conv1dBackbone({ widths: [] }), /conv1dBackbone: widths must be a non-empty array/],
    ['conv1dBackbone widths[1]', () => nn.conv1dBackbone({ widths: [64, -1] }), 'conv1dBackbone: widths[1] must be a positive integer, got -1'],
    ['conv1dBackbone dropout 2', () => nn.conv1dBackbone({ dropout: 2 }), 'conv1dBackbone: dropout has to be between 0 and 1, but got 2'],
    ['conv1dBackbone window 0', () => nn.conv1dBackbone({ window: 0 }), 'conv1dBackbone: window must be a positive integer, got 0'],
    ['conv1dBackbone bnMomentum 1.5', () => nn.conv1dBackbone({ bnMomentum: 1.5 }), 'conv1dBackbone: bnMomentum has to be between 0 and 1, but got 1.5'],
    ['conv1dBackbone unknown option', () => nn.conv1dBackbone(bad({ channels: 14 })), /conv1dBackbone: unknown option "channels"/],
    // A megabyte of weights passed where an option goes is summarised, not printed.
    ['Conv1d kernelSize a Float32Array', () => new nn.Conv1d(3, 4, bad(new Float32Array(1e6))), 'Conv1d: kernelSize must be a positive integer, got a Float32Array of length 1000000'],
    ['Linear bias a long array', () => new nn.Linear(3, 4, bad({ bias: Array.from({ length: 100 }, (_, i) => i) })), 'Linear: bias must be true or false, got [0, 1, 2, 3, 4, 5, 6, 7, … (100 items)]'],
    ['Sequential.at past the end', () => new nn.Sequential(new nn.ReLU()).at(5), 'Sequential.at: index 5 is out of range (expected an integer in [-1, 0] for 1 module)'],
    ['Sequential.at on an empty Sequential', () => new nn.Sequential().at(0), 'Sequential.at: index 0 is out of range (it holds no modules)'],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      expect(make).toThrow(message);
      expect(make).toThrow(OptionError);
      expect(make).toThrow(KeelError);
    });
  }

  it('valid edge values are accepted as given', () => {
    expect(new nn.Dropout(0).p).toBe(0);
    expect(new nn.Dropout(1).p).toBe(1);
    expect(new nn.BatchNorm1d(3, { momentum: 0 }).momentum).toBe(0);
    expect(new nn.BatchNorm1d(3, { momentum: null }).momentum).toBe(null);
    expect(new nn.MaxPool1d(3).stride).toBe(3);
    expect(new nn.AvgPool1d(3, { stride: null }).stride).toBe(3);
    expect(new nn.Conv1d(4, 4, 4, { padding: 'same' }).padding).toBe('same');
    expect(new nn.LeakyReLU(-0.5).negativeSlope).toBe(-0.5);
  });
});

describe('shape errors name the layer', () => {
  it('Conv1d: channels-last input', () => {
    expect(() => new nn.Conv1d(14, 64, 3, { padding: 1 }).forward(zeros([32, 30, 14]))).toThrow(new ShapeError('Conv1d(14→64): expected input (N, 14, L), got (32, 30, 14)'));
    expect(() => new nn.Conv1d(14, 64, 3).forward(zeros([30, 14]))).toThrow('Conv1d(14→64): expected input (N, 14, L) or unbatched (14, L), got (30, 14)');
    expect(() => new nn.Conv1d(14, 64, 3).forward(zeros([2, 14, 2]))).toThrow('Conv1d(14→64): input length 2 (2 padded) is shorter than the kernel span 3, got input (2, 14, 2)');
  });

  it('Linear: the flattened size does not match', () => {
    expect(() => new nn.Linear(1920, 128).forward(zeros([32, 64, 30]))).toThrow(new ShapeError('Linear(1920→128): expected input (*, 1920), got (32, 64, 30)'));
  });

  it('BatchNorm1d: wrong channels or rank', () => {
    expect(() => new nn.BatchNorm1d(64).forward(zeros([32, 30, 14]))).toThrow(new ShapeError('BatchNorm1d(64): expected input (N, 64) or (N, 64, L), got (32, 30, 14)'));
    expect(() => new nn.BatchNorm1d(64).forward(zeros([64]))).toThrow('BatchNorm1d(64): expected input (N, 64) or (N, 64, L), got (64)');
  });

  it('conv1dBackbone: the layer at fault is named', () => {
    const model = nn.conv1dBackbone();
    expect(() => model.forward(zeros([32, 30, 14]))).toThrow('Conv1d(14→64): expected input (N, 14, L), got (32, 30, 14)');
    expect(() => model.forward(zeros([4, 14, 20]))).toThrow('Linear(1920→128): expected input (*, 1920), got (4, 1280)');
  });

  it('other layers', () => {
    expect(() => new nn.Flatten().forward(zeros([5]))).toThrow(ShapeError);
    expect(() => new nn.Flatten().forward(zeros([5]))).toThrow(KeelError);
    expect(() => new nn.LayerNorm([8, 4]).forward(zeros([2, 4, 8]))).toThrow('LayerNorm([8, 4]): expected input (*, 8, 4), got (2, 4, 8)');
    expect(() => new nn.Flatten().forward(zeros([5]))).toThrow('Flatten(startDim=1, endDim=-1): dimensions out of range (or start after end) for input (5)');
    expect(() => new nn.MaxPool1d(2).forward(zeros([1, 2, 3, 4]))).toThrow('MaxPool1d(kernelSize=2): expected input (N, C, L) or unbatched (C, L), got (1, 2, 3, 4)');
    expect(() => new nn.AvgPool1d(4).forward(zeros([1, 2, 3]))).toThrow(/AvgPool1d\(kernelSize=4\): input length 3/);
    expect(() => new nn.Dropout1d().forward(zeros([8]))).toThrow('Dropout1d(p=0.5): expected input (N, C, L) or unbatched (C, L), got (8)');
    expect(() => new nn.AdaptiveAvgPool1d(2).forward(zeros([4]))).toThrow(/AdaptiveAvgPool1d\(outputSize=2\): expected input/);
  });
});
