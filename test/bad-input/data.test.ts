/**
 * Bad-input battery (issue 12) for datasets and loaders: TensorDataset, Subset, DataLoader,
 * randomSplit, groupSplit/groupKFold, slidingWindows, rulTargets, the scalers, and the CSV and IDX
 * readers (text and bytes that are malformed, truncated or lie about their sizes; files missing) —
 * mismatched lengths, empty data, indices out of range, NaN/Inf where finite data is needed, option
 * typos. A refused scaler fit leaves the scaler unfitted. Views at odd offsets (IDX bytes of every
 * element type, tensors under a TensorDataset) read exactly their own elements.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { data, DataError, DataLoader, FormatError, OptionError, randomSplit, ShapeError, StateError, StorageError, Subset, Tensor, TensorDataset, tensor } from '../../src/index.js';
import { battery, type Case, detach, viewAt } from './battery.js';

const bad = (v: unknown) => v as never;
const t = (...shape: number[]) => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i % 7), shape);
const ds = (n = 10) => new TensorDataset(t(n, 3), t(n, 1));
const dir = mkdtempSync(join(tmpdir(), 'keel-bad-input-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const datasetCases: Case[] = [
  { name: 'TensorDataset of lengths 10 and 9', call: () => new TensorDataset(t(10, 3), t(9, 1)), error: ShapeError, message: /TensorDataset/ },
  { name: 'TensorDataset of nothing', call: () => new TensorDataset(), error: OptionError, message: /TensorDataset/ },
  { name: 'TensorDataset of a plain array', call: () => new TensorDataset(bad([[1, 2]])), error: OptionError, message: /TensorDataset/ },
  { name: 'TensorDataset of a scalar tensor', call: () => new TensorDataset(t()), error: ShapeError, message: /TensorDataset/ },
  { name: 'TensorDataset.get(10) of 10 samples', call: () => ds().get(10), error: OptionError, message: /index/ },
  { name: 'TensorDataset.get(-1)', call: () => ds().get(-1), error: OptionError, message: /index/ },
  { name: 'TensorDataset.get(1.5)', call: () => ds().get(1.5), error: OptionError, message: /index/ },
  { name: 'TensorDataset.get(NaN)', call: () => ds().get(NaN), error: OptionError, message: /index/ },
  { name: 'TensorDataset.get("1")', call: () => ds().get(bad('1')), error: OptionError, message: /index/ },
  { name: 'Subset with an index out of range', call: () => new Subset(ds(), [0, 10]), error: OptionError, message: /ind/ },
  { name: 'Subset with a fractional index', call: () => new Subset(ds(), [0.5]), error: OptionError, message: /ind/ },
  { name: 'Subset with a sparse index array', call: () => { const a: number[] = []; a[3] = 1; return new Subset(ds(), a); }, error: OptionError, message: /ind/ },
  { name: 'Subset of something that is not a Dataset', call: () => new Subset(bad({ length: 3 }), [0]), error: OptionError, message: /dataset/ },
  { name: 'documented: Subset indices as an Int32Array view at an offset', call: () => new Subset(ds(), viewAt(Int32Array, [1, 2, 3], 1)), result: (s) => { if ((s as Subset).length !== 3 || (s as Subset).get(2)[0]!.data[0] !== ds().get(3)[0]!.data[0]) throw new Error('indices'); } },
  ...[1, 3].flatMap((offset): Case[] => {
    // x (4, 3) and y (4, 1) on views `offset` floats into buffers of junk: every sample and every batch holds exactly its rows.
    const X = Array.from({ length: 12 }, (_, i) => i + 0.5), Y = [10, 20, 30, 40];
    const viewed = () => new TensorDataset(new Tensor(viewAt(Float32Array, X, offset), [4, 3]), new Tensor(viewAt(Float32Array, Y, offset + 1), [4, 1]));
    const rows = (got: Tensor[], i: number[]) => {
      const want = [i.flatMap((r) => X.slice(3 * r, 3 * r + 3)), i.map((r) => Y[r]!)];
      if (got.some((t, f) => Array.from(t.data).join() !== want[f]!.join())) throw new Error(`got ${got.map((t) => Array.from(t.data))}, want ${want}`);
    };
    return [
      { name: `documented: TensorDataset over tensors on views ${offset} floats in: get(3) is row 3`, call: () => viewed().get(3), result: (r) => rows(r as Tensor[], [3]) },
      { name: `documented: TensorDataset over tensors on views ${offset} floats in: the first DataLoader batch is rows 0–2`, call: () => [...new DataLoader(viewed(), { batchSize: 3 })][0], result: (r) => rows(r as Tensor[], [0, 1, 2]) },
      { name: `documented: TensorDataset over tensors on views ${offset} floats in: a Subset [3, 0]`, call: () => { const s = new Subset(viewed(), [3, 0]); return [...new DataLoader(s, { batchSize: 2 })][0]; }, result: (r) => rows(r as Tensor[], [3, 0]) },
    ];
  }),
];

const loaderCases: Case[] = [
  { name: 'batchSize 0', call: () => new DataLoader(ds(), { batchSize: 0 }), error: OptionError, message: /batchSize/ },
  { name: 'batchSize 2.5', call: () => new DataLoader(ds(), { batchSize: 2.5 }), error: OptionError, message: /batchSize/ },
  { name: 'batchSize NaN', call: () => new DataLoader(ds(), { batchSize: NaN }), error: OptionError, message: /batchSize/ },
  { name: 'batchSize 2^53', call: () => new DataLoader(ds(), { batchSize: 2 ** 53 }), error: OptionError, message: /batchSize/ },
  { name: 'batchSize "32"', call: () => new DataLoader(ds(), { batchSize: bad('32') }), error: OptionError, message: /batchSize/ },
  { name: 'shuffle "true"', call: () => new DataLoader(ds(), { shuffle: bad('true') }), error: OptionError, message: /shuffle/ },
  { name: 'option typo batch_size', call: () => new DataLoader(ds(), bad({ batch_size: 4 })), error: OptionError, message: /batch_size/ },
  { name: 'seed -1', call: () => new DataLoader(ds(), { seed: -1 }), error: OptionError, message: /seed/ },
  { name: 'minBatchSize larger than batchSize', call: () => new DataLoader(ds(), { batchSize: 2, minBatchSize: 3 }), error: OptionError, message: /minBatchSize/ },
  { name: 'a dataset that is a Tensor', call: () => new DataLoader(bad(t(4, 2))), error: OptionError, message: /dataset/ },
  { name: 'a dataset whose get returns a non-array', call: () => [...new DataLoader(bad({ length: 2, get: () => 5 }), { batchSize: 2 })], error: DataError, message: /sample|DataLoader/ },
  { name: 'a dataset whose samples differ in shape', call: () => [...new DataLoader(bad({ length: 2, get: (i: number) => [t(i + 1)] }), { batchSize: 2 })], error: DataError, message: /shape|sample/ },
  { name: 'a dataset whose length is NaN', call: () => new DataLoader(bad({ length: NaN, get: () => [t(1)] })), error: OptionError, message: /length|dataset/ },
  { name: 'documented: an empty dataset gives no batches', call: () => [...new DataLoader(new TensorDataset(t(0, 3)), { batchSize: 4 })], result: (b) => { if ((b as unknown[]).length !== 0) throw new Error('batches'); } },
];

const splitCases: Case[] = [
  { name: 'randomSplit lengths not summing to the size', call: () => randomSplit(ds(), [3, 3]), error: OptionError, message: /lengths/ },
  { name: 'randomSplit a negative length', call: () => randomSplit(ds(), [12, -2]), error: OptionError, message: /lengths/ },
  { name: 'randomSplit fractions not summing to 1', call: () => randomSplit(ds(), [0.5, 0.6]), error: OptionError, message: /lengths|fractions/ },
  { name: 'randomSplit a NaN fraction', call: () => randomSplit(ds(), [NaN, 1]), error: OptionError, message: /lengths/ },
  { name: 'randomSplit a length with a hole', call: () => randomSplit(ds(), bad([5, , 5])), error: OptionError, message: /lengths/ },
  { name: 'randomSplit seed 1.5', call: () => randomSplit(ds(), [5, 5], 1.5), error: OptionError, message: /seed/ },
  { name: 'randomSplit of a plain array', call: () => randomSplit(bad([1, 2, 3]), [1, 2]), error: OptionError, message: /dataset/ },
  { name: 'groupSplit groups of the wrong length', call: () => data.groupSplit(ds(), [0, 1, 2], [0.5, 0.5]), error: ShapeError, message: /groups/ },
  // As randomSplit (torch's random_split): 1 group × [0.5, 0.5] floors to [0, 0] and the remainder goes to the first part.
  { name: 'documented: groupSplit of one group into two parts gives an empty second part', call: () => data.groupSplit(ds(4), [0, 0, 0, 0], [0.5, 0.5], 1), result: (r) => { const n = (r as Subset[]).map((s) => s.length).join(); if (n !== '4,0') throw new Error(`lengths ${n}`); } },
  { name: 'groupSplit a NaN group label', call: () => data.groupSplit(ds(4), [0, NaN, 1, 1], [0.5, 0.5]), error: OptionError, message: /group/ },
  { name: 'groupKFold k larger than the number of groups', call: () => data.groupKFold(ds(4), [0, 0, 1, 1], 3), error: DataError, message: /group|k/ },
  { name: 'groupKFold k 1', call: () => data.groupKFold(ds(4), [0, 1, 2, 3], 1), error: OptionError, message: /k/ },
  { name: 'groupKFold option typo shuffel', call: () => data.groupKFold(ds(4), [0, 1, 2, 3], 2, bad({ shuffel: true })), error: OptionError, message: /shuffel/ },
];

const unit = (id: number, rows: number, channels = 2, fill = (i: number) => i) => ({ id, values: new Tensor(Float32Array.from({ length: rows * channels }, (_, i) => fill(i)), [rows, channels]) });
const table = (...units: ReturnType<typeof unit>[]) => ({ columns: ['a', 'b'], units });
const seriesCases: Case[] = [
  { name: 'slidingWindows window 0', call: () => data.slidingWindows(table(unit(1, 10)), { window: 0 }), error: OptionError, message: /window/ },
  { name: 'slidingWindows window NaN', call: () => data.slidingWindows(table(unit(1, 10)), { window: NaN }), error: OptionError, message: /window/ },
  { name: 'slidingWindows window missing', call: () => data.slidingWindows(table(unit(1, 10)), bad({})), error: OptionError, message: /window/ },
  { name: 'slidingWindows stride -1', call: () => data.slidingWindows(table(unit(1, 10)), { window: 3, stride: -1 }), error: OptionError, message: /stride/ },
  { name: 'slidingWindows an unknown channel name', call: () => data.slidingWindows(table(unit(1, 10)), { window: 3, channels: ['c'] }), error: DataError, message: /"?c"?/ },
  { name: 'slidingWindows a channel index out of range', call: () => data.slidingWindows(table(unit(1, 10)), { window: 3, channels: [2] }), error: DataError, message: /channel/ },
  { name: 'slidingWindows pad "zero"', call: () => data.slidingWindows(table(unit(1, 10)), { window: 3, pad: bad('zero') }), error: OptionError, message: /pad/ },
  { name: 'slidingWindows option typo windowSize', call: () => data.slidingWindows(table(unit(1, 10)), bad({ window: 3, windowSize: 3 })), error: OptionError, message: /windowSize/ },
  { name: 'slidingWindows units of different widths', call: () => data.slidingWindows(table(unit(1, 10), unit(2, 10, 3)), { window: 3 }), error: ShapeError, message: /unit|column|channel/ },
  { name: 'slidingWindows targets of the wrong length', call: () => data.slidingWindows(table(unit(1, 10)), { window: 3, targets: [new Float32Array(9)] }), error: ShapeError, message: /targets/ },
  { name: 'slidingWindows a window longer than every unit, last: true', call: () => data.slidingWindows(table(unit(1, 2)), { window: 5, last: true }), error: DataError, message: /window|short/ },
  { name: 'slidingWindows a table that is a Tensor', call: () => data.slidingWindows(bad(t(10, 2)), { window: 3 }), error: OptionError, message: /table/ },
  { name: 'documented: slidingWindows keeps a NaN value in its window', call: () => data.slidingWindows(table(unit(1, 10, 2, (i) => (i === 3 ? NaN : i))), { window: 3 }), result: (w) => { if (!(w as { x: Tensor }).x.data.some(Number.isNaN)) throw new Error('NaN vanished'); } },
  { name: 'rulTargets cap 0', call: () => data.rulTargets(table(unit(1, 10)), { cap: 0 }), error: OptionError, message: /cap/ },
  { name: 'rulTargets cap NaN', call: () => data.rulTargets(table(unit(1, 10)), { cap: NaN }), error: OptionError, message: /cap/ },
  { name: 'rulTargets a negative rulAtEnd', call: () => data.rulTargets(table({ ...unit(1, 10), rulAtEnd: -3 } as never), {}), error: DataError, message: /rulAtEnd/ },
];

const scalerCases: Case[] = [
  ...(['Standardizer', 'MinMaxScaler'] as const).flatMap((name): Case[] => {
    const make = () => (name === 'Standardizer' ? new data.Standardizer() : new data.MinMaxScaler());
    const unfitted = (f: (s: ReturnType<typeof make>) => unknown) => { const s = make(); return { call: () => f(s), state: () => String(s.fitted) }; };
    return [
      { name: `${name}.fit on NaN data`, ...unfitted((s) => s.fit(tensor([1, NaN, 3, 4], [2, 2]))), error: DataError, message: /non-finite|NaN/ },
      { name: `${name}.fit on Infinity`, ...unfitted((s) => s.fit(tensor([1, Infinity, 3, 4], [2, 2]))), error: DataError, message: /non-finite|Infinity/ },
      { name: `${name}.fit on an empty tensor`, ...unfitted((s) => s.fit(t(0, 2))), error: ShapeError, message: /no values|empty/ },
      { name: `${name}.fit on a plain array`, ...unfitted((s) => s.fit(bad([[1, 2]]))), error: OptionError, message: /data/ },
      { name: `${name}.fit option typo channel_dim`, ...unfitted((s) => s.fit(t(4, 2), bad({ channel_dim: 1 }))), error: OptionError, message: /channel_dim/ },
      { name: `${name}.transform before fit`, call: () => make().transform(t(4, 2)), error: StateError, message: /fit/ },
      { name: `${name}.transform with another channel count`, call: () => make().fit(t(4, 2)).transform(t(4, 3)), error: ShapeError, message: /channel/ },
    ];
  }),
  { name: 'Standardizer option typo per_condition', call: () => new data.Standardizer(bad({ per_condition: true })), error: OptionError, message: /per_condition/ },
  { name: 'MinMaxScaler featureRange [1, 0]', call: () => new data.MinMaxScaler(bad({ featureRange: [1, 0] })), error: OptionError, message: /featureRange/ },
];

const csvCases: Case[] = [
  { name: 'parseCsv a row with a missing field', call: () => data.parseCsv('a,b\n1,2\n3\n'), error: FormatError, message: /fields/ },
  { name: 'parseCsv a row with an extra field', call: () => data.parseCsv('a,b\n1,2\n3,4,5\n'), error: FormatError, message: /fields/ },
  { name: 'parseCsv an unterminated quote', call: () => data.parseCsv('a,b\n"1,2\n'), error: FormatError, message: /quote|line/ },
  { name: 'parseCsv a non-number', call: () => data.parseCsv('a,b\n1,x\n'), error: FormatError, message: /"?x"?|number/ },
  { name: 'parseCsv a group column that does not exist', call: () => data.parseCsv('a,b\n1,2\n', { group: 'unit' }), error: data.CsvError, message: /group column "unit"/ },
  { name: 'parseCsv a column index out of range', call: () => data.parseCsv('a,b\n1,2\n', { columns: [5] }), error: data.CsvError, message: /column index 5/ },
  { name: 'parseCsv delimiter of two characters', call: () => data.parseCsv('a,b\n1,2\n', { delimiter: ',,' }), error: OptionError, message: /delimiter/ },
  { name: 'parseCsv option typo delimeter', call: () => data.parseCsv('a,b\n1,2\n', bad({ delimeter: ';' })), error: OptionError, message: /delimeter/ },
  { name: 'parseCsv names of the wrong length', call: () => data.parseCsv('1,2\n3,4\n', { header: false, names: ['a'] }), error: FormatError, message: /names/ },
  { name: 'parseCsv a duplicate header', call: () => data.parseCsv('a,a\n1,2\n'), error: FormatError, message: /"?a"?|duplicate/ },
  { name: 'parseCsv of a Buffer', call: () => data.parseCsv(bad(Buffer.from('a\n1\n'))), error: OptionError, message: /text/ },
  { name: 'parseCsv an empty text', call: () => data.parseCsv(''), error: FormatError, message: /empty|header|row/ },
  { name: 'readCsv a missing file', call: () => data.readCsv(join(dir, 'absent.csv')), error: StorageError, message: /absent\.csv/ },
  { name: 'readCsv a directory', call: () => data.readCsv(dir), error: StorageError, message: /keel-bad-input-data/ },
  { name: 'parseCsv a "NaN" cell without missing: \'nan\'', call: () => data.parseCsv('a\nNaN\n'), error: FormatError, message: /missing/ },
  { name: 'documented: parseCsv with missing: \'nan\' keeps a "NaN" cell as NaN', call: () => data.parseCsv('a\nNaN\n', bad({ missing: 'nan' })), result: (r) => { if (!Number.isNaN((r as data.CsvTable).values.data[0])) throw new Error(JSON.stringify(r)); } },
];

/** An IDX file: magic 0 0 type ndim, dims (big-endian u32), then `data`. */
function idx(type: number, dims: number[], body: number, ndim = dims.length): Uint8Array {
  const b = Buffer.alloc(4 + 4 * dims.length + body);
  b.writeUInt8(type, 2);
  b.writeUInt8(ndim, 3);
  dims.forEach((d, i) => b.writeUInt32BE(d >>> 0, 4 + 4 * i));
  return b;
}

/** An IDX file of six values (shape (2, 3)) of each type, read from a view at byte offsets 1 and 7 of a buffer of junk: exactly the values. */
function idxViewCases(): Case[] {
  const ints = [1, -2, 3, 4, -5, 6];
  const types: Array<[number, data.IdxType, number, (v: DataView, at: number, x: number) => void, number[]]> = [
    [0x08, 'uint8', 1, (v, at, x) => v.setUint8(at, x), [1, 2, 3, 4, 250, 6]],
    [0x09, 'int8', 1, (v, at, x) => v.setInt8(at, x), ints],
    [0x0b, 'int16', 2, (v, at, x) => v.setInt16(at, x), ints],
    [0x0c, 'int32', 4, (v, at, x) => v.setInt32(at, x), ints],
    [0x0d, 'float32', 4, (v, at, x) => v.setFloat32(at, x), [1.25, -2.5, 3, 4, -5, 6.75]],
    [0x0e, 'float64', 8, (v, at, x) => v.setFloat64(at, x), [0.1, -0.2, 3, 4, -5, 1e300]],
  ];
  return types.flatMap(([code, type, size, write, values]) => [1, 7].map((offset): Case => ({
    name: `documented: decodeIdx of ${type} from a view at byte offset ${offset}`,
    call: () => {
      const file = idx(code, [2, 3], 6 * size);
      const view = new DataView(file.buffer, file.byteOffset);
      values.forEach((x, i) => write(view, 12 + i * size, x));
      return data.decodeIdx(viewAt(Uint8Array, file, offset));
    },
    result: (r) => {
      const { shape, type: got, data: d } = r as data.IdxArray;
      if (shape.join() !== '2,3' || got !== type || Array.from(d).join() !== values.join()) throw new Error(`got ${got} (${shape}) ${Array.from(d)}`);
    },
  })));
}

const idxCases: Case[] = [
  { name: 'decodeIdx of 3 bytes', call: () => data.decodeIdx(new Uint8Array(3)), error: FormatError, message: /IDX|bytes|short/ },
  { name: 'decodeIdx a bad magic (non-zero first bytes)', call: () => data.decodeIdx(Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 1, 5)), error: FormatError, message: /magic|IDX/ },
  { name: 'decodeIdx an unknown type code 0x07', call: () => data.decodeIdx(idx(0x07, [2], 2)), error: FormatError, message: /type|0x07|7/ },
  { name: 'decodeIdx zero dimensions', call: () => data.decodeIdx(idx(0x08, [], 1)), error: FormatError, message: /dimension/ },
  { name: 'decodeIdx dims claiming more data than there is', call: () => data.decodeIdx(idx(0x08, [10, 10], 50)), error: FormatError, message: /bytes|data|length/ },
  { name: 'decodeIdx trailing bytes after the data', call: () => data.decodeIdx(idx(0x08, [2], 5)), error: FormatError, message: /bytes|data|length/ },
  { name: 'decodeIdx dims whose product is past 2^53', call: () => data.decodeIdx(idx(0x08, [2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1], 8)), error: FormatError, message: /bytes|size|large/ },
  { name: 'decodeIdx dims whose product is past 2^31', call: () => data.decodeIdx(idx(0x0d, [65536, 65536], 8)), error: FormatError, message: /bytes|size|large/ },
  { name: 'decodeIdx ndim byte larger than the header', call: () => data.decodeIdx(idx(0x08, [1], 0, 200)), error: FormatError, message: /dimension|bytes|header/ },
  { name: 'decodeIdx of a string', call: () => data.decodeIdx(bad('abc')), error: OptionError, message: /bytes/ },
  { name: 'decodeIdx of a detached Uint8Array', call: () => data.decodeIdx(detach(idx(0x08, [2], 2))), error: OptionError, message: /detached/ },
  ...idxViewCases(),
  { name: 'readIdx a missing file', call: () => data.readIdx(join(dir, 'absent.idx')), error: StorageError, message: /absent\.idx/ },
  { name: 'readIdx scale NaN', call: () => { const p = join(dir, 'ok.idx'); writeFileSync(p, idx(0x08, [2], 2)); return data.readIdx(p, { scale: NaN }); }, error: OptionError, message: /scale/ },
  { name: 'readIdx option typo scal', call: () => { const p = join(dir, 'ok2.idx'); writeFileSync(p, idx(0x08, [2], 2)); return data.readIdx(p, bad({ scal: 2 })); }, error: OptionError, message: /scal/ },
];

battery('TensorDataset/Subset', datasetCases);
battery('DataLoader', loaderCases);
battery('randomSplit/groupSplit/groupKFold', splitCases);
battery('slidingWindows/rulTargets', seriesCases);
battery('scalers', scalerCases);
battery('parseCsv/readCsv', csvCases);
battery('decodeIdx/readIdx', idxCases);
