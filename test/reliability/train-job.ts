/**
 * The small trainings the reliability tests repeat under different conditions — alone or two at once
 * in worker_threads, on 1 to 4 kernel threads, at each CPU level in a child process — and compare bit
 * for bit. Two models that hit different kernels: a conv1dBackbone (Conv1d → BatchNorm1d → ReLU →
 * Dropout blocks, a Linear head) and a BatchNorm MLP (Linear → BatchNorm1d → ReLU → Dropout → Linear),
 * each with batches big enough (≥ 1 MB of activations) that the native kernels split them across the
 * thread pool. Everything is a function of the job: initial weights and data come from keel's
 * generator under manualSeed(job.seed), dropout masks from the same generator. No vitest import: the
 * module also runs inside worker threads and child processes (through tsx).
 */
import { backendInfo, F, manualSeed, nn, optim, randn, type Tensor } from '../../src/index.js';

/** One training run. */
export interface TrainJob {
  /** 'backbone': conv1dBackbone over (batch, 8, 32); 'mlp': 64 → 256 → 10 over (batch, 64). */
  model: 'backbone' | 'mlp';
  /** manualSeed of the weights, the data and the dropout masks. */
  seed: number;
  /** Optimiser steps, each on a fresh batch. */
  steps: number;
  /** Samples per batch. Default 256 (backbone) or 512 (mlp): big enough for the thread pool to split the kernels. */
  batch?: number;
  /** Adam (lr 1e-3, the default) or SGD (lr 0.01, momentum 0.9). */
  optimizer?: 'adam' | 'sgd';
}

/** What a run leaves: every parameter and buffer (float32 only: num_batches_tracked is left out), the losses, where it ran. */
export interface TrainResult {
  state: Record<string, Float32Array>;
  losses: number[];
  isa: string;
}

/** Default batch, then the shapes of one sample's x and y. */
const SHAPES = {
  backbone: { batch: 256, x: [8, 32], y: [1] },
  mlp: { batch: 512, x: [64], y: [10] },
} as const;

function build(model: TrainJob['model']): nn.Module {
  if (model === 'backbone') return nn.conv1dBackbone({ inChannels: 8, window: 32, widths: [32, 32], headHidden: 32, dropout: 0.15, headDropout: 0.3 });
  return new nn.Sequential(new nn.Linear(64, 256, { bias: false }), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(256, 10));
}

/** Trains job.model for job.steps steps of mseLoss on N(0, 1) data; returns the final state. */
export function train(job: TrainJob): TrainResult {
  manualSeed(job.seed);
  const model = build(job.model).train();
  const params = model.parameters();
  const opt = job.optimizer === 'sgd' ? new optim.SGD(params, { lr: 0.01, momentum: 0.9 }) : new optim.Adam(params);
  const losses: number[] = [];
  const shape = SHAPES[job.model], n = job.batch ?? shape.batch;
  for (let s = 0; s < job.steps; s++) {
    const x = randn([n, ...shape.x]), y = randn([n, ...shape.y]);
    opt.zeroGrad();
    const loss = F.mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const state: Record<string, Float32Array> = {};
  for (const [k, t] of [...model.namedParameters(), ...model.namedBuffers()] as Array<[string, Tensor]>) {
    if (t.data instanceof Float32Array) state[k] = t.data.slice();
  }
  return { state, losses, isa: backendInfo().isa };
}
