/**
 * Linear resampling of one series at fractional time positions (internal), for the transforms that
 * move samples in time (time warp, window slice). For a series x_0..x_{L−1} and a position τ in
 * [0, L − 1], with i = ⌊τ⌋ and f = τ − i:
 *   x(τ) = (1 − f)·x_i + f·x_{i+1}     (x(L − 1) = x_{L−1}),
 * numpy.interp's rule. A constant series stays constant, and a monotone series read at increasing
 * positions stays monotone.
 */

/** out[dst + j] = x(pos[j]) for the series src[off .. off + L), j = 0..pos.length−1 (positions in [0, L − 1]). */
export function resampleLinear(src: Float32Array, off: number, length: number, pos: Float64Array, out: Float32Array, dst: number): void {
  for (let j = 0; j < pos.length; j++) {
    const p = pos[j]!;
    const i = Math.floor(p);
    if (i >= length - 1) out[dst + j] = src[off + length - 1]!;
    else {
      const f = p - i;
      out[dst + j] = (1 - f) * src[off + i]! + f * src[off + i + 1]!;
    }
  }
}
