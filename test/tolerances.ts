/**
 * Per-kernel tolerances for comparing a native kernel with the JS reference (parity) and either with
 * PyTorch (golden), in one place. |got - want| <= atol + rtol·|want|.
 *
 * parity: the scalar C++ kernels are line-by-line ports accumulating in double in the same order, so
 * they agree with the reference to the last bit in practice; the bounds leave room for SIMD variants
 * that accumulate in float32 in a different order (a sum of K products of O(1) values is off by about
 * K·2^-24 relative).
 * golden: PyTorch accumulates in float32 (oneDNN, its own BatchNorm loops), so agreement is to float32
 * rounding of sums over the case sizes.
 */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export const TOLERANCES = {
  conv1dForward: { atol: 1e-5, rtol: 1e-5 },
  conv1dBackwardData: { atol: 1e-5, rtol: 1e-5 },
  conv1dBackwardWeight: { atol: 1e-4, rtol: 1e-5 },
  conv1dBackwardBias: { atol: 1e-4, rtol: 1e-5 },
  batchNorm1dTrainForward: { atol: 1e-5, rtol: 1e-5 },
  batchNorm1dEvalForward: { atol: 1e-6, rtol: 1e-6 },
  batchNorm1dBackward: { atol: 1e-5, rtol: 1e-5 },
  linearForward: { atol: 1e-5, rtol: 1e-5 },
  linearBackwardData: { atol: 1e-5, rtol: 1e-5 },
  linearBackwardWeight: { atol: 1e-4, rtol: 1e-5 },
  linearBackwardBias: { atol: 1e-4, rtol: 1e-5 },
  // Elementwise with one float32 rounding per element: exact on every path.
  reluForward: { atol: 0, rtol: 0 },
  reluBackward: { atol: 0, rtol: 0 },
  dropoutForward: { atol: 0, rtol: 0 },
  dropoutBackward: { atol: 0, rtol: 0 },
  dropout1dForward: { atol: 0, rtol: 0 },
  dropout1dBackward: { atol: 0, rtol: 0 },
  // Optimiser updates reproduce PyTorch's float32 op order exactly on every path.
  adamUpdate: { atol: 0, rtol: 0 },
} satisfies Record<string, Tolerance>;

/** Golden (PyTorch fixture) tolerances: float32 sums in a different order than ours. */
export const GOLDEN_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** Reference backward vs float64 central differences (step h = 1e-6, float64 throughout). */
export const GRADCHECK_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };
