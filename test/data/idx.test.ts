// readIdx/readIdxArray/decodeIdx: every element type, plain and gzip, and hostile files (truncated, over-long, bad magic, huge dims, corrupt gzip, fuzzed) → IdxError, never a crash or a wrong array.
import { constants } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeIdx, IdxError, readIdx, readIdxArray, type IdxType } from '../../src/data/idx.js';
import { MAX_ELEMENTS } from '../../src/tensor/shape.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const CODES: Record<IdxType, [number, number]> = {
  uint8: [0x08, 1],
  int8: [0x09, 1],
  int16: [0x0b, 2],
  int32: [0x0c, 4],
  float32: [0x0d, 4],
  float64: [0x0e, 8],
};

/** An IDX file written by hand from the spec: 00 00 type ndim, big-endian u32 dims, big-endian values. */
function encode(type: IdxType, dims: number[], values: number[]): Uint8Array {
  const [code, size] = CODES[type];
  const out = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, code, dims.length]);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  const at = 4 + 4 * dims.length;
  values.forEach((x, i) => {
    const o = at + i * size;
    if (type === 'uint8') v.setUint8(o, x);
    else if (type === 'int8') v.setInt8(o, x);
    else if (type === 'int16') v.setInt16(o, x);
    else if (type === 'int32') v.setInt32(o, x);
    else if (type === 'float32') v.setFloat32(o, x);
    else v.setFloat64(o, x);
  });
  return out;
}

/** The IdxError `fn` throws (fails the test on anything else). */
function idxError(fn: () => unknown): IdxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IdxError);
    return e as IdxError;
  }
  throw new Error('no error thrown');
}

async function idxErrorAsync(p: Promise<unknown>): Promise<IdxError> {
  const e = await p.then(
    () => new Error('no error thrown'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IdxError);
  return e as IdxError;
}

const SAMPLES: Record<IdxType, number[]> = {
  uint8: [0, 1, 127, 128, 254, 255],
  int8: [-128, -1, 0, 1, 100, 127],
  int16: [-32768, -2, 0, 3, 1000, 32767],
  int32: [-(2 ** 31), -5, 0, 7, 16777216, 2 ** 31 - 1],
  float32: [-1.5, 0, 0.1, 3.4028234663852886e38, -0, 1e-40],
  float64: [-1.5, 0, 0.1, 1e300, -0, 5e-324],
};

describe('decoding every element type', () => {
  it.each(Object.keys(SAMPLES) as IdxType[])('%s: exact values in shape (2, 3), plain and gzip', async (type) => {
    const bytes = encode(type, [2, 3], SAMPLES[type]);
    const want = type === 'float32' ? SAMPLES[type].map(Math.fround) : SAMPLES[type];
    for (const path of [file(`${type}.idx`, bytes), file(`${type}.idx.gz`, gzipSync(bytes))]) {
      const a = await readIdxArray(path);
      expect(a.type).toBe(type);
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual(want);
    }
  });

  it('readIdx gives a float32 tensor of the file shape, times scale', async () => {
    const path = file('img.idx', encode('uint8', [2, 2, 2], [0, 51, 102, 153, 204, 255, 1, 2]));
    const x = await readIdx(path, { scale: 1 / 255 });
    expect(x.shape).toEqual([2, 2, 2]);
    expect(Array.from(x.data)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1 / 255, 2 / 255].map(Math.fround));
    expect(Array.from((await readIdx(path)).data.subarray(0, 3))).toEqual([0, 51, 102]);
  });

  it('labels (1-D) and a file with a zero dimension', () => {
    expect(decodeIdx(encode('uint8', [4], [9, 0, 0, 3])).shape).toEqual([4]);
    const empty = decodeIdx(encode('uint8', [0, 28, 28], []));
    expect([empty.shape, empty.data.length]).toEqual([[0, 28, 28], 0]);
  });

  it('gzip is recognised by its magic bytes, not by the file name', async () => {
    const bytes = encode('int16', [3], [1, -2, 3]);
    expect(Array.from((await readIdxArray(file('gz-named-plain.idx', gzipSync(bytes)))).data)).toEqual([1, -2, 3]);
    expect(Array.from((await readIdxArray(file('plain-named.gz', bytes))).data)).toEqual([1, -2, 3]);
  });

  it('bad arguments', async () => {
    await expect(readIdx(file('ok.idx', encode('uint8', [1], [1])), { scale: NaN })).rejects.toThrow('readIdx: scale must be a finite number, got NaN');
    await expect(readIdx('x', { scal: 2 } as never)).rejects.toThrow('readIdx: unknown option "scal"');
    await expect(readIdxArray(join(dir, 'absent.idx'))).rejects.toThrow(/ENOENT/);
  });
});

describe('hostile files give IdxError', () => {
  const good = encode('int32', [2, 3], [1, 2, 3, 4, 5, 6]); // 12-byte header + 24 bytes

  it('truncated and over-long files name the expected and actual byte counts', () => {
    expect(idxError(() => decodeIdx(good.subarray(0, 30), 'f.idx')).message).toBe('f.idx: truncated IDX file: expected 36 bytes (12-byte header + 2 × 3 int32), got 30');
    expect(idxError(() => decodeIdx(new Uint8Array([...good, 0]), 'f.idx')).message).toBe('f.idx: over-long IDX file: expected 36 bytes (12-byte header + 2 × 3 int32), got 37');
    expect(idxError(() => decodeIdx(good.subarray(0, 7))).reason).toBe('truncated IDX header: 7 bytes, expected at least 12');
    expect(idxError(() => decodeIdx(good.subarray(0, 2))).reason).toBe('truncated IDX header: 2 bytes, expected at least 4');
  });

  it('empty file, wrong magic, unknown type, zero dimensions', async () => {
    expect((await idxErrorAsync(readIdx(file('empty.idx', new Uint8Array(0))))).reason).toBe('empty file, expected an IDX header');
    expect(idxError(() => decodeIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).reason).toContain('not an IDX file: it starts with 89 50 4e 47');
    expect(idxError(() => decodeIdx(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]))).reason).toContain('unsupported IDX element type 0x07');
    expect(idxError(() => decodeIdx(gzipSync(good))).reason).toContain('gzip data: read the file with readIdx/readIdxArray, or gunzip it first');
    expect(idxError(() => decodeIdx(Uint8Array.from([0, 0, 0x08, 0]))).reason).toBe('IDX header declares 0 dimensions, expected at least 1');
  });

  it('huge declared dimensions fail before anything is allocated, plain or gzip', async () => {
    const huge = encode('uint8', [0xffffffff, 0xffffffff, 0xffffffff], []);
    expect(idxError(() => decodeIdx(huge)).reason).toMatch(
      new RegExp(`^IDX header declares shape \\(4294967295, 4294967295, 4294967295\\) uint8: 7\\.92\\d*e\\+28 elements, too large for a tensor \\(at most ${MAX_ELEMENTS}\\)$`),
    );
    expect(idxError(() => decodeIdx(encode('float64', [65536, 65536], []))).reason).toContain('4294967296 elements, too large for a tensor');
    // Just at the element limit: a plausible header with no data is a truncated file, not a gigabyte allocation.
    const big = encode('uint8', [MAX_ELEMENTS], [1]);
    expect((await idxErrorAsync(readIdxArray(file('big.idx.gz', gzipSync(big))))).reason).toBe(
      `truncated IDX file: expected ${8 + MAX_ELEMENTS} bytes (8-byte header + ${MAX_ELEMENTS} uint8), got 9`,
    );
  });

  // The audit's file: 1.2e9 declared labels in a 5 MB gzip took 33 s and 7 GB before failing, because the
  // element limit (2^31 − 1) was looser than a tensor's. One element past a tensor's limit now fails from the
  // header alone: the body after it is cut short, and a read that got that far would say "corrupt gzip data".
  it('a gzip file declaring more elements than a tensor can hold fails from its header, before its body', async () => {
    const n = MAX_ELEMENTS + 1;
    const gz = gzipSync(Buffer.concat([encode('uint8', [n], []), Buffer.alloc(8 << 20, 3)]));
    const path = file('too-many.idx.gz', gz.subarray(0, gz.length - 1000));
    const reason = `IDX header declares shape (${n}) uint8: ${n} elements, too large for a tensor (at most ${MAX_ELEMENTS})`;
    expect((await idxErrorAsync(readIdx(path))).message).toBe(`${path}: ${reason}`);
    expect((await idxErrorAsync(readIdxArray(path))).reason).toBe(reason);
    expect(idxError(() => decodeIdx(encode('uint8', [n], []))).reason).toBe(reason);
  });

  // Where one Buffer holds fewer bytes than a tensor's elements take in float64 (Node 20: 4 GiB).
  const f64 = Math.floor(constants.MAX_LENGTH / 8);
  it.skipIf(f64 > MAX_ELEMENTS)('a header declaring more bytes than one Buffer holds fails from the header', async () => {
    const gz = gzipSync(encode('float64', [f64], []));
    expect((await idxErrorAsync(readIdxArray(file('too-long.idx.gz', gz)))).reason).toBe(
      `IDX header declares shape (${f64}) float64: ${8 + 8 * f64} bytes, too large for one Buffer (at most ${constants.MAX_LENGTH})`,
    );
  });

  it('more than 16 dimensions: a short message stating the count and the maximum', async () => {
    const bytes = Uint8Array.from([0, 0, 0x08, 255, ...Array<number>(4 * 255).fill(0)]);
    expect(idxError(() => decodeIdx(bytes)).reason).toBe('IDX header declares 255 dimensions, more than the 16 accepted');
    expect((await idxErrorAsync(readIdxArray(file('ndim255.idx.gz', gzipSync(bytes))))).reason).toBe('IDX header declares 255 dimensions, more than the 16 accepted');
    expect(idxError(() => decodeIdx(bytes.subarray(0, 8))).reason).toBe('IDX header declares 255 dimensions, more than the 16 accepted');
    expect(decodeIdx(encode('uint8', Array(16).fill(1), [5])).shape).toEqual(Array(16).fill(1));
  });

  it('gzip that expands past the declared size stops early (no decompression bomb)', async () => {
    const declared = encode('uint8', [10], Array(10).fill(7));
    const bomb = gzipSync(Buffer.concat([declared, Buffer.alloc(16 << 20)])); // ~16 KB that inflates to 16 MB
    const e = await idxErrorAsync(readIdxArray(file('bomb.idx.gz', bomb)));
    expect(e.reason).toBe('over-long IDX file: expected 18 bytes (8-byte header + 10 uint8) after decompression, got more');
  });

  it('corrupt and truncated gzip', async () => {
    const gz = gzipSync(encode('uint8', [100], Array.from({ length: 100 }, (_, i) => i)));
    const flipped = Uint8Array.from(gz);
    flipped[gz.length - 6]! ^= 0xff; // the CRC-32 trailer
    expect((await idxErrorAsync(readIdxArray(file('crc.gz', flipped)))).reason).toMatch(/^corrupt gzip data: /);
    expect((await idxErrorAsync(readIdxArray(file('cut.gz', gz.subarray(0, gz.length - 10))))).reason).toMatch(/^corrupt gzip data: /);
    expect((await idxErrorAsync(readIdxArray(file('junk.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]))))).reason).toMatch(/^corrupt gzip data: /);
    // A well-formed gzip of a bad IDX file reports the IDX problem.
    expect((await idxErrorAsync(readIdxArray(file('png.gz', gzipSync(Uint8Array.from([0x89, 0x50, 0x4e, 0x47])))))).reason).toContain('not an IDX file');
  });
});

/**
 * What the spec says the bytes hold, or undefined when they are not a valid IDX file: an independent
 * decoder to judge the library against.
 */
function reference(b: Uint8Array): { shape: number[]; values: number[] } | undefined {
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) return undefined;
  const t = (Object.keys(CODES) as IdxType[]).find((k) => CODES[k][0] === b[2]);
  const ndim = b[3]!;
  if (!t || ndim === 0 || ndim > 16 || b.length < 4 + 4 * ndim) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const shape = Array.from({ length: ndim }, (_, i) => v.getUint32(4 + 4 * i));
  const size = CODES[t][1];
  const count = shape.reduce((a, d) => a * d, 1);
  if (count > MAX_ELEMENTS || b.length !== 4 + 4 * ndim + count * size) return undefined;
  const at = 4 + 4 * ndim;
  const get = { uint8: v.getUint8, int8: v.getInt8, int16: v.getInt16, int32: v.getInt32, float32: v.getFloat32, float64: v.getFloat64 }[t];
  return { shape, values: Array.from({ length: count }, (_, i) => get.call(v, at + i * size)) };
}

describe('fuzz: random byte mutations give the right array or an IdxError', () => {
  /** xorshift32: a fixed sequence, the same everywhere. */
  function rng(seed: number): () => number {
    let s = seed;
    return () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
  }

  const base = encode('int16', [2, 3], [1, -2, 300, -400, 5, 6]);

  it('decodeIdx on 500 mutants (flips, truncations, extensions)', () => {
    const r = rng(20240611);
    let valid = 0;
    for (let k = 0; k < 500; k++) {
      let b = Uint8Array.from(base);
      const kind = Math.floor(r() * 3);
      if (kind === 0) for (let j = 0, n = 1 + Math.floor(r() * 3); j < n; j++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      else if (kind === 1) b = b.subarray(0, Math.floor(r() * b.length));
      else b = Uint8Array.from([...b, ...Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * 256))]);
      const want = reference(b);
      if (want) {
        const got = decodeIdx(b);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.data)).toEqual(want.values);
        valid++;
      } else {
        idxError(() => decodeIdx(b));
      }
    }
    expect(valid).toBeGreaterThan(50); // flips inside the data keep the file valid: both branches ran
  });

  it('readIdxArray on 60 mutated gzip files', async () => {
    const r = rng(7);
    const gz = gzipSync(base);
    for (let k = 0; k < 60; k++) {
      const b = Uint8Array.from(gz);
      b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      let inflated: Uint8Array | undefined;
      try {
        inflated = gunzipSync(b);
      } catch {
        inflated = undefined;
      }
      const want = inflated && reference(inflated);
      const path = file(`fuzz-${k}.gz`, b);
      if (want) expect(Array.from((await readIdxArray(path)).data)).toEqual(want.values);
      else await idxErrorAsync(readIdxArray(path));
    }
  });
});
