// Kernels take arrays that view a SharedArrayBuffer (fit's worker holds its data on them; so may a
// user's worker_threads code) exactly as they take ordinary ones: the same results, and overlapping
// shared arrays still rejected. The addon once failed such calls with N-API's bare "Invalid argument".
import { describe, expect, it } from 'vitest';
import { OptionError } from '../src/errors.js';
import { allSets } from './helpers/backends.js';
import { expectError } from './helpers/bad-args.js';

const shared = (n: number, f: (i: number) => number) => {
  const a = new Float32Array(new SharedArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
};

describe.each(allSets)('arrays on a SharedArrayBuffer: $name', (set) => {
  const p = { batch: 3, inFeatures: 4, outFeatures: 2 };
  const xs = shared(12, (i) => Math.sin(i)), ws = shared(8, (i) => Math.cos(i));

  it('linearForward gives the ordinary arrays\' result', () => {
    const ys = shared(6, () => NaN), y = new Float32Array(6);
    set.kernels.linearForward(ys, xs, ws, null, p);
    set.kernels.linearForward(y, Float32Array.from(xs), Float32Array.from(ws), null, p);
    expect(Array.from(ys)).toEqual(Array.from(y));
  });

  it('gatherRows copies shared rows into a shared batch', () => {
    const out = shared(8, () => NaN);
    set.kernels.gatherRows(out, xs, Int32Array.from([2, 0]), { rows: 2, rowLength: 4, srcRows: 3 });
    expect(Array.from(out)).toEqual([...xs.subarray(8, 12), ...xs.subarray(0, 4)]);
  });

  it('an output overlapping an input on the same SharedArrayBuffer is still an OptionError', () => {
    const buf = new Float32Array(new SharedArrayBuffer(17 * 4));
    expectError(() => set.kernels.linearForward(buf.subarray(0, 6), buf.subarray(5, 17), ws, null, p), OptionError,
      'linearForward: y and x share memory; outputs must not overlap other arguments');
  });
});
