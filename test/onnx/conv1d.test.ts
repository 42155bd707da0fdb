// ONNX export of Conv1d: padding (int, asymmetric 'same', 'valid'), stride, dilation, groups and
// bias or not, each run in onnxruntime against keel's forward.
import { describe, expect, test } from 'vitest';
import { Conv1d, type Conv1dOptions } from '../../src/nn/conv1d.js';
import { expectSameAsKeel } from './ort.js';

const CASES: Array<[number, number, number, Conv1dOptions, number]> = [
  [3, 4, 3, {}, 10],
  [3, 5, 3, { padding: 2, stride: 2, bias: false }, 11],
  [2, 3, 4, { padding: 'same', dilation: 2 }, 9], // pads [3, 3]
  // K=4 'same' pads [1, 2]: asymmetric
  [2, 3, 4, { padding: 'same' }, 9],
  [4, 6, 3, { padding: 'valid', groups: 2, dilation: 2 }, 12],
  [4, 4, 5, { padding: 1, groups: 4, stride: 3 }, 13],
];

describe('onnx export: Conv1d', () => {
  test.each(CASES)('Conv1d(%i, %i, %i, %j) on length %i matches keel', async (cin, cout, k, options, length) => {
    const diff = await expectSameAsKeel(new Conv1d(cin, cout, k, options), { inputShape: [cin, length] });
    expect(diff).toBeLessThan(1e-5);
  });
});
