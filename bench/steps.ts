/**
 * The training steps bench:ab and bench:loop time, written as a PyTorch user writes them by hand:
 * opt.zeroGrad(), forward, loss, backward(), opt.step(). The §1 backbone at batch 256 (mse, Adam)
 * and bench:e2e's MLP 784 → 512 → 256 → 10 at batch 128 (Linear → BatchNorm1d → ReLU →
 * Dropout(0.5), crossEntropy, AdamW); seeded inputs, four batches in turn.
 */
import type { Module } from '../src/nn/module.js';
import type { Tensor } from '../src/tensor/tensor.js';
import type { KeelApi } from './cases.js';

export type StepModel = 'backbone' | 'mlp';

export interface TrainingStep {
  /** One training step on the next batch. */
  step(): void;
  /** The model's parameters (what a gradient logger would read). */
  parameters(): Tensor[];
}

/** A model, its optimiser, four input batches and the loss of an output. */
interface Parts {
  net: { forward(x: Tensor): Tensor; parameters(): Tensor[]; train(): unknown };
  opt: { zeroGrad(): void; step(): void };
  inputs: Tensor[];
  loss(out: Tensor): Tensor;
}

/** bench:e2e's MLP: its widths, and each hidden layer Linear (no bias) → BatchNorm1d → ReLU → Dropout(0.5). */
export const MLP_WIDTHS = [784, 512, 256, 10] as const;

export function mlpModel({ nn }: KeelApi): Module {
  const layers: Module[] = [];
  for (let i = 0; i + 2 < MLP_WIDTHS.length; i++) {
    const [inF, outF] = [MLP_WIDTHS[i]!, MLP_WIDTHS[i + 1]!];
    layers.push(new nn.Linear(inF, outF, { bias: false }), new nn.BatchNorm1d(outF), new nn.ReLU(), new nn.Dropout(0.5));
  }
  layers.push(new nn.Linear(MLP_WIDTHS.at(-2)!, MLP_WIDTHS.at(-1)!));
  return new nn.Sequential(...layers);
}

function mlp(keel: KeelApi): Parts {
  const { F, optim, randn } = keel;
  const net = mlpModel(keel);
  const labels = Array.from({ length: 128 }, (_, j) => j % 10);
  return {
    net, opt: new optim.AdamW(net.parameters(), { lr: 1e-3, weightDecay: 1e-2 }),
    inputs: Array.from({ length: 4 }, () => randn([128, 784])), loss: (out) => F.crossEntropy(out, labels),
  };
}

function backbone({ nn, F, optim, randn }: KeelApi): Parts {
  const net = nn.conv1dBackbone();
  const target = randn([256, 1]);
  return {
    net, opt: new optim.Adam(net.parameters(), { lr: 1e-3, weightDecay: 1e-5 }),
    inputs: Array.from({ length: 4 }, () => randn([256, 14, 30])), loss: (out) => F.mseLoss(out, target),
  };
}

export function trainingStep(keel: KeelApi, model: StepModel): TrainingStep {
  keel.manualSeed(0);
  const { net, opt, inputs, loss } = (model === 'mlp' ? mlp : backbone)(keel);
  net.train();
  let i = 0;
  return {
    step() {
      opt.zeroGrad();
      loss(net.forward(inputs[i++ % inputs.length]!)).backward();
      opt.step();
    },
    parameters: () => net.parameters(),
  };
}
