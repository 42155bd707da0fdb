/**
 * datasets.fashionMnist: Zalando's Fashion-MNIST (70,000 28×28 grey images of 10 clothing classes,
 * 60,000 for training and 10,000 for testing, 6,000 and 1,000 per class) read from the four IDX
 * files, by default where Debian's dataset-fashion-mnist package puts them. Nothing is downloaded: when
 * the files are absent the error says how to install them or where to point.
 *
 *   const { train, test } = await datasets.fashionMnist();               // x (N, 784), y (N)
 *   const seq = await datasets.fashionMnist(undefined, { layout: 'sequence' }); // x (N, 28, 28)
 *
 * Pixels are scaled to [0, 1] (byte / 255); labels are float32 class indices 0–9, what crossEntropy
 * takes. Each file may be plain or gzip-compressed (named with or without .gz).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, OptionError, registerErrorClass } from '../errors.js';
import { checkOptions, oneOf } from '../functional/validate.js';
import { IdxError, readIdxArray } from '../data/idx.js';
import { describe } from '../data/validate.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const CLASSES = 10;
const SIDE = 28;

/** A dataset's files are not where the caller said (or the default location): a DataError. */
export class DatasetNotFoundError extends DataError {
  constructor(
    /** The directory searched. */
    readonly dir: string,
    /** The files looked for and not found (each with or without .gz). */
    readonly missing: string[],
    message: string,
  ) {
    super(message);
  }
}
registerErrorClass(DatasetNotFoundError);

/** Options of datasets.fashionMnist. */
export interface FashionMnistOptions {
  /**
   * 'flat': x is (N, 784), for an MLP. 'sequence': x is (N, 28, 28) as (N, C, L) for conv1d — channel
   * i is image row i and step j is column j (the image scanned left to right). Default 'flat'.
   */
  layout?: 'flat' | 'sequence';
}

/** One split: images and their class indices. */
export interface FashionMnistSplit {
  /** (N, 784) or (N, 28, 28), values in [0, 1]. */
  readonly x: Tensor;
  /** (N) float32 class indices 0–9. */
  readonly y: Tensor;
}

/** Fashion-MNIST's two splits. */
export interface FashionMnist {
  /** The 60,000 training images. */
  readonly train: FashionMnistSplit;
  /** The 10,000 test images. */
  readonly test: FashionMnistSplit;
}

/** The path of `name` in dir: plain if present, else .gz; undefined if neither exists. */
function locate(dir: string, name: string): string | undefined {
  return [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
}

async function readSplit(imagesPath: string, labelsPath: string, layout: 'flat' | 'sequence'): Promise<FashionMnistSplit> {
  const [images, labels] = await Promise.all([readIdxArray(imagesPath), readIdxArray(labelsPath)]);
  const n = images.shape[0]!;
  if (images.type !== 'uint8' || images.shape.length !== 3 || images.shape[1] !== SIDE || images.shape[2] !== SIDE) {
    throw new IdxError(imagesPath, `expected uint8 images of shape (N, ${SIDE}, ${SIDE}), got ${images.type} ${formatShape(images.shape)}`);
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new IdxError(labelsPath, `expected ${n} uint8 labels (one per image in ${imagesPath}), got ${labels.type} ${formatShape(labels.shape)}`);
  }
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i]!;
    if (label >= CLASSES) throw new IdxError(labelsPath, `label ${i} is ${label}, expected a class index in [0, ${CLASSES - 1}]`);
    y[i] = label;
  }
  return { x: new Tensor(x, layout === 'flat' ? [n, SIDE * SIDE] : [n, SIDE, SIDE]), y: new Tensor(y, [n]) };
}

const SPLIT_FILES = {
  train: [FILES.trainImages, FILES.trainLabels],
  test: [FILES.testImages, FILES.testLabels],
} as const;

function checkArgs(where: string, dir: unknown, options: FashionMnistOptions | undefined): 'flat' | 'sequence' {
  if (typeof dir !== 'string' || dir === '') throw new OptionError(`${where}: dir must be a directory path, got ${describe(dir)}`);
  const o = checkOptions(where, options, ['layout']);
  return o.layout === undefined ? 'flat' : oneOf(where, 'layout', o.layout, ['flat', 'sequence']);
}

/** The paths of `names` in dir, or a DatasetNotFoundError naming every one that is missing. */
function locateAll(where: string, dir: string, names: readonly string[]): string[] {
  const paths = names.map((name) => locate(dir, name));
  const missing = names.filter((_, i) => paths[i] === undefined);
  if (missing.length > 0) {
    throw new DatasetNotFoundError(
      dir,
      missing,
      `${where}: ${missing.join(', ')} not found in ${dir} (plain or .gz): install Debian's package (sudo apt-get install dataset-fashion-mnist), which puts them in ${FASHION_MNIST_DIR}, or give the directory that holds them`,
    );
  }
  return paths as string[];
}

/**
 * Reads Fashion-MNIST from `dir` (default FASHION_MNIST_DIR). Throws DatasetNotFoundError when a file
 * is missing, IdxError when one is malformed or not Fashion-MNIST-shaped.
 */
export async function fashionMnist(dir: string = FASHION_MNIST_DIR, options?: FashionMnistOptions): Promise<FashionMnist> {
  const layout = checkArgs('fashionMnist', dir, options);
  const [trainImages, trainLabels, testImages, testLabels] = locateAll('fashionMnist', dir, [...SPLIT_FILES.train, ...SPLIT_FILES.test]);
  const [train, test] = await Promise.all([readSplit(trainImages!, trainLabels!, layout), readSplit(testImages!, testLabels!, layout)]);
  return { train, test };
}

/**
 * One split of Fashion-MNIST, 'train' or 'test', reading (and needing) only that split's two files:
 * evaluating on the 10,000 test images does not decode the 60,000 training ones. Errors as fashionMnist.
 */
export async function fashionMnistSplit(split: 'train' | 'test', dir: string = FASHION_MNIST_DIR, options?: FashionMnistOptions): Promise<FashionMnistSplit> {
  const W = 'fashionMnistSplit';
  const names = SPLIT_FILES[oneOf(W, 'split', split, ['train', 'test'])];
  const layout = checkArgs(W, dir, options);
  const [images, labels] = locateAll(W, dir, names);
  return readSplit(images!, labels!, layout);
}
