// The optimisers' non-finite scan (nonFiniteIndex): on the reference and every native CPU level, the
// index of the FIRST NaN/±Infinity, or −1, over every SIMD block and tail (lengths 0..70 put a bad
// value at every position; long lengths at the edges of the 4-vector blocks), for every kind of bad
// bits (quiet, signalling and negative NaNs, ±Infinity) and next to the largest finite values,
// subnormals and ±0, which must not count. A gradient of many chunks, which the native scan splits
// between threads, gives the first bad index at every thread count.
import { describe, expect, it } from 'vitest';
import { addon, allSets, nativeSets } from './helpers/backends.js';

// Bit patterns of bad float32 values: quiet NaN, NaN with a payload, signalling NaN, negative NaN, +Inf, −Inf.
const BAD = [0x7fc00000, 0x7fc00001, 0x7f800001, 0xffffffff, 0x7f800000, 0xff800000];
// Finite values at the edges: ±max float32, ±smallest subnormal, ±0, ±1.
const EDGES = [0x7f7fffff, 0xff7fffff, 0x00000001, 0x80000001, 0, 0x80000000, 0x3f800000, 0xbf800000];
const SMALL = Array.from({ length: 71 }, (_, n) => n);
const LARGE = [127, 128, 129, 1000, 4099, 65537];

/** n finite float32 values cycling through EDGES and ordinary numbers, and their bits view. */
function finite(n: number): { x: Float32Array; bits: Uint32Array } {
  const x = new Float32Array(n), bits = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) bits[i] = EDGES[(i / 3) % EDGES.length]!;
    else x[i] = Math.sin(i) * 1e3;
  }
  return { x, bits };
}

describe.each(allSets)('nonFiniteIndex: $name', ({ kernels }) => {
  const scan = (x: Float32Array) => kernels.nonFiniteIndex(x, { count: x.length });

  it.each([...SMALL, ...LARGE])('count %i: −1 when every element is finite', (n) => {
    expect(scan(finite(n).x)).toBe(-1);
  });

  it.each(SMALL.slice(1))('count %i: every bad value at every position', (n) => {
    const { x, bits } = finite(n);
    for (let at = 0; at < n; at++) {
      const keep = bits[at]!;
      for (const bad of BAD) {
        bits[at] = bad;
        const got = scan(x);
        if (got !== at) expect(got, `bits 0x${bad.toString(16)} at ${at}`).toBe(at);
      }
      bits[at] = keep;
    }
  });

  it.each([...SMALL.slice(2), ...LARGE])('count %i: several bad values, the first is reported', (n) => {
    // Pairs (first, later) across blocks and tails: the first of a block after a bad later one, etc.
    const positions = [0, 1, 7, 8, 15, 16, 31, 63, 64, Math.floor(n / 2), n - 17, n - 2, n - 1].filter((p) => p >= 0 && p < n);
    for (const first of positions) {
      for (const later of positions.filter((p) => p > first)) {
        const { x, bits } = finite(n);
        bits[later] = BAD[later % BAD.length]!;
        bits[first] = BAD[first % BAD.length]!;
        if (later + 1 < n) bits[later + 1] = 0x7f800000;
        const got = scan(x);
        if (got !== first) expect(got, `bad at ${first} and ${later}`).toBe(first);
      }
    }
  });

  it('reads only x[0..count): a view into a larger buffer with a NaN just past its end', () => {
    const buffer = new Float32Array(40).fill(1);
    buffer[0] = NaN, buffer[37] = NaN;
    expect(scan(buffer.subarray(1, 37))).toBe(-1);
    expect(scan(buffer.subarray(1, 38))).toBe(36);
  });
});

describe.skipIf(!addon)('nonFiniteIndex over many chunks: the first bad index at 1, 2, 3 and 4 threads', () => {
  // 2^20 + 5 floats: sixteen 64 Ki-float chunks and a tail; bad values alone in the last chunk, in an
  // early and a late chunk (the late one found first by the second thread), on chunk boundaries, last.
  const n = (1 << 20) + 5, chunk = 1 << 16;
  const CASES: number[][] = [[], [n - 1], [chunk - 1, n - 1], [chunk, 15 * chunk], [3 * chunk + 17, 9 * chunk, 12 * chunk + 1], [0, n - 1]];
  it.each(nativeSets.flatMap((set) => CASES.map((bad) => [set.name, JSON.stringify(bad), bad, set] as const)))(
    '%s, bad at %s', (_name, _label, bad, set) => {
      const { x, bits } = finite(n);
      for (const at of bad) bits[at] = BAD[at % BAD.length]!;
      const want = bad.length ? Math.min(...bad) : -1;
      const before = addon!.numThreads();
      try {
        for (const t of [1, 2, 3, 4]) {
          addon!.setNumThreads(t);
          expect(set.kernels.nonFiniteIndex(x, { count: n }), `threads=${t}`).toBe(want);
        }
      } finally {
        addon!.setNumThreads(before);
      }
    });
});
