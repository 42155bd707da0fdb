// Dropout and Dropout1d: the Philox known answers, the same mask on every backend and for any split
// of the stream, keep rates within a binomial bound, exact values of kept and dropped elements, and
// the edge cases p = 0 (identity), p = 1 (zeros, never NaN), p outside [0, 1] (rejected).
import { afterAll, describe, expect, it } from 'vitest';
import { dropoutScale, dropoutThreshold, philox4x32 } from '../src/ref/philox.js';
import { addon, allSets, nativeSets, refSet } from './helpers/backends.js';
import { fillRandom } from './helpers/compare.js';
import { expectParity } from './helpers/parity.js';

const hex = (words: number[]) => words.map((w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10 (JS)', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ])('known answer %#', (input, want) => {
    const [c0, c1, c2, c3, k0, k1] = input as [number, number, number, number, number, number];
    expect(hex(philox4x32(c0, c1, c2, c3, k0, k1))).toBe(want);
  });

  it('threshold and scale follow the written rule', () => {
    expect(dropoutThreshold(0)).toBe(0);
    expect(dropoutThreshold(1)).toBe(2 ** 32);
    expect(dropoutThreshold(0.15)).toBe(Math.floor(0.15 * 2 ** 32));
    expect(dropoutScale(0.15)).toBe(Math.fround(1 / 0.85));
    expect(dropoutScale(1)).toBe(0);
  });
});

const mask = (set: (typeof allSets)[number], count: number, p: number, seed: number, stream: number, offset: number) => {
  const m = new Uint8Array(count);
  set.kernels.dropoutMask(m, { count, p, seed, stream, offset });
  return m;
};

describe.each(allSets)('dropout mask: $name', (set) => {
  // Seeds and streams above 2^32 exercise the high key/counter words.
  const keys = [
    { seed: 0, stream: 0 },
    { seed: 1234, stream: 7 },
    { seed: 2 ** 40 + 5, stream: 2 ** 33 + 1 },
  ];

  it.each(keys)('is the same as the reference: seed $seed stream $stream', ({ seed, stream }) => {
    for (const [count, offset] of [[1, 0], [3, 1], [17, 2], [64, 5], [1000, 2 ** 34 + 3]] as const) {
      expect(mask(set, count, 0.3, seed, stream, offset)).toEqual(mask(refSet, count, 0.3, seed, stream, offset));
    }
  });

  it('does not depend on how the stream is split', () => {
    const whole = mask(set, 4099, 0.5, 9, 4, 0);
    for (const cut of [1, 2, 3, 4, 5, 1000, 4098]) {
      const parts = new Uint8Array(4099);
      parts.set(mask(set, cut, 0.5, 9, 4, 0), 0);
      parts.set(mask(set, 4099 - cut, 0.5, 9, 4, cut), cut);
      expect(parts).toEqual(whole);
    }
  });

  it('differs between seeds and between streams', () => {
    const a = mask(set, 256, 0.5, 1, 0, 0);
    expect(mask(set, 256, 0.5, 2, 0, 0)).not.toEqual(a);
    expect(mask(set, 256, 0.5, 1, 1, 0)).not.toEqual(a);
  });

  it.each([0.1, 0.15, 0.5, 0.9])('keeps 1 - p of elements within a binomial bound (p = %f)', (p) => {
    const n = 1 << 17;
    const kept = mask(set, n, p, 77, 3, 0).reduce((s, v) => s + v, 0);
    // 5 standard deviations: a false failure has probability below 1e-6.
    expect(Math.abs(kept - n * (1 - p))).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)));
  });
});

describe.each(allSets)('dropout values: $name', (set) => {
  const n = 1031;
  const x = fillRandom(new Float32Array(n), 5, 3) as Float32Array;

  it('kept elements are x * float32(1/(1-p)), dropped are +0, backward uses the same mask', () => {
    const params = { count: n, p: 0.15, seed: 11, stream: 2, offset: 40 };
    const m = new Uint8Array(n), y = new Float32Array(n), dx = new Float32Array(n);
    set.kernels.dropoutMask(m, params);
    set.kernels.dropoutForward(y, x, params);
    set.kernels.dropoutBackward(dx, x, params);
    const scale = Math.fround(1 / 0.85);
    for (let i = 0; i < n; i++) {
      expect(y[i]).toBe(m[i] ? Math.fround(x[i]! * scale) : 0);
      expect(dx[i]).toBe(y[i]);
    }
  });

  // The SIMD variants draw 128 keep bits at a time and shift them by the offset's position in its
  // Philox block (offset mod 4): every count around the 64- and 128-draw steps, at every shift.
  it('forward equals the reference for counts around its draw groups, at every offset mod 4', () => {
    for (const offset of [0, 1, 2, 3, 2 ** 34 + 1]) {
      for (const count of [1, 15, 63, 64, 65, 124, 125, 126, 127, 128, 129, 190, 191, 192, 193, 255, 256, 257, 1031]) {
        const params = { count, p: 0.3, seed: 9, stream: 4, offset };
        const y = new Float32Array(count), want = new Float32Array(count);
        set.kernels.dropoutForward(y, x.subarray(0, count), params);
        refSet.kernels.dropoutForward(want, x.subarray(0, count), params);
        expect(Array.from(y), `count ${count}, offset ${offset}`).toEqual(Array.from(want));
      }
    }
  });

  it('p = 0 is the identity, NaN included', () => {
    const xs = x.slice();
    xs[3] = NaN;
    xs[4] = -Infinity;
    const y = new Float32Array(n);
    set.kernels.dropoutForward(y, xs, { count: n, p: 0, seed: 1, stream: 0, offset: 0 });
    expect(y).toEqual(xs);
  });

  it('p = 1 gives zeros, never NaN, even from NaN and infinite inputs', () => {
    const xs = x.slice();
    xs[0] = NaN;
    xs[1] = Infinity;
    const y = new Float32Array(n).fill(7), dx = new Float32Array(n).fill(7);
    set.kernels.dropoutForward(y, xs, { count: n, p: 1, seed: 1, stream: 0, offset: 0 });
    set.kernels.dropoutBackward(dx, xs, { count: n, p: 1, seed: 1, stream: 0, offset: 0 });
    expect(y.every((v) => Object.is(v, 0))).toBe(true);
    expect(dx.every((v) => Object.is(v, 0))).toBe(true);
  });

  it('works in place', () => {
    const params = { count: n, p: 0.4, seed: 3, stream: 1, offset: 0 };
    const y = new Float32Array(n), inPlace = x.slice();
    set.kernels.dropoutForward(y, x, params);
    set.kernels.dropoutForward(inPlace, inPlace, params);
    expect(inPlace).toEqual(y);
  });

  it.each([-0.1, 1.0000001, NaN, Infinity])('rejects p = %f', (p) => {
    expect(() => set.kernels.dropoutForward(new Float32Array(n), x, { count: n, p, seed: 1, stream: 0, offset: 0 })).toThrow(
      `dropoutForward: params.p must be a number in [0, 1], got ${p}`,
    );
  });
});

describe.each(allSets)('dropout1d: $name', (set) => {
  it('zeroes or scales whole channels, one draw per (n, c) at index n*C + c', () => {
    const [N, C, L] = [3, 5, 7];
    const params = { batch: N, channels: C, length: L, p: 0.5, seed: 21, stream: 6, offset: 0 };
    const x = fillRandom(new Float32Array(N * C * L), 8) as Float32Array;
    const y = new Float32Array(N * C * L), m = new Uint8Array(N * C);
    set.kernels.dropout1dMask(m, params);
    set.kernels.dropout1dForward(y, x, params);
    expect(m).toEqual(mask(refSet, N * C, 0.5, 21, 6, 0));
    for (let r = 0; r < N * C; r++) {
      for (let l = 0; l < L; l++) expect(y[r * L + l]).toBe(m[r] ? Math.fround(x[r * L + l]! * 2) : 0);
    }
    const dx = new Float32Array(N * C * L);
    set.kernels.dropout1dBackward(dx, x, params);
    expect(dx).toEqual(y);
  });
});

describe.skipIf(nativeSets.length === 0).each(nativeSets)('dropout parity: $name', (native) => {
  const counts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 1023];
  it.each(counts)('count %i', (count) => {
    for (const kernel of ['dropoutForward', 'dropoutBackward'] as const) {
      expectParity(native, kernel, `count ${count}`, [
        { name: 'out', kind: 'out', size: count },
        { name: 'in', kind: 'in', size: count },
      ], { count, p: 0.15, seed: 5, stream: 9, offset: 3 });
    }
  });
  it.each([[1, 1, 1], [2, 3, 17], [4, 7, 5]])('dropout1d (%i, %i, %i)', (batch, channels, length) => {
    for (const kernel of ['dropout1dForward', 'dropout1dBackward'] as const) {
      expectParity(native, kernel, `(${batch},${channels},${length})`, [
        { name: 'out', kind: 'out', size: batch * channels * length },
        { name: 'in', kind: 'in', size: batch * channels * length },
      ], { batch, channels, length, p: 0.3, seed: 5, stream: 9, offset: 1 });
    }
  });
});

// The SIMD variants cut the draws into fixed tasks of 2^16 elements (dropout1d: of rows) and make
// 64 draws per step from 4-draw Philox blocks: counts across several tasks, offsets that are not
// multiples of 4, 16 or 64 (and above 2^32), every thread count, all against the reference bits.
describe.skipIf(!addon || nativeSets.length === 0).each(nativeSets)('dropout across tasks and threads: $name', (native) => {
  const threadsBefore = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(threadsBefore));
  const bits = (t: Float32Array) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
  const n = 3 * 65536 + 77;
  const x = fillRandom(new Float32Array(n), 31, 4) as Float32Array;
  x[5] = NaN;
  x[65536 * 2 + 1] = -Infinity;
  const cases = [
    { p: 0.15, offset: 0 },
    { p: 0.5, offset: 3 },
    { p: 0.3, offset: 65536 * 3 + 13 },
    { p: 0.9, offset: 2 ** 32 - 6 },
    { p: 0.15, offset: 2 ** 36 + 61 },
  ];

  it.each(cases)('dropout p $p offset $offset', ({ p, offset }) => {
    const params = { count: n, p, seed: 2 ** 35 + 9, stream: 3, offset };
    const wantMask = mask(refSet, n, p, params.seed, params.stream, offset);
    const want = new Float32Array(n);
    refSet.kernels.dropoutForward(want, x, params);
    for (const threads of [1, 2, 3, 4]) {
      addon!.setNumThreads(threads);
      expect(Buffer.compare(mask(native, n, p, params.seed, params.stream, offset), wantMask), `mask, ${threads} threads`).toBe(0);
      const y = new Float32Array(n), dx = new Float32Array(n);
      native.kernels.dropoutForward(y, x, params);
      native.kernels.dropoutBackward(dx, x, params);
      expect(Buffer.compare(bits(y), bits(want)), `forward, ${threads} threads`).toBe(0);
      expect(Buffer.compare(bits(dx), bits(want)), `backward, ${threads} threads`).toBe(0);
    }
  });

  it.each([
    [1, 2, 70000, 5],
    [40, 300, 37, 3],
    [8, 1000, 16, 2 ** 33 + 1],
    [3, 7, 1, 9],
  ])('dropout1d (%i, %i, %i) offset %i', (batch, channels, length, offset) => {
    const nx = batch * channels * length;
    const xs = fillRandom(new Float32Array(nx), 17, 2) as Float32Array;
    const params = { batch, channels, length, p: 0.4, seed: 123, stream: 2 ** 40 + 1, offset };
    const want = new Float32Array(nx), wantMask = new Uint8Array(batch * channels);
    refSet.kernels.dropout1dForward(want, xs, params);
    refSet.kernels.dropout1dMask(wantMask, params);
    for (const threads of [1, 2, 3, 4]) {
      addon!.setNumThreads(threads);
      const y = new Float32Array(nx), dx = new Float32Array(nx), m = new Uint8Array(batch * channels);
      native.kernels.dropout1dForward(y, xs, params);
      native.kernels.dropout1dBackward(dx, xs, params);
      native.kernels.dropout1dMask(m, params);
      expect(Buffer.compare(m, wantMask), `mask, ${threads} threads`).toBe(0);
      expect(Buffer.compare(bits(y), bits(want)), `forward, ${threads} threads`).toBe(0);
      expect(Buffer.compare(bits(dx), bits(want)), `backward, ${threads} threads`).toBe(0);
    }
  });

  it('every count and offset around the vector widths', () => {
    addon!.setNumThreads(2);
    for (let count = 0; count <= 140; count++) {
      for (const offset of [0, 1, 2, 3, 15, 17, 63]) {
        const params = { count, p: 0.35, seed: 8, stream: 1, offset };
        const xs = x.subarray(0, count), want = new Float32Array(count), y = new Float32Array(count);
        refSet.kernels.dropoutForward(want, xs, params);
        native.kernels.dropoutForward(y, xs, params);
        expect(Buffer.compare(bits(y), bits(want)), `count ${count} offset ${offset}`).toBe(0);
        expect(Buffer.compare(mask(native, count, 0.35, 8, 1, offset), mask(refSet, count, 0.35, 8, 1, offset))).toBe(0);
      }
    }
  });
});
