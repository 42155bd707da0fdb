/**
 * Eval-mode BatchNorm1d folding into the Conv1d or Linear before it: with running statistics (no
 * batch statistics), per output channel c (a convolution's output channel, a Linear's output feature)
 *
 *   BN(layer(x; W, b))_c = (layer(x; W, b)_c − μ_c)·s_c + β_c,   s_c = γ_c / √(σ²_c + eps)
 *                        = layer(x; W', b')_c   with   W'_c = W_c·s_c,   b'_c = (b_c − μ_c)·s_c + β_c
 *
 * (μ, σ² the running mean and variance, γ/β the affine weight/bias, 1/0 without affine, b = 0
 * without a layer bias; W_c is the weight's slice along its first axis). nn.Sequential's fused eval
 * path runs layer(x; W', b') and then ReLU in place: one convolution or GEMM and no normalise pass.
 *
 * W' and b' are computed per forward in float64 and rounded once to float32, so they can never be
 * stale (no cache to invalidate when weights, buffers or the mode change); the cost is one pass over
 * the weight, small next to the convolution or GEMM. W' is taken from the storage pool and Sequential
 * hands it back after the op: a fresh 48 KB W' a block faulted its pages in at every forward (the §1
 * backbone's eval forward, batch 256: 7.6 page faults and 2.00-2.06 ms, now 2.8 and 1.94-1.98 ms on
 * the Zen 5). Folding changes the rounding (the products
 * are taken with a rounded W' instead of normalising the rounded output), so results agree with the
 * unfused modules within the tolerance written in test/fused.eval-fold.test.ts, not bitwise. No
 * graph is recorded: callers use it only when nothing requires a gradient.
 */
import { emptyFloat32 } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';

/** The folded layer's parameters. */
export interface FoldedLayer {
  /** W', the layer weight's shape: Conv1d (C_out, C_in/groups, K), Linear (out, in). */
  weight: Tensor;
  /** b' (C_out). */
  bias: Tensor;
}

/**
 * W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ² + eps), per output channel (the first weight axis).
 * bias, bnWeight and bnBias may be null (0, 1 and 0).
 */
export function foldBatchNorm(
  weight: Tensor, bias: Tensor | null,
  runningMean: Tensor, runningVar: Tensor, bnWeight: Tensor | null, bnBias: Tensor | null, eps: number,
): FoldedLayer {
  const C = weight.shape[0]!, per = weight.numel / C;
  const w = weight.data, b = bias?.data ?? null;
  const rm = runningMean.data, rv = runningVar.data, g = bnWeight?.data ?? null, beta = bnBias?.data ?? null;
  const wf = emptyFloat32(w.length), bf = new Float32Array(C); // every element of wf is written below
  for (let c = 0; c < C; c++) {
    const s = (g ? g[c]! : 1) / Math.sqrt(rv[c]! + eps);
    for (let i = c * per; i < (c + 1) * per; i++) wf[i] = w[i]! * s;
    bf[c] = ((b ? b[c]! : 0) - rm[c]!) * s + (beta ? beta[c]! : 0);
  }
  return { weight: new Tensor(wf, weight.shape), bias: new Tensor(bf, [C]) };
}
