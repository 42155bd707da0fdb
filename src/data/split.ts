/**
 * randomSplit, as torch.utils.data.random_split: disjoint random Subsets of a dataset that together
 * cover it, e.g. randomSplit(ds, [0.8, 0.2], seed) for a train/validation split of random rows (not
 * the last rows, which silently fails on sorted data).
 *
 * Lengths are either counts (non-negative integers summing to dataset.length) or fractions (numbers
 * in [0, 1] summing to 1 within 1e-9), turned into counts by PyTorch's rule:
 *   count_i = floor(N · fraction_i), then the remainder N − Σ count_i is handed out one by one to
 *   splits 0, 1, 2, ... (round-robin from the first).
 * Then p = permutation(seed, 2^51, N) (./shuffle.ts) and split i is p[o_i .. o_i + count_i),
 * o_i = Σ_{j<i} count_j: a pure function of (seed, N, lengths).
 */
import { OptionError } from '../errors.js';
import { nonNegativeInt } from '../functional/validate.js';
import { checkDataset, Subset, type Dataset } from './dataset.js';
import { drawSeed, permutation, SPLIT_STREAM } from './shuffle.js';
import { describe } from './validate.js';

/** Fractions must sum to 1 within this. */
const FRACTION_TOLERANCE = 1e-9;

/**
 * The counts `lengths` stands for over n items (rule in the header); throws naming the lengths and
 * their sum. `total` says what n counts in messages (groupSplit counts groups).
 */
export function splitCounts(where: string, n: number, lengths: unknown, total: string): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0) {
    throw new OptionError(`${where}: lengths must be a non-empty array of counts or fractions, got ${describe(lengths)}`);
  }
  // An index loop, not forEach: a hole ([5, , 5]) is checked as the undefined it reads as.
  for (let i = 0; i < lengths.length; i++) {
    const v: unknown = lengths[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new OptionError(`${where}: lengths[${i}] must be a non-negative finite number, got ${describe(v)}`);
    }
  }
  const ls = lengths as number[];
  const sum = ls.reduce((a, b) => a + b, 0);
  if (ls.every(Number.isInteger) && sum === n) return [...ls];
  if (ls.every((v) => v <= 1) && Math.abs(sum - 1) <= FRACTION_TOLERANCE) {
    const counts = ls.map((f) => Math.floor(n * f));
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]! += 1;
    return counts;
  }
  throw new OptionError(
    `${where}: lengths must be counts summing to ${total} (${n}) or fractions summing to 1, got [${ls.join(', ')}] (sum ${sum})`,
  );
}

/**
 * Splits `dataset` into disjoint random Subsets of the given lengths (counts or fractions, see the
 * header). `seed`: an integer in [0, 2^53 − 1]; default drawn from keel's global generator
 * (manualSeed), so a split is reproducible under manualSeed.
 */
export function randomSplit<const L extends readonly number[]>(dataset: Dataset, lengths: L, seed?: number): { -readonly [K in keyof L]: Subset };
export function randomSplit(dataset: Dataset, lengths: readonly number[], seed?: number): Subset[] {
  checkDataset('randomSplit', 'dataset', dataset);
  const n = dataset.length;
  const counts = splitCounts('randomSplit', n, lengths, "the dataset's length");
  const s = seed === undefined ? drawSeed() : nonNegativeInt('randomSplit', 'seed', seed);
  const order = permutation(s, SPLIT_STREAM, n);
  const out: Subset[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, order.subarray(offset, offset + c)));
    offset += c;
  }
  return out;
}
