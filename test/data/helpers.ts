/**
 * Shared fixtures of the data tests (DataLoader, randomSplit): an independent implementation of the
 * documented seeded permutation both of them draw their orders from, so each test can check an order
 * against numbers computed without the library's shuffle code, and the index range 0..n−1.
 */
import { PhiloxDraws } from '../../src/ref/philox.js';

/**
 * The documented permutation of 0..n−1 for (seed, stream): Fisher–Yates from the last index down on
 * Philox draws, j = floor(draw·(i+1) / 2^32), in exact integer arithmetic.
 */
export function referencePermutation(seed: number, stream: number, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  const draws = new PhiloxDraws(seed, stream);
  for (let i = n - 1; i > 0; i--) {
    const j = Number((BigInt(draws.draw(i)) * BigInt(i + 1)) >> 32n);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** 0, 1, …, n−1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
