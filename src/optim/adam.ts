/**
 * Adam (coupled L2 weight decay, optional AMSGrad, maximize), as torch.optim.Adam in PyTorch 1.13 —
 * its single-tensor implementation, in its order of operations:
 *
 *   t ← t + 1;  g ← ±∇;  g ← g + λ·θ                       (weightDecay λ ≠ 0)
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g·g
 *   c1 = 1 − β1^t, c2 = 1 − β2^t (float64);  stepSize = lr / c1
 *   v̂ ← max(v̂, v) (amsgrad);  denom = √v / √c2 + eps (√v̂ with amsgrad)
 *   θ ← θ − stepSize · m / denom
 *
 * Scalars (bias corrections, step size) are float64 as PyTorch's Python floats; the per-element
 * update is the adamUpdate kernel, applied to all of a group's parameters in one adamUpdateMulti
 * call (src/ref/optim.ts has its exact float32 arithmetic: mul_ one rounded product, add_ with alpha
 * and addcmul_ fused as in PyTorch's FMA kernels, sqrt, division and addcdiv_ rounded per op).
 *
 * AdamW (./adamw.ts) shares this update with decoupled weight decay θ ← θ·(1 − lr·λ) first.
 */
import { kernels } from '../backend/index.js';
import type { AdamTensor } from '../ref/optim.js';
import { gradOf, type Tensor } from '../tensor/tensor.js';
import { checks, type OptionSpec, Optimizer, type OptimizerOptions, type ParamGroup, type ParamsInput, type ParamState, type StateSpec, withDefaults } from './optimizer.js';

const f32 = Math.fround;

/** Options of optim.Adam and optim.AdamW (torch.optim.Adam's arguments, camelCase). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0); AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** The AMSGrad variant (maximum of past second moments). Default false. */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising. Default false. */
  maximize: boolean;
}

export const ADAM_OPTIONS: readonly OptionSpec[] = [
  { name: 'lr', kind: 'number', check: checks.lr },
  { name: 'betas', kind: 'betas', check: checks.betas },
  { name: 'eps', kind: 'number', check: checks.nonNegative('epsilon value', 'eps') },
  { name: 'weightDecay', kind: 'number', check: checks.nonNegative('weightDecay value', 'weightDecay') },
  { name: 'amsgrad', kind: 'boolean' },
  { name: 'maximize', kind: 'boolean' },
];

export const ADAM_STATE: readonly StateSpec[] = [
  { name: 'step', kind: 'count', required: true },
  { name: 'expAvg', kind: 'buffer', required: true },
  { name: 'expAvgSq', kind: 'buffer', required: true },
  { name: 'maxExpAvgSq', kind: 'buffer', required: false },
];

/**
 * One Adam/AdamW step of every group (PyTorch's _single_tensor_adam / _single_tensor_adamw): the
 * scalars of every parameter with a gradient are computed in turn, then one adamUpdateMulti call
 * updates them all (one native parallel region; bitwise the same as one adamUpdate per parameter).
 * State a parameter gets on its first step, and the step counts, are kept only once that call has
 * succeeded: a refused call changes nothing.
 */
function adamStep(state: Map<Tensor, ParamState>, groups: ReadonlyArray<ParamGroup<AdamOptions>>, decoupled: boolean): void {
  const tensors: Array<AdamTensor<Float32Array>> = [];
  const commits: Array<() => void> = [];
  for (const group of groups) {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = betas;
    const b1 = f32(beta1), b2 = f32(beta2), oneMinusBeta1 = f32(1 - beta1), oneMinusBeta2 = f32(1 - beta2);
    const wd = f32(weightDecay), epsF = f32(eps), decay = f32(1 - lr * weightDecay);
    for (const p of group.params) {
      const grad = gradOf(p)?.data;
      if (!grad) continue;
      const theta = p.data;
      const old = state.get(p);
      const s: ParamState = old && Object.keys(old).length > 0
        ? { ...old }
        : { step: 0, expAvg: new Float32Array(theta.length), expAvgSq: new Float32Array(theta.length) };
      if (amsgrad && !(s.maxExpAvgSq instanceof Float32Array)) s.maxExpAvgSq = new Float32Array(theta.length);
      // PyTorch keeps the step in a float32 tensor.
      const step = f32((s.step as number) + 1);
      s.step = step;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      tensors.push({
        param: theta, expAvg: s.expAvg as Float32Array, expAvgSq: s.expAvgSq as Float32Array,
        maxExpAvgSq: amsgrad ? (s.maxExpAvgSq as Float32Array) : null, grad,
        params: {
          count: theta.length, beta1: b1, beta2: b2, oneMinusBeta1, oneMinusBeta2, weightDecay: wd, eps: epsF, decay,
          c2Sqrt: f32(Math.sqrt(biasCorrection2)), negStep: f32(-lr / biasCorrection1), decoupled, maximize, amsgrad,
        },
      });
      commits.push(old ? () => Object.assign(old, s) : () => state.set(p, s));
    }
  }
  kernels.adamUpdateMulti(tensors);
  for (const commit of commits) commit();
}

/** torch.optim.Adam: adaptive moments with coupled L2 weight decay, optional AMSGrad and maximize; PyTorch 1.13's arithmetic (update in the file header). */
export class Adam extends Optimizer<AdamOptions> {
  /**
   * @param params parameters or parameter groups (`[{ params, lr, ... }]`)
   * @param options PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0,
   *   amsgrad false, maximize false; and allowNonFinite false (OptimizerOptions)
   */
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> & OptimizerOptions = {}) {
    super(params, withDefaults<AdamOptions & OptimizerOptions>({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options));
  }

  protected optionSpecs(): readonly OptionSpec[] {
    return ADAM_OPTIONS;
  }

  protected stateSpecs(): readonly StateSpec[] {
    return ADAM_STATE;
  }

  step<T>(closure?: () => T): T | undefined {
    const loss = closure ? closure() : undefined;
    this.checkStep();
    adamStep(this.state, this.paramGroups, this.decoupledWeightDecay());
    return loss;
  }

  /** Coupled L2 (the decay enters the gradient); AdamW overrides this. */
  protected decoupledWeightDecay(): boolean {
    return false;
  }
}
