/**
 * Property tests of the two binary parsers (fast-check): decodeSafetensors and decodeIdx give back
 * exactly what was encoded (dtype, shape, key order, every bit of the data), and on mutated bytes —
 * bit flips, overwritten and inserted bytes, truncations, lying length fields, random JSON headers —
 * they either decode something self-consistent or throw their typed error (SafetensorsError,
 * IdxError: FormatErrors, so KeelErrors) with a message; never another exception, a crash or a hang. Fixed seed (./runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIdx, IdxError, type IdxType } from '../../src/data/idx.js';
import { FormatError, KeelError } from '../../src/errors.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../src/io/safetensors.js';
import { DTYPE_ARRAYS, type DType, type StateData, type StateDict } from '../../src/io/state.js';
import { runs } from './runs.js';

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A shape of up to 3 dimensions (0 included) and at most 24 elements. */
const shapeArb = fc.array(fc.nat(4), { maxLength: 3 }).filter((s) => numel(s) <= 24);

// ---- mutations of a byte string --------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'u32be'; at: number; value: number } // a lying IDX dimension
  | { kind: 'u64le'; value: bigint }; // a lying safetensors header length

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('u32be' as const), at: fc.nat(), value: fc.oneof(fc.nat(40), fc.nat(0xffffffff)) }),
  fc.record({ kind: fc.constant('u64le' as const), value: fc.oneof(fc.bigInt(0n, 4096n), fc.bigInt(0n, (1n << 64n) - 1n)) }),
);

function mutate(src: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of mutations) {
    const at = 'at' in m && b.length ? m.at % b.length : 0;
    if (m.kind === 'flip' && b.length) b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === 'set' && b.length) b[at] = m.byte;
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else if (m.kind === 'u32be' && b.length >= 8) new DataView(b.buffer).setUint32(4 + 4 * (at % ((b.length - 4) >> 2)), m.value);
    else if (m.kind === 'u64le' && b.length >= 8) new DataView(b.buffer).setBigUint64(0, m.value, true);
  }
  return b;
}

/** How many mutated inputs decoded and how many were refused (both must happen, or the property is vacuous). */
const outcomes = { decoded: 0, refused: 0 };

/** Runs decode: returns what it decoded, or checks that it threw `ErrorClass` with a message. */
function decodeOrTypedError<T>(decode: () => T, ErrorClass: new (...args: never[]) => Error): T | undefined {
  try {
    const out = decode();
    outcomes.decoded++;
    return out;
  } catch (e) {
    if (!(e instanceof ErrorClass && e instanceof FormatError && e instanceof KeelError)) throw new Error(`expected a ${ErrorClass.name} (a FormatError) or a result, got ${String(e)}`, { cause: e });
    expect(e.message.length).toBeGreaterThan(10);
    outcomes.refused++;
    return undefined;
  }
}

/** Runs a property over mutated inputs and checks that some decoded and some were refused. */
function assertBothOutcomes<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, defaultRuns: number): void {
  outcomes.decoded = outcomes.refused = 0;
  fc.assert(property, runs(defaultRuns));
  expect(outcomes.decoded, 'inputs that decoded').toBeGreaterThan(0);
  expect(outcomes.refused, 'inputs refused').toBeGreaterThan(0);
}

// ---- safetensors -------------------------------------------------------------------------------------

const SIZES: Record<DType, number> = { F32: 4, F64: 8, I64: 8, I32: 4, U8: 1 };

/** One entry: any dtype keel writes, any bits (NaN payloads, -0, subnormals). */
const entryArb = fc
  .record({ dtype: fc.constantFrom<DType>('F32', 'F64', 'I64', 'I32', 'U8'), shape: shapeArb })
  .chain(({ dtype, shape }) =>
    fc.uint8Array({ minLength: numel(shape) * SIZES[dtype], maxLength: numel(shape) * SIZES[dtype] }).map((raw) => {
      const data = new DTYPE_ARRAYS[dtype](raw.slice().buffer) as StateData;
      return { dtype, shape, data };
    }),
  );

const nameArb = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => k !== '__metadata__');
const dictArb = fc.uniqueArray(fc.tuple(nameArb, entryArb), { maxLength: 5, selector: ([k]) => k }).map((entries) => {
  const dict: StateDict = {};
  for (const [k, v] of entries) dict[k] = v;
  return dict;
});
const metadataArb = fc.option(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), { maxKeys: 3, noNullPrototype: true }), { nil: undefined });

/** Every decoded entry is self-consistent: a known dtype, data of the shape's length. */
function expectConsistent(tensors: StateDict): void {
  for (const [k, t] of Object.entries(tensors)) {
    expect(Object.keys(DTYPE_ARRAYS), k).toContain(t.dtype);
    expect(t.data.length, k).toBe(numel(t.shape));
  }
}

describe('safetensors properties', () => {
  it('decode(encode(dict, metadata)) gives back the keys in order, dtypes, shapes and every bit', () => {
    fc.assert(
      fc.property(dictArb, metadataArb, (dict, metadata) => {
        const out = decodeSafetensors(encodeSafetensors(dict, metadata));
        expect(Object.keys(out.tensors)).toEqual(Object.keys(dict));
        for (const [k, want] of Object.entries(dict)) {
          const got = out.tensors[k]!;
          expect(got.dtype).toBe(want.dtype);
          expect([...got.shape]).toEqual(want.shape);
          expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data)), `${k} bits`).toBe(0);
        }
        expect(out.metadata).toEqual(metadata ?? {});
      }),
      runs(150),
    );
  });

  it('mutated files decode consistently or throw SafetensorsError', () => {
    assertBothOutcomes(
      fc.property(dictArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (dict, mutations) => {
        const bytes = mutate(encodeSafetensors(dict, { format: 'pt' }), mutations);
        const out = decodeOrTypedError(() => decodeSafetensors(bytes), SafetensorsError);
        if (out) expectConsistent(out.tensors);
      }),
      1500,
    );
  });

  it('random JSON headers (valid length, any structure) decode consistently or throw SafetensorsError', () => {
    // Entries that look like safetensors entries with random fields, or any JSON value at all.
    const fieldArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('F32', 'U8', 'F16', 'BF16', 'BOOL'), fc.array(fc.nat(12), { maxLength: 3 }));
    const entryLike = fc.record({ dtype: fieldArb, shape: fieldArb, data_offsets: fieldArb }, { requiredKeys: [] });
    const headerArb = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(entryLike, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 4 }).map((o) => JSON.stringify(o)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    assertBothOutcomes(
      fc.property(headerArb, fc.uint8Array({ maxLength: 64 }), (header, region) => {
        const h = new TextEncoder().encode(header);
        const bytes = new Uint8Array(8 + h.length + region.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
        bytes.set(h, 8);
        bytes.set(region, 8 + h.length);
        const out = decodeOrTypedError(() => decodeSafetensors(bytes), SafetensorsError);
        if (out) expectConsistent(out.tensors);
      }),
      1500,
    );
  });
});

// ---- IDX -------------------------------------------------------------------------------------------------

const IDX: Record<IdxType, { code: number; size: number; Array: { new (n: number): IdxTyped } }> = {
  uint8: { code: 0x08, size: 1, Array: Uint8Array },
  int8: { code: 0x09, size: 1, Array: Int8Array },
  int16: { code: 0x0b, size: 2, Array: Int16Array },
  int32: { code: 0x0c, size: 4, Array: Int32Array },
  float32: { code: 0x0d, size: 4, Array: Float32Array },
  float64: { code: 0x0e, size: 8, Array: Float64Array },
};
type IdxTyped = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An IDX file from the spec: 00 00 type ndim, big-endian u32 dims, then the raw big-endian elements. */
function encodeIdx(type: IdxType, shape: number[], raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + raw.length);
  out.set([0, 0, IDX[type].code, shape.length]);
  shape.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d));
  out.set(raw, 4 + 4 * shape.length);
  return out;
}

/** The host-order element array of big-endian raw bytes (every bit kept, NaN payloads included). */
function fromBigEndian(type: IdxType, raw: Uint8Array): IdxTyped {
  const { size, Array: A } = IDX[type];
  const le = raw.slice();
  for (let i = 0; i < le.length; i += size) le.subarray(i, i + size).reverse();
  const a = new A(raw.length / size);
  bytesOf(a).set(le);
  return a;
}

const idxArb = fc
  .record({ type: fc.constantFrom<IdxType>('uint8', 'int8', 'int16', 'int32', 'float32', 'float64'), shape: shapeArb.filter((s) => s.length > 0) })
  .chain(({ type, shape }) =>
    fc
      .uint8Array({ minLength: numel(shape) * IDX[type].size, maxLength: numel(shape) * IDX[type].size })
      .map((raw) => ({ type, shape, raw })),
  );

describe('IDX properties', () => {
  // Found by the round-trip property: decodeIdx used to read float32 elements through a JS number, which
  // quieted signaling NaNs in V8's unoptimised code only. It runs first, while decodeIdx is still cold.
  it('decodeIdx keeps the bits of a float32 signaling NaN', () => {
    const got = decodeIdx(encodeIdx('float32', [1], Uint8Array.from([0x7f, 0x80, 0x00, 0x01])));
    expect(new Uint32Array(got.data.buffer)[0]!.toString(16)).toBe('7f800001');
  });

  it('decodeIdx(encode(type, shape, data)) gives back the type, shape and every bit', () => {
    fc.assert(
      fc.property(idxArb, ({ type, shape, raw }) => {
        const got = decodeIdx(encodeIdx(type, shape, raw));
        expect(got.type).toBe(type);
        expect(got.shape).toEqual(shape);
        expect(Buffer.compare(bytesOf(got.data), bytesOf(fromBigEndian(type, raw)))).toBe(0);
      }),
      runs(150),
    );
  });

  it('mutated files decode consistently or throw IdxError', () => {
    assertBothOutcomes(
      fc.property(idxArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), ({ type, shape, raw }, mutations) => {
        const bytes = mutate(encodeIdx(type, shape, raw), mutations);
        const out = decodeOrTypedError(() => decodeIdx(bytes), IdxError);
        if (out) {
          expect(out.data.length).toBe(numel(out.shape));
          expect(4 + 4 * out.shape.length + out.data.length * out.data.BYTES_PER_ELEMENT).toBe(bytes.length);
        }
      }),
      1500,
    );
  });
});
