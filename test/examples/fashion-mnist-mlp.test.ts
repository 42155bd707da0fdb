/**
 * The Fashion-MNIST example (examples/fashion-mnist-mlp.ts) on the real files: the MLP trained
 * with fit on 3,000 images for 2 epochs beats chance (10%) by far on the 10,000 test images. Skipped,
 * saying how to get the files, when Debian's dataset-fashion-mnist is not installed (CI installs it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasets } from 'keel';
import { trainFashionMnist } from '../../examples/fashion-mnist-mlp.js';

const { FASHION_MNIST_DIR } = datasets;

const present = existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte'));
if (!present) console.warn(`skipping the Fashion-MNIST example: no files in ${FASHION_MNIST_DIR} (sudo apt-get install dataset-fashion-mnist)`);

describe.skipIf(!present)('Fashion-MNIST example', () => {
  it('trains the MLP with fit and classifies the test images far above chance', async () => {
    const { history, testAccuracy } = await trainFashionMnist({ epochs: 2, limit: 3000, verbose: false });
    expect(history.epochs).toHaveLength(2);
    expect(history.values('valAccuracy').at(-1)).toBeGreaterThan(0.65);
    expect(testAccuracy).toBeGreaterThan(0.7);
  });
});
