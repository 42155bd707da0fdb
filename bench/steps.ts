/**
 * The training steps bench:ab and bench:loop time, written as a PyTorch user writes them by hand:
 * opt.zeroGrad(), forward, loss, backward(), opt.step(). The §1 backbone at batch 256 (mse, Adam)
 * and bench:e2e's MLP 784 → 512 → 256 → 10 at batch 128 (Linear → BatchNorm1d → ReLU →
 * Dropout(0.5), crossEntropy, AdamW); seeded inputs, four batches in turn.
 */
import type { Tensor } from '../src/tensor/tensor.js';
import type { KeelApi } from './cases.js';

export type StepModel = 'backbone' | 'mlp';

export interface TrainingStep {
  /** One training step on the next batch. */
  step(): void;
  /** The model's parameters (what a gradient logger would read). */
  parameters(): Tensor[];
}

export function trainingStep(keel: KeelApi, model: StepModel): TrainingStep {
  keel.manualSeed(0);
  const { nn, F, optim } = keel;
  let i = 0;
  if (model === 'mlp') {
    const net = new nn.Sequential(
      ...[[784, 512], [512, 256]].flatMap(([inF, outF]) => [
        new nn.Linear(inF!, outF!, { bias: false }), new nn.BatchNorm1d(outF!), new nn.ReLU(), new nn.Dropout(0.5),
      ]),
      new nn.Linear(256, 10),
    ).train();
    const opt = new optim.AdamW(net.parameters(), { lr: 1e-3, weightDecay: 1e-2 });
    const inputs = Array.from({ length: 4 }, () => keel.randn([128, 784]));
    const labels = Array.from({ length: 128 }, (_, j) => j % 10);
    return {
      step() {
        opt.zeroGrad();
        F.crossEntropy(net.forward(inputs[i++ % inputs.length]!), labels).backward();
        opt.step();
      },
      parameters: () => net.parameters(),
    };
  }
  const net = nn.conv1dBackbone().train();
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3, weightDecay: 1e-5 });
  const inputs = Array.from({ length: 4 }, () => keel.randn([256, 14, 30]));
  const target = keel.randn([256, 1]);
  return {
    step() {
      opt.zeroGrad();
      F.mseLoss(net.forward(inputs[i++ % inputs.length]!), target).backward();
      opt.step();
    },
    parameters: () => net.parameters(),
  };
}
