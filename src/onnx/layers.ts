/**
 * One converter per built-in layer: each takes the layer in its eval form and the value it
 * receives, checks that value's shape as the layer's forward would, appends the ONNX nodes that
 * compute the same function, and returns the output value with its shape. Dropout and Dropout1d
 * are the identity in eval and write nothing. Conv1d/Linear followed by BatchNorm1d can be folded
 * into one node (see foldedAffine); the Sequential walk in export.ts decides when.
 */
import { OptionError, ShapeError } from '../errors.js';
import { AdaptiveAvgPool1d } from '../nn/adaptive-avgpool1d.js';
import { AvgPool1d } from '../nn/avgpool1d.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import { Conv1d } from '../nn/conv1d.js';
import { Dropout } from '../nn/dropout.js';
import { Dropout1d } from '../nn/dropout1d.js';
import { Flatten } from '../nn/flatten.js';
import { GELU } from '../nn/gelu.js';
import { LayerNorm } from '../nn/layernorm.js';
import { LeakyReLU } from '../nn/leaky-relu.js';
import { Linear } from '../nn/linear.js';
import { MaxPool1d } from '../nn/maxpool1d.js';
import type { Module } from '../nn/module.js';
import { ReLU } from '../nn/relu.js';
import { conv1dPadding } from '../ref/conv1d.js';
import { pool1dOutLength } from '../functional/pooling.js';
import { formatDims, type GraphBuilder, type Value } from './graph.js';

/** Weight and bias a Conv1d or Linear computes with: its own, or with a BatchNorm1d folded in. */
export interface Affine {
  weight: Float32Array;
  bias: Float32Array | null;
}

type Converter<M extends Module> = (m: M, x: Value, g: GraphBuilder, name: string, affine?: Affine) => Value;

function expectShape(g: GraphBuilder, m: Module, x: Value, ok: boolean, expected: string): void {
  if (!ok) throw new ShapeError(`${g.fn}: ${m.describe()} expected input ${expected}, got ${formatDims(x.shape)}`);
}

/** A 3-D (batch, C, L) input, as Conv1d and the pools need (the batch dimension is always present). */
function expect3d(g: GraphBuilder, m: Module, x: Value, channels?: number): void {
  expectShape(g, m, x, x.shape.length === 3 && (channels === undefined || x.shape[1] === channels), `(batch, ${channels ?? 'C'}, L)`);
}

/**
 * Folding BatchNorm1d into the layer before it (eval, running statistics μ, σ²):
 *   BN(Wx + b)_c = (Wx + b − μ)_c·s_c + β_c = (W_c·s_c)x + (b_c − μ_c)·s_c + β_c,   s_c = γ_c/√(σ²_c + eps)
 * computed in float64 and rounded once, as nn.Sequential's own fused eval path does (bn-fold.ts).
 */
export function foldedAffine(weight: Float32Array, bias: Float32Array | null, bn: BatchNorm1d): Affine {
  const C = bn.numFeatures, per = weight.length / C;
  const rm = bn.runningMean!.data, rv = bn.runningVar!.data, g = bn.weight?.data, beta = bn.bias?.data;
  const w = new Float32Array(weight.length), b = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const s = (g ? g[c]! : 1) / Math.sqrt(rv[c]! + bn.eps);
    for (let i = c * per; i < (c + 1) * per; i++) w[i] = weight[i]! * s;
    b[c] = ((bias ? bias[c]! : 0) - rm[c]!) * s + (beta ? beta[c]! : 0);
  }
  return { weight: w, bias: b };
}

/** Conv with ONNX's explicit pads [begin, end] (padding 'same' can be asymmetric). */
const conv1d: Converter<Conv1d> = (m, x, g, name, affine) => {
  expect3d(g, m, x, m.inChannels);
  const [left, right] = conv1dPadding(m.padding, m.kernelSize, m.dilation, m.stride);
  const span = m.dilation * (m.kernelSize - 1) + 1, padded = x.shape[2]! + left + right;
  expectShape(g, m, x, padded >= span, `length L with L + ${left + right} padding >= kernel span ${span}`);
  const { weight, bias } = affine ?? { weight: m.weight.data, bias: m.bias?.data ?? null };
  const inputs = [x.name, g.floats(`${name}.weight`, weight, m.weight.shape)];
  if (bias) inputs.push(g.floats(`${name}.bias`, bias, [m.outChannels]));
  const out = g.node('Conv', inputs, `${name}/Conv`, {
    kernel_shape: [m.kernelSize], strides: [m.stride], dilations: [m.dilation], pads: [left, right], group: m.groups,
  });
  return { name: out, shape: [x.shape[0]!, m.outChannels, Math.floor((padded - span) / m.stride) + 1] };
};

/** Gemm(X, W, B, transB=1) = X·Wᵀ + B for 2-D input; MatMul(X, Wᵀ) (+ B) for more dimensions. */
const linear: Converter<Linear> = (m, x, g, name, affine) => {
  const last = x.shape[x.shape.length - 1];
  expectShape(g, m, x, x.shape.length >= 2 && last === m.inFeatures, `(batch, …, ${m.inFeatures})`);
  const { weight, bias } = affine ?? { weight: m.weight.data, bias: m.bias?.data ?? null };
  const shape = [...x.shape.slice(0, -1), m.outFeatures];
  if (x.shape.length === 2) {
    const inputs = [x.name, g.floats(`${name}.weight`, weight, m.weight.shape)];
    if (bias) inputs.push(g.floats(`${name}.bias`, bias, [m.outFeatures]));
    return { name: g.node('Gemm', inputs, `${name}/Gemm`, { transB: 1 }), shape };
  }
  const wt = new Float32Array(weight.length); // Wᵀ (in, out)
  for (let o = 0; o < m.outFeatures; o++) for (let i = 0; i < m.inFeatures; i++) wt[i * m.outFeatures + o] = weight[o * m.inFeatures + i]!;
  let out = g.node('MatMul', [x.name, g.floats(`${name}.weight_t`, wt, [m.inFeatures, m.outFeatures])], `${name}/MatMul`);
  if (bias) out = g.node('Add', [out, g.floats(`${name}.bias`, bias, [m.outFeatures])], `${name}/Add`);
  return { name: out, shape };
};

/**
 * BatchNormalization in inference mode: y = (x − μ)/√(σ² + eps)·γ + β over channel axis 1, for
 * (N, C) and (N, C, L). Without affine parameters γ = 1, β = 0.
 */
const batchNorm1d: Converter<BatchNorm1d> = (m, x, g, name) => {
  expectShape(g, m, x, (x.shape.length === 2 || x.shape.length === 3) && x.shape[1] === m.numFeatures, `(batch, ${m.numFeatures}) or (batch, ${m.numFeatures}, L)`);
  if (!m.runningMean || !m.runningVar) {
    throw new OptionError(`${g.fn}: ${m.describe()} has no running statistics (trackRunningStats=false), so its eval output depends on the batch; it cannot be exported`);
  }
  const C = m.numFeatures;
  const inputs = [
    x.name,
    g.floats(`${name}.weight`, m.weight?.data ?? new Float32Array(C).fill(1), [C]),
    g.floats(`${name}.bias`, m.bias?.data ?? new Float32Array(C), [C]),
    g.floats(`${name}.running_mean`, m.runningMean.data, [C]),
    g.floats(`${name}.running_var`, m.runningVar.data, [C]),
  ];
  return { name: g.node('BatchNormalization', inputs, `${name}/BatchNormalization`, { epsilon: { float: m.eps } }), shape: x.shape };
};

const relu: Converter<ReLU> = (_m, x, g, name) => ({ name: g.node('Relu', [x.name], `${name}/Relu`), shape: x.shape });

const leakyRelu: Converter<LeakyReLU> = (m, x, g, name) => ({
  name: g.node('LeakyRelu', [x.name], `${name}/LeakyRelu`, { alpha: { float: m.negativeSlope } }),
  shape: x.shape,
});

/**
 * GELU. Opset ≥ 20 has the Gelu op; before it, the formulas in elementwise ops:
 *   'none': y = 0.5·x·(1 + erf(x/√2))
 *   'tanh': y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
 */
const gelu: Converter<GELU> = (m, x, g, name) => {
  if (g.opset >= 20) return { name: g.node('Gelu', [x.name], `${name}/Gelu`, { approximate: m.approximate }), shape: x.shape };
  const op = (type: string, a: string, b: string | number, tag: string) =>
    g.node(type, typeof b === 'number' ? [a, g.scalar(`${name}.${tag}`, b)] : [a, b], `${name}/${tag}`);
  let inner: string;
  if (m.approximate === 'none') {
    inner = g.node('Erf', [op('Mul', x.name, Math.SQRT1_2, 'scale')], `${name}/Erf`);
  } else {
    const cube = op('Mul', op('Mul', x.name, x.name, 'square'), x.name, 'cube');
    const u = op('Mul', op('Add', op('Mul', cube, 0.044715, 'cubic_coefficient'), x.name, 'sum'), Math.sqrt(2 / Math.PI), 'scale');
    inner = g.node('Tanh', [u], `${name}/Tanh`);
  }
  return { name: op('Mul', op('Mul', op('Add', inner, 1, 'one_plus'), x.name, 'times_x'), 0.5, 'half'), shape: x.shape };
};

const identity: Converter<Dropout | Dropout1d> = (_m, x) => x;

/**
 * Flatten(startDim, endDim). With startDim 1 and endDim last this is ONNX's Flatten(axis=1); other
 * ranges become a Reshape to the computed shape with the batch dimension kept symbolic (0 = copy
 * it from the input; −1 = infer it when the batch itself is merged, startDim 0).
 */
const flatten: Converter<Flatten> = (m, x, g, name) => {
  const n = x.shape.length;
  const s = m.startDim < 0 ? m.startDim + n : m.startDim, e = m.endDim < 0 ? m.endDim + n : m.endDim;
  expectShape(g, m, x, s >= 0 && s < n && e >= 0 && e < n && s <= e, `with dimensions ${m.startDim}…${m.endDim} in range`);
  if (s === e) return x;
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  const shape = [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]; // with s = 0, merged is −(batch factor): see Value
  if (s === 1 && e === n - 1) return { name: g.node('Flatten', [x.name], `${name}/Flatten`, { axis: 1 }), shape };
  const target = s === 0 ? [-1, ...x.shape.slice(e + 1)] : [0, ...shape.slice(1)];
  return { name: g.node('Reshape', [x.name, g.int64s(`${name}.shape`, target)], `${name}/Reshape`), shape };
};

/**
 * LayerNorm over the last k dimensions. Opset ≥ 17: LayerNormalization(axis = −k). Before it:
 *   μ = mean(x), v = mean((x − μ)²) over those axes;  y = (x − μ)/√(v + eps)·γ + β
 */
const layerNorm: Converter<LayerNorm> = (m, x, g, name) => {
  const k = m.normalizedShape.length, n = x.shape.length;
  expectShape(g, m, x, n > k && m.normalizedShape.every((d, i) => x.shape[n - k + i] === d), `(batch, …, ${m.normalizedShape.join(', ')})`);
  const dims = [...m.normalizedShape], size = dims.reduce((a, b) => a * b, 1);
  const weight = g.floats(`${name}.weight`, m.weight?.data ?? new Float32Array(size).fill(1), dims);
  const bias = g.floats(`${name}.bias`, m.bias?.data ?? new Float32Array(size), dims);
  if (g.opset >= 17) {
    return { name: g.node('LayerNormalization', [x.name, weight, bias], `${name}/LayerNormalization`, { axis: -k, epsilon: { float: m.eps } }), shape: x.shape };
  }
  const axes = dims.map((_, i) => i - k);
  const mean = g.node('ReduceMean', [x.name], `${name}/ReduceMean`, { axes, keepdims: 1 });
  const d = g.node('Sub', [x.name, mean], `${name}/Sub`);
  const variance = g.node('ReduceMean', [g.node('Mul', [d, d], `${name}/Square`)], `${name}/Variance`, { axes, keepdims: 1 });
  const std = g.node('Sqrt', [g.node('Add', [variance, g.scalar(`${name}.eps`, m.eps)], `${name}/AddEps`)], `${name}/Sqrt`);
  const normalized = g.node('Div', [d, std], `${name}/Div`);
  return { name: g.node('Add', [g.node('Mul', [normalized, weight], `${name}/Mul`), bias], `${name}/Add`), shape: x.shape };
};

/**
 * The ONNX pads and ceil_mode that give PyTorch's windows, and their count (the output length), for a
 * pool of window span `span` over length L. ONNX's ceil mode, ceil((L + pads − span) / stride) + 1
 * windows, keeps a last window that would start in the right padding, which PyTorch (and keel,
 * pool1dOutLength) drops; onnx.checker's shape inference then disagrees with the declared length. In
 * that case the same windows are the floor-mode windows over pads [padding, r], with r the least right
 * pad that reaches PyTorch's last window. That window ends inside PyTorch's right padding (r <
 * padding), so an average that counts the padding counts the same positions.
 */
export function poolWindows(L: number, kernelSize: number, stride: number, padding: number, dilation: number, ceilMode: boolean): { length: number; pads: [number, number]; ceilMode: 0 | 1 } {
  const span = dilation * (kernelSize - 1) + 1;
  const length = pool1dOutLength(L, kernelSize, stride, padding, dilation, ceilMode);
  if (!ceilMode || Math.ceil((L + 2 * padding - span) / stride) + 1 === length) return { length, pads: [padding, padding], ceilMode: ceilMode ? 1 : 0 };
  return { length, pads: [padding, Math.max(0, (length - 1) * stride + span - L - padding)], ceilMode: 0 };
}

/** poolWindows of a MaxPool1d or AvgPool1d on input x, whose shape is checked as the layer's forward does. */
function layerPoolWindows(g: GraphBuilder, m: MaxPool1d | AvgPool1d, x: Value, dilation: number): ReturnType<typeof poolWindows> {
  expect3d(g, m, x);
  const L = x.shape[2]!, span = dilation * (m.kernelSize - 1) + 1;
  expectShape(g, m, x, L + 2 * m.padding >= span, `length L with L + ${2 * m.padding} padding >= window span ${span}`);
  return poolWindows(L, m.kernelSize, m.stride, m.padding, dilation, m.ceilMode);
}

const maxPool1d: Converter<MaxPool1d> = (m, x, g, name) => {
  const w = layerPoolWindows(g, m, x, m.dilation);
  const out = g.node('MaxPool', [x.name], `${name}/MaxPool`, {
    kernel_shape: [m.kernelSize], strides: [m.stride], pads: w.pads, dilations: [m.dilation], ceil_mode: w.ceilMode,
  });
  return { name: out, shape: [x.shape[0]!, x.shape[1]!, w.length] };
};

const avgPool1d: Converter<AvgPool1d> = (m, x, g, name) => {
  const w = layerPoolWindows(g, m, x, 1);
  const out = g.node('AveragePool', [x.name], `${name}/AveragePool`, {
    kernel_shape: [m.kernelSize], strides: [m.stride], pads: w.pads, ceil_mode: w.ceilMode,
    count_include_pad: m.countIncludePad ? 1 : 0,
  });
  return { name: out, shape: [x.shape[0]!, x.shape[1]!, w.length] };
};

/**
 * AdaptiveAvgPool1d(out): window o is [floor(o·L/out), ceil((o+1)·L/out)). With out = 1 that is
 * GlobalAveragePool; when out divides L the windows are equal, AveragePool(kernel = stride = L/out).
 * Other lengths have windows of varying size, which no single ONNX pooling op expresses.
 */
const adaptiveAvgPool1d: Converter<AdaptiveAvgPool1d> = (m, x, g, name) => {
  expect3d(g, m, x);
  const L = x.shape[2]!, out = m.outputSize, shape = [x.shape[0]!, x.shape[1]!, out];
  if (out === 1) return { name: g.node('GlobalAveragePool', [x.name], `${name}/GlobalAveragePool`), shape };
  if (L % out !== 0) {
    throw new ShapeError(`${g.fn}: ${m.describe()} needs an input length divisible by ${out} (windows of equal size) to be exported, got ${formatDims(x.shape)}`);
  }
  return { name: g.node('AveragePool', [x.name], `${name}/AveragePool`, { kernel_shape: [L / out], strides: [L / out] }), shape };
};

/** The converters, by exact class: a subclass may compute something else, so it is not accepted silently. */
export const CONVERTERS = new Map<Function, Converter<never>>([
  [Conv1d, conv1d], [Linear, linear], [BatchNorm1d, batchNorm1d], [ReLU, relu], [LeakyReLU, leakyRelu], [GELU, gelu],
  [Dropout, identity], [Dropout1d, identity], [Flatten, flatten], [LayerNorm, layerNorm], [MaxPool1d, maxPool1d],
  [AvgPool1d, avgPool1d], [AdaptiveAvgPool1d, adaptiveAvgPool1d],
]);

export function convertLayer(m: Module, x: Value, g: GraphBuilder, name: string, affine?: Affine): Value {
  return (CONVERTERS.get(m.constructor) as Converter<Module>)(m, x, g, name, affine);
}
