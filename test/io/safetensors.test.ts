/**
 * safetensors encode / decode in memory: round trips of every dtype, the reference writer's exact
 * bytes, byte order, half-precision widening, a table of malformed files (each rejected with a
 * SafetensorsError naming the problem), invalid state dicts on the encode side, and a seeded
 * random-corruption loop that must only ever succeed consistently or throw SafetensorsError.
 */
import { FormatError, KeelError, OptionError } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import {
  copyElements,
  decodeSafetensors,
  encodeSafetensors,
  SAFETENSORS_MAX_HEADER_BYTES,
  SafetensorsError,
} from '../../src/io/safetensors.js';
import { DTYPE_ARRAYS, Int64Buffer, type StateDict, type StateTensor } from '../../src/io/state.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { bytesOf, expectSameState, prng } from './helpers.js';

/** A file from a header string (or bytes) and a data region; n overrides the length prefix. */
function file(header: string | Uint8Array, data: Uint8Array | number = 0, n?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
const le64 = (n: number) => [n & 0xff, (n >> 8) & 0xff, 0, 0, 0, 0, 0, 0];

function everyDtype(): StateDict {
  const nan = new Float32Array(1);
  new Uint32Array(nan.buffer)[0] = 0x7fa00001; // a signalling NaN with a payload: bytes must survive
  return {
    'f32.matrix': new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.fround(i * 0.37 - 2)), [3, 4]),
    'f32.special': { dtype: 'F32', shape: [7], data: Float32Array.of(0, -0, Infinity, -Infinity, NaN, 1e-45, nan[0]!) },
    'f32.scalar': { dtype: 'F32', shape: [], data: Float32Array.of(2.5) },
    'f32.empty': { dtype: 'F32', shape: [0], data: new Float32Array(0) },
    'f64.values': { dtype: 'F64', shape: [2, 2], data: Float64Array.of(Math.PI, -1e308, 5e-324, 1 / 3) },
    'i64.big': { dtype: 'I64', shape: [5], data: BigInt64Array.of(2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0n, -1n) },
    'i64.num_batches_tracked': new Int64Buffer([], BigInt64Array.of(2n ** 40n + 5n)),
    'i64.empty': { dtype: 'I64', shape: [2, 0, 3], data: new BigInt64Array(0) },
    'i32.values': { dtype: 'I32', shape: [2, 2], data: Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, 7) },
    'u8.values': { dtype: 'U8', shape: [5], data: Uint8Array.of(0, 1, 127, 128, 255) },
    'u8.scalar': { dtype: 'U8', shape: [], data: Uint8Array.of(42) },
  };
}

describe('round trip', () => {
  it('keeps every dtype, value (int64 beyond 2^53, NaN payloads, -0), shape, scalar, empty tensor and key order', () => {
    const state = everyDtype();
    const meta = { format: 'pt', epoch: '12', note: 'café ✓ "quoted" \n newline', '': 'empty key' };
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(state, meta));
    expectSameState(tensors, state);
    expect(metadata).toEqual(meta);
    expect((tensors['i64.big']!.data as BigInt64Array)[0]).toBe(9007199254740993n);
    expect(tensors['f32.scalar']!.shape).toEqual([]);
  });

  it('gives copies that own aligned buffers, independent of the input bytes', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) }, b: { dtype: 'F64', shape: [1], data: Float64Array.of(7) } });
    // Decode from an odd offset inside a larger buffer: typed-array views there would be unaligned.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const view = shifted.subarray(1);
    const { tensors } = decodeSafetensors(view);
    for (const t of Object.values(tensors)) {
      expect(t.data.byteOffset).toBe(0);
      expect(t.data.buffer).not.toBe(shifted.buffer);
      expect(t.data.buffer.byteLength).toBe(t.data.byteLength);
    }
    view.fill(0);
    expect(Array.from(tensors.a!.data as Uint8Array)).toEqual([1, 2, 3]);
    expect(tensors.b!.data[0]).toBe(7);
  });

  it('encodes views (subarrays) by their own elements only', () => {
    const big = Float32Array.of(9, 1, 2, 3, 9);
    const { tensors } = decodeSafetensors(encodeSafetensors({ v: { dtype: 'F32', shape: [3], data: big.subarray(1, 4) } }));
    expect(Array.from(tensors.v!.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('encodes into a given buffer with room (a view of it, the same bytes), and into a new one without', () => {
    const state: StateDict = { w: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) }, n: { dtype: 'I32', shape: [1], data: Int32Array.of(7) } };
    const fresh = encodeSafetensors(state, { note: 'x' });
    const room = new Uint8Array(fresh.length + 13).fill(0xff);
    const into = encodeSafetensors(state, { note: 'x' }, room);
    expect(into.buffer).toBe(room.buffer);
    expect(Buffer.from(into).equals(Buffer.from(fresh))).toBe(true);
    const small = new Uint8Array(fresh.length - 1);
    expect(encodeSafetensors(state, { note: 'x' }, small).buffer).not.toBe(small.buffer);
  });

  it('keeps names that are Object.prototype properties as plain own entries', () => {
    const t = (v: number): StateTensor => ({ dtype: 'F32', shape: [1], data: Float32Array.of(v) });
    const state: StateDict = {};
    for (const [i, k] of ['__proto__', 'constructor', 'toString', 'a.b'].entries()) {
      Object.defineProperty(state, k, { value: t(i), enumerable: true, writable: true, configurable: true });
    }
    const { tensors } = decodeSafetensors(encodeSafetensors(state));
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor', 'toString', 'a.b']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.hasOwn(tensors, '__proto__')).toBe(true);
    const entry = Object.fromEntries(Object.entries(tensors)).toString as unknown as StateTensor;
    expect(entry).toBeInstanceOf(Tensor); // F32 entries decode into Tensors
    expect({ dtype: entry.dtype, shape: entry.shape, data: entry.data }).toEqual({ dtype: 'F32', shape: [1], data: Float32Array.of(2) });
  });

  it('an empty state dict and metadata-only files', () => {
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {} });
    expect(decodeSafetensors(encodeSafetensors({}, { a: 'b' }))).toEqual({ tensors: {}, metadata: { a: 'b' } });
  });

  it('reads tensors stored in any order in the data region (as the reference writer sorts them)', () => {
    const header = '{"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const data = Uint8Array.of(0, 0, 0x80, 0x3f, 5, 6);
    const { tensors } = decodeSafetensors(file(header, data));
    expect(Object.keys(tensors)).toEqual(['b', 'a']);
    expect(Array.from(tensors.b!.data as Uint8Array)).toEqual([5, 6]);
    expect(tensors.a!.data[0]).toBe(1);
  });
});

describe('format details', () => {
  it('matches the reference writer byte for byte', () => {
    // Files the reference implementation writes for these inputs (its own serialization tests).
    expect(Array.from(encodeSafetensors({}))).toEqual([...le64(8), ...ascii('{}      ')]);
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' }))).toEqual([...le64(40), ...ascii('{"__metadata__":{"framework":"pt"}}     ')]);
    const data = Float32Array.of(0, 1, 2, 3, 4, 5);
    const f32 = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];
    expect(Array.from(encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } }))).toEqual([
      ...le64(64),
      ...ascii('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'),
      ...f32,
    ]);
    expect(Array.from(encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } }))).toEqual([
      ...le64(72),
      ...ascii('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '),
      ...f32,
    ]);
  });

  it('pads the header with spaces so the data region starts at a multiple of 8', () => {
    for (let len = 0; len < 20; len++) {
      const bytes = encodeSafetensors({ ['k'.repeat(len)]: { dtype: 'F64', shape: [1], data: Float64Array.of(1) } });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(header).toMatch(/^\{.*\} *$/);
      expect(bytes.length).toBe(8 + n + 8);
    }
  });

  it('writes little-endian bytes; the byte-swapping path (big-endian hosts) reverses every element', () => {
    const bytes = encodeSafetensors({ x: { dtype: 'I32', shape: [2], data: Int32Array.of(0x01020304, -2) } });
    expect(Array.from(bytes.subarray(-8))).toEqual([4, 3, 2, 1, 0xfe, 0xff, 0xff, 0xff]);
    const src = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    for (const [size, want] of [
      [1, [1, 2, 3, 4, 5, 6, 7, 8]],
      [2, [2, 1, 4, 3, 6, 5, 8, 7]],
      [4, [4, 3, 2, 1, 8, 7, 6, 5]],
      [8, [8, 7, 6, 5, 4, 3, 2, 1]],
    ] as const) {
      const dst = new Uint8Array(10);
      copyElements(src, dst, 1, size, true);
      expect(Array.from(dst.subarray(1, 9)), `size ${size}`).toEqual(want);
      const back = new Uint8Array(8);
      copyElements(dst.subarray(1, 9), back, 0, size, true);
      expect(Array.from(back)).toEqual(Array.from(src));
    }
  });

  it('widens every F16 value to F32 exactly (all 65536 bit patterns)', () => {
    const data = new Uint8Array(2 * 65536);
    for (let h = 0; h < 65536; h++) [data[2 * h], data[2 * h + 1]] = [h & 0xff, h >> 8];
    const { tensors } = decodeSafetensors(file(`{"h":{"dtype":"F16","shape":[65536],"data_offsets":[0,131072]}}`, data));
    const got = tensors.h!;
    expect(got.dtype).toBe('F32');
    const f = got.data as Float32Array;
    const bits = new Uint32Array(f.buffer);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
      const want = e === 31 ? (m ? NaN : sign * Infinity) : e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
      if (Number.isNaN(want)) {
        expect(bits[h]! >>> 0, `F16 0x${h.toString(16)}`).toBe((((h & 0x8000) << 16) | 0x7f800000 | (m << 13)) >>> 0);
      } else if (!Object.is(f[h], want)) {
        throw new Error(`F16 0x${h.toString(16)}: expected ${want}, got ${f[h]}`);
      }
    }
  });

  it('widens BF16 to F32 exactly (the high 16 bits)', () => {
    const { tensors } = decodeSafetensors(file('{"b":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}', Uint8Array.of(0x80, 0x3f, 0x20, 0xc0, 0x80, 0x7f, 0xc1, 0xff)));
    const f = tensors.b!.data as Float32Array;
    expect([f[0], f[1], f[2]]).toEqual([1, -2.5, Infinity]);
    expect(new Uint32Array(f.buffer)[3]! >>> 0).toBe(0xffc10000);
  });
});

describe('malformed files throw SafetensorsError naming the problem', () => {
  const entry = (name: string, dtype: string, shape: unknown, offsets: unknown) =>
    `${JSON.stringify(name)}:{"dtype":${JSON.stringify(dtype)},"shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;
  const hdr = (...entries: string[]) => `{${entries.join(',')}}`;
  const cases: Array<[string, Uint8Array, string]> = [
    ['shorter than 8 bytes', Uint8Array.of(1, 2, 3), 'file is 3 bytes, too short for the 8-byte header length'],
    ['empty file', new Uint8Array(0), 'file is 0 bytes'],
    ['header length above the cap', file('{}', 0, BigInt(SAFETENSORS_MAX_HEADER_BYTES + 1)), 'header length 100000001 exceeds the limit of 100000000 bytes'],
    ['header length 2^64 - 1', file('{}', 0, 2n ** 64n - 1n), 'header length 18446744073709551615 exceeds the limit'],
    ['header length beyond the file', file('{}', 0, 100n), 'header length 100 extends beyond the end of the file: 8 + 100 bytes needed, the file has 10'],
    ['empty header', file(''), 'expected a value, found end of header'],
    ['invalid UTF-8', file(Uint8Array.of(0x7b, 0xff, 0x7d)), 'header is not valid UTF-8'],
    ['UTF-8 encoded surrogate', file(Uint8Array.of(0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d)), 'not valid UTF-8'],
    ['byte-order mark', file('\ufeff{}'), 'expected a value, found character "\ufeff"'],
    ['truncated JSON', file('{"a":'), 'not valid JSON: expected a value, found end of header'],
    ['trailing comma', file('{"a":{},}'), 'expected a string key, found character "}"'],
    ['text after the JSON', file('{} x'), 'unexpected character "x" after the end of the JSON value'],
    ['NUL padding', file('{}\0\0'), 'unexpected control character U+0000 after the end of the JSON value'],
    ['raw control character in a string', file('{"a\tb":1}'), 'unescaped control character U+0009 in a string'],
    ['invalid escape', file('{"a\\qb":1}'), 'invalid escape "\\q"'],
    ['unpaired surrogate escape', file('{"\\ud800":1}'), 'unpaired high surrogate escape'],
    ['unpaired low surrogate escape', file('{"\\udc00":1}'), 'unpaired low surrogate escape'],
    ['deep nesting', file(`{"a":${'['.repeat(100_000)}`), 'nesting deeper than 64 levels'],
    ['header an array', file('[]'), 'header must be a JSON object, got an array'],
    ['header a string', file('"x"'), 'header must be a JSON object, got the string "x"'],
    ['header null', file('null'), 'header must be a JSON object, got null'],
    ['entry not an object', file('{"w":3}'), 'tensor "w": the header entry must be an object {dtype, shape, data_offsets}, got the number 3'],
    ['entry an array', file('{"w":[]}'), 'tensor "w": the header entry must be an object {dtype, shape, data_offsets}, got an array'],
    ['missing dtype', file('{"w":{"shape":[],"data_offsets":[0,4]}}', 4), 'tensor "w": missing field "dtype"'],
    ['missing shape', file('{"w":{"dtype":"F32","data_offsets":[0,4]}}', 4), 'tensor "w": missing field "shape"'],
    ['missing data_offsets', file('{"w":{"dtype":"F32","shape":[]}}', 4), 'tensor "w": missing field "data_offsets"'],
    ['extra field', file('{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":1}}', 4), 'tensor "w": unexpected field "extra" (expected only dtype, shape, data_offsets)'],
    ['unknown dtype', file(hdr(entry('w', 'F33', [1], [0, 4])), 4), 'tensor "w": dtype "F33" is not a safetensors dtype (supported: F32, F64, I64, I32, U8, and F16/BF16 (read as F32))'],
    ['unsupported dtype', file(hdr(entry('m', 'BOOL', [1], [0, 1])), 1), 'tensor "m": dtype "BOOL" is not supported by keel'],
    ['unsupported dtype U64', file(hdr(entry('m', 'U64', [1], [0, 8])), 8), 'dtype "U64" is not supported by keel'],
    ['lower-case dtype', file(hdr(entry('w', 'f32', [1], [0, 4])), 4), 'dtype "f32" is not a safetensors dtype'],
    ['dtype not a string', file('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', 4), 'tensor "w": dtype must be a string, got the number 4'],
    ['shape not an array', file(hdr(entry('w', 'F32', 4, [0, 16])), 16), 'tensor "w": shape must be an array of non-negative integers, got the number 4'],
    ['negative dimension', file(hdr(entry('w', 'F32', [-1], [0, 4])), 4), 'tensor "w": shape[0] must be a non-negative integer below 2^53, got the number -1'],
    ['fractional dimension', file('{"w":{"dtype":"F32","shape":[1,2.0],"data_offsets":[0,8]}}', 8), 'tensor "w": shape[1] must be a non-negative integer below 2^53, got the number 2.0'],
    ['exponent dimension', file('{"w":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}', 4), 'shape[0] must be a non-negative integer below 2^53, got the number 1e0'],
    ['dimension 2^53', file('{"w":{"dtype":"U8","shape":[9007199254740992],"data_offsets":[0,1]}}', 1), 'shape[0] must be a non-negative integer below 2^53, got the number 9007199254740992'],
    ['string dimension', file(hdr(entry('w', 'F32', ['4'], [0, 16])), 16), 'shape[0] must be a non-negative integer below 2^53, got the string "4"'],
    ['data_offsets with one value', file(hdr(entry('w', 'F32', [1], [4])), 4), 'tensor "w": data_offsets must be [begin, end], two non-negative integers, got an array of 1 values'],
    ['data_offsets an object', file(hdr(entry('w', 'F32', [1], { a: 1 })), 4), 'data_offsets must be [begin, end], two non-negative integers, got an object'],
    ['negative offset', file(hdr(entry('w', 'F32', [1], [-4, 0])), 4), 'tensor "w": data_offsets[0] must be a non-negative integer below 2^53, got the number -4'],
    ['offset null', file(hdr(entry('w', 'F32', [1], [0, null])), 4), 'data_offsets[1] must be a non-negative integer below 2^53, got null'],
    ['offset 2^64', file(hdr(entry('w', 'F32', [1], [0, 18446744073709551616])), 4), 'data_offsets[1] must be a non-negative integer below 2^53, got the number 18446744073709552000'],
    ['begin after end', file(hdr(entry('w', 'F32', [1], [8, 4])), 8), 'tensor "w": data_offsets [8, 4]: begin is after end'],
    ['byte length != numel × size', file(hdr(entry('w', 'F32', [2, 2], [0, 12])), 12), 'tensor "w": data_offsets [0, 12] span 12 bytes but dtype F32 with shape (2, 2) needs 16 bytes'],
    ['numel × size beyond 2^64', file(hdr(entry('w', 'F32', [2 ** 52, 2 ** 52, 2 ** 52], [0, 16])), 16), 'span 16 bytes but dtype F32 with shape (4503599627370496, 4503599627370496, 4503599627370496) needs 365375409332725729550921208179070754913983135744 bytes'],
    ['size product that wraps in 64 bits', file(hdr(entry('w', 'U8', [2 ** 32, 2 ** 32], [0, 0])), 0), 'span 0 bytes but dtype U8 with shape (4294967296, 4294967296) needs 18446744073709551616 bytes'],
    ['offsets beyond the data region', file(hdr(entry('w', 'F32', [4], [0, 16])), 8), 'tensor "w": data_offsets [0, 16] extend beyond the data region, which is 8 bytes'],
    ['overlapping tensors', file(hdr(entry('a', 'F32', [2], [0, 8]), entry('b', 'F32', [2], [4, 12])), 12), 'tensors "a" [0, 8] and "b" [4, 12] overlap'],
    ['one tensor inside another', file(hdr(entry('a', 'F32', [4], [0, 16]), entry('b', 'F32', [1], [4, 8])), 16), 'tensors "a" [0, 16] and "b" [4, 8] overlap'],
    ['two tensors on the same bytes', file(hdr(entry('a', 'I32', [1], [0, 4]), entry('b', 'F32', [1], [0, 4])), 4), 'overlap'],
    ['empty tensor inside another', file(hdr(entry('a', 'F32', [2], [0, 8]), entry('z', 'F32', [0], [4, 4])), 8), 'tensors "a" [0, 8] and "z" [4, 4] overlap'],
    ['gap between tensors', file(hdr(entry('a', 'F32', [1], [0, 4]), entry('b', 'F32', [1], [8, 12])), 12), 'gap in the data region: bytes [4, 8) after tensor "a" belong to no tensor (next is "b" at 8)'],
    ['gap at the start', file(hdr(entry('a', 'F32', [1], [4, 8])), 8), 'gap in the data region: bytes [0, 4) at the start of the data region'],
    ['trailing bytes', file(hdr(entry('a', 'F32', [1], [0, 4])), 8), '4 trailing bytes after the last tensor: the tensors cover 4 bytes of a 8-byte data region'],
    ['data but no tensors', file('{}', 3), '3 trailing bytes after the last tensor'],
    ['duplicate tensor name', file(hdr(entry('w', 'F32', [1], [0, 4]), entry('w', 'F32', [1], [0, 4])), 4), 'duplicate key "w" at the top level (tensor names must be unique)'],
    ['duplicate field', file('{"w":{"dtype":"F32","shape":[1],"dtype":"F64","data_offsets":[0,4]}}', 4), 'duplicate key "dtype" inside "w"'],
    ['duplicate metadata key', file('{"__metadata__":{"a":"1","a":"2"}}'), 'duplicate key "a" inside "__metadata__"'],
    ['duplicate __metadata__', file('{"__metadata__":{},"__metadata__":{}}'), 'duplicate key "__metadata__" at the top level'],
    ['escaped duplicate key', file(hdr(entry('w', 'F32', [1], [0, 4])).replace('}}', '},"\\u0077":{}}'), 4), 'duplicate key "w"'],
    ['metadata an array', file('{"__metadata__":["a"]}'), '__metadata__ must be an object of strings, got an array'],
    ['metadata value a number', file('{"__metadata__":{"epoch":3}}'), '__metadata__["epoch"] must be a string, got the number 3'],
    ['metadata value null', file('{"__metadata__":{"epoch":null}}'), '__metadata__["epoch"] must be a string, got null'],
    ['metadata value nested', file('{"__metadata__":{"a":{"b":"c"}}}'), '__metadata__["a"] must be a string, got an object'],
  ];

  it.each(cases)('%s', (_name, bytes, fragment) => {
    let err: unknown;
    try {
      decodeSafetensors(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).name).toBe('SafetensorsError');
    expect((err as Error).message).toContain(fragment);
  });

  it('honours a lower maxHeaderBytes and rejects a bad one', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) } });
    expect(() => decodeSafetensors(bytes, { maxHeaderBytes: 16 })).toThrow(/header length \d+ exceeds the limit of 16 bytes/);
    expect(() => decodeSafetensors(bytes, { maxHeaderBytes: -1 })).toThrow(OptionError);
    expect(() => decodeSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(OptionError);
    expect(() => decodeSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(KeelError);
    expect(() => decodeSafetensors(bytes, { maxHeaderSize: 16 } as never)).toThrow(new OptionError('decodeSafetensors: unknown option "maxHeaderSize" (known options: maxHeaderBytes)'));
    const moved = bytes.slice();
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    expect(() => decodeSafetensors(moved)).toThrow(/^decodeSafetensors: bytes must be readable, got a Uint8Array on a detached ArrayBuffer/);
    expect(() => decodeSafetensors(new Uint8Array(0))).toThrow(SafetensorsError); // empty, not detached
  });

  it('accepts a Buffer and whitespace the reference writer does not emit but JSON allows', () => {
    const header = ' {\n "w" : { "data_offsets" : [ 0 , 1 ] , "shape" : [ 1 ] , "dtype" : "U8" } \t}\r\n';
    const { tensors } = decodeSafetensors(Buffer.from(file(header, Uint8Array.of(9))));
    expect(tensors.w).toEqual({ dtype: 'U8', shape: [1], data: Uint8Array.of(9) });
  });
});

describe('encode refuses invalid state dicts', () => {
  const good = (): StateTensor => ({ dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) });
  const cases: Array<[string, unknown, unknown, string, typeof SafetensorsError | typeof OptionError]> = [
    ['state dict not an object', null, undefined, 'the state dict must be an object of named tensors, got null', OptionError],
    ['reserved name', { __metadata__: good() }, undefined, 'tensor "__metadata__": the name "__metadata__" is reserved', SafetensorsError],
    ['unpaired surrogate in a name', { ['a\ud800']: good() }, undefined, 'unpaired UTF-16 surrogate', SafetensorsError],
    ['entry not a tensor', { w: 3 }, undefined, 'tensor "w": expected a tensor {dtype, shape, data}, got number 3', SafetensorsError],
    ['dtype keel does not write', { w: { ...good(), dtype: 'F16' } }, undefined, 'tensor "w": dtype must be one of F32, F64, I64, I32, U8, got "F16"', SafetensorsError],
    ['dtype from the prototype chain', { w: { ...good(), dtype: 'toString' } }, undefined, 'dtype must be one of', SafetensorsError],
    ['negative dimension', { w: { ...good(), shape: [-2] } }, undefined, 'tensor "w": shape must be an array of non-negative integers, got an array [-2]', SafetensorsError],
    ['fractional dimension', { w: { ...good(), shape: [0.5] } }, undefined, 'shape must be an array of non-negative integers', SafetensorsError],
    ['data of another type', { w: { ...good(), data: Float64Array.of(1, 2) } }, undefined, 'tensor "w": dtype F32 needs its data in a Float32Array, got Float64Array', SafetensorsError],
    ['I64 data as numbers', { w: { dtype: 'I64', shape: [1], data: [1] } }, undefined, 'dtype I64 needs its data in a BigInt64Array, got an array', SafetensorsError],
    ['length mismatch', { w: { ...good(), shape: [3] } }, undefined, 'tensor "w": data has 2 elements but shape (3) needs 3', SafetensorsError],
    ['metadata not an object', {}, 'x', 'metadata must be an object of strings, got "x"', OptionError],
    ['metadata value not a string', {}, { epoch: 3 }, 'metadata["epoch"] must be a string, got number 3', OptionError],
    ['metadata unpaired surrogate', {}, { a: '\udc00' }, 'metadata["a"] contains an unpaired UTF-16 surrogate', OptionError],
  ];
  it.each(cases)('%s', (_name, dict, meta, fragment, Class) => {
    let err: unknown;
    try {
      encodeSafetensors(dict as StateDict, meta as Record<string, string>);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(KeelError);
    expect((err as Error).message).toContain(fragment);
  });

  it('a Tensor or a typed array is not a state dict; an entry problem is a FormatError', () => {
    expect(() => encodeSafetensors(new Tensor(Float32Array.of(1), [1]) as never)).toThrow(new OptionError('encodeSafetensors: the state dict must be an object of named tensors, got a Tensor'));
    expect(() => encodeSafetensors(Float32Array.of(1) as never)).toThrow(OptionError);
    expect(() => encodeSafetensors({ w: 3 } as never)).toThrow(FormatError);
  });
});

describe('random corruption', () => {
  it('2000 seeded corruptions: each decodes to a consistent result or throws SafetensorsError', () => {
    const valid = encodeSafetensors(everyDtype(), { format: 'pt', epoch: '3' });
    const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
    const rand = prng(20240611);
    const int = (n: number) => Math.floor(rand() * n);
    const outcomes = { decoded: 0, rejected: 0 };
    const messages = new Set<string>();
    for (let iter = 0; iter < 2000; iter++) {
      let bytes = valid.slice();
      const op = int(6);
      if (op === 0) {
        bytes = bytes.slice(0, int(bytes.length)); // truncate
      } else if (op === 1) {
        for (let k = 1 + int(4); k > 0; k--) bytes[int(bytes.length)] = int(256); // anywhere
      } else if (op === 2) {
        for (let k = 1 + int(3); k > 0; k--) bytes[8 + int(headerEnd - 8)] = int(256); // header bytes
      } else if (op === 3) {
        // Header JSON characters swapped for structurally interesting ones.
        const chars = ascii('{}[]",:0123456789-.e \\u');
        for (let k = 1 + int(3); k > 0; k--) bytes[8 + int(headerEnd - 8)] = chars[int(chars.length)]!;
      } else if (op === 4) {
        bytes[int(8)] = int(256); // the length prefix
      } else {
        const extra = new Uint8Array(1 + int(16)).map(() => int(256));
        const grown = new Uint8Array(bytes.length + extra.length);
        grown.set(bytes);
        grown.set(extra, bytes.length);
        bytes = grown;
      }
      let result;
      try {
        result = decodeSafetensors(bytes);
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw new Error(`iteration ${iter} (op ${op}): ${String(e)}`, { cause: e });
        messages.add(e.message.replace(/\d+/g, '#').slice(0, 60));
        outcomes.rejected++;
        continue;
      }
      outcomes.decoded++;
      for (const [name, t] of Object.entries(result.tensors)) {
        expect(t.data.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
        expect(t.data, name).toBeInstanceOf(DTYPE_ARRAYS[t.dtype]);
      }
      // Consistent: what decoded re-encodes and decodes to the same thing.
      const again = decodeSafetensors(encodeSafetensors(result.tensors, result.metadata));
      expectSameState(again.tensors, result.tensors);
      expect(again.metadata).toEqual(result.metadata);
    }
    expect(outcomes.rejected).toBeGreaterThan(500);
    expect(outcomes.decoded).toBeGreaterThan(50);
    expect(messages.size).toBeGreaterThan(10);
  });
});

describe('state dicts of modules', () => {
  it('a Tensor and an Int64Buffer are state tensors', () => {
    const t = new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]);
    const { tensors } = decodeSafetensors(encodeSafetensors({ t, n: new Int64Buffer([], BigInt64Array.of(3n)) }));
    const t2 = tensors.t as Tensor;
    expect(t2).toBeInstanceOf(Tensor); // F32 entries decode into Tensors that require no grad
    expect(t2.requiresGrad).toBe(false);
    expect({ dtype: t2.dtype, shape: t2.shape, data: t2.data }).toEqual({ dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
    expect(tensors.n).toEqual({ dtype: 'I64', shape: [], data: BigInt64Array.of(3n) });
    expect(bytesOf(tensors.t!.data).length).toBe(16);
  });
});
