/**
 * A small protocol-buffers encoder: just the wire format ONNX files need, written from the
 * encoding spec (https://protobuf.dev/programming-guides/encoding/). A message is a sequence of
 * fields, each a key `(field_number << 3) | wire_type` as a varint followed by the value:
 * wire type 0 = varint (int32/int64/enum; negative numbers as their 64-bit two's complement, ten
 * bytes), 2 = length-delimited (string, bytes, nested message, packed repeated scalars), 5 = fixed32
 * (float, little-endian). Nothing here decodes; fields are written in the order the caller adds them.
 */

const VARINT = 0, LENGTH_DELIMITED = 2, FIXED32 = 5;
const utf8 = new TextEncoder();

/** Builds one message. Field values are appended as they are added; finish() returns the bytes. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private bytes: number[] = [];

  private flush(): void {
    if (this.bytes.length) this.chunks.push(Uint8Array.from(this.bytes));
    this.bytes = [];
  }

  /**
   * Base-128 varint, least significant group first, high bit set on every byte but the last.
   * Negative integers are encoded as uint64 two's complement (2^64 + v), as protobuf does for int64.
   */
  private varint(value: number | bigint): void {
    let v = typeof value === 'bigint' ? value : BigInt(value);
    if (v < 0n) v += 1n << 64n;
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** int32, int64 or enum field (wire type 0). */
  int(field: number, value: number | bigint): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  /** float field (wire type 5: four bytes, IEEE 754 little-endian). */
  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytes.push(...b);
    return this;
  }

  /** bytes or embedded message field (wire type 2: varint length, then the bytes). */
  bytesField(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.flush();
    this.chunks.push(value);
    return this;
  }

  /** string field: its UTF-8 bytes, length-delimited. */
  string(field: number, value: string): this {
    return this.bytesField(field, utf8.encode(value));
  }

  /** Packed repeated int64 (proto3's default for repeated scalars): one length-delimited run of varints. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }

  /** Packed repeated float: one length-delimited run of fixed32 little-endian values. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(4 * values.length), view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytesField(field, b);
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
