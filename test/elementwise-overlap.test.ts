// The elementwise kernels (ReLU, Dropout, Dropout1d) may write their output over their input exactly
// (in place, as the layers do), but not over part of it: shifted by one element, each element would be
// read after its neighbour's result overwrote it, and the result depended on the CPU level's vector
// width. Every backend refuses such a call with the same OptionError; in place equals out of place.
import { describe, expect, it } from 'vitest';
import { OptionError } from '../src/errors.js';
import { allSets } from './helpers/backends.js';
import { expectError } from './helpers/bad-args.js';

const N = 2, C = 3, L = 70; // rows longer than a 16-float vector, with a tail
const COUNT = N * C * L;
const random = { p: 0.4, seed: 9, stream: 1, offset: 0 };

/** Each kernel as (out, in) → void; ReLU's backward with its forward output y fixed. */
function calls(k: (typeof allSets)[number]['kernels'], y: Float32Array) {
  return {
    reluForward: (o: Float32Array, i: Float32Array) => k.reluForward(o, i, { count: COUNT }),
    reluBackward: (o: Float32Array, i: Float32Array) => k.reluBackward(o, i, y, { count: COUNT }),
    dropoutForward: (o: Float32Array, i: Float32Array) => k.dropoutForward(o, i, { count: COUNT, ...random }),
    dropoutBackward: (o: Float32Array, i: Float32Array) => k.dropoutBackward(o, i, { count: COUNT, ...random }),
    dropout1dForward: (o: Float32Array, i: Float32Array) => k.dropout1dForward(o, i, { batch: N, channels: C, length: L, ...random }),
    dropout1dBackward: (o: Float32Array, i: Float32Array) => k.dropout1dBackward(o, i, { batch: N, channels: C, length: L, ...random }),
  };
}

const NAMES: Record<string, [string, string]> = {
  reluForward: ['y', 'x'], reluBackward: ['dx', 'dy'], dropoutForward: ['y', 'x'],
  dropoutBackward: ['dx', 'dy'], dropout1dForward: ['y', 'x'], dropout1dBackward: ['dx', 'dy'],
};

const values = () => Float32Array.from({ length: COUNT + 1 }, (_, i) => Math.sin(i * 0.7) * 2);

describe.each(allSets)('elementwise kernels and overlapping arrays: $name', (set) => {
  const y = values().subarray(0, COUNT);
  for (const [name, call] of Object.entries(calls(set.kernels, y))) {
    const [out, input] = NAMES[name]!;
    it(`${name}: in place gives the out-of-place result`, () => {
      const a = values().subarray(0, COUNT), expected = new Float32Array(COUNT);
      call(expected, a.slice());
      call(a, a);
      expect(Array.from(a)).toEqual(Array.from(expected));
    });

    it(`${name}: an output shifted over its input is refused, and nothing is written`, () => {
      const buf = values(), before = buf.slice();
      expectError(() => call(buf.subarray(1, COUNT + 1), buf.subarray(0, COUNT)), OptionError,
        `${name}: ${out} and ${input} share memory; outputs must not overlap other arguments`);
      expect(Array.from(buf)).toEqual(Array.from(before));
    });
  }

  it('reluBackward: dx over part of the forward output y is refused too', () => {
    const buf = values();
    expectError(() => set.kernels.reluBackward(buf.subarray(1, COUNT + 1), new Float32Array(COUNT), buf.subarray(0, COUNT), { count: COUNT }), OptionError,
      'reluBackward: dx and y share memory; outputs must not overlap other arguments');
  });
});
