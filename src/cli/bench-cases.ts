/**
 * The cases `keel bench` times: layer-level work through the public API (nn modules, autograd,
 * optimisers) on whatever kernel set the library selected, so a user measures what their own training
 * loop would get. They mirror the layer cases of bench/cases.ts (backbone.train.step,
 * backbone.eval.fwd) plus the Fashion-MNIST MLP's training step; the full suite, with the kernel-level
 * cases and the PyTorch ratios, is `npm run bench` in a checkout (bench/ is not part of the package).
 *
 * Timing: `warmup` untimed runs, then `repeats` timed ones; the median is reported (robust to a
 * stray GC pause or scheduler hiccup, unlike the mean), with the fastest run beside it, and
 * samples/s = batch / median.
 */
import { crossEntropy, mseLoss } from '../functional/loss.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { randn } from '../tensor/create.js';
import { noGrad } from '../tensor/grad-mode.js';
import { manualSeed } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

export interface BenchCase {
  name: string;
  /** What one run does. */
  what: string;
  /** Samples per run. */
  batch: number;
  /** Builds the model and inputs; returns the function to time. */
  setup(): () => void;
}

export interface BenchResult {
  name: string;
  what: string;
  batch: number;
  repeats: number;
  medianMs: number;
  minMs: number;
  samplesPerSecond: number;
}

/** Class indices 0–9 as float32, deterministic. */
function classes(n: number): Tensor {
  return new Tensor(Float32Array.from({ length: n }, (_, i) => (i * 7) % 10), [n]);
}

export const BENCH_CASES: readonly BenchCase[] = [
  {
    name: 'backbone.train.step',
    what: 'nn.conv1dBackbone() (14 ch, window 30, 1 output), batch 256: zeroGrad, forward, mseLoss, backward, Adam step',
    batch: 256,
    setup() {
      manualSeed(0);
      const net = nn.conv1dBackbone().train();
      const opt = new optim.Adam(net.parameters(), { lr: 1e-3, weightDecay: 1e-5 });
      const x = randn([256, 14, 30]), y = randn([256, 1]);
      return () => {
        opt.zeroGrad();
        mseLoss(net.forward(x), y).backward();
        opt.step();
      };
    },
  },
  {
    name: 'backbone.eval.fwd',
    what: 'nn.conv1dBackbone() in eval mode under noGrad, forward, batch 256',
    batch: 256,
    setup() {
      manualSeed(1);
      const net = nn.conv1dBackbone().eval();
      const x = randn([256, 14, 30]);
      return () => void noGrad(() => net.forward(x));
    },
  },
  {
    name: 'mlp.train.step',
    what: 'MLP 784 → 512 → 256 → 10 (Linear, BatchNorm1d, ReLU, Dropout 0.5), batch 128: crossEntropy, backward, AdamW step',
    batch: 128,
    setup() {
      manualSeed(2);
      const block = (i: number, o: number) => [new nn.Linear(i, o, { bias: false }), new nn.BatchNorm1d(o), new nn.ReLU(), new nn.Dropout(0.5)];
      const net = new nn.Sequential(...block(784, 512), ...block(512, 256), new nn.Linear(256, 10)).train();
      const opt = new optim.AdamW(net.parameters(), { lr: 1e-3 });
      const x = randn([128, 784]), y = classes(128);
      return () => {
        opt.zeroGrad();
        crossEntropy(net.forward(x), y).backward();
        opt.step();
      };
    },
  },
];

/** Times one case (the header says how). */
export function runCase(c: BenchCase, repeats: number, warmup: number): BenchResult {
  const fn = c.setup();
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  const medianMs = ms.length % 2 === 1 ? ms[mid]! : (ms[mid - 1]! + ms[mid]!) / 2;
  return { name: c.name, what: c.what, batch: c.batch, repeats, medianMs, minMs: ms[0]!, samplesPerSecond: (c.batch * 1000) / medianMs };
}
