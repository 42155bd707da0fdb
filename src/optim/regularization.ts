/**
 * Regularisers: explicit L1/L2 penalties that take part in autograd, and the usual split of a model's
 * parameters into decayed and non-decayed groups.
 *
 *   const loss = add(criterion(out, y), l1Penalty(decayedParameters(model), 1e-5));
 *   new AdamW(weightDecayGroups(model, 1e-2), { lr: 1e-3 });
 *
 * l1Penalty = λ·Σ|w|, gradient λ·sign(w) (0 at w = 0, as torch.abs' gradient); l2Penalty = λ·Σw²,
 * gradient 2λ·w. The sums are accumulated in float64 and rounded once; the gradients follow
 * PyTorch's chain for `lam * w.abs().sum()` / `lam * w.pow(2).sum()` (upstream·λ rounded to float32,
 * then × sign(w) or × 2w). The parameters' values are captured when the penalty is computed, so an
 * optimiser step between forward and backward does not change the gradient.
 *
 * Note that an L2 penalty λ·Σw² in the loss equals SGD's weightDecay 2λ (and is not AdamW's decoupled
 * decay).
 */
import { OptionError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { Tensor, fromOp } from '../tensor/tensor.js';
import { fmt } from '../options.js';

const f32 = Math.fround;

/** `params` as a list of tensors (one Tensor or an iterable of them); throws naming `where` otherwise. */
export function tensorsOf(where: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new OptionError(`${where}: params must be a Tensor or an iterable of Tensors, got ${fmt(params)}`);
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new OptionError(`${where}: params[${i}] is ${fmt(p)}, not a Tensor`);
  });
  return list;
}

function checkLambda(where: string, lambda: unknown): number {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new OptionError(`${where}: lambda must be a finite number >= 0, got ${fmt(lambda)}`);
  }
  return lambda;
}

/** λ·Σ|w| over every element of every tensor, as a scalar tensor in the autograd graph. */
export function l1Penalty(params: Iterable<Tensor> | Tensor, lambda: number): Tensor {
  const ps = tensorsOf('l1Penalty', params);
  const lam = checkLambda('l1Penalty', lambda);
  let sum = 0;
  const record = isGradEnabled();
  const signs = ps.map((p) => {
    const d = p.data;
    const s = record && p.requiresGrad ? new Int8Array(d.length) : null;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      sum += Math.abs(v);
      if (s) s[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
    }
    return s;
  });
  const value = new Float32Array([lam * sum]);
  const lam32 = f32(lam);
  return fromOp('l1Penalty', value, [], ps, (g, needs) => {
    const c = f32(g[0]! * lam32);
    return signs.map((s, k) => {
      if (!needs[k] || !s) return null;
      const out = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) out[i] = s[i]! * c;
      return out;
    });
  });
}

/** λ·Σw² over every element of every tensor, as a scalar tensor in the autograd graph. */
export function l2Penalty(params: Iterable<Tensor> | Tensor, lambda: number): Tensor {
  const ps = tensorsOf('l2Penalty', params);
  const lam = checkLambda('l2Penalty', lambda);
  let sum = 0;
  const values = ps.map((p) => {
    const d = p.data;
    for (let i = 0; i < d.length; i++) sum += d[i]! * d[i]!;
    return p.requiresGrad && isGradEnabled() ? new Float32Array(d) : null;
  });
  const value = new Float32Array([lam * sum]);
  const lam32 = f32(lam);
  return fromOp('l2Penalty', value, [], ps, (g, needs) => {
    const c2 = 2 * f32(g[0]! * lam32);
    return values.map((w, k) => {
      if (!needs[k] || !w) return null;
      const out = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) out[i] = c2 * w[i]!;
      return out;
    });
  });
}

/** What the exclusion rule sees for each parameter. */
export interface ParameterInfo {
  /** Dotted name in the model ("0.weight"). */
  name: string;
  /** The name within its module ("weight", "bias"). */
  paramName: string;
  /** The parameter itself. */
  param: Tensor;
  /** The module that registered it. */
  module: Module;
}

/** Options of optim.weightDecayGroups. */
export interface WeightDecayGroupsOptions {
  /**
   * Which parameters get no weight decay. Default `noWeightDecay`: biases, every parameter of a norm
   * layer (class name containing BatchNorm, LayerNorm, GroupNorm, InstanceNorm or RMSNorm), and any
   * parameter with fewer than two dimensions.
   */
  exclude?: (info: ParameterInfo) => boolean;
}

const NORM_CLASS = /(?:Batch|Layer|Group|Instance|RMS)Norm/;

/** Whether a module is a normalisation layer, by its class name. */
export function isNormLayer(m: Module): boolean {
  return NORM_CLASS.test(m.constructor.name);
}

/** The default exclusion rule: biases, norm-layer parameters and 0-/1-D parameters are not decayed. */
export function noWeightDecay(info: ParameterInfo): boolean {
  return info.paramName === 'bias' || isNormLayer(info.module) || info.param.ndim < 2;
}

/** Every parameter with its module, once each, in namedParameters() order. */
export function parameterInfos(model: Module): ParameterInfo[] {
  if (model === null || typeof model !== 'object' || typeof (model as Module).namedModules !== 'function') {
    throw new OptionError(`expected a Module, got ${fmt(model)}`);
  }
  const seen = new Set<Tensor>();
  const out: ParameterInfo[] = [];
  for (const [prefix, module] of model.namedModules()) {
    for (const [paramName, param] of module.namedParameters(false)) {
      if (seen.has(param)) continue;
      seen.add(param);
      out.push({ name: prefix ? `${prefix}.${paramName}` : paramName, paramName, param, module });
    }
  }
  return out;
}

function split(model: Module, exclude: (info: ParameterInfo) => boolean): { decay: Tensor[]; noDecay: Tensor[] } {
  if (typeof exclude !== 'function') throw new OptionError(`weightDecayGroups: exclude must be a function, got ${fmt(exclude)}`);
  const decay: Tensor[] = [], noDecay: Tensor[] = [];
  for (const info of parameterInfos(model)) (exclude(info) ? noDecay : decay).push(info.param);
  return { decay, noDecay };
}

/**
 * Two parameter groups for an optimiser: `[{ params: decayed, weightDecay }, { params: rest,
 * weightDecay: 0 }]` — conv/linear weights are decayed; biases, norm layers and 1-D parameters are
 * not (see WeightDecayGroupsOptions.exclude). Both groups are always present (either may be empty).
 */
export function weightDecayGroups(
  model: Module,
  weightDecay: number,
  options: WeightDecayGroupsOptions = {},
): [
  {
    /** The parameters that are decayed. */
    params: Tensor[];
    /** The given weightDecay. */
    weightDecay: number;
  },
  {
    /** The parameters that are not decayed. */
    params: Tensor[];
    /** Always 0. */
    weightDecay: number;
  },
] {
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new OptionError(`weightDecayGroups: Invalid weightDecay value: ${fmt(weightDecay)} (must be a finite number >= 0)`);
  }
  const { decay, noDecay } = split(model, options.exclude ?? noWeightDecay);
  return [
    { params: decay, weightDecay },
    { params: noDecay, weightDecay: 0 },
  ];
}

/** The parameters weightDecayGroups decays (e.g. for l1Penalty / l2Penalty). */
export function decayedParameters(model: Module, options: WeightDecayGroupsOptions = {}): Tensor[] {
  return split(model, options.exclude ?? noWeightDecay).decay;
}
