/**
 * The safetensors format, encoded and decoded in memory (no file system; see ./save.ts for files).
 *
 * Layout (https://github.com/huggingface/safetensors, the format PyTorch users save weights in):
 *
 *     [8 bytes]  N, the header length, an unsigned 64-bit little-endian integer
 *     [N bytes]  the header: UTF-8 JSON, padded with spaces to a multiple of 8
 *                {"__metadata__": {"key": "value", ...},
 *                 "<tensor name>": {"dtype": "F32", "shape": [4, 3], "data_offsets": [begin, end]}, ...}
 *     [rest]     the data region: every tensor's elements, row-major and little-endian, at
 *                [begin, end) relative to the start of this region
 *
 * encodeSafetensors writes the tensors contiguously in the state dict's key order (PyTorch's module
 * order, which load then gives back), "__metadata__" first, with the header in compact JSON padded
 * with spaces as the reference writer does. decodeSafetensors accepts any order of the tensors in the
 * header and in the data region but checks everything else strictly; every problem is a
 * SafetensorsError whose message names the tensor or field, what was expected and what was found:
 * header length beyond the file or above the cap (100 MB, the reference implementation's), invalid
 * UTF-8 or JSON, duplicate keys (JSON.parse would silently keep the last one), entries that are not
 * objects, missing or extra fields, unknown or unsupported dtypes, shapes and offsets that are not
 * non-negative integers below 2^53, byte lengths that differ from numel × dtype size (computed
 * without overflow), offsets past the data region, tensors that overlap or leave gaps, trailing
 * bytes, and a __metadata__ that is not a map of strings to strings.
 *
 * Dtypes: F32, F64, I64, I32 and U8 round-trip as themselves. F16 and BF16 tensors (PyTorch's half
 * and bfloat16) decode into F32, which holds every one of their values exactly (NaN payloads too);
 * keel writes no half-precision types. Other safetensors dtypes (BOOL, I8, I16, U16, U32, U64,
 * float8, ...) are refused with a message saying so.
 *
 * F32 entries (and the widened F16/BF16 ones) decode into Tensors (requiresGrad false), so they can be
 * passed to modules and ops as they are; F64, I64, I32 and U8 entries are plain {dtype, shape, data}.
 * Decoded tensors own fresh, aligned typed arrays (copies, never views into the input bytes). Bytes
 * are little-endian on any host: on a big-endian host every element is byte-swapped on the way in
 * and out.
 */
import { FormatError, OptionError, registerErrorClass } from '../errors.js';
import { checkOptions } from '../functional/validate.js';
import { isDetached } from '../data/validate.js';
import { aClass } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { DTYPE_ARRAYS, type DType, type StateData, type LoadedEntry, type LoadedStateDict, type StateDict, type StateTensor, stateEntry } from './state.js';

/**
 * Every problem with a safetensors file or with what is being encoded into one: a FormatError whose
 * name is 'SafetensorsError' (also after a trip through a worker thread).
 */
export class SafetensorsError extends FormatError {}
registerErrorClass(SafetensorsError);

/** The largest header decodeSafetensors accepts by default (the reference implementation's limit). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Options of decodeSafetensors (and load / loadSync). */
export interface DecodeOptions {
  /** Largest header accepted, in bytes. Default SAFETENSORS_MAX_HEADER_BYTES (100 MB). */
  maxHeaderBytes?: number;
}

/** What a safetensors file holds: tensors in header order, and the string metadata. */
export interface SafetensorsContents {
  /** The tensors by name, in the header's order (F32 entries are Tensors: narrow on dtype). */
  tensors: LoadedStateDict;
  /** The header's `__metadata__` string map ({} when absent). */
  metadata: Record<string, string>;
}

/** Bytes per element of the dtypes keel reads and writes. */
export const DTYPE_SIZES: Readonly<Record<DType, number>> = { F32: 4, F64: 8, I64: 8, I32: 4, U8: 1 };

/** Dtypes the decoder reads: keel's own, plus the half-precision ones it widens to F32. */
const READ_SIZES: Readonly<Record<string, number>> = { ...DTYPE_SIZES, F16: 2, BF16: 2 };

/** Dtypes of the safetensors format that keel does not read (named so the error can say so). */
const OTHER_FORMAT_DTYPES = new Set([
  'BOOL', 'I8', 'I16', 'U16', 'U32', 'U64', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64',
]);

const SUPPORTED = 'F32, F64, I64, I32, U8, and F16/BF16 (read as F32)';
const MAX_JSON_DEPTH = 64;

/** True on little-endian hosts (every platform Node ships for but s390x / ppc64 big-endian). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// -------------------------------------------------------------------------------------------------
// Byte order
// -------------------------------------------------------------------------------------------------

/**
 * Copies elements of `size` bytes from src to dst at dstOffset, reversing the bytes of each element
 * when `swap` is set (native big-endian ↔ file little-endian). @internal (exported for tests)
 */
export function copyElements(src: Uint8Array, dst: Uint8Array, dstOffset: number, size: number, swap: boolean): void {
  if (!swap || size === 1) {
    dst.set(src, dstOffset);
    return;
  }
  for (let i = 0; i < src.length; i += size) {
    for (let j = 0; j < size; j++) dst[dstOffset + i + j] = src[i + size - 1 - j]!;
  }
}

function bytesOf(data: StateData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

// -------------------------------------------------------------------------------------------------
// Encoding
// -------------------------------------------------------------------------------------------------

/** A string JSON can carry and UTF-8 can encode (no unpaired UTF-16 surrogate). */
function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}


export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') {
    const ctor = (v as { constructor?: { name?: string } }).constructor;
    return ctor && ctor !== Object && ctor.name ? aClass(ctor.name) : 'an object';
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

function isShape(shape: unknown): shape is readonly number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function bigNumel(shape: readonly number[]): bigint {
  let n = 1n;
  for (const d of shape) n *= BigInt(d);
  return n;
}

const fmtShape = (shape: readonly (number | bigint | string)[]): string => `(${shape.join(', ')})`;

/**
 * Encodes a state dict (and optional string metadata) as a safetensors file. Tensors are laid out
 * contiguously in key order; keys are the tensor names ("__metadata__" is reserved). Throws a
 * SafetensorsError naming the entry if a value is not a valid StateTensor (a dtype keel writes, a
 * shape of non-negative integers, data of that dtype's typed array with numel(shape) elements), and
 * an OptionError if the state dict is not an object of entries or the metadata not one of strings.
 * Given `into` with room for the file, it is written there and the result is a view of it.
 */
export function encodeSafetensors(dict: StateDict, metadata?: Record<string, string>, into?: Uint8Array): Uint8Array {
  const where = 'encodeSafetensors';
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict instanceof Tensor || ArrayBuffer.isView(dict)) {
    throw new OptionError(`${where}: the state dict must be an object of named tensors, got ${describeValue(dict)}`);
  }
  if (typeof (dict as { stateDict?: unknown }).stateDict === 'function') {
    throw new OptionError(`${where}: the state dict must be an object of named tensors, got ${describeValue(dict)} (a module): pass model.stateDict()`);
  }
  const parts: string[] = [];
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new OptionError(`${where}: metadata must be an object of strings, got ${describeValue(metadata)}`);
    }
    const fields: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new OptionError(`${where}: metadata[${JSON.stringify(k)}] must be a string, got ${describeValue(v)}`);
      if (!wellFormed(k) || !wellFormed(v)) throw new OptionError(`${where}: metadata[${JSON.stringify(k)}] contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode`);
      fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    if (fields.length) parts.push(`"__metadata__":{${fields.join(',')}}`);
  }

  const entries: Array<{ bytes: Uint8Array; size: number }> = [];
  let offset = 0;
  for (const [name, t] of Object.entries(dict)) {
    const what = `${where}: tensor ${JSON.stringify(name)}`;
    if (name === '__metadata__') throw new SafetensorsError(`${what}: the name "__metadata__" is reserved for the file's metadata`);
    if (!wellFormed(name)) throw new SafetensorsError(`${what}: the name contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode`);
    if (typeof t !== 'object' || t === null) throw new SafetensorsError(`${what}: expected a tensor {dtype, shape, data}, got ${describeValue(t)}`);
    const dtype = (t as StateTensor).dtype as unknown;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SIZES, dtype)) {
      throw new SafetensorsError(`${what}: dtype must be one of F32, F64, I64, I32, U8, got ${describeValue(dtype)}`);
    }
    const dt = dtype as DType;
    const shape = (t as StateTensor).shape as unknown;
    if (!isShape(shape)) throw new SafetensorsError(`${what}: shape must be an array of non-negative integers, got ${describeValue(shape)}${Array.isArray(shape) ? ` ${JSON.stringify(shape)}` : ''}`);
    const data = (t as StateTensor).data as unknown;
    const Ctor = DTYPE_ARRAYS[dt];
    if (!(data instanceof Ctor)) throw new SafetensorsError(`${what}: dtype ${dt} needs its data in a ${Ctor.name}, got ${describeValue(data)}`);
    const n = bigNumel(shape);
    if (BigInt(data.length) !== n) {
      throw new SafetensorsError(`${what}: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${n}`);
    }
    const size = DTYPE_SIZES[dt];
    const end = offset + data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dt}","shape":[${shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    entries.push({ bytes: bytesOf(data), size });
    offset = end;
  }

  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new SafetensorsError(`${where}: the header would be ${headerLength} bytes, above the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit readers accept`);
  }
  const total = 8 + headerLength + offset;
  let out: Uint8Array;
  try {
    // A caller that encodes again and again (BackupAndRestore) passes its last buffer: written over, no fresh pages.
    out = into && into.length >= total ? into.subarray(0, total) : new Uint8Array(total);
  } catch (e) {
    throw new SafetensorsError(`${where}: cannot allocate ${total} bytes for the file`, { cause: e });
  }
  new DataView(out.buffer, out.byteOffset).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const { bytes, size } of entries) {
    copyElements(bytes, out, pos, size, !LITTLE_ENDIAN_HOST);
    pos += bytes.length;
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Header JSON: a strict parser that keeps key order, reports duplicate keys and bounds nesting.
// -------------------------------------------------------------------------------------------------

type Json =
  | { kind: 'object'; entries: Map<string, Json> }
  | { kind: 'array'; items: Json[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: 'true' | 'false' | 'null' };

function kindName(v: Json): string {
  switch (v.kind) {
    case 'object': return 'an object';
    case 'array': return 'an array';
    case 'string': return `the string ${JSON.stringify(v.value.length > 40 ? `${v.value.slice(0, 40)}…` : v.value)}`;
    case 'number': return `the number ${v.text.length > 40 ? `${v.text.slice(0, 40)}…` : v.text}`;
    case 'literal': return v.text;
  }
}

class HeaderParser {
  private pos = 0;

  constructor(private readonly s: string) {}

  parse(): Json {
    this.ws();
    const v = this.value(0, []);
    this.ws();
    if (this.pos < this.s.length) this.fail(`unexpected ${this.here()} after the end of the JSON value`);
    return v;
  }

  private fail(msg: string): never {
    throw new SafetensorsError(`safetensors header is not valid JSON: ${msg} (at character ${this.pos} of ${this.s.length})`);
  }

  private here(): string {
    if (this.pos >= this.s.length) return 'end of header';
    const c = this.s.codePointAt(this.pos)!;
    return c < 0x20 || c === 0x7f ? `control character U+${c.toString(16).padStart(4, '0').toUpperCase()}` : `character ${JSON.stringify(String.fromCodePoint(c))}`;
  }

  private ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(depth: number, path: string[]): Json {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    const c = this.s.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth, path);
    if (c === 0x5b) return this.array(depth, path);
    if (c === 0x22) return { kind: 'string', value: this.string() };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const text of ['true', 'false', 'null'] as const) {
      if (this.s.startsWith(text, this.pos)) {
        this.pos += text.length;
        return { kind: 'literal', text };
      }
    }
    return this.fail(`expected a value, found ${this.here()}`);
  }

  private object(depth: number, path: string[]): Json {
    this.pos++; // {
    const entries = new Map<string, Json>();
    this.ws();
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 0x22) this.fail(`expected a string key, found ${this.here()}`);
      const keyAt = this.pos;
      const key = this.string();
      if (entries.has(key)) {
        this.pos = keyAt;
        const inside = path.length === 0 ? 'at the top level (tensor names must be unique)' : `inside ${path.map((p) => JSON.stringify(p)).join(' → ')}`;
        this.fail(`duplicate key ${JSON.stringify(key)} ${inside}`);
      }
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 0x3a) this.fail(`expected ":" after key ${JSON.stringify(key)}, found ${this.here()}`);
      this.pos++;
      this.ws();
      entries.set(key, this.value(depth + 1, [...path, key]));
      this.ws();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) return { kind: 'object', entries };
      this.pos--;
      this.fail(`expected "," or "}" in an object, found ${this.here()}`);
    }
  }

  private array(depth: number, path: string[]): Json {
    this.pos++; // [
    const items: Json[] = [];
    this.ws();
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.ws();
      items.push(this.value(depth + 1, path));
      this.ws();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return { kind: 'array', items };
      this.pos--;
      this.fail(`expected "," or "]" in an array, found ${this.here()}`);
    }
  }

  private number(): Json {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.pos;
    const r = m.exec(this.s);
    if (!r) this.fail(`malformed number`);
    this.pos += r[0].length;
    const next = this.s.charCodeAt(this.pos);
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) this.fail('malformed number');
    return { kind: 'number', text: r[0] };
  }

  private string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail(`unescaped ${this.here()} in a string`);
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(start, this.pos);
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hi = this.hex4();
          if (hi >= 0xdc00 && hi <= 0xdfff) this.fail('unpaired low surrogate escape in a string');
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (s[this.pos] !== '\\' || s[this.pos + 1] !== 'u') this.fail('unpaired high surrogate escape in a string');
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('unpaired high surrogate escape in a string');
            out += String.fromCharCode(hi, lo);
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          this.pos -= 1;
          this.fail(`invalid escape "\\${e ?? ''}" in a string`);
      }
      start = this.pos;
    }
  }

  private hex4(): number {
    const h = this.s.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail(`invalid \\u escape "\\u${h}"`);
    this.pos += 4;
    return parseInt(h, 16);
  }
}

// -------------------------------------------------------------------------------------------------
// Decoding
// -------------------------------------------------------------------------------------------------

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Defines an own property even for names such as "__proto__". */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A non-negative integer below 2^53, written as plain digits (what the reference accepts as usize). */
function indexValue(v: Json | undefined): number | null {
  if (v?.kind !== 'number' || !/^(?:0|[1-9][0-9]*)$/.test(v.text)) return null;
  const n = Number(v.text);
  return Number.isSafeInteger(n) ? n : null;
}

function parseEntry(name: string, v: Json): Entry {
  const what = `tensor ${JSON.stringify(name)}`;
  if (v.kind !== 'object') {
    throw new SafetensorsError(`${what}: the header entry must be an object {dtype, shape, data_offsets}, got ${kindName(v)}`);
  }
  for (const field of v.entries.keys()) {
    if (field !== 'dtype' && field !== 'shape' && field !== 'data_offsets') {
      throw new SafetensorsError(`${what}: unexpected field ${JSON.stringify(field)} (expected only dtype, shape, data_offsets)`);
    }
  }
  const dtypeV = v.entries.get('dtype');
  const shapeV = v.entries.get('shape');
  const offV = v.entries.get('data_offsets');
  if (!dtypeV) throw new SafetensorsError(`${what}: missing field "dtype"`);
  if (!shapeV) throw new SafetensorsError(`${what}: missing field "shape"`);
  if (!offV) throw new SafetensorsError(`${what}: missing field "data_offsets"`);

  if (dtypeV.kind !== 'string') throw new SafetensorsError(`${what}: dtype must be a string, got ${kindName(dtypeV)}`);
  const dtype = dtypeV.value;
  if (!Object.hasOwn(READ_SIZES, dtype)) {
    const kind = OTHER_FORMAT_DTYPES.has(dtype) ? 'is not supported by keel' : 'is not a safetensors dtype';
    throw new SafetensorsError(`${what}: dtype ${JSON.stringify(dtype)} ${kind} (supported: ${SUPPORTED})`);
  }

  if (shapeV.kind !== 'array') throw new SafetensorsError(`${what}: shape must be an array of non-negative integers, got ${kindName(shapeV)}`);
  const shape: number[] = [];
  shapeV.items.forEach((d, i) => {
    const n = indexValue(d);
    if (n === null) throw new SafetensorsError(`${what}: shape[${i}] must be a non-negative integer below 2^53, got ${kindName(d)}`);
    shape.push(n);
  });

  if (offV.kind !== 'array' || offV.items.length !== 2) {
    const got = offV.kind === 'array' ? `an array of ${offV.items.length} values` : kindName(offV);
    throw new SafetensorsError(`${what}: data_offsets must be [begin, end], two non-negative integers, got ${got}`);
  }
  const [b, e] = offV.items.map(indexValue);
  offV.items.forEach((x, i) => {
    if (indexValue(x) === null) {
      throw new SafetensorsError(`${what}: data_offsets[${i}] must be a non-negative integer below 2^53, got ${kindName(x)}`);
    }
  });
  const begin = b!, end = e!;
  if (begin > end) throw new SafetensorsError(`${what}: data_offsets [${begin}, ${end}]: begin is after end`);

  const need = bigNumel(shape) * BigInt(READ_SIZES[dtype]!);
  if (BigInt(end - begin) !== need) {
    throw new SafetensorsError(
      `${what}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but dtype ${dtype} with shape ${fmtShape(shape)} needs ${need} bytes`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** Checks that the tensors cover [0, dataLength) exactly: in range, no overlap, no gap, nothing after. */
function checkLayout(entries: Entry[], dataLength: number): void {
  for (const t of entries) {
    if (t.end > dataLength) {
      throw new SafetensorsError(
        `tensor ${JSON.stringify(t.name)}: data_offsets [${t.begin}, ${t.end}] extend beyond the data region, which is ${dataLength} bytes`,
      );
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: Entry | null = null;
  for (const t of sorted) {
    if (t.begin < cursor) {
      throw new SafetensorsError(
        `tensors ${JSON.stringify(prev!.name)} [${prev!.begin}, ${prev!.end}] and ${JSON.stringify(t.name)} [${t.begin}, ${t.end}] overlap`,
      );
    }
    if (t.begin > cursor) {
      const after = prev ? `after tensor ${JSON.stringify(prev.name)}` : 'at the start of the data region';
      throw new SafetensorsError(
        `gap in the data region: bytes [${cursor}, ${t.begin}) ${after} belong to no tensor (next is ${JSON.stringify(t.name)} at ${t.begin})`,
      );
    }
    cursor = t.end;
    if (t.end > t.begin || !prev) prev = t;
  }
  if (cursor < dataLength) {
    throw new SafetensorsError(
      `${dataLength - cursor} trailing bytes after the last tensor: the tensors cover ${cursor} bytes of a ${dataLength}-byte data region`,
    );
  }
}

function halfToFloat(src: Uint8Array, bfloat: boolean): Float32Array {
  const n = src.length / 2;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const h = src[2 * i]! | (src[2 * i + 1]! << 8); // little-endian in the file, on any host
    if (bfloat) {
      bits[i] = h << 16 >>> 0;
      continue;
    }
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) bits[i] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN, payload kept
    else if (exp !== 0) bits[i] = (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
    else out[i] = (sign ? -1 : 1) * mant * 2 ** -24; // zero or subnormal: exact in float32
  }
  return out;
}

function decodeData(dtype: string, src: Uint8Array): { dtype: DType; data: StateData } {
  if (dtype === 'F16' || dtype === 'BF16') return { dtype: 'F32', data: halfToFloat(src, dtype === 'BF16') };
  const dt = dtype as DType;
  const size = DTYPE_SIZES[dt];
  const data = new DTYPE_ARRAYS[dt](src.length / size);
  copyElements(src, bytesOf(data), 0, size, !LITTLE_ENDIAN_HOST);
  return { dtype: dt, data };
}

/**
 * Decodes a safetensors file. Returns the tensors in header order (F16/BF16 widened to F32) with
 * their own aligned typed arrays — F32 ones as Tensors, the others as plain entries — and the
 * __metadata__ strings ({} if absent). Throws a
 * SafetensorsError on any malformation (see the module comment); never returns partial results.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) {
    throw new OptionError(`decodeSafetensors: bytes must be a Uint8Array (or Buffer), got ${describeValue(bytes)}`);
  }
  if (isDetached(bytes.buffer)) {
    throw new OptionError('decodeSafetensors: bytes must be readable, got a Uint8Array on a detached ArrayBuffer (transferred to another thread?)');
  }
  const maxHeader = checkOptions('decodeSafetensors', options, ['maxHeaderBytes']).maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeader) || maxHeader < 0) {
    throw new OptionError(`decodeSafetensors: maxHeaderBytes must be a non-negative integer, got ${String(maxHeader)}`);
  }
  if (bytes.length < 8) {
    throw new SafetensorsError(`safetensors file is ${bytes.length} bytes, too short for the 8-byte header length`);
  }
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(maxHeader)) {
    const beyond = n64 > BigInt(bytes.length - 8) ? ` and the file (${bytes.length} bytes): not a safetensors file, or a truncated one` : '';
    throw new SafetensorsError(`safetensors header length ${n64} exceeds the limit of ${maxHeader} bytes${beyond}`);
  }
  const n = Number(n64);
  if (8 + n > bytes.length) {
    throw new SafetensorsError(`safetensors header length ${n} extends beyond the end of the file: 8 + ${n} bytes needed, the file has ${bytes.length}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch (e) {
    throw new SafetensorsError(`safetensors header is not valid UTF-8`, { cause: e });
  }
  const root = new HeaderParser(text).parse();
  if (root.kind !== 'object') throw new SafetensorsError(`safetensors header must be a JSON object, got ${kindName(root)}`);

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [key, v] of root.entries) {
    if (key !== '__metadata__') {
      entries.push(parseEntry(key, v));
      continue;
    }
    if (v.kind !== 'object') throw new SafetensorsError(`__metadata__ must be an object of strings, got ${kindName(v)}`);
    for (const [mk, mv] of v.entries) {
      if (mv.kind !== 'string') throw new SafetensorsError(`__metadata__[${JSON.stringify(mk)}] must be a string, got ${kindName(mv)}`);
      setOwn(metadata, mk, mv.value);
    }
  }
  const base = 8 + n;
  checkLayout(entries, bytes.length - base);

  const tensors: LoadedStateDict = {};
  for (const t of entries) {
    const { dtype, data } = decodeData(t.dtype, bytes.subarray(base + t.begin, base + t.end));
    // F32 (and F16/BF16, widened) decode to a Float32Array, so stateEntry makes each F32 entry a Tensor.
    setOwn<LoadedEntry>(tensors, t.name, stateEntry(dtype, t.shape, data) as LoadedEntry);
  }
  return { tensors, metadata };
}
