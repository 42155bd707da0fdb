/**
 * The search space of tune(): the values to try for each hyper-parameter of the backbone recipe
 * (dropout rate, AdamW weight decay, BatchNorm momentum, learning rate, batch size), and the two ways
 * of walking it. A grid is every combination, in itertools.product / sklearn ParameterGrid order over
 * the keys in TUNE_KEYS order — the last key varies fastest. Random search takes `trials` distinct
 * grid points, sampled without replacement (sklearn's ParameterSampler over lists) from keel's
 * counter-based generator: grid point order p = permutation(seed, TUNE_STREAM, |grid|), trial t is
 * grid point p[t] — so the same seed gives the same trials on every platform, and asking for more
 * trials only appends.
 */
import { OptionError } from '../errors.js';
import { permutation } from '../data/shuffle.js';
import { describe } from '../data/validate.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';

/** One configuration: a value for every hyper-parameter. */
export interface TrialConfig {
  /** Dropout after each convolution block (keel train --dropout). */
  dropout: number;
  /** AdamW's decoupled weight decay on weights (keel train --weight-decay). */
  weightDecay: number;
  /** BatchNorm1d momentum of the running statistics. */
  bnMomentum: number;
  /** AdamW's learning rate. */
  lr: number;
  /** Samples per training batch. */
  batchSize: number;
}

/**
 * The values to try per hyper-parameter; a key left out keeps keel train's default for the backbone
 * (DEFAULT_CONFIG, one value). keel tune fills left-out keys with keel train's defaults for its data
 * (the MLP: dropout 0.3, weight decay 0.01); with a trial of your own, give such keys explicitly.
 */
export interface TuneSpace {
  /** Values in [0, 1]. Default [0.15]. */
  dropout?: readonly number[];
  /** Values >= 0. Default [0.1]. */
  weightDecay?: readonly number[];
  /** Values in [0, 1]. Default [0.1] (PyTorch's). */
  bnMomentum?: readonly number[];
  /** Values > 0. Default [0.001]. */
  lr?: readonly number[];
  /** Positive integers. Default [128]. */
  batchSize?: readonly number[];
}

/** The hyper-parameters, in grid order (the last varies fastest). */
export const TUNE_KEYS = ['dropout', 'weightDecay', 'bnMomentum', 'lr', 'batchSize'] as const;

/** keel train's defaults: the value of every key a space leaves out. */
export const DEFAULT_CONFIG: Readonly<TrialConfig> = { dropout: 0.15, weightDecay: 0.1, bnMomentum: 0.1, lr: 1e-3, batchSize: 128 };

/** Random search's stream of keel's generator (far from data splits, shuffles and the built-in data's). */
export const TUNE_STREAM = 2 ** 49;

/** What each key accepts: a test and its wording. */
const RULES: Record<keyof TrialConfig, [(v: number) => boolean, string]> = {
  dropout: [(v) => v >= 0 && v <= 1, 'numbers in [0, 1]'],
  weightDecay: [(v) => v >= 0 && Number.isFinite(v), 'finite numbers >= 0'],
  bnMomentum: [(v) => v >= 0 && v <= 1, 'numbers in [0, 1]'],
  lr: [(v) => v > 0 && Number.isFinite(v), 'finite numbers > 0'],
  batchSize: [(v) => Number.isSafeInteger(v) && v >= 1, 'positive integers'],
};

/** The space with defaults filled in: for each key, its distinct values in the order given. */
export type CheckedSpace = { readonly [K in keyof TrialConfig]: readonly number[] };

/** The index of the first hole of a sparse array ([0, , 1] has one at 1), or -1. */
function firstHole(values: readonly unknown[]): number {
  for (let i = 0; i < values.length; i++) if (!(i in values)) return i;
  return -1;
}

export function checkSpace(where: string, space: TuneSpace | undefined): CheckedSpace {
  const s = checkOptions(where, space, TUNE_KEYS);
  const out = {} as Record<keyof TrialConfig, readonly number[]>;
  for (const key of TUNE_KEYS) {
    const values = s[key] ?? [DEFAULT_CONFIG[key]];
    const [ok, what] = RULES[key];
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'number' || !ok(v))) {
      throw new OptionError(`${where}: space.${key} must be a non-empty array of ${what}, got ${describe(values)}`);
    }
    // some() skips holes, and a hole would become a trial without the key (the layer's own default).
    const hole = firstHole(values);
    if (hole >= 0) throw new OptionError(`${where}: space.${key} must be an array of ${what} without holes, got a hole at index ${hole} of ${values.length}`);
    if (new Set(values).size !== values.length) throw new OptionError(`${where}: space.${key} lists a value twice: ${JSON.stringify(values)}`);
    out[key] = values;
  }
  return out;
}

/** One configuration given to a trial (backboneTrial…): an object with every key of TUNE_KEYS, each valid as a space's value. */
export function checkConfig(where: string, config: unknown): TrialConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new OptionError(`${where}: config must be an object with ${TUNE_KEYS.join(', ')}, got ${describe(config)}`);
  }
  const c = checkOptions(where, config as TrialConfig, TUNE_KEYS);
  for (const key of TUNE_KEYS) {
    const [ok, what] = RULES[key];
    if (typeof c[key] !== 'number' || !ok(c[key])) throw new OptionError(`${where}: config.${key} must be one of the ${what}, got ${describe(c[key])}`);
  }
  return c;
}

/** Number of grid points: the product of the value counts. */
export function gridSize(space: CheckedSpace): number {
  return TUNE_KEYS.reduce((n, k) => n * space[k].length, 1);
}

/**
 * Grid point i (0 ≤ i < gridSize) in product order: i written in the mixed radix of the value counts,
 * the last key as the lowest digit.
 */
export function gridPoint(space: CheckedSpace, i: number): TrialConfig {
  const digits = new Map<keyof TrialConfig, number>();
  for (const key of [...TUNE_KEYS].reverse()) {
    digits.set(key, i % space[key].length);
    i = Math.floor(i / space[key].length);
  }
  // Keys in TUNE_KEYS order, so configurations print and serialise alike.
  return Object.fromEntries(TUNE_KEYS.map((key) => [key, space[key][digits.get(key)!]!])) as unknown as TrialConfig;
}

/** Every combination, in product order. */
export function grid(space: TuneSpace): TrialConfig[] {
  const s = checkSpace('grid', space);
  return Array.from({ length: gridSize(s) }, (_, i) => gridPoint(s, i));
}

/** `trials` distinct grid points drawn without replacement (rule in the file header). */
export function randomConfigs(space: TuneSpace, trials: number, seed = 0): TrialConfig[] {
  const W = 'randomConfigs';
  const s = checkSpace(W, space);
  positiveInt(W, 'trials', trials);
  nonNegativeInt(W, 'seed', seed);
  const size = gridSize(s);
  if (trials > size) throw new OptionError(`${W}: trials must not exceed the ${size} combinations of the space (use the grid), got ${trials}`);
  return Array.from(permutation(seed, TUNE_STREAM, size).subarray(0, trials), (i) => gridPoint(s, i));
}
