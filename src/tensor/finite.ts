/**
 * The JS finiteness test of BatchNorm's running-statistics guard (a few C-float vectors per batch;
 * the optimisers scan their gradients with the nonFiniteIndex kernel instead).
 */

/**
 * Whether every element of g is finite. The elements are summed in double: float32 values are at
 * most 3.4e38 in magnitude, so a sum of finite ones stays far below double's 1.8e308 whatever the
 * length, while one NaN or ±Infinity makes the sum NaN or infinite (+Inf + −Inf is NaN). s − s is
 * 0 exactly when s is finite.
 */
export function allFinite(g: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]!;
  return s - s === 0;
}
