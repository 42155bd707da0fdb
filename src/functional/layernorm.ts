/**
 * F.layerNorm: PyTorch's layer_norm. Each slice over the trailing dimensions `normalizedShape`
 * (M elements) is normalised by its own mean and biased variance, then scaled and shifted
 * elementwise by weight and bias (both of shape normalizedShape, optional):
 *
 *   μ = Σ x / M,   σ² = Σ (x − μ)² / M   (two passes, in double),   r = 1/√(σ² + eps)
 *   x̂ = (x − μ)·r,   y = x̂·w + b
 *
 * Backward, per slice, with ĝ = g·w (g where there is no weight):
 *
 *   dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   dw = Σ_slices g·x̂,   db = Σ_slices g
 *
 * All sums are in double. There are no running statistics: training and evaluation are the same.
 * The last argument is an options object or eps itself (`layerNorm(x, [64], w, b, 1e-6)`).
 */
import { formatShape, numel, sameShape } from '../tensor/shape.js';
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkOptions, checkTensor, numberIn, optionalTensor, show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of layerNorm. */
export interface LayerNormOptions {
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
}

/** Layer normalisation over the trailing normalizedShape dimensions (torch.nn.functional.layer_norm), with optional elementwise weight and bias; the last argument is the options or eps (default 1e-5). */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: LayerNormOptions | number = {},
): Tensor {
  checkTensor('layerNorm', 'input', input);
  const { eps = 1e-5 } = typeof options === 'number' ? { eps: options } : checkOptions('layerNorm', options, ['eps']);
  numberIn('layerNorm', 'eps', eps, 0);
  const norm = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(norm) || !norm.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new OptionError(`layerNorm: normalizedShape must be a non-negative integer or an array of them, got ${show(normalizedShape)}`);
  }
  if (norm.length === 0) throw new OptionError('layerNorm: normalizedShape must have at least one dimension, got []');
  const k = norm.length;
  if (input.ndim < k || !sameShape(input.shape.slice(input.ndim - k), norm)) {
    throw new ShapeError(`layerNorm: normalizedShape ${formatShape(norm)} expects input (*, ${norm.join(', ')}), got ${formatShape(input.shape)}`);
  }
  const w = optionalTensor('layerNorm', 'weight', weight), b = optionalTensor('layerNorm', 'bias', bias);
  for (const [name, t] of [['weight', w], ['bias', b]] as const) {
    if (t && !sameShape(t.shape, norm)) {
      throw new ShapeError(`layerNorm: expected ${name} of shape ${formatShape(norm)} (normalizedShape), got ${formatShape(t.shape)}`);
    }
  }
  const M = numel(norm);
  const x = input.data, n = x.length;
  const rows = M === 0 ? 0 : n / M;
  const wd = w?.data ?? null, bd = b?.data ?? null;
  const y = new Float32Array(n);
  const mean = new Float64Array(rows), rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * M;
    let s = 0;
    for (let i = 0; i < M; i++) s += x[o + i]!;
    const mu = s / M;
    let v = 0;
    for (let i = 0; i < M; i++) {
      const d = x[o + i]! - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / M + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let i = 0; i < M; i++) {
      const h = (x[o + i]! - mu) * rs;
      y[o + i] = (wd ? h * wd[i]! : h) + (bd ? bd[i]! : 0);
    }
  }
  return fromOp('layerNorm', y, input.shape, [input, w, b], (g, needs) => {
    const dx = needs[0] ? new Float32Array(n) : null;
    const dw = needs[1] ? new Float64Array(M) : null, db = needs[2] ? new Float64Array(M) : null;
    for (let r = 0; r < rows; r++) {
      const o = r * M, mu = mean[r]!, rs = rstd[r]!;
      let sg = 0, sgh = 0;
      for (let i = 0; i < M; i++) {
        const h = (x[o + i]! - mu) * rs, gi = g[o + i]!;
        const gw = wd ? gi * wd[i]! : gi;
        sg += gw;
        sgh += gw * h;
        if (dw) dw[i]! += gi * h;
        if (db) db[i]! += gi;
      }
      if (dx) {
        const a = sg / M, c = sgh / M;
        for (let i = 0; i < M; i++) {
          const h = (x[o + i]! - mu) * rs, gi = g[o + i]!;
          const gw = wd ? gi * wd[i]! : gi;
          dx[o + i] = rs * (gw - a - h * c);
        }
      }
    }
    return [dx, dw && Float32Array.from(dw), db && Float32Array.from(db)];
  });
}
