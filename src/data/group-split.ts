/**
 * Splits by group (unit), so that the overlapping windows of one engine never sit on both sides of
 * a split — the leak that makes validation look optimistic and hides overfitting (DESIGN.md §9).
 *
 * groupSplit is randomSplit over the distinct groups: the G groups, numbered in order of first
 * appearance, are permuted by p = permutation(seed, SPLIT_STREAM, G) (./shuffle.ts), `lengths`
 * (counts or fractions) count GROUPS by randomSplit's rule (./split.ts), and split i takes the groups
 * p[o_i .. o_i + count_i): every sample of those groups, group by group in that order, each group's
 * samples in dataset order. With one group per sample (groups 0..n−1) it is exactly randomSplit.
 * Given a SeriesTable, it splits the units the same way (each unit is a group), so a scaler can be
 * fitted on the training units before any window is cut.
 *
 * groupKFold is sklearn's GroupKFold: k folds, each group in exactly one validation fold.
 *   shuffle false (default): groups sorted by sample count, largest first (equal counts: first
 *     appearance first), each given to the fold with the fewest samples so far (ties: lowest fold),
 *     so the folds hold about the same number of samples.
 *   shuffle true (sklearn ≥ 1.6): the groups are permuted by p = permutation(seed, SPLIT_STREAM, G)
 *     and cut into k runs of consecutive groups as numpy's array_split does (the first G mod k folds
 *     take one group more). This balances the number of groups, not of samples: permuting before the
 *     size-balancing above would only reorder groups of equal size, i.e. hardly shuffle at all.
 * Fold f's validation set is the samples of its groups and its training set all the others, both in
 * dataset order.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { boolean, checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';
import { checkDataset, Subset, type Dataset } from './dataset.js';
import type { SeriesTable } from './series.js';
import { checkSeries, isSeriesTable } from './series-check.js';
import { drawSeed, permutation, SPLIT_STREAM } from './shuffle.js';
import { splitCounts } from './split.js';
import { describe } from './validate.js';

/** One group label per sample: unit ids (numbers or strings) or Windows.groups. */
export type Groups = Int32Array | ReadonlyArray<number | string>;

/** The samples of each distinct group, groups in order of first appearance, samples ascending. */
function groupMembers(where: string, groups: unknown, n: number): number[][] {
  if (!(groups instanceof Int32Array) && !Array.isArray(groups)) {
    throw new OptionError(`${where}: groups must be an Int32Array or an array of numbers or strings (one per sample), got ${describe(groups)}`);
  }
  if (groups.length !== n) throw new ShapeError(`${where}: groups must have one label per sample of the dataset (${n}), got ${groups.length}`);
  const index = new Map<number | string, number>();
  const members: number[][] = [];
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (typeof g !== 'string' && (typeof g !== 'number' || !Number.isFinite(g))) {
      throw new OptionError(`${where}: groups[${i}] must be a finite number or a string, got ${describe(g)}`);
    }
    let k = index.get(g);
    if (k === undefined) {
      k = members.length;
      index.set(g, k);
      members.push([]);
    }
    members[k]!.push(i);
  }
  return members;
}

/** The seed argument: an integer in [0, 2^53 − 1], or one drawn from manualSeed's generator. */
function seedOf(where: string, seed: unknown): number {
  return seed === undefined ? drawSeed() : nonNegativeInt(where, 'seed', seed);
}

/** The groups of each split, as positions in 0..G−1 (rule in the header). */
function splitGroups(where: string, G: number, lengths: unknown, seed: unknown): Int32Array[] {
  const counts = splitCounts(where, G, lengths, 'the number of groups');
  const order = permutation(seedOf(where, seed), SPLIT_STREAM, G);
  let offset = 0;
  return counts.map((c) => order.subarray(offset, (offset += c)));
}

/**
 * Splits a dataset by group: `groups` labels each sample; `lengths` are counts or fractions of the
 * distinct groups. Returns one Subset per length; no group has samples in two of them.
 */
export function groupSplit<const L extends readonly number[]>(dataset: Dataset, groups: Groups, lengths: L, seed?: number): { -readonly [K in keyof L]: Subset };
/** Splits a table's units (each unit a group): `lengths` count or share out units. */
export function groupSplit<const L extends readonly number[]>(table: SeriesTable, lengths: L, seed?: number): { -readonly [K in keyof L]: SeriesTable };
export function groupSplit(data: Dataset | SeriesTable, ...rest: unknown[]): Subset[] | SeriesTable[] {
  const W = 'groupSplit';
  if (isSeriesTable(data)) {
    const [lengths, seed] = rest;
    const { units } = checkSeries(W, 'table', data);
    const seen = new Map<string | number, number>();
    units.forEach((unit, u) => {
      const prev = seen.get(unit.id);
      if (prev !== undefined) throw new DataError(`${W}: units[${prev}] and units[${u}] share the id ${describe(unit.id)}; unit ids must be unique`);
      seen.set(unit.id, u);
    });
    return splitGroups(W, units.length, lengths, seed).map((part) => ({ columns: data.columns, units: Array.from(part, (u) => units[u]!) }));
  }
  const dataset = checkDataset(W, 'dataset', data);
  const [groups, lengths, seed] = rest;
  const members = groupMembers(W, groups, dataset.length);
  return splitGroups(W, members.length, lengths, seed).map((part) => new Subset(dataset, Array.from(part).flatMap((g) => members[g]!)));
}

/** Options of groupKFold (sklearn's GroupKFold, with an optional seeded shuffle). */
export interface GroupKFoldOptions {
  /** Permute the groups before cutting them into folds (see the file header). Default false. */
  shuffle?: boolean;
  /** With shuffle: an integer in [0, 2^53 − 1]. Default: drawn from manualSeed's generator. Without shuffle: not allowed. */
  seed?: number;
}

/** One fold of groupKFold. */
export interface GroupFold {
  /** The samples of every other fold's groups. */
  readonly train: Subset;
  /** The samples of this fold's groups. */
  readonly validation: Subset;
}

/** The fold of each group (rules in the file header). */
function foldOfGroups(sizes: readonly number[], k: number, shuffle: boolean, seed: number): Int32Array {
  const G = sizes.length;
  const fold = new Int32Array(G);
  if (shuffle) {
    const order = permutation(seed, SPLIT_STREAM, G);
    const base = Math.floor(G / k), extra = G % k;
    let pos = 0;
    for (let f = 0; f < k; f++) for (let j = 0; j < base + (f < extra ? 1 : 0); j++) fold[order[pos++]!] = f;
    return fold;
  }
  // Array.prototype.sort is stable: equal sizes keep their order of first appearance.
  const bySize = Array.from({ length: G }, (_, g) => g).sort((a, b) => sizes[b]! - sizes[a]!);
  const load = new Float64Array(k);
  for (const g of bySize) {
    let lightest = 0;
    for (let f = 1; f < k; f++) if (load[f]! < load[lightest]!) lightest = f;
    load[lightest]! += sizes[g]!;
    fold[g] = lightest;
  }
  return fold;
}

/** k train/validation splits of `dataset` in which every group is in exactly one validation set (sklearn's GroupKFold). */
export function groupKFold(dataset: Dataset, groups: Groups, k = 5, options?: GroupKFoldOptions): GroupFold[] {
  const W = 'groupKFold';
  checkDataset(W, 'dataset', dataset);
  const o = checkOptions(W, options, ['shuffle', 'seed']);
  const shuffle = o.shuffle === undefined ? false : boolean(W, 'shuffle', o.shuffle);
  if (!shuffle && o.seed !== undefined) throw new OptionError(`${W}: seed has no effect without shuffle: true, got seed ${describe(o.seed)}`);
  const seed = shuffle ? seedOf(W, o.seed) : 0;
  const folds = positiveInt(W, 'k', k);
  if (folds < 2) throw new OptionError(`${W}: k must be at least 2, got ${folds}`);
  const members = groupMembers(W, groups, dataset.length);
  if (folds > members.length) throw new DataError(`${W}: k (${folds}) must not exceed the number of groups (${members.length})`);
  const fold = foldOfGroups(members.map((m) => m.length), folds, shuffle, seed);
  const sampleFold = new Int32Array(dataset.length);
  members.forEach((m, g) => m.forEach((i) => (sampleFold[i] = fold[g]!)));
  return Array.from({ length: folds }, (_, f) => {
    const validation: number[] = [];
    const train: number[] = [];
    sampleFold.forEach((sf, i) => (sf === f ? validation : train).push(i));
    return { train: new Subset(dataset, train), validation: new Subset(dataset, validation) };
  });
}
