/**
 * Bad-input battery (issue 12) for save/load (safetensors on disk) and decodeSafetensors: files that
 * are empty, truncated, malformed, or whose header lies about its length, offsets, shapes or dtypes;
 * paths that are directories, missing or not strings; state dicts that cannot be written. Every load
 * case goes the way a user loads weights — `model.loadStateDict(await load(path))` — and must leave
 * the model bitwise unchanged and the file as it was; every refused save leaves the old file (and no
 * temporary file beside it). Bytes and entries on views at odd offsets are read and written exactly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FormatError, io, load, loadSync, manualSeed, nn, OptionError, save, saveSync, StorageError, Tensor, type StateDict } from '../../src/index.js';
import { battery, bytesOf, type Case, detach, detachedFloat32, resizableFloat32, fileState, modelState, states, viewAt } from './battery.js';

const bad = (v: unknown) => v as never;
const dir = mkdtempSync(join(tmpdir(), 'keel-bad-input-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A fresh file of its own folder (so "no debris beside it" is about this case only) holding `bytes`. */
function file(bytes: Uint8Array | string | null): string {
  const d = join(dir, String(files++));
  mkdirSync(d);
  const p = join(d, 'model.safetensors');
  if (bytes !== null) writeFileSync(p, bytes);
  return p;
}

function model(): nn.Sequential {
  manualSeed(5);
  return new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
}
const goodBytes = io.encodeSafetensors(model().stateDict());

/** The bytes of a safetensors file: the 8-byte header length (or `length`), the header text, the data. */
function st(header: object | string, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
/** goodBytes with 6 spaces after its header (the header length says so), then the same data. */
function padded(): Uint8Array {
  const n = Number(new DataView(goodBytes.buffer, goodBytes.byteOffset).getBigUint64(0, true));
  return st(`${new TextDecoder().decode(goodBytes.subarray(8, 8 + n))}      `, goodBytes.subarray(8 + n));
}
const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

/** `model.loadStateDict(await load(path))` on a file holding `bytes`; the model and the file must not change. */
function loading(bytes: Uint8Array | string | null, options?: unknown): Pick<Case, 'call' | 'state'> {
  const m = model(), p = file(bytes);
  return { call: async () => m.loadStateDict(await load(p, bad(options))), state: states(modelState(m), fileState(p)) };
}

const loadCases: Case[] = [
  { name: 'an empty file', ...loading(new Uint8Array(0)), error: FormatError, message: /short|bytes/ },
  { name: 'a 5-byte file', ...loading(new Uint8Array(5)), error: FormatError, message: /short|bytes/ },
  { name: 'truncated in the header', ...loading(goodBytes.subarray(0, 20)), error: FormatError, message: /header/ },
  { name: 'truncated in the data', ...loading(goodBytes.subarray(0, goodBytes.length - 3)), error: FormatError, message: /safetensors|data|offset/ },
  { name: 'one byte more than the header says', ...loading(Buffer.concat([goodBytes, Buffer.from([0])])), error: FormatError, message: /safetensors|data|offset|bytes/ },
  { name: 'a header length of 2^64 − 1', ...loading(st({}, undefined, 2n ** 64n - 1n)), error: FormatError, message: /header/ },
  { name: 'a header length past 2^53 (2^60)', ...loading(st({}, undefined, 2n ** 60n)), error: FormatError, message: /header/ },
  { name: 'a header length past the end of the file', ...loading(st({}, undefined, 1000n)), error: FormatError, message: /header/ },
  { name: 'a header longer than maxHeaderBytes', ...loading(goodBytes, { maxHeaderBytes: 16 }), error: FormatError, message: /header|limit/ },
  { name: 'a header that is not JSON', ...loading(st('{"a": ')), error: FormatError, message: /header|JSON/ },
  { name: 'a header that is a JSON array', ...loading(st([])), error: FormatError, message: /object/ },
  { name: 'a header that is not UTF-8', ...loading(Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfe])])), error: FormatError, message: /UTF-8/ },
  { name: 'a random 64-byte file', ...loading(Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 255)), error: FormatError, message: /header/ },
  { name: 'a text file', ...loading('{"0.weight": [1, 2, 3]}\n'), error: FormatError, message: /header/ },
  { name: 'data_offsets past the end of the data', ...loading(st({ w: entry('F32', [2], [0, 8]) }, new Uint8Array(4))), error: FormatError, message: /w|offset/ },
  { name: 'data_offsets reversed', ...loading(st({ w: entry('F32', [1], [4, 0]) }, new Uint8Array(4))), error: FormatError, message: /w|offset/ },
  { name: 'data_offsets overlapping', ...loading(st({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [0, 4]) }, new Uint8Array(4))), error: FormatError, message: /offset|overlap/ },
  { name: 'a gap between tensors', ...loading(st({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, new Uint8Array(12))), error: FormatError, message: /offset|gap|cover/ },
  { name: 'a shape whose size is not the offsets span', ...loading(st({ w: entry('F32', [3], [0, 8]) }, new Uint8Array(8))), error: FormatError, message: /w/ },
  { name: 'a negative dimension', ...loading(st({ w: entry('F32', [-2], [0, 8]) }, new Uint8Array(8))), error: FormatError, message: /w|shape/ },
  { name: 'a fractional dimension', ...loading(st({ w: entry('F32', [1.5], [0, 8]) }, new Uint8Array(8))), error: FormatError, message: /w|shape/ },
  { name: 'a shape product past 2^53', ...loading(st({ w: entry('F32', [2 ** 30, 2 ** 30, 2 ** 30], [0, 8]) }, new Uint8Array(8))), error: FormatError, message: /w|shape/ },
  { name: 'a dimension written as 1e400 (Infinity)', ...loading(st('{"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', new Uint8Array(4))), error: FormatError, message: /w|shape/ },
  { name: 'an unknown dtype "Q4"', ...loading(st({ w: entry('Q4', [2], [0, 4]) }, new Uint8Array(4))), error: FormatError, message: /Q4/ },
  { name: 'a dtype that is a number', ...loading(st({ w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))), error: FormatError, message: /dtype/ },
  { name: 'an entry without data_offsets', ...loading(st({ w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4))), error: FormatError, message: /data_offsets/ },
  { name: 'an entry with an unknown field', ...loading(st({ w: { ...entry('F32', [1], [0, 4]), offset: 0 } }, new Uint8Array(4))), error: FormatError, message: /offset/ },
  { name: 'a duplicate key in the header', ...loading(st('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4))), error: FormatError, message: /w|duplicate/ },
  { name: '__metadata__ with a number value', ...loading(st({ __metadata__: { format: 1 } })), error: FormatError, message: /__metadata__/ },
  { name: 'a valid file with the wrong keys', ...loading(io.encodeSafetensors({ other: new Tensor(new Float32Array(2), [2]) })), error: FormatError, message: /other|Missing/ },
  { name: 'a valid file with a wrong shape', ...loading(io.encodeSafetensors({ ...model().stateDict(), '0.bias': new Tensor(new Float32Array(3), [3]) })), error: FormatError, message: /0\.bias/ },
  { name: 'a directory', ...(() => { const m = model(), p = file(null); mkdirSync(p); return { call: async () => m.loadStateDict(await load(p)), state: modelState(m) }; })(), error: StorageError, message: /model\.safetensors/ },
  { name: 'a missing file', ...(() => { const m = model(), p = file(null); return { call: async () => m.loadStateDict(await load(p)), state: states(modelState(m), fileState(p)) }; })(), error: StorageError, message: /model\.safetensors/ },
  { name: 'maxHeaderBytes -1', ...loading(goodBytes, { maxHeaderBytes: -1 }), error: OptionError, message: /maxHeaderBytes/ },
  { name: 'option typo maxHeaderSize', ...loading(goodBytes, { maxHeaderSize: 10 }), error: OptionError, message: /maxHeaderSize/ },
  { name: 'path an empty string', call: () => load(''), error: OptionError, message: /path/ },
  { name: 'path a number', call: () => load(bad(42)), error: OptionError, message: /path/ },
  { name: 'path a URL object', call: () => load(bad(new URL('file:///nonexistent'))), error: OptionError, message: /path/ },
  { name: 'loadSync: truncated', call: () => loadSync(file(goodBytes.subarray(0, 30))), error: FormatError, message: /header|safetensors/ },
  { name: 'loadSync: a missing file', call: () => loadSync(join(dir, 'absent.safetensors')), error: StorageError, message: /absent/ },
  { name: 'documented: a header padded with trailing spaces (as the Rust writer aligns it) loads', ...loading(padded()), result: () => undefined },
];

/** Throws unless two state dicts have the same keys in the same order, dtypes, shapes and bytes. */
function sameDict(got: StateDict, want: StateDict): void {
  if (Object.keys(got).join() !== Object.keys(want).join()) throw new Error(`keys ${Object.keys(got)} ≠ ${Object.keys(want)}`);
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join() || !Buffer.from(bytesOf(g.data)).equals(bytesOf(w.data))) throw new Error(`${k} differs`);
  }
}
loadCases.push(
  ...[1, 3, 7].map((offset): Case => ({
    name: `documented: decodeSafetensors reads a view at byte offset ${offset} (junk on both sides) exactly`,
    call: () => io.decodeSafetensors(viewAt(Uint8Array, goodBytes, offset)).tensors,
    result: (r) => sameDict(r as StateDict, model().stateDict()),
  })),
  { name: 'decodeSafetensors of a detached Uint8Array', call: () => io.decodeSafetensors(detach(goodBytes.slice())), error: OptionError, message: /detached/ },
  {
    name: 'documented: decodeSafetensors reads bytes on a resizable ArrayBuffer',
    call: () => { const b = new Uint8Array(resizableFloat32(Math.ceil(goodBytes.length / 4)).buffer, 0, goodBytes.length); b.set(goodBytes); return io.decodeSafetensors(b); },
    result: (r) => { if (!('0.weight' in (r as { tensors: StateDict }).tensors)) throw new Error('no 0.weight'); },
  },
  { name: 'decodeSafetensors of a string', call: () => io.decodeSafetensors(bad('abc')), error: OptionError, message: /bytes/ },
  { name: 'decodeSafetensors of an ArrayBuffer', call: () => io.decodeSafetensors(bad(goodBytes.slice().buffer)), error: OptionError, message: /bytes/ },
);

/** save(path, stateDict) over a file holding the previous model; refused, the file and folder stay as they were. */
function saving(sd: unknown, options?: unknown, sync = false): Pick<Case, 'call' | 'state'> {
  const p = file(goodBytes);
  return { call: () => (sync ? saveSync(p, bad(sd), bad(options)) : save(p, bad(sd), bad(options))), state: fileState(p) };
}
const sd = () => model().stateDict() as Record<string, unknown>;
const with_ = (k: string, v: unknown) => ({ ...sd(), [k]: v });

/** A state dict of every dtype keel writes, each entry's data a view `offset` elements into a buffer of junk. */
function viewedDict(offset: number): StateDict {
  const i64 = new BigInt64Array(offset + 8).fill(99n).subarray(offset, offset + 3);
  i64.set([-1n, 2n ** 40n, 3n]);
  return {
    f32: new Tensor(viewAt(Float32Array, [0.5, -1.5, NaN, 4], offset), [2, 2]),
    f64: { dtype: 'F64', shape: [3], data: viewAt(Float64Array, [0.1, -0.2, 1e300], offset) },
    i64: { dtype: 'I64', shape: [3], data: i64 },
    i32: { dtype: 'I32', shape: [1, 3], data: viewAt(Int32Array, [-7, 8, 2 ** 31 - 1], offset) },
    u8: { dtype: 'U8', shape: [5], data: viewAt(Uint8Array, [0, 1, 128, 254, 255], offset) },
  };
}
/** viewedDict's values on arrays of their own (what a load must give back). */
const aligned: StateDict = Object.fromEntries(Object.entries(viewedDict(0)).map(([k, e]) => [k, { dtype: e.dtype, shape: e.shape, data: e.data.slice() } as StateDict[string]]));

const saveCases: Case[] = [
  ...[1, 3].map((offset): Case => ({
    name: `documented: encodeSafetensors of entries on views ${offset} elements in (every dtype) writes exactly their values`,
    call: () => io.decodeSafetensors(io.encodeSafetensors(viewedDict(offset))).tensors,
    result: (r) => sameDict(r as StateDict, aligned),
  })),
  {
    name: 'documented: save of entries on views 3 elements in (every dtype) loads back exactly',
    call: async () => { const p = file(null); await save(p, viewedDict(3)); return load(p); },
    result: (r) => sameDict(r as StateDict, aligned),
  },
  { name: 'an entry whose data is shorter than its shape', ...saving(with_('0.bias', { dtype: 'F32', shape: [2], data: new Float32Array(1) })), error: FormatError, message: /0\.bias/ },
  { name: 'an entry whose dtype is not its data\'s', ...saving(with_('0.bias', { dtype: 'I64', shape: [2], data: new Float32Array(2) })), error: FormatError, message: /0\.bias/ },
  { name: 'an unknown dtype "F16"', ...saving(with_('0.bias', { dtype: 'F16', shape: [2], data: new Uint16Array(2) })), error: FormatError, message: /F16|0\.bias/ },
  { name: 'data a plain array', ...saving(with_('0.bias', { dtype: 'F32', shape: [2], data: [1, 2] })), error: FormatError, message: /0\.bias/ },
  { name: 'data on a detached buffer', ...saving(with_('0.bias', { dtype: 'F32', shape: [2], data: detachedFloat32(2) })), error: FormatError, message: /0\.bias|detached/ },
  { name: 'a negative dimension', ...saving(with_('0.bias', { dtype: 'F32', shape: [-2], data: new Float32Array(2) })), error: FormatError, message: /0\.bias|shape/ },
  { name: 'the key "__metadata__"', ...saving(with_('__metadata__', new Tensor(new Float32Array(1), [1]))), error: FormatError, message: /__metadata__/ },
  { name: 'an entry that is null', ...saving(with_('0.bias', null)), error: FormatError, message: /0\.bias/ },
  { name: 'the state dict null', ...saving(null), error: OptionError, message: /state/ },
  { name: 'the state dict a Tensor', ...saving(new Tensor(new Float32Array(1), [1])), error: OptionError, message: /state/ },
  { name: 'metadata with a number value', ...saving(sd(), { metadata: { epoch: 3 } }), error: OptionError, message: /metadata/ },
  { name: 'option typo meta', ...saving(sd(), { meta: { a: 'b' } }), error: OptionError, message: /meta/ },
  { name: 'saveSync: an entry whose data is longer than its shape', ...saving(with_('0.bias', { dtype: 'F32', shape: [2], data: new Float32Array(3) }), undefined, true), error: FormatError, message: /0\.bias/ },
  { name: 'saveSync: metadata a string', ...saving(sd(), { metadata: 'pt' }, true), error: OptionError, message: /metadata/ },
  { name: 'path a directory', ...(() => { const p = file(null); mkdirSync(p); return { call: () => save(p, bad(sd())), state: fileState(join(p, 'x')) }; })(), error: StorageError, message: /model\.safetensors/ },
  { name: 'path in a missing folder', call: () => save(join(dir, 'no', 'such', 'm.safetensors'), bad(sd())), error: StorageError, message: /m\.safetensors/ },
  { name: 'path an empty string', call: () => save('', bad(sd())), error: OptionError, message: /path/ },
  { name: 'path undefined', call: () => save(bad(undefined), bad(sd())), error: OptionError, message: /path/ },
  { name: 'saveSync: path a number', call: () => saveSync(bad(1), bad(sd())), error: OptionError, message: /path/ },
  {
    name: 'documented: NaN and Infinity values are saved and load back bit for bit',
    call: async () => { const p = file(null); const s = model().stateDict(); (s['0.bias']!.data as Float32Array).set([NaN, -Infinity]); await save(p, s); return load(p); },
    result: (r) => { const b = (r as StateDict)['0.bias']!.data; if (!Number.isNaN(b[0]) || b[1] !== -Infinity) throw new Error(`got ${b}`); },
  },
];

battery('load (files on disk)', loadCases);
battery('save', saveCases);
