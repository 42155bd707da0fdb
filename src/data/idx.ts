/**
 * readIdx: arrays stored in the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed, as
 * a float32 Tensor (readIdx) or as their exact typed values (readIdxArray).
 *
 * The format: bytes 0–1 are zero, byte 2 is the element type (0x08 uint8, 0x09 int8, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64), byte 3 the number of dimensions ndim ≥ 1; then ndim
 * big-endian uint32 sizes; then the elements, big-endian, row-major. So a file is exactly
 *   4 + 4·ndim + (d_1 · … · d_ndim) · elementSize  bytes,
 * and anything else — truncated, over-long, a wrong magic number, an unknown type, more than 16
 * dimensions, more elements than a Tensor can hold or more bytes than one Buffer — is an IdxError
 * naming the file and, for a size mismatch, the expected and actual byte counts. Gzip is recognised by
 * its magic bytes 1f 8b, not by the name; the header is checked as soon as its bytes are decompressed,
 * and decompression streams and stops as soon as the output passes what the header declares, so memory
 * follows the real data, never the declared sizes, and a corrupt stream is an IdxError too.
 */
import { constants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { FormatError, OptionError, registerErrorClass, StorageError } from '../errors.js';
import { checkOptions } from '../functional/validate.js';
import { formatShape, MAX_ELEMENTS, numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, isDetached } from './validate.js';

/**
 * What is wrong with an IDX file (a FormatError; its name is 'IdxError'); `reason` is the message
 * without its "file: " prefix.
 */
export class IdxError extends FormatError {
  constructor(
    /** The path read. */
    readonly file: string,
    /** What is wrong, without the file prefix. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
registerErrorClass(IdxError);

/** The element types an IDX file can hold (the type byte 0x08–0x0E). */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** An IDX array with its values exactly as stored. */
export interface IdxArray {
  /** The dimensions from the header, e.g. [60000, 28, 28]. */
  readonly shape: number[];
  /** The stored element type. */
  readonly type: IdxType;
  /** The elements in row-major order, in the typed array of `type` (big-endian values converted). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Options of readIdx when it returns a Tensor. */
export interface IdxOptions {
  /** Every element is multiplied by this, e.g. 1 / 255 for pixels in [0, 1]. Default 1. */
  scale?: number;
}

/** Element types by their code in byte 2: name and size in bytes. */
const TYPES = new Map<number, { type: IdxType; size: number }>([
  [0x08, { type: 'uint8', size: 1 }],
  [0x09, { type: 'int8', size: 1 }],
  [0x0b, { type: 'int16', size: 2 }],
  [0x0c, { type: 'int32', size: 4 }],
  [0x0d, { type: 'float32', size: 4 }],
  [0x0e, { type: 'float64', size: 8 }],
]);

/**
 * The most dimensions a header may declare. Real IDX arrays have 1 to 4 (MNIST images: 3); byte 3 of
 * anything else read as IDX is most likely not a dimension count at all, and the cap keeps every
 * message that prints the shape short (a 255-dimension header once printed 255 sizes).
 */
const MAX_NDIM = 16;

interface Header {
  readonly type: IdxType;
  readonly size: number;
  readonly shape: number[];
  /** Bytes of the header: 4 + 4·ndim. */
  readonly offset: number;
  /** Bytes the whole file must have. */
  readonly total: number;
}

/** The header at the start of `bytes`, or undefined when `bytes` is too short to hold it all. */
function readHeader(file: string, bytes: Uint8Array): Header | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (gzip data: read the file with readIdx/readIdxArray, or gunzip it first)' : '';
    throw new IdxError(file, `not an IDX file: it starts with ${hex}, expected 00 00 <type> <ndim>${gzip}`);
  }
  const code = bytes[2]!;
  const t = TYPES.get(code);
  if (!t) throw new IdxError(file, `unsupported IDX element type 0x${code.toString(16).padStart(2, '0')} (supported: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)`);
  const ndim = bytes[3]!;
  if (ndim === 0) throw new IdxError(file, 'IDX header declares 0 dimensions, expected at least 1');
  if (ndim > MAX_NDIM) throw new IdxError(file, `IDX header declares ${ndim} dimensions, more than the ${MAX_NDIM} accepted`);
  const offset = 4 + 4 * ndim;
  if (bytes.length < offset) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, offset);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const h = { type: t.type, size: t.size, shape, offset, total: offset + numel(shape) * t.size };
  checkDeclaredSize(file, h);
  return h;
}

/**
 * Refuses, from the header alone, an array that could never be read: more elements than a Tensor can
 * hold (readIdx makes one, and no engine limit is looser), or a file larger than one Buffer (gzip data
 * is decompressed into one). So a small gzip file declaring billions of elements fails before its body
 * is decompressed, instead of after gigabytes of inflating and copying. The product of at most 16
 * uint32 sizes stays finite in a double (< 2^512), and exact wherever it is near the limits.
 */
function checkDeclaredSize(file: string, h: Header): void {
  const count = numel(h.shape);
  const declared = `IDX header declares shape ${formatShape(h.shape)} ${h.type}`;
  if (count > MAX_ELEMENTS) throw new IdxError(file, `${declared}: ${count} elements, too large for a tensor (at most ${MAX_ELEMENTS})`);
  if (h.total > constants.MAX_LENGTH) throw new IdxError(file, `${declared}: ${h.total} bytes, too large for one Buffer (at most ${constants.MAX_LENGTH})`);
}

/** "16-byte header + 60000 × 28 × 28 uint8", for size messages. */
function layoutText(h: Header): string {
  return `${h.offset}-byte header + ${h.shape.join(' × ')} ${h.type}`;
}

/** The array in an uncompressed IDX byte string (checks in the header comment). */
export function decodeIdx(bytes: Uint8Array, file = '<bytes>'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new OptionError(`decodeIdx: bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (isDetached(bytes.buffer)) throw new OptionError('decodeIdx: bytes must be readable, got a Uint8Array on a detached ArrayBuffer (transferred to another thread?)');
  if (bytes.length === 0) throw new IdxError(file, 'empty file, expected an IDX header');
  const h = readHeader(file, bytes);
  if (!h) throw new IdxError(file, `truncated IDX header: ${bytes.length} bytes, expected at least ${bytes.length < 4 ? 4 : 4 + 4 * bytes[3]!}`);
  if (bytes.length !== h.total) {
    throw new IdxError(file, `${bytes.length < h.total ? 'truncated' : 'over-long'} IDX file: expected ${h.total} bytes (${layoutText(h)}), got ${bytes.length}`);
  }
  const body = bytes.subarray(h.offset);
  const n = body.length / h.size;
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  let data: IdxArray['data'];
  switch (h.type) {
    case 'uint8':
      data = new Uint8Array(body);
      break;
    case 'int8':
      data = new Int8Array(body); // each byte converted as two's complement
      break;
    case 'int16':
      data = new Int16Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt16(2 * i, false);
      break;
    case 'int32':
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, false);
      break;
    case 'float32': {
      // Copied as 32-bit patterns, not through a JS number, which would quiet a signaling NaN.
      data = new Float32Array(n);
      const bits = new Uint32Array(data.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint32(4 * i, false);
      break;
    }
    case 'float64':
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, false);
      break;
  }
  return { shape: h.shape, type: h.type, data };
}

/**
 * Decompresses gzip bytes, stopping with an IdxError as soon as the output is longer than its IDX
 * header declares (so a small file cannot expand into gigabytes). Short output is left to decodeIdx,
 * which reports the exact counts.
 */
async function gunzipIdx(file: string, gz: Uint8Array): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  let header: Header | undefined;
  // An error thrown inside the pipeline surfaces as the pipeline's AbortError: keep ours to rethrow.
  let failure: IdxError | undefined;
  try {
    await pipeline(Readable.from([gz]), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      try {
        for await (const chunk of source) {
          chunks.push(chunk);
          length += chunk.length;
          header ??= readHeader(file, Buffer.concat(chunks, length));
          if (header && length > header.total) {
            throw new IdxError(file, `over-long IDX file: expected ${header.total} bytes (${layoutText(header)}) after decompression, got more`);
          }
        }
      } catch (err) {
        if (err instanceof IdxError) failure = err;
        throw err;
      }
    });
  } catch (err) {
    throw failure ?? new IdxError(file, `corrupt gzip data: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks, length);
}

/** Reads an IDX file (plain or gzip) with its values exactly as stored. */
export async function readIdxArray(path: string): Promise<IdxArray> {
  if (typeof path !== 'string' || path === '') throw new OptionError(`readIdxArray: path must be a non-empty string, got ${describe(path)}`);
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new StorageError(`readIdxArray: cannot read ${path} (${(err as Error).message})`, path, err);
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return decodeIdx(gzip ? await gunzipIdx(path, raw) : raw, path);
}

/**
 * Reads an IDX file (plain or gzip) as a float32 Tensor of its shape, each element times `scale`:
 * images (N, 28, 28) with scale 1 / 255 for [0, 1] pixels, labels (N) as float32 class indices (what
 * crossEntropy takes). int32 and float64 values are rounded to float32; readIdxArray keeps them exact.
 */
export async function readIdx(path: string, options?: IdxOptions): Promise<Tensor> {
  if (typeof path !== 'string' || path === '') throw new OptionError(`readIdx: path must be a non-empty string, got ${describe(path)}`);
  const o = checkOptions('readIdx', options, ['scale']);
  const scale = o.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new OptionError(`readIdx: scale must be a finite number, got ${describe(scale)}`);
  const { shape, data } = await readIdxArray(path);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scale;
  return new Tensor(out, shape);
}
