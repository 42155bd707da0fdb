/**
 * keel's `datasets` namespace, as torchvision.datasets and keras.datasets: ready-made data for the
 * examples, tests and first experiments, nothing downloaded — the built-in run-to-failure dataset (a
 * seeded synthetic imitation of NASA's C-MAPSS turbofan engines, generated in milliseconds) and
 * Fashion-MNIST read from local IDX files (Debian's dataset-fashion-mnist by default).
 *
 *   const { train, test, informative } = datasets.runToFailure({ seed: 0 });   // SeriesTables of engines
 *   const { train, test } = await datasets.fashionMnist();   // x (60000, 784) in [0, 1], y class indices
 *
 * @module
 */
export { runToFailure } from './run-to-failure.js';
export type { RunToFailureDataset, RunToFailureOptions } from './run-to-failure.js';
export { DatasetNotFoundError, FASHION_MNIST_DIR, fashionMnist, fashionMnistSplit } from './fashion-mnist.js';
export type { FashionMnist, FashionMnistOptions, FashionMnistSplit } from './fashion-mnist.js';
