// The protobuf encoder against known byte sequences from the encoding spec
// (https://protobuf.dev/programming-guides/encoding/): varints (150 → 96 01, negative int64 as ten
// bytes), keys, length-delimited strings and messages, fixed32 floats, packed repeated fields.
import { describe, expect, test } from 'vitest';
import { ProtoWriter } from '../../src/onnx/protobuf.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtoWriter', () => {
  test('varint fields', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601'); // the spec's example
    expect(hex(new ProtoWriter().int(1, 0).int(2, 1).finish())).toBe('08001001');
    expect(hex(new ProtoWriter().int(3, -1).finish())).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int(1, 2n ** 40n).finish())).toBe('08808080808020') // 2^40: five 7-bit zero groups, then 1 << 5;
    expect(hex(new ProtoWriter().int(20, 7).finish())).toBe('a00107'); // field 20: two-byte key
  });

  test('length-delimited fields', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67'); // the spec's example
    const inner = new ProtoWriter().int(1, 150).finish();
    expect(hex(new ProtoWriter().bytesField(3, inner).finish())).toBe('1a03089601');
    expect(hex(new ProtoWriter().string(1, 'é').finish())).toBe('0a02c3a9'); // UTF-8
  });

  test('fixed32 and packed fields', () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705'); // the spec's example
    expect(hex(new ProtoWriter().packedInts(1, []).finish())).toBe('0a00');
    expect(hex(new ProtoWriter().packedFloats(1, [1, -2]).finish())).toBe('0a080000803f000000c0');
  });
});
