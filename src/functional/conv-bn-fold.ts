/**
 * Eval-mode Conv1d → BatchNorm1d folding: with running statistics (no batch statistics),
 *
 *   BN(conv(x; W, b))_c = (conv(x; W, b)_c − μ_c)·s_c + β_c,   s_c = γ_c / √(σ²_c + eps)
 *                       = conv(x; W', b')_c   with   W'_c = W_c·s_c,   b'_c = (b_c − μ_c)·s_c + β_c
 *
 * (μ, σ² the running mean and variance, γ/β the affine weight/bias, 1/0 without affine, b = 0
 * without a conv bias). nn.Sequential's fused eval path runs conv(x; W', b') and then ReLU in place:
 * one convolution and one elementwise pass instead of a convolution and a normalise pass.
 *
 * W' and b' are computed per forward in float64 and rounded once to float32, so they can never be
 * stale (no cache to invalidate when weights, buffers or the mode change); the cost is one pass over
 * the weight (C_out·C_in/groups·K values), negligible next to the convolution. Folding changes the
 * rounding (the products are taken with a rounded W' instead of normalising the rounded conv
 * output), so results agree with the unfused modules within the tolerance written in
 * test/fused.eval-fold.test.ts, not bitwise. No graph is recorded: callers use it only when
 * nothing requires a gradient.
 */
import { Tensor } from '../tensor/tensor.js';

export interface FoldedConv {
  /** W' (C_out, C_in/groups, K). */
  weight: Tensor;
  /** b' (C_out). */
  bias: Tensor;
}

/**
 * W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ² + eps), per output channel (the first weight axis).
 * convBias, bnWeight and bnBias may be null (0, 1 and 0).
 */
export function foldBatchNormIntoConv(
  convWeight: Tensor, convBias: Tensor | null,
  runningMean: Tensor, runningVar: Tensor, bnWeight: Tensor | null, bnBias: Tensor | null, eps: number,
): FoldedConv {
  const C = convWeight.shape[0]!, per = convWeight.numel / C;
  const w = convWeight.data, b = convBias?.data ?? null;
  const rm = runningMean.data, rv = runningVar.data, g = bnWeight?.data ?? null, beta = bnBias?.data ?? null;
  const wf = new Float32Array(w.length), bf = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const s = (g ? g[c]! : 1) / Math.sqrt(rv[c]! + eps);
    for (let i = c * per; i < (c + 1) * per; i++) wf[i] = w[i]! * s;
    bf[c] = ((b ? b[c]! : 0) - rm[c]!) * s + (beta ? beta[c]! : 0);
  }
  return { weight: new Tensor(wf, convWeight.shape), bias: new Tensor(bf, [C]) };
}
