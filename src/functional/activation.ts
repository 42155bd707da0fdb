/**
 * Activations (F.relu is kernel-backed, in ./relu.ts). Each is computed in double from the float32
 * input and rounded once; the backward formulas are PyTorch's.
 *
 *   leakyRelu(x, s):  y = x > 0 ? x : s·x                   dx = g·(x > 0 ? 1 : s)
 *   gelu 'none':      y = x·Φ(x),  Φ(x) = erfc(−x/√2)/2      dx = g·(Φ(x) + x·φ(x)),  φ(x) = e^(−x²/2)/√(2π)
 *   gelu 'tanh':      y = x/2·(1 + tanh(u)),  u = √(2/π)·(x + 0.044715·x³)
 *                     dx = g·((1 + tanh u)/2 + x/2·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²))
 *   sigmoid:          y = 1/(1 + e^(−x)) (as e^x/(1 + e^x) for x < 0)    dx = g·y·(1 − y)
 *   tanh:             y = tanh x                                        dx = g·(1 − y²)
 *
 * The sigmoid and tanh gradients use the float32 output y, as PyTorch's do. gelu 'none' evaluates Φ
 * with an accurate erfc (./special.ts), so its lower tail is accurate in relative terms; PyTorch
 * computes 1 + erf(x/√2) in float32, which cancels for x ≲ −4 (there the two differ by less than
 * 1e-6 absolute).
 */
import type { Tensor } from '../tensor/tensor.js';
import { normalCdf } from './special.js';
import { unary } from './arithmetic.js';
import { checkOptions, numberIn, oneOf } from './validate.js';

/** x for x > 0, negativeSlope·x otherwise (the gradient at 0 is negativeSlope, as PyTorch). */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  const s = Math.fround(numberIn('leakyRelu', 'negativeSlope', negativeSlope));
  return unary('leakyRelu', input, (x) => (x > 0 ? x : x * s), (x) => (x > 0 ? 1 : s));
}

/** GELU's two forms: the exact one with erf ('none') and the tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

/** Options of gelu (F.gelu's keyword argument). */
export interface GeluOptions {
  /** 'none' for x·Φ(x) with the exact normal CDF, 'tanh' for the tanh approximation. Default 'none'. */
  approximate?: GeluApproximate;
}

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)
const KAPPA = 0.044715;

/**
 * Gaussian error linear unit. The second argument is an options object, or the `approximate` string
 * itself (`gelu(x, 'tanh')`).
 */
export function gelu(input: Tensor, options: GeluOptions | GeluApproximate = {}): Tensor {
  const opts = typeof options === 'string' ? { approximate: options } : checkOptions('gelu', options, ['approximate']);
  const approximate = oneOf('gelu', 'approximate', opts.approximate ?? 'none', ['none', 'tanh'] as const);
  if (approximate === 'none') {
    return unary(
      'gelu',
      input,
      (x) => x * normalCdf(x),
      (x) => normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
    );
  }
  return unary(
    'gelu',
    input,
    (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x * x * x))),
    (x) => {
      const t = Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x);
    },
  );
}

/** The logistic function 1/(1 + e^(−x)). */
export function sigmoid(input: Tensor): Tensor {
  return unary(
    'sigmoid',
    input,
    (x) => {
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      const e = Math.exp(x);
      return e / (1 + e);
    },
    (_x, y) => y * (1 - y),
  );
}

/** The hyperbolic tangent. */
export function tanh(input: Tensor): Tensor {
  return unary('tanh', input, Math.tanh, (_x, y) => 1 - y * y);
}
