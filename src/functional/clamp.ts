/**
 * clamp, as torch.clamp(x, min, max): every element limited to [min, max], e.g. predictions kept
 * non-negative (clamp(y, { min: 0 })) or a RUL capped.
 *
 *   y = min(max(x, min), max)      dx = g where min ≤ x ≤ max (bounds included), 0 elsewhere
 *
 * Either bound may be omitted, not both. As in PyTorch 1.13: the bounds are rounded to float32;
 * min > max gives max everywhere (with gradient 0); NaN elements stay NaN, with gradient 0. Bounds
 * are numbers (not Tensors), and a NaN bound is an OptionError.
 */
import { fromOp, type Tensor } from '../tensor/tensor.js';
import { checkOptions, checkTensor, numberIn } from './validate.js';
import { OptionError } from '../errors.js';

/** Bounds of clamp (PyTorch's min and max arguments). */
export interface ClampOptions {
  /** Lower bound. Default none (at least one of min and max is required). */
  min?: number;
  /** Upper bound. Default none. */
  max?: number;
}

/** input limited to [min, max] elementwise; at least one bound is required. */
export function clamp(input: Tensor, options: ClampOptions): Tensor {
  checkTensor('clamp', 'input', input);
  const o = checkOptions('clamp', options, ['min', 'max']);
  if (o.min === undefined && o.max === undefined) throw new OptionError('clamp: at least one of min and max must be given, got neither');
  const lo = o.min === undefined ? -Infinity : Math.fround(numberIn('clamp', 'min', o.min));
  const hi = o.max === undefined ? Infinity : Math.fround(numberIn('clamp', 'max', o.max));
  const x = input.data, n = x.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    y[i] = v !== v ? v : Math.min(Math.max(v, lo), hi);
  }
  return fromOp('clamp', y, input.shape, [input], (g) => {
    const dx = new Float32Array(n);
    for (let i = 0; i < n; i++) if (x[i]! >= lo && x[i]! <= hi) dx[i] = g[i]!;
    return [dx];
  });
}
