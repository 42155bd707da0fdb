/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (PyTorch 1.13): called
 * between loss.backward() and opt.step() to keep one bad batch from throwing the weights far away.
 *
 *   loss.backward();
 *   const norm = clipGradNorm(model.parameters(), 1.0);   // the norm before clipping
 *   opt.step();
 *
 * Parameters without a gradient are skipped. Both change the gradients in place. A tensor listed
 * twice is an error (its gradient would be counted and scaled twice).
 */
import { NonFiniteError, OptionError, ShapeError } from '../errors.js';
import { gradOf, type Tensor } from '../tensor/tensor.js';
import { tensorsOf } from './regularization.js';
import { checkBoolean, checkKnown, checkNumber, fmt, optionsObject } from '../options.js';

const f32 = Math.fround;

/** Options of optim.clipGradNorm (torch.nn.utils.clip_grad_norm_'s keyword arguments). */
export interface ClipGradNormOptions {
  /** The p of the p-norm: a number > 0, or Infinity for the largest absolute value. Default 2. */
  normType?: number;
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

/** The gradients of the parameters that have one, each checked against its parameter's size. */
function gradients(where: string, params: Iterable<Tensor> | Tensor): Float32Array[] {
  const list = tensorsOf(where, params);
  const seen = new Map<Tensor, number>();
  const out: Float32Array[] = [];
  list.forEach((p, i) => {
    const first = seen.get(p);
    if (first !== undefined) throw new OptionError(`${where}: params[${i}] is the same tensor as params[${first}] (its gradient would be counted and changed twice)`);
    seen.set(p, i);
    const g = gradOf(p)?.data;
    if (!g) return;
    if (g.length !== p.numel) throw new ShapeError(`${where}: params[${i}] (shape ${JSON.stringify(p.shape)}) has a gradient with ${g.length} elements`);
    out.push(g);
  });
  return out;
}

/**
 * The p-norm of all gradients taken as one vector, in float64:
 *   p = ∞: max |g|;   p = 1: Σ|g|;   p = 2: √(Σg²);
 *   other p: m·(Σ(|g|/m)^p)^(1/p) with m = max |g| (scaled so |g|^p neither overflows nor underflows).
 * A NaN gradient element makes it NaN (as PyTorch's).
 */
function totalNorm(grads: readonly Float32Array[], p: number): number {
  let max = 0, sum = 0, nan = false;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (a !== a) nan = true;
      else if (a > max) max = a;
      if (p === 1) sum += a;
      else if (p === 2) sum += a * a;
    }
  }
  if (nan) return NaN;
  if (p === Infinity) return max;
  if (p === 1) return sum;
  if (p === 2) return Math.sqrt(sum);
  if (max === 0 || max === Infinity) return max;
  let scaled = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) scaled += (Math.abs(g[i]!) / max) ** p;
  return max * scaled ** (1 / p);
}

/**
 * Scales the gradients so that their total p-norm is at most maxNorm, and returns the total norm
 * before clipping (0 when no parameter has a gradient):
 *
 *   total = ‖(all gradient elements)‖_p;   c = maxNorm / (total + 1e-6);
 *   if c < 1: g ← g · c  (c rounded to float32, one float32 product per element, as PyTorch)
 *
 * c ≥ 1 leaves the gradients untouched (bit for bit). As PyTorch, a NaN total makes every gradient
 * NaN and an infinite one makes them 0 (or NaN where infinite), unless errorIfNonfinite.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const where = 'clipGradNorm';
  const grads = gradients(where, params);
  const max = checkNumber(where, 'maxNorm', maxNorm, { min: 0 });
  const o = optionsObject(where, options);
  checkKnown(where, o, ['normType', 'errorIfNonfinite']);
  const p = o.normType ?? 2;
  if (typeof p !== 'number') throw new OptionError(`${where}: normType must be a number > 0 or Infinity, got ${fmt(p)}`);
  if (!(p > 0)) throw new OptionError(`${where}: invalid normType: ${fmt(p)} (must be > 0, or Infinity)`);
  const errorIfNonfinite = checkBoolean(where, 'errorIfNonfinite', o.errorIfNonfinite ?? false);
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, p);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new NonFiniteError(
      `${where}: the total norm of order ${p} of the gradients is non-finite (${total}), so they cannot be clipped; pass errorIfNonfinite: false to scale them by the non-finite norm anyway`,
    );
  }
  const coef = max / (total + 1e-6);
  // PyTorch clamps the coefficient to at most 1; NaN stays NaN.
  if (!(coef >= 1)) {
    const c = f32(coef);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * c;
  }
  return total;
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] (clipValue rounded to float32, as PyTorch
 * casts it to the gradient's dtype); NaN elements stay NaN.
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const where = 'clipGradValue';
  const grads = gradients(where, params);
  const c = f32(checkNumber(where, 'clipValue', clipValue, { min: 0 }));
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!;
      if (v > c) g[i] = c;
      else if (v < -c) g[i] = -c;
    }
  }
}
