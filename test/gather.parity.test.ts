// gatherRows (src/ref/gather.ts; native/src/gather/f32-gather-scalar.cc): every native set copies
// exactly what the reference copies — shuffled, consecutive (one copy per run) and repeated indices,
// rows of one float (labels) up to rows larger than a thread's 64 KB task, empty batches and empty rows
// — bit for bit (NaN payloads and −0 included), at 1 to 4 threads, and writes nothing outside out.
import { afterAll, describe, expect, it } from 'vitest';
import { addon, nativeSets, refSet } from './helpers/backends.js';

const bits = (t: ArrayBufferView) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

function shuffled(n: number, count: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, count);
}

const cases: Array<{ label: string; srcRows: number; rowLength: number; indices: number[] }> = [
  { label: '128 shuffled rows of 784 (a Fashion-MNIST batch)', srcRows: 3000, rowLength: 784, indices: shuffled(3000, 128, 1) },
  { label: '256 shuffled windows of 14·30', srcRows: 2000, rowLength: 420, indices: shuffled(2000, 256, 2) },
  { label: 'labels: rows of one float', srcRows: 1000, rowLength: 1, indices: shuffled(1000, 333, 3) },
  { label: 'consecutive runs and repeats', srcRows: 50, rowLength: 33, indices: [4, 5, 6, 7, 0, 1, 9, 9, 9, 49, 48, 47, 10, 11] },
  { label: 'rows past one 64 KB task', srcRows: 9, rowLength: 20000, indices: [8, 0, 3, 4, 5] },
  { label: 'an empty batch', srcRows: 10, rowLength: 7, indices: [] },
  { label: 'empty rows', srcRows: 10, rowLength: 0, indices: [3, 1, 2] },
];

const GUARD = 12345.5;

/** Gathers case c with `set`, out placed between guard values; returns out and what it must hold. */
function run(set: (typeof nativeSets)[number], c: (typeof cases)[number]): { got: Float32Array; want: Float32Array } {
  const D = c.rowLength, R = c.indices.length;
  const src = Float32Array.from({ length: c.srcRows * D }, (_, i) => Math.sin(i * 0.731) * 100);
  [NaN, -0, Infinity].forEach((v, k) => { if (src.length > k * 97) src[k * 97] = v; });
  const buf = new Float32Array(R * D + 8).fill(GUARD);
  const out = buf.subarray(3, 3 + R * D).fill(NaN);
  set.kernels.gatherRows(out, src, Int32Array.from(c.indices), { rows: R, rowLength: D, srcRows: c.srcRows });
  expect([...buf.subarray(0, 3), ...buf.subarray(3 + R * D)].every((v) => v === GUARD), 'wrote outside out').toBe(true);
  const want = new Float32Array(R * D);
  c.indices.forEach((r, k) => want.set(src.subarray(r * D, (r + 1) * D), k * D));
  return { got: out.slice(), want };
}

describe.each([refSet, ...nativeSets])('gatherRows: $name', (set) => {
  it.each(cases.map((c) => [c.label, c] as const))('%s: each out row is its src row, bit for bit', (_l, c) => {
    const { got, want } = run(set, c);
    expect(Buffer.compare(bits(got), bits(want))).toBe(0);
  });
});

describe.skipIf(!addon).each(nativeSets)('gatherRows across thread counts: $name', (native) => {
  const before = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(before));
  it('the same bits at 1, 2, 3 and 4 threads', () => {
    const c = cases[0]!;
    addon!.setNumThreads(1);
    const { got: want } = run(native, c);
    for (const t of [2, 3, 4]) {
      addon!.setNumThreads(t);
      expect(Buffer.compare(bits(run(native, c).got), bits(want)), `${t} threads`).toBe(0);
    }
  });
});
