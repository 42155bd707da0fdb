/**
 * Property tests of random Sequential stacks of the built-in layers (./stacks.ts): on random input,
 * training and eval forwards give the predicted shape and finite values, and backward gives every
 * parameter a finite gradient of its own shape (and the input one of the input's shape). Covers the
 * fused Conv1d → BatchNorm1d → ReLU → Dropout path whenever a stack contains that block. Fixed seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mul, sum } from '../../src/functional/arithmetic.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { runs } from './runs.js';
import { buildStack, stackArb } from './stacks.js';

const allFinite = (a: Float32Array): boolean => a.every(Number.isFinite);

describe('random Sequential stacks', () => {
  it('forward (train and eval) and backward: predicted shapes, finite values and gradients', () => {
    fc.assert(
      fc.property(stackArb, fc.nat(1000), (spec, seed) => {
        manualSeed(seed);
        const { model, input, output } = buildStack(spec);
        const x = randn(input, { requiresGrad: true });
        const y = model.train().forward(x);
        expect(y.shape).toEqual(output);
        expect(allFinite(y.data), 'training output finite').toBe(true);

        // A loss with random weights, so no gradient is trivially uniform.
        sum(mul(y, randn(output))).backward();
        expect(x.grad?.shape).toEqual(input);
        expect(allFinite(x.grad!.data), 'input gradient finite').toBe(true);
        for (const [name, p] of model.namedParameters()) {
          expect(p.grad, `${name} has a gradient`).not.toBeNull();
          expect(p.grad!.shape, name).toEqual(p.shape);
          expect(allFinite(p.grad!.data), `${name} gradient finite`).toBe(true);
        }

        const z = noGrad(() => model.eval().forward(x));
        expect(z.shape).toEqual(output);
        expect(allFinite(z.data), 'eval output finite').toBe(true);
      }),
      runs(400),
    );
  });
});
