/**
 * Property tests of the model round trips on random Sequential stacks (./stacks.ts), after training
 * forwards have moved the BatchNorm statistics: toJSON → JSON text → fromJSON rebuilds the same tree
 * (same JSON, state-dict keys and printout), and stateDict → encodeSafetensors → decodeSafetensors →
 * loadStateDict into that rebuilt model gives back every parameter and buffer bit for bit, so both
 * models compute bitwise the same eval outputs. Fixed seed (./runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import type { StateDict } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { expectBitwiseEqual, bytes } from '../nn/helpers.js';
import { runs } from './runs.js';
import { buildStack, stackArb } from './stacks.js';

function expectSameState(got: StateDict, want: StateDict): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    expect([g.dtype, [...g.shape]], k).toEqual([w.dtype, [...w.shape]]);
    expect(Buffer.compare(bytes(g.data), bytes(w.data)), `${k} differs bitwise`).toBe(0);
  }
}

describe('model round trips on random stacks', () => {
  it('toJSON/fromJSON and stateDict → safetensors → loadStateDict reproduce the model bit for bit', () => {
    fc.assert(
      fc.property(stackArb, fc.nat(1000), (spec, seed) => {
        manualSeed(seed);
        const { model, input } = buildStack(spec);
        nn.intendedTrainingMode(() =>
          noGrad(() => {
            model.train().forward(randn(input));
            model.forward(randn(input));
          }),
        );

        const json = model.toJSON();
        manualSeed(seed + 1); // the rebuilt model starts from other weights
        const rebuilt = nn.fromJSON(JSON.stringify(json));
        expect(rebuilt.toJSON()).toEqual(json);
        expect(rebuilt.toString()).toBe(model.toString());

        const state = model.stateDict();
        const decoded = decodeSafetensors(encodeSafetensors(state)).tensors;
        expect(rebuilt.loadStateDict(decoded)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        expectSameState(rebuilt.stateDict(), state);

        const x = randn(input);
        const want = noGrad(() => model.eval().forward(x));
        expectBitwiseEqual(noGrad(() => rebuilt.eval().forward(x)).data, want.data, 'eval outputs');
      }),
      runs(300),
    );
  });
});
