// ONNX export of ReLU, LeakyReLU and GELU (exact and tanh forms: the Gelu op from opset 20, the
// formula in Erf/Tanh/Mul/Add before it).
import { describe, expect, test } from 'vitest';
import { GELU } from '../../src/nn/gelu.js';
import { LeakyReLU } from '../../src/nn/leaky-relu.js';
import { ReLU } from '../../src/nn/relu.js';
import { toOnnx } from '../../src/onnx/index.js';
import { expectSameAsKeel } from './ort.js';

const ops = (bytes: Uint8Array) => ['Gelu', 'Erf', 'Tanh'].filter((op) => Buffer.from(bytes).includes(op));

describe('onnx export: activations', () => {
  test.each([
    ['ReLU', () => new ReLU()],
    ['LeakyReLU(0.2)', () => new LeakyReLU(0.2)],
    ['LeakyReLU default', () => new LeakyReLU()],
  ])('%s matches keel', async (_name, make) => {
    expect(await expectSameAsKeel(make(), { inputShape: [3, 6] })).toBe(0);
  });

  test.each([
    ['none', 17, ['Erf']],
    ['tanh', 17, ['Tanh']],
    ['none', 13, ['Erf']],
    ['none', 20, ['Gelu']],
    ['tanh', 21, ['Gelu']],
  ] as const)("GELU('%s') at opset %i is written with %j and matches keel", async (approximate, opset, used) => {
    const model = new GELU(approximate);
    expect(ops(toOnnx(model, { inputShape: [4, 5], opset }))).toEqual(used);
    expect(await expectSameAsKeel(model, { inputShape: [4, 5], opset })).toBeLessThan(1e-5);
  });
});
