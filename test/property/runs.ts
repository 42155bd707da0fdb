/**
 * The fast-check settings every property file of test/property shares: a fixed seed, so the unit
 * suite draws the same cases on every run and machine, and a run count that the fuzz script raises
 * (KEEL_PROPERTY_RUNS, set by .ci/fuzz) to search further than the unit suite has time for.
 */
import type { Parameters } from 'fast-check';

/** The seed of every property (a failure prints it with the path to replay the case). */
export const PROPERTY_SEED = 20261203;

/** fc.assert parameters: the fixed seed, and KEEL_PROPERTY_RUNS runs or this file's default. */
export function runs<T>(defaultRuns: number): Parameters<T> {
  const env = Number(process.env.KEEL_PROPERTY_RUNS);
  return { seed: PROPERTY_SEED, numRuns: Number.isInteger(env) && env > 0 ? env : defaultRuns };
}
