/**
 * The finiteness test shared by keel's non-finite guards (optimiser steps, BatchNorm running
 * statistics): one branch-free pass, cheap enough to run on every gradient of every step.
 */

/**
 * Whether every element of g is finite. x·0 is ±0 for a finite x and NaN for NaN or ±Infinity, and
 * a NaN survives every later addition, so the sum is 0 exactly when all elements are finite.
 */
export function allFinite(g: Float32Array): boolean {
  const n = g.length, n4 = n - (n % 4);
  let a = 0, b = 0, c = 0, d = 0;
  let i = 0;
  for (; i < n4; i += 4) {
    a += g[i]! * 0;
    b += g[i + 1]! * 0;
    c += g[i + 2]! * 0;
    d += g[i + 3]! * 0;
  }
  for (; i < n; i++) a += g[i]! * 0;
  return a + b + c + d === 0;
}
