// datasets.fashionMnist and fashionMnistSplit: shapes, layouts, scaling and checks on small hand-made files (always), the real Debian files (when installed), and the not-found message.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxError } from '../../src/data/idx.js';
import { DatasetNotFoundError, FASHION_MNIST_DIR, fashionMnist, fashionMnistSplit } from '../../src/datasets/index.js';
import { DataError, FormatError, OptionError } from '../../src/errors.js';
import { typedError } from '../data/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'keel-fmnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A ubyte IDX file: 00 00 08 ndim, big-endian dims, the bytes. */
function idx(dims: number[], values: ArrayLike<number>): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(Uint8Array.from(values))]);
}

/** A directory with the four files for n train and m test images; pixel p of image i is (i + p) mod 256. */
function fakeDataset(name: string, n: number, m: number, labels?: number[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const images = (k: number) => idx([k, 28, 28], Array.from({ length: k * 784 }, (_, j) => (Math.floor(j / 784) + (j % 784)) % 256));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images(n)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([n], labels ?? Array.from({ length: n }, (_, i) => i % 10)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(m));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([m], Array.from({ length: m }, (_, i) => 9 - (i % 10)))));
  return dir;
}

describe('fashionMnist on hand-made files', () => {
  const dir = fakeDataset('small', 12, 5);

  it("'flat': x (N, 784) = byte / 255, y float32 class indices; plain and .gz files mixed", async () => {
    const { train, test } = await fashionMnist(dir);
    expect(train.x.shape).toEqual([12, 784]);
    expect(train.y.shape).toEqual([12]);
    expect(test.x.shape).toEqual([5, 784]);
    expect(Array.from(train.y.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(Array.from(test.y.data)).toEqual([9, 8, 7, 6, 5]);
    expect(train.x.data[3 * 784 + 10]).toBe(Math.fround(13 / 255));
    expect(train.x.data[11 * 784 + 783]).toBe(Math.fround(((11 + 783) % 256) / 255));
  });

  it("'sequence': the same values as (N, 28, 28): channel = image row, step = column", async () => {
    const flat = await fashionMnist(dir);
    const seq = await fashionMnist(dir, { layout: 'sequence' });
    expect(seq.train.x.shape).toEqual([12, 28, 28]);
    expect(seq.train.x.data).toEqual(flat.train.x.data);
    expect(seq.test.y.data).toEqual(flat.test.y.data);
  });

  it('a label outside 0–9 or a label count that does not match the images is an IdxError', async () => {
    await expect(fashionMnist(fakeDataset('bad-label', 3, 1, [0, 10, 2]))).rejects.toThrow(/label 1 is 10, expected a class index in \[0, 9\]/);
    const short = fakeDataset('short-labels', 3, 1);
    writeFileSync(join(short, 'train-labels-idx1-ubyte'), idx([2], [0, 1]));
    const e = await fashionMnist(short).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(IdxError);
    expect((e as IdxError).reason).toContain('expected 3 uint8 labels');
    await typedError(() => fashionMnist(short), FormatError, /expected 3 uint8 labels/);
  });

  it('images that are not 28×28 bytes are an IdxError', async () => {
    const odd = fakeDataset('odd', 2, 1);
    writeFileSync(join(odd, 't10k-images-idx3-ubyte'), idx([1, 784], new Uint8Array(784)));
    await expect(fashionMnist(odd)).rejects.toThrow('expected uint8 images of shape (N, 28, 28), got uint8 (1, 784)');
  });

  it('missing files: DatasetNotFoundError saying how to install them or where to point', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const err = await typedError(() => fashionMnist(empty), DatasetNotFoundError);
    expect(err).toBeInstanceOf(DataError);
    expect(err.name).toBe('DatasetNotFoundError');
    expect(err.missing).toEqual(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
    expect(err.message).toContain('sudo apt-get install dataset-fashion-mnist');
    expect(err.message).toContain('or give the directory that holds them');
  });

  it('fashionMnistSplit reads one split and needs only its two files', async () => {
    const testOnly = join(root, 'test-only');
    mkdirSync(testOnly);
    const full = await fashionMnist(dir, { layout: 'sequence' });
    for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte.gz']) writeFileSync(join(testOnly, name), readFileSync(join(dir, name)));
    const test = await fashionMnistSplit('test', testOnly, { layout: 'sequence' });
    expect(test.x.shape).toEqual([5, 28, 28]);
    expect(test.x.data).toEqual(full.test.x.data);
    expect(test.y.data).toEqual(full.test.y.data);
    const err = await typedError(() => fashionMnistSplit('train', testOnly), DatasetNotFoundError);
    expect(err.missing).toEqual(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    expect(err.message).toMatch(/^fashionMnistSplit: train-images-idx3-ubyte, train-labels-idx1-ubyte not found in /);
    await typedError(() => fashionMnistSplit('validation' as never, dir), OptionError, /fashionMnistSplit: split must be one of 'train', 'test', got "validation"/);
  });

  it('bad arguments', async () => {
    await expect(fashionMnist(dir, { layout: 'image' } as never)).rejects.toThrow("fashionMnist: layout must be one of 'flat', 'sequence', got \"image\"");
    await expect(fashionMnist(dir, { flat: true } as never)).rejects.toThrow('fashionMnist: unknown option "flat"');
    await typedError(() => fashionMnist(7 as never), OptionError, 'fashionMnist: dir must be a directory path, got 7');
  });
});

const installed = existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!installed)(`fashionMnist from ${FASHION_MNIST_DIR} (skipped when absent: sudo apt-get install dataset-fashion-mnist)`, () => {
  it('60,000 + 10,000 images in [0, 1], 6,000 and 1,000 per class, the known first labels and mean pixel', async () => {
    const { train, test } = await fashionMnist();
    expect(train.x.shape).toEqual([60000, 784]);
    expect(test.x.shape).toEqual([10000, 784]);
    for (const [split, perClass] of [[train, 6000], [test, 1000]] as const) {
      const counts = new Array<number>(10).fill(0);
      for (const c of split.y.data) counts[c]! += 1;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
    // Training labels start 9 (ankle boot), 0 (T-shirt), 0, 3 (dress), 0, 2, 7, 2, 5, 5.
    expect(Array.from(train.y.data.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of train.x.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(sum / train.x.data.length).toBeCloseTo(0.2860, 4); // the published training-set mean
  });
});
