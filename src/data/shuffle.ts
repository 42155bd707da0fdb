/**
 * The data layer's randomness: seeded permutations for DataLoader shuffles and randomSplit, and the
 * default seed drawn from keel's global generator. A permutation is a pure function of (seed,
 * stream, n), so an epoch's order can be recomputed anywhere (a worker thread, a resumed fit)
 * without replaying the random calls made before it.
 *
 * Rule. draws d = 0, 1, ... of PhiloxDraws(seed, stream) (src/ref/philox.ts); starting from the
 * identity, for i = n − 1 down to 1 swap p[i] with p[j], j = floor(draw(i) · (i + 1) / 2^32): the
 * Fisher–Yates shuffle of randperm (src/tensor/random.ts), with the full 32-bit draw as the uniform
 * instead of its top 24 bits, so every j in [0, i] is reachable for any dataset size below 2^31.
 * (The product is below 2^63; rounding it to a double can never reach i + 1, so j <= i always.)
 *
 * Streams. A DataLoader shuffles epoch e with stream SHUFFLE_STREAM_BASE + e = 2^52 + e, randomSplit
 * uses stream SPLIT_STREAM = 2^51: far from the streams 0, 1, 2, ... that the global generator hands
 * out, so a loader seeded with the same number as manualSeed does not replay the draws of weight
 * initialisation or dropout.
 */
import { PhiloxDraws } from '../ref/philox.js';
import { takeStream } from '../tensor/random.js';

/** Stream of a DataLoader's epoch 0; epoch e uses SHUFFLE_STREAM_BASE + e. */
export const SHUFFLE_STREAM_BASE = 2 ** 52;
/** Largest epoch a DataLoader can shuffle (its stream must stay below 2^53). */
export const MAX_EPOCH = 2 ** 52 - 1;
/** The stream of randomSplit's permutation. */
export const SPLIT_STREAM = 2 ** 51;

const TWO32 = 4294967296;

/** A uniformly random permutation of 0..n-1, a pure function of (seed, stream, n) (rule above). */
export function permutation(seed: number, stream: number, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const draws = new PhiloxDraws(seed, stream);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((draws.draw(i) * (i + 1)) / TWO32);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * A seed for a loader or split that was given none: takes the next stream of the global generator
 * (manualSeed) and turns its first two draws into a 53-bit integer,
 *   seed = (draw(0) mod 2^21) · 2^32 + draw(1),
 * so the data order follows manualSeed like every other random thing in keel.
 */
export function drawSeed(): number {
  const { seed, stream } = takeStream();
  const draws = new PhiloxDraws(seed, stream);
  return (draws.draw(0) & 0x1fffff) * TWO32 + draws.draw(1);
}
