/**
 * AdamW, as torch.optim.AdamW in PyTorch 1.13: Adam with decoupled weight decay — each step first
 * shrinks the parameters, θ ← θ·(1 − lr·λ), then runs Adam's update on the raw gradient (no L2 term
 * in the moments). Default weightDecay 1e-2. The update and its float32 arithmetic are Adam's
 * (./adam.ts).
 */
import { Adam, type AdamOptions } from './adam.js';
import type { OptimizerOptions, ParamsInput } from './optimizer.js';

/** Options of optim.AdamW: Adam's, with weightDecay decoupled and defaulting to 1e-2. */
export type AdamWOptions = AdamOptions;

/** torch.optim.AdamW: Adam with decoupled weight decay, θ ← θ·(1 − lr·λ) before the Adam update; default weightDecay 1e-2. */
export class AdamW extends Adam {
  /**
   * @param params parameters or parameter groups (`[{ params, lr, weightDecay, ... }]`)
   * @param options PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2,
   *   amsgrad false, maximize false; and allowNonFinite false (OptimizerOptions)
   */
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> & OptimizerOptions = {}) {
    // Only a missing weightDecay takes the default; null and other wrong values reach Adam's check.
    super(params, { ...options, weightDecay: options.weightDecay === undefined ? 1e-2 : options.weightDecay });
  }

  protected override decoupledWeightDecay(): boolean {
    return true;
  }
}
