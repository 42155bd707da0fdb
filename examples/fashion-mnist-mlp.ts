/**
 * The classic regularised MLP (DESIGN.md §1: Linear → BatchNorm1d → ReLU → Dropout, 784 → 512 → 256 →
 * 10) trained with fit() on Fashion-MNIST read from its IDX files (Debian's dataset-fashion-mnist;
 * nothing is downloaded): 10% of the training images held out for validation, AdamW with weight decay
 * on the weights only, early stopping that keeps the best weights, then the test accuracy.
 *
 *   sudo apt-get install dataset-fashion-mnist
 *   npx tsx examples/fashion-mnist-mlp.ts [epochs] [training images]     (defaults: 10, all 60000)
 *
 * Without the files it says how to get them and exits with code 2.
 */
import { pathToFileURL } from 'node:url';
import { datasets, evaluate, F, fit, type FitHistory, manualSeed, nn, optim } from 'keel';

export interface FashionMnistExampleOptions {
  /** Epochs to train at most. Default 10. */
  epochs?: number;
  /** Training images to use (the first ones). Default all 60000. */
  limit?: number;
  /** Where the IDX files are. Default Debian's location. */
  dir?: string;
  /** fit's progress output. Default 'auto'. */
  verbose?: 'auto' | false;
}

export interface FashionMnistExampleResult {
  history: FitHistory;
  testAccuracy: number;
}

/** 784 → 512 → 256 → 10 with BatchNorm (whose shift replaces the Linear's bias), ReLU and Dropout after each hidden Linear. */
export function mlp(dropout = 0.3): nn.Sequential {
  const block = (inputs: number, outputs: number) => [new nn.Linear(inputs, outputs, { bias: false }), new nn.BatchNorm1d(outputs), new nn.ReLU(), new nn.Dropout(dropout)];
  return new nn.Sequential(...block(784, 512), ...block(512, 256), new nn.Linear(256, 10));
}

export async function trainFashionMnist(options: FashionMnistExampleOptions = {}): Promise<FashionMnistExampleResult> {
  const { train, test } = await datasets.fashionMnist(options.dir);
  const n = Math.min(options.limit ?? train.x.shape[0]!, train.x.shape[0]!);
  manualSeed(0);
  const model = mlp();
  const history = await fit(model, {
    x: F.narrow(train.x, 0, 0, n),
    y: F.narrow(train.y, 0, 0, n),
    validationSplit: 0.1,
    epochs: options.epochs ?? 10,
    batchSize: 128,
    loss: 'crossEntropy',
    metrics: ['accuracy'],
    optimizer: (_params, m) => new optim.AdamW(optim.weightDecayGroups(m, 1e-2), { lr: 1e-3 }),
    earlyStopping: { patience: 3, restoreBestWeights: true },
    verbose: options.verbose ?? 'auto',
  });
  const scores = await evaluate(model, { x: test.x, y: test.y, loss: 'crossEntropy', metrics: ['accuracy'] });
  return { history, testAccuracy: scores.accuracy! };
}

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 10), limit = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  try {
    const { history, testAccuracy } = await trainFashionMnist({ epochs, ...(limit === undefined ? {} : { limit }) });
    console.log(`best epoch ${history.bestEpoch} (validation accuracy ${history.values('valAccuracy')[history.bestEpoch! - 1]!.toFixed(4)}); test accuracy ${testAccuracy.toFixed(4)}`);
  } catch (e) {
    if (!(e instanceof datasets.DatasetNotFoundError)) throw e;
    console.error(e.message);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
