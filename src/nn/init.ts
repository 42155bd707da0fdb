/**
 * nn.init: in-place initialisation of a tensor's data, as torch.nn.init. All randomness comes from
 * the global Philox generator (manualSeed), one stream per call, so the same seed and the same
 * sequence of calls give bitwise the same weights. Each function returns the tensor it filled.
 *
 * Fans are PyTorch's: for a weight of shape (out, in, *k), fan_in = in · prod(k) and
 * fan_out = out · prod(k) (so a Conv1d weight (C_out, C_in/groups, K) has fan_in = C_in/groups · K).
 */
import { normals, uniforms } from '../tensor/random.js';
import { checkShape, formatShape, numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Nonlinearities calculateGain knows (PyTorch's names; camelCase 'leakyRelu' is accepted too). */
export type Nonlinearity =
  | 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';

/** Which fan scales the variance: 'fan_in' preserves it in the forward pass, 'fan_out' in backward. */
export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

const UNIT_GAIN = new Set(['linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid']);

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/conv/sigmoid,
 * 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  if (UNIT_GAIN.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new OptionError(`calculateGain: negative_slope ${show(slope)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new OptionError(`calculateGain: unsupported nonlinearity ${show(nonlinearity)}`);
  }
}

/** [fan_in, fan_out] of a weight of at least 2 dimensions (torch.nn.init._calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new ShapeError(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got ${formatShape(t.shape)}`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function correctFan(where: string, t: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === 'fan_in' || mode === 'fanIn') return fanIn;
  if (mode === 'fan_out' || mode === 'fanOut') return fanOut;
  throw new OptionError(`${where}: mode ${show(mode)} not supported, please use one of 'fan_in', 'fan_out'`);
}

function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`${where}: ${name} must be a finite number, got ${show(v)}`);
  return v;
}

/** Fills t with values from U(a, b), drawn as a + (b − a)·u. Defaults a = 0, b = 1. */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  finite('uniform_', 'a', a);
  finite('uniform_', 'b', b);
  if (a > b) throw new OptionError(`uniform_: expects to return a [from, to) range, but found from=${a} > to=${b}`);
  const u = uniforms(t.numel);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = a + (b - a) * u[i]!;
  return t;
}

/** Fills t with values from N(mean, std²). Defaults mean = 0, std = 1. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  finite('normal_', 'mean', mean);
  finite('normal_', 'std', std);
  if (std < 0) throw new OptionError(`normal_: expects std >= 0.0, but found std ${std}`);
  const z = normals(t.numel);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * z[i]!;
  return t;
}

/** Fills t with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  if (typeof value !== 'number') throw new OptionError(`constant_: value must be a number, got ${show(value)}`);
  t.data.fill(value);
  return t;
}

/** Fills t with 0 in place and returns it (torch.nn.init.zeros_). */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills t with 1 in place and returns it (torch.nn.init.ones_). */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Options of kaimingUniform_ / kaimingNormal_ (torch.nn.init.kaiming_*'s keyword arguments). */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (used with 'leaky_relu'). Default 0. */
  a?: number;
  /** Fan that sets the scale. Default 'fan_in'. */
  mode?: FanMode;
  /** The nonlinearity after this layer, for its gain. Default 'leaky_relu'. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(where: string, t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  finite(where, 'a', a);
  const fan = correctFan(where, t, mode);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He (Kaiming) uniform: U(−bound, bound) with bound = gain · √(3 / fan). PyTorch's Conv and Linear
 * layers use a = √5, which gives bound = 1/√fan_in. A tensor with no elements is left as is.
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, options);
  return uniform_(t, -bound, bound);
}

/** He (Kaiming) normal: N(0, std²) with std = gain / √fan. A tensor with no elements is left as is. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.numel === 0) return t;
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, options));
}

function xavierStd(where: string, t: Tensor, gain: number): number {
  finite(where, 'gain', gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Glorot (Xavier) uniform: U(−a, a) with a = gain · √(6 / (fan_in + fan_out)). Default gain 1. */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const a = Math.sqrt(3) * xavierStd('xavierUniform_', t, gain);
  return uniform_(t, -a, a);
}

/** Glorot (Xavier) normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out)). Default gain 1. */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  return normal_(t, 0, xavierStd('xavierNormal_', t, gain));
}

/**
 * The default initialisation of Conv and Linear layers (PyTorch's reset_parameters): weight
 * Kaiming-uniform with a = √5, i.e. U(±1/√fan_in), then bias U(±1/√fan_in); weight drawn first.
 */
export function defaultWeightAndBias_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const bound = 1 / Math.sqrt(calculateFanInAndFanOut(weight)[0]);
    uniform_(bias, -bound, bound);
  }
}

/**
 * A new parameter or buffer of `shape` filled with `value`, for `layer`'s tensor `name`: a shape too
 * large to allocate is a ShapeError naming both (nn.Linear(2^20, 2^20)), not the allocator's RangeError.
 */
export function filledParameter(layer: string, name: string, shape: readonly number[], value = 0): Tensor {
  const s = checkShape(layer, shape, `${name} shape`);
  return new Tensor(new Float32Array(numel(s)).fill(value), s);
}
