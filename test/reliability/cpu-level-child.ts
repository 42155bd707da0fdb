/**
 * Run by test/reliability/determinism.test.ts in a child process, once per CPU level (KEEL_CPU set by
 * the parent): keel loads the native kernels of that level, computes a fixed set of results through
 * the public API and prints them as one JSON object (float32 values as JSON numbers, which round-trip
 * exactly). The parent compares the levels: what the spec promises identical bit for bit (dropout
 * masks, ReLU, optimiser updates) and what only within a tolerance (convolution, Linear, BatchNorm,
 * and therefore training).
 *
 *   KEEL_CPU=avx2 node --import tsx test/reliability/cpu-level-child.ts
 */
import { backendInfo, manualSeed, nn, optim, randn, type Tensor } from '../../src/index.js';
import { train } from './train-job.js';

const values = (t: Tensor) => Array.from(t.data as Float32Array);

/** A module's forward output in training mode on x ~ N(0, 1) of `shape`, module and x made under manualSeed(seed). */
function forward(make: () => nn.Module, shape: number[], seed: number): number[] {
  manualSeed(seed);
  const m = make().train();
  const x = randn(shape);
  return values(m.forward(x));
}

/** One step of `make`'s optimiser over a parameter of 1,000 N(0, 1) values with an N(0, 1) gradient, twice (the second uses the moments). */
function step(make: (p: Tensor[]) => optim.Optimizer, seed: number): number[] {
  manualSeed(seed);
  const p = randn([1000], { requiresGrad: true });
  const opt = make([p]);
  for (let i = 0; i < 2; i++) {
    p.grad = randn([1000]);
    opt.step();
  }
  return values(p);
}

const result = {
  isa: backendInfo().isa,
  // Promised bitwise identical on every level.
  dropout: forward(() => new nn.Dropout(0.3), [16, 1000], 1),
  dropout1d: forward(() => new nn.Dropout1d(0.3), [8, 32, 50], 2),
  relu: forward(() => new nn.ReLU(), [16, 1000], 3),
  adam: step((p) => new optim.Adam(p, { lr: 1e-2 }), 4),
  adamw: step((p) => new optim.AdamW(p, { lr: 1e-2, weightDecay: 0.1 }), 5),
  sgd: step((p) => new optim.SGD(p, { lr: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }), 6),
  // Within tolerance.
  conv1d: forward(() => new nn.Conv1d(32, 32, 3, { padding: 1 }), [8, 32, 50], 7),
  linear: forward(() => new nn.Linear(256, 128), [64, 256], 8),
  batchNorm1d: forward(() => new nn.BatchNorm1d(32), [8, 32, 50], 9),
  backbone: train({ model: 'backbone', seed: 10, steps: 4, batch: 64, optimizer: 'sgd' }),
  mlp: train({ model: 'mlp', seed: 11, steps: 4, batch: 64, optimizer: 'sgd' }),
};
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Float32Array ? Array.from(x) : x));
process.stdout.write(json(result));
