/**
 * AdamW, as torch.optim.AdamW in PyTorch 1.13: Adam with decoupled weight decay — each step first
 * shrinks the parameters, θ ← θ·(1 − lr·λ), then runs Adam's update on the raw gradient (no L2 term
 * in the moments). Default weightDecay 1e-2. The update and its float32 arithmetic are Adam's
 * (./adam.ts).
 */
import { Adam, type AdamOptions } from './adam.js';
import type { ParamsInput } from './optimizer.js';

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  /**
   * @param params parameters or parameter groups (`[{ params, lr, weightDecay, ... }]`)
   * @param options PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2,
   *   amsgrad false, maximize false
   */
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2 });
  }

  protected override decoupledWeightDecay(): boolean {
    return true;
  }
}
