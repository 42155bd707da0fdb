/**
 * Shared fixtures of the data tests (DataLoader, randomSplit): an independent implementation of the
 * documented seeded permutation both of them draw their orders from, so each test can check an order
 * against numbers computed without the library's shuffle code, and the index range 0..n−1; and the
 * check that an error is one of keel's typed errors.
 */
import { expect } from 'vitest';
import { KeelError } from '../../src/errors.js';
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

/**
 * The error `fn` throws (or its promise rejects with), checked to be an instance of `type` and of
 * KeelError and, when given, to have a message matching `message`. Fails the test if nothing is thrown.
 */
export async function typedError<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E, message?: string | RegExp): Promise<E> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ${type.name}`).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(KeelError);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  return error as E;
}
