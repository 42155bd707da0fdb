/**
 * F.conv1d's options are checked before any shape arithmetic or allocation (issue 12): a typo, a
 * stride/dilation/groups below 1, a negative, fractional or absurd (past 2^31 - 1) padding are
 * OptionErrors naming the option; an output too large for one Float32Array and a weight whose output
 * channels groups does not divide are ShapeErrors. F.dropout's `training` must be a boolean.
 */
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { conv1d } from '../../src/functional/conv1d.js';
import { dropout, dropout1d } from '../../src/functional/dropout.js';
import { zeros } from '../../src/tensor/create.js';
import { expectTypedError } from '../helpers/typed-error.js';

const bad = (v: unknown): any => v;


const x = zeros([2, 3, 8]), w = zeros([4, 3, 3]);

describe('F.conv1d options', () => {
  it('refuses typos and values out of range with an OptionError naming the option', () => {
    expectTypedError(() => conv1d(x, w, null, bad({ strides: 2 })), OptionError, /^conv1d: unknown option "strides"/);
    expectTypedError(() => conv1d(x, w, null, { stride: 0 }), OptionError, /^conv1d: stride must be a positive integer, got 0$/);
    expectTypedError(() => conv1d(x, w, null, { stride: NaN }), OptionError, /stride .* got NaN/);
    expectTypedError(() => conv1d(x, w, null, { dilation: 0 }), OptionError, /dilation/);
    expectTypedError(() => conv1d(x, w, null, { groups: 0 }), OptionError, /^conv1d: groups must be a positive integer, got 0$/);
    expectTypedError(() => conv1d(x, w, null, { padding: -1 }), OptionError, /padding must be a non-negative integer/);
    expectTypedError(() => conv1d(x, w, null, { padding: 2 ** 31 }), OptionError, /padding must be an integer in \[0, 2\^31 - 1\].*got 2147483648/);
    expectTypedError(() => conv1d(x, w, null, { padding: bad('full') }), OptionError, /padding must be one of 'same', 'valid', got "full"/);
  });

  it('refuses an output too large to allocate and output channels groups does not divide with a ShapeError', () => {
    expectTypedError(() => conv1d(x, w, null, { padding: 2 ** 31 - 1 }), ShapeError, /^conv1d: output shape \(2, 4, 4294967300\) has \d+ elements, more than/);
    expectTypedError(() => conv1d(zeros([2, 4, 8]), zeros([3, 2, 3]), null, { groups: 2 }), ShapeError, /3 output channels, which groups=2 does not divide/);
  });

  it('still runs with valid options', () => {
    expect(conv1d(x, w, null, { stride: 2, padding: 1, dilation: 1, groups: 1 }).shape).toEqual([2, 4, 4]);
    expect(conv1d(x, w, null, { padding: 'same' }).shape).toEqual([2, 4, 8]);
  });
});

describe('F.dropout training flag', () => {
  it('must be a boolean', () => {
    expectTypedError(() => dropout(zeros([4]), 0.5, bad('false')), OptionError, /^dropout: training must be true or false, got "false"$/);
    expectTypedError(() => dropout1d(zeros([2, 3, 4]), 0.5, bad(0)), OptionError, /^dropout1d: training must be true or false, got 0$/);
  });
});
