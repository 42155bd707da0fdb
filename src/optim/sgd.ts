/**
 * SGD with momentum, dampening, Nesterov momentum, coupled weight decay and maximize, as
 * torch.optim.SGD in PyTorch 1.13 (its single-tensor implementation):
 *
 *   g ← ±∇ (− when maximize);  g ← g + λ·θ  (weightDecay λ ≠ 0)
 *   b ← g at the first step, then b ← μ·b + (1 − τ)·g           (momentum μ ≠ 0, dampening τ)
 *   g ← g + μ·b (nesterov) or g ← b;   θ ← θ − lr·g
 *
 * Arithmetic follows PyTorch's float32 ops element by element: a scalar factor is first rounded to
 * float32 (as PyTorch casts a Python float to the tensor's dtype), `x.add(y, alpha=a)` is one fused
 * multiply-add (x + a·y computed exactly in float64 and rounded once, as PyTorch's AVX2 kernel does
 * with FMA), `x.mul(a)` is one rounded product. On this machine's PyTorch that reproduces its results
 * to the last bit except in rare double-rounding ties. The per-element update is the sgdUpdate kernel
 * (src/ref/optim.ts has its exact float32 arithmetic); a weight decay that rounds to 0 in float32 is
 * no weight decay.
 */
import { kernels } from '../backend/index.js';
import { gradOf } from '../tensor/tensor.js';
import { checks, type OptionSpec, Optimizer, type OptimizerOptions, type ParamsInput, type StateSpec, withDefaults } from './optimizer.js';

const f32 = Math.fround;

/** Options of optim.SGD (torch.optim.SGD's arguments, camelCase). */
export interface SGDOptions {
  /** Learning rate (required, in the options or in every group). */
  lr: number;
  /** Momentum factor μ. Default 0. */
  momentum: number;
  /** Dampening τ for momentum. Default 0. */
  dampening: number;
  /** Coupled weight decay (L2 penalty added to the gradient). Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov: boolean;
  /** Maximise the objective instead of minimising. Default false. */
  maximize: boolean;
}

const SGD_OPTIONS: readonly OptionSpec[] = [
  { name: 'lr', kind: 'number', check: checks.lr },
  { name: 'momentum', kind: 'number', check: checks.nonNegative('momentum value', 'momentum') },
  { name: 'dampening', kind: 'number', check: checks.finite('dampening value', 'dampening') },
  { name: 'weightDecay', kind: 'number', check: checks.nonNegative('weightDecay value', 'weightDecay') },
  { name: 'nesterov', kind: 'boolean' },
  { name: 'maximize', kind: 'boolean' },
];

const SGD_STATE: readonly StateSpec[] = [{ name: 'momentumBuffer', kind: 'buffer-or-null', required: false }];

/** torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum, coupled weight decay and maximize; PyTorch's float32 arithmetic. */
export class SGD extends Optimizer<SGDOptions> {
  /**
   * @param params parameters or parameter groups (`[{ params, lr, momentum, ... }]`)
   * @param options PyTorch's defaults: momentum 0, dampening 0, weightDecay 0, nesterov false,
   *   maximize false; lr has no default; and allowNonFinite false (OptimizerOptions)
   */
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & OptimizerOptions = {}) {
    super(params, withDefaults<SGDOptions & OptimizerOptions>({ momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options));
  }

  protected optionSpecs(): readonly OptionSpec[] {
    return SGD_OPTIONS;
  }

  protected stateSpecs(): readonly StateSpec[] {
    return SGD_STATE;
  }

  protected override crossCheck(o: Record<string, unknown>): string | null {
    if (o.nesterov === true && (!((o.momentum as number) > 0) || o.dampening !== 0)) {
      return `Nesterov momentum requires a momentum and zero dampening (momentum ${o.momentum}, dampening ${o.dampening})`;
    }
    return null;
  }

  step<T>(closure?: () => T): T | undefined {
    const loss = closure ? closure() : undefined;
    this.checkStep();
    for (const group of this.paramGroups) {
      const { momentum, dampening, weightDecay, nesterov, maximize, lr } = group;
      const scalars = {
        weightDecay: f32(weightDecay), momentum: f32(momentum), oneMinusDampening: f32(1 - dampening), negLr: f32(-lr), nesterov, maximize,
      };
      for (const p of group.params) {
        if (!gradOf(p)) continue;
        const grad = gradOf(p)!.data;
        const theta = p.data;
        let state = this.state.get(p);
        if (!state) {
          state = { momentumBuffer: null };
          this.state.set(p, state);
        }
        let buf = momentum !== 0 ? ((state.momentumBuffer as Float32Array | null | undefined) ?? null) : null;
        // The first step starts the buffer from d (PyTorch's clone): the kernel does not read it then.
        const firstStep = momentum !== 0 && buf === null;
        if (firstStep) buf = new Float32Array(theta.length);
        kernels.sgdUpdate(theta, buf, grad, { count: theta.length, ...scalars, firstStep });
        state.momentumBuffer = momentum !== 0 ? buf : (state.momentumBuffer ?? null);
      }
    }
    return loss;
  }
}
