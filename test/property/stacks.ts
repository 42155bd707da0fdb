/**
 * Random Sequential stacks of the built-in layers for the property tests, with the output shape
 * each should give. fast-check draws a list of layer specs; `buildStack` turns them into layers in
 * order against the running shape, adjusting what the shape forces (a kernel longer than the padded
 * input shrinks to 1, groups divide both channel counts), so every drawn list is a valid model and
 * shrinking keeps it valid. The (N, C, L) part can hold every 1-d layer, including the
 * Conv1d → BatchNorm1d → ReLU → Dropout block Sequential fuses; then Flatten (or not) and a
 * (N, F) part of Linear, BatchNorm1d, LayerNorm, activations and Dropout.
 */
import fc from 'fast-check';
import * as nn from '../../src/nn/index.js';

/** A drawn layer; the numbers are raw draws that buildStack maps onto what the shape allows. */
export type LayerSpec =
  | { kind: 'conv'; out: number; k: number; stride: number; pad: number; same: boolean; dilation: number; groups: number; bias: boolean }
  | { kind: 'block'; out: number; k: number; p: number; dropout1d: boolean } // Conv1d → BatchNorm1d → ReLU → Dropout
  | { kind: 'bn'; affine: boolean; track: boolean; cumulative: boolean }
  | { kind: 'act'; which: 'relu' | 'leaky' | 'gelu' | 'gelu-tanh'; slope: number }
  | { kind: 'dropout'; p: number; channel: boolean }
  | { kind: 'maxpool'; k: number; stride: number; pad: number; dilation: number; ceil: boolean }
  | { kind: 'avgpool'; k: number; stride: number; pad: number; ceil: boolean; includePad: boolean }
  | { kind: 'adaptive'; out: number }
  | { kind: 'layernorm'; both: boolean; affine: boolean }
  | { kind: 'linear'; out: number; bias: boolean };

const p = fc.integer({ min: 0, max: 9 }).map((i) => i / 10);
const any1d: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ kind: fc.constant('conv' as const), out: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.nat(2), same: fc.boolean(), dilation: fc.integer({ min: 1, max: 2 }), groups: fc.nat(3), bias: fc.boolean() }),
  fc.record({ kind: fc.constant('block' as const), out: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 5 }), p, dropout1d: fc.boolean() }),
  fc.record({ kind: fc.constant('bn' as const), affine: fc.boolean(), track: fc.boolean(), cumulative: fc.boolean() }),
  fc.record({ kind: fc.constant('act' as const), which: fc.constantFrom('relu' as const, 'leaky' as const, 'gelu' as const, 'gelu-tanh' as const), slope: fc.integer({ min: 1, max: 30 }).map((i) => i / 100) }),
  fc.record({ kind: fc.constant('dropout' as const), p, channel: fc.boolean() }),
  fc.record({ kind: fc.constant('maxpool' as const), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.nat(1), dilation: fc.integer({ min: 1, max: 2 }), ceil: fc.boolean() }),
  fc.record({ kind: fc.constant('avgpool' as const), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.nat(1), ceil: fc.boolean(), includePad: fc.boolean() }),
  fc.record({ kind: fc.constant('adaptive' as const), out: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('layernorm' as const), both: fc.boolean(), affine: fc.boolean() }),
);
const any2d: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ kind: fc.constant('linear' as const), out: fc.integer({ min: 1, max: 12 }), bias: fc.boolean() }),
  fc.record({ kind: fc.constant('bn' as const), affine: fc.boolean(), track: fc.boolean(), cumulative: fc.boolean() }),
  fc.record({ kind: fc.constant('act' as const), which: fc.constantFrom('relu' as const, 'leaky' as const, 'gelu' as const, 'gelu-tanh' as const), slope: fc.constant(0.01) }),
  fc.record({ kind: fc.constant('dropout' as const), p, channel: fc.constant(false) }),
  fc.record({ kind: fc.constant('layernorm' as const), both: fc.constant(false), affine: fc.boolean() }),
);

/** A drawn model: input shape (batch ≥ 2, so BatchNorm always trains), the layers, flatten or not. */
export interface StackSpec {
  batch: number;
  channels: number;
  length: number;
  convPart: LayerSpec[];
  flatten: boolean;
  densePart: LayerSpec[];
}

export const stackArb: fc.Arbitrary<StackSpec> = fc.record({
  batch: fc.integer({ min: 2, max: 4 }),
  channels: fc.integer({ min: 1, max: 5 }),
  length: fc.integer({ min: 1, max: 20 }),
  convPart: fc.array(any1d, { maxLength: 5 }),
  flatten: fc.boolean(),
  densePart: fc.array(any2d, { maxLength: 3 }),
});

/** The pooled length (PyTorch's formula; ceil mode drops a window that would start in the right padding). */
function pooled(L: number, k: number, s: number, pad: number, d: number, ceil: boolean): number {
  const span = L + 2 * pad - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= L + pad) out--;
  return out;
}

/** The layers of a spec and the output shape they must give. */
export function buildStack(spec: StackSpec): { model: nn.Sequential; input: number[]; output: number[] } {
  const layers: nn.Module[] = [];
  let C = spec.channels;
  let L = spec.length;
  const conv = (out: number, k: number, s: number, pad: number | 'same', d: number, groups: number, bias: boolean): void => {
    const padTotal = pad === 'same' ? d * (k - 1) : 2 * pad;
    if (L + padTotal < d * (k - 1) + 1) k = 1; // the kernel would not fit the padded input
    layers.push(new nn.Conv1d(C, out, k, { stride: pad === 'same' ? 1 : s, padding: pad, dilation: d, groups, bias }));
    L = pad === 'same' ? L : Math.floor((L + 2 * pad - d * (k - 1) - 1) / s) + 1;
    C = out;
  };
  for (const l of spec.convPart) {
    if (l.kind === 'conv') {
      const divisors = [1, 2, 3, 4, 5].filter((g) => C % g === 0);
      const groups = divisors[l.groups % divisors.length]!;
      // Output channels groups·out (a multiple of groups); 'same' padding needs stride 1 (PyTorch).
      conv(groups * l.out, l.k, l.stride, l.same && l.stride === 1 ? 'same' : l.pad, l.dilation, groups, l.bias);
    } else if (l.kind === 'block') {
      conv(l.out, l.k, 1, Math.floor(l.k / 2), 1, 1, false);
      layers.push(new nn.BatchNorm1d(C), new nn.ReLU(), l.dropout1d ? new nn.Dropout1d(l.p) : new nn.Dropout(l.p));
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool') {
      const d = l.kind === 'maxpool' ? l.dilation : 1;
      const k = l.k;
      // Padding at most half the kernel (PyTorch's rule). A window could hold no input element (max
      // gives −inf there, as PyTorch's does) in ceil mode with padding, or when the dilated kernel is
      // longer than the input: not drawn, since the property is finiteness.
      const pad = l.ceil ? 0 : Math.min(l.pad, Math.floor(k / 2));
      if (L < d * (k - 1) + 1) continue;
      layers.push(l.kind === 'maxpool'
        ? new nn.MaxPool1d(k, { stride: l.stride, padding: pad, dilation: d, ceilMode: l.ceil })
        : new nn.AvgPool1d(k, { stride: l.stride, padding: pad, ceilMode: l.ceil, countIncludePad: l.includePad }));
      L = pooled(L, k, l.stride, pad, d, l.ceil);
    } else if (l.kind === 'adaptive') {
      layers.push(new nn.AdaptiveAvgPool1d(l.out));
      L = l.out;
    } else if (l.kind === 'layernorm') {
      layers.push(new nn.LayerNorm(l.both ? [C, L] : [L], { elementwiseAffine: l.affine }));
    } else {
      layers.push(common(l, C));
    }
  }
  let F = C * L;
  const flat = spec.flatten || spec.densePart.length > 0;
  if (flat) layers.push(new nn.Flatten());
  for (const l of flat ? spec.densePart : []) {
    if (l.kind === 'linear') {
      layers.push(new nn.Linear(F, l.out, { bias: l.bias }));
      F = l.out;
    } else if (l.kind === 'layernorm') {
      layers.push(new nn.LayerNorm(F, { elementwiseAffine: l.affine }));
    } else {
      layers.push(common(l, F));
    }
  }
  return {
    model: new nn.Sequential(...layers),
    input: [spec.batch, spec.channels, spec.length],
    output: flat ? [spec.batch, F] : [spec.batch, C, L],
  };
}

/** The layers that work on (N, C, L) and (N, F) alike; `features` is C or F. */
function common(l: LayerSpec, features: number): nn.Module {
  switch (l.kind) {
    case 'bn':
      return new nn.BatchNorm1d(features, { affine: l.affine, trackRunningStats: l.track, momentum: l.cumulative ? null : 0.1 });
    case 'act':
      return l.which === 'relu' ? new nn.ReLU() : l.which === 'leaky' ? new nn.LeakyReLU(l.slope) : new nn.GELU(l.which === 'gelu' ? 'none' : 'tanh');
    case 'dropout':
      return l.channel ? new nn.Dropout1d(l.p) : new nn.Dropout(l.p);
    default:
      throw new Error(`buildStack: ${l.kind} is not a layer of both parts`);
  }
}
