/**
 * keel's `datasets` namespace, as torchvision.datasets and keras.datasets: ready-made data for the
 * examples, tests and first experiments — Fashion-MNIST read from local IDX files (Debian's
 * dataset-fashion-mnist by default; nothing is downloaded).
 *
 *   const { train, test } = await datasets.fashionMnist();   // x (60000, 784) in [0, 1], y class indices
 */
export { DatasetNotFoundError, FASHION_MNIST_DIR, fashionMnist } from './fashion-mnist.js';
export type { FashionMnist, FashionMnistOptions, FashionMnistSplit } from './fashion-mnist.js';
