/**
 * Layers check the shapes of the parameters they allocate (issue 12): a layer too large for one
 * Float32Array is a ShapeError naming the layer, the tensor and its shape, thrown before anything
 * is allocated; conv1dBackbone names the index of a hole in `widths`.
 */
import { describe, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { expectTypedError } from '../helpers/typed-error.js';

describe('layer parameter sizes', () => {
  it('Linear, Conv1d, BatchNorm1d and LayerNorm too large to allocate throw a ShapeError naming the layer', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new nn.Linear(2 ** 20, 2 ** 20), /^Linear\(1048576→1048576\): weight shape \(1048576, 1048576\) has 1099511627776 elements, more than/],
      [() => new nn.Conv1d(2 ** 17, 2 ** 17, 1), /^Conv1d\(131072→131072\): weight shape \(131072, 131072, 1\) has 17179869184 elements/],
      [() => new nn.BatchNorm1d(2 ** 40), /^BatchNorm1d: numFeatures shape \(1099511627776\)/],
      [() => new nn.LayerNorm([2 ** 20, 2 ** 20]), /^LayerNorm: weight shape \(1048576, 1048576\)/],
    ];
    for (const [make, message] of cases) expectTypedError(make, ShapeError, message);
  });

  it('conv1dBackbone names the hole in widths', () => {
    // eslint-disable-next-line no-sparse-arrays
    expectTypedError(() => nn.conv1dBackbone({ widths: [8, , 8] as number[] }), OptionError, /^conv1dBackbone: widths\[1\] must be a positive integer, got undefined$/);
  });
});
