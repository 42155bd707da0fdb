// keel train's BatchNorm flags on both data paths: --bn-momentum and --bn-virtual-batch reach every
// BatchNorm1d of the model (run-to-failure backbone, Fashion-MNIST MLP), model.json records them, the
// model folder loads back, and with --no-batchnorm they are usage errors instead of being ignored.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/datasets/fashion-mnist.js';
import { loadSync } from '../../src/io/save.js';
import { fromJSON } from '../../src/nn/serialize.js';
import { run, tempDir } from './io.js';

interface Child { type: string; options: Record<string, unknown> }

function batchNormOptions(dir: string): { layers: Record<string, unknown>[]; training: Record<string, unknown> } {
  const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const model = fromJSON(saved.architecture);
  model.loadStateDict(loadSync(join(dir, 'model.safetensors')));
  return {
    layers: (saved.architecture.children as Child[]).filter((c) => c.type === 'BatchNorm1d').map((c) => c.options),
    training: saved.training.options,
  };
}

const fashionInstalled = existsSync(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz')) || existsSync(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte'));

describe('keel train BatchNorm flags', () => {
  /** Trains with the flags and checks that every BatchNorm1d of the saved model and model.json's options have them. */
  async function expectFlagsReachModel(data: string[], layers: number, momentum: number, virtualBatchSize: number): Promise<string> {
    const dir = join(tempDir(), 'm');
    const r = await run('train', ...data, '--epochs', '1', '--bn-momentum', String(momentum), '--bn-virtual-batch', String(virtualBatchSize), '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const bn = batchNormOptions(dir);
    expect(bn.layers).toHaveLength(layers);
    for (const o of bn.layers) expect(o).toMatchObject({ momentum, virtualBatchSize });
    expect(bn.training).toMatchObject({ batchNorm: true, bnMomentum: momentum, bnVirtualBatchSize: virtualBatchSize });
    return dir;
  }

  it('the backbone on run-to-failure data takes --bn-momentum and --bn-virtual-batch', async () => {
    const dir = await expectFlagsReachModel(['--data', 'runtofailure', '--units', '5'], 3, 0.2, 16);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('BatchNorm on (ghost batches of 16)');
  });

  it.skipIf(!fashionInstalled)('the Fashion-MNIST MLP takes them too', async () => {
    await expectFlagsReachModel(['--data', 'fashion-mnist', '--limit', '600'], 2, 0.05, 32);
  });

  it('without them the layers are PyTorch\'s BatchNorm1d with momentum 0.1', async () => {
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', 'runtofailure', '--units', '5', '--epochs', '1', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    const bn = batchNormOptions(dir);
    for (const o of bn.layers) {
      expect(o.momentum).toBe(0.1);
      expect(o).not.toHaveProperty('virtualBatchSize');
    }
    expect(bn.training).not.toHaveProperty('bnVirtualBatchSize');
  });

  it('are usage errors with --no-batchnorm, and checked', async () => {
    for (const [flag, value] of [['--bn-momentum', '0.2'], ['--bn-virtual-batch', '8']]) {
      const r = await run('train', '--data', 'runtofailure', '--no-batchnorm', flag!, value!, '--out', join(tempDir(), 'm'));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} does not apply to --no-batchnorm (the model has no BatchNorm to set)`);
    }
    const bad = await run('train', '--data', 'runtofailure', '--bn-virtual-batch', '0', '--out', join(tempDir(), 'm'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--bn-virtual-batch must be an integer in \[1, \d+\], got "0"/);
  });
});
