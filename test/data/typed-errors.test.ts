// The data layer's errors are keel's typed classes (src/errors.ts): a wrong argument is an OptionError,
// tensors that do not line up a ShapeError, unusable content a DataError, malformed text or bytes a
// FormatError (CsvError, IdxError), an unfitted scaler a StateError, a refused read a StorageError —
// each also a KeelError, and CsvError/IdxError rebuilt as themselves after a trip through a worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, DataLoader, decodeIdx, groupKFold, IdxError, MinMaxScaler, parseCsv, randomSplit, readCsv, readIdx, slidingWindows, Standardizer, Subset, TensorDataset } from '../../src/data/index.js';
import { DataError, FormatError, KeelError, OptionError, plainError, reviveError, ShapeError, StateError, StorageError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { typedError } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-data-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zeros = (...shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
/** (4, 2) with distinct values in each channel. */
const ramp = () => new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 9]), [4, 2]);
const table = (...lengths: number[]) => ({ columns: ['a', 'b'], units: lengths.map((t, u) => ({ id: u + 1, values: zeros(t, 2) })) });

describe('data: typed errors', () => {
  it('OptionError: a wrong argument or option', async () => {
    const ds = new TensorDataset(zeros(3, 2));
    await typedError(() => ds.get(3), OptionError, 'TensorDataset.get: index 3 is out of range for a dataset of length 3');
    await typedError(() => new DataLoader(ds, { batchSize: 2, minBatchSize: 3 }), OptionError, /minBatchSize must be at most batchSize \(2\), got 3/);
    await typedError(() => parseCsv('a\n1\n', { delimiter: ';;' }), OptionError, /parseCsv: delimiter must be a single character/);
    await typedError(() => new MinMaxScaler({ featureRange: [1, 0] }), OptionError, /MinMaxScaler: featureRange must be \[lo, hi\] with finite lo < hi, got \[1, 0\]/);
    await typedError(() => groupKFold(ds, [1, 2, 3], 3, { seed: 1 }), OptionError, /groupKFold: seed has no effect without shuffle: true/);
    await typedError(() => randomSplit(ds, [2, , 1] as number[]), OptionError, 'randomSplit: lengths[1] must be a non-negative finite number, got undefined');
    const moved = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 0]);
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    await typedError(() => decodeIdx(moved), OptionError, /decodeIdx: bytes must be readable, got a Uint8Array on a detached ArrayBuffer/);
  });

  it('ShapeError: tensors and lengths that do not line up', async () => {
    await typedError(() => new TensorDataset(zeros(3, 2), zeros(4)), ShapeError, /TensorDataset: size mismatch between tensors/);
    await typedError(() => new Standardizer().fit(zeros(3)), ShapeError, /Standardizer.fit: data \(3\) needs a channel dimension/);
    const fitted = new Standardizer().fit(ramp());
    await typedError(() => fitted.transform(zeros(4, 3)), ShapeError, /Standardizer.transform: data has 3 channels but this Standardizer was fitted on 2/);
    await typedError(() => groupKFold(new TensorDataset(zeros(3, 2)), [1, 2], 2), ShapeError, /groupKFold: groups must have one label per sample of the dataset \(3\), got 2/);
  });

  it('DataError: content that cannot be used', async () => {
    await typedError(() => slidingWindows(table(3, 4), { window: 5 }), DataError, /slidingWindows: no unit has window \(5\) rows or more \(the longest has 4\)/);
    await typedError(() => slidingWindows(table(6), { window: 2, channels: ['c'] }), DataError, /slidingWindows: channels\[0\] = "c" is not a column \(columns: a, b\)/);
    await typedError(() => groupKFold(new TensorDataset(zeros(3, 2)), [1, 1, 2], 3), DataError, /groupKFold: k \(3\) must not exceed the number of groups \(2\)/);
    const nan = new Tensor(Float32Array.from([1, NaN]), [1, 2]);
    await typedError(() => new Standardizer().fit(nan), DataError, /Standardizer.fit: the Tensor has a non-finite value \(NaN\) in channel 1/);
    const weird = { length: 2, get: () => 'not a sample' };
    await typedError(() => new Subset(weird as never, [0, 1]).getBatch(Int32Array.from([0, 1])), DataError, /dataset.get\(0\) must return a non-empty array of Tensors/);
    const ragged = { length: 2, get: (i: number) => [zeros(i + 1)] };
    await typedError(() => [...new DataLoader(ragged, { batchSize: 2 })], DataError, 'DataLoader: field 0 of sample 1 has shape (2) but sample 0 (the first of its batch) has (1)');
  });

  it('FormatError: malformed text, bytes and saved states (CsvError and IdxError among them)', async () => {
    const csv = await typedError(() => parseCsv('a,b\n1,x\n'), CsvError, '<string>:2:2: "b": "x" is not a number');
    expect(csv).toBeInstanceOf(FormatError);
    expect([csv.name, csv.file, csv.line, csv.column]).toEqual(['CsvError', '<string>', 2, 2]);
    const idx = await typedError(() => decodeIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2])), IdxError, /truncated IDX file: expected 13 bytes/);
    expect(idx).toBeInstanceOf(FormatError);
    expect(idx.name).toBe('IdxError');
    await typedError(() => Standardizer.fromJSON('{ not json'), FormatError, /Standardizer.fromJSON: invalid JSON text/);
    const state = new Standardizer().fit(ramp()).toJSON();
    await typedError(() => Standardizer.fromJSON({ ...state, mean: [[0]] }), FormatError, /Standardizer.fromJSON: mean and scale must have the same shape, got 1×1 and 1×2/);
    await typedError(() => MinMaxScaler.fromJSON({ type: 'MinMaxScaler', featureRange: [0, 0] } as never), FormatError, /featureRange must be \[lo, hi\]/);
  });

  it('StateError: a scaler used before it is fitted', async () => {
    await typedError(() => new Standardizer().transform(zeros(2, 2)), StateError, 'Standardizer.transform: this Standardizer is not fitted yet; call fit(trainingData) first');
  });

  it('StorageError: a file the system will not read, with its path and code', async () => {
    const missing = join(dir, 'absent.csv');
    const e = await typedError(() => readCsv(missing), StorageError, /readCsv: cannot read .*absent\.csv \(ENOENT/);
    expect([e.path, e.code]).toEqual([missing, 'ENOENT']);
    const idx = await typedError(() => readIdx(join(dir, 'absent.idx')), StorageError, /ENOENT/);
    expect(idx.code).toBe('ENOENT');
  });

  it('CsvError and IdxError survive a worker boundary as themselves, with their fields', () => {
    for (const e of [new CsvError('f.csv', 3, 2, 'bad'), new IdxError('f.idx', 'short')]) {
      const back = reviveError(structuredClone(plainError(e)));
      expect(back).toBeInstanceOf(e.constructor);
      expect(back).toBeInstanceOf(FormatError);
      expect(back).toBeInstanceOf(KeelError);
      expect({ ...back, name: back.name, message: back.message }).toEqual({ ...e, name: e.name, message: e.message });
    }
  });
});
