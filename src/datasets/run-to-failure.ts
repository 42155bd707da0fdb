/**
 * datasets.runToFailure: the built-in run-to-failure dataset, a seeded synthetic imitation of NASA's
 * C-MAPSS turbofan data (FD001 by default, FD002-like with `operatingConditions`; DESIGN.md §9), so
 * the RUL workload runs with nothing to download. Training engines run until failure; test engines
 * are cut at a random cycle and carry their true remaining useful life (RUL) there.
 *
 * Per engine: a life and wear curve (./run-to-failure/health.ts: initial wear d ≤ 1%, flat until a
 * per-engine onset, then exponential to failure), a manufacturing offset and a response gain per
 * sensor, process noise on the wear and sensor noise on each reading. Reading of sensor j on cycle t
 * (./run-to-failure/sensors.ts has level_j, change_j, noise_j, spread_j):
 *   x_j(t) = f(k_t, j) · (level_j + m_j + change_j · g_j · (w(t) + e(t))) + σ·noise_j · ε_j(t)
 *   m_j ~ N(0, spread_j²), g_j = exp(0.3·z_j)            per engine
 *   e(t) = 0.8·e(t − 1) + 0.6·σ·0.008·z_t, e(0) ~ N(0, (σ·0.008)²)   process noise, AR(1) on the wear
 *   ε_j(t), z ~ N(0, 1);  σ = options.noise
 *   f(k, j) = 1 for operating condition k = 0 (and always without operatingConditions); for k = 1..5
 *   a fixed factor in U[0.85, 1.05] per (condition, sensor), the same for every seed, and k_t uniform
 *   over 0..5 on every cycle, as FD002/FD004 switch conditions from one cycle to the next.
 * A test engine's RUL is uniform over 7..min(145, T − 31) (FD001's test RULs span 7–145), so at
 * least 31 cycles remain and a 30-cycle window fits.
 *
 * Why these sizes (issue 9 asks that with the defaults the unregularised backbone overfit and
 * regularisation help, measured): an engine's manufacturing offsets (spread_j, about 2–3 × its sensor
 * noise) and response gains (log-sd 0.3) are a fingerprint a net can learn on its training engines
 * together with that engine's own wear-to-RUL map (a, b, d and the onset differ by engine), and it is
 * wrong on new engines; 20 training engines (12 fit, 8 validate in keel demo) are few
 * enough to memorise within a few epochs. Measured with keel demo's study (40 epochs, ≈ 8 s a fit on
 * 2 vCPUs; npm run bench:regularisation -- --seeds 0,1,2,3,4,5,6,7,8,9): the backbone without
 * BatchNorm, Dropout or weight decay shows a divergence epoch on 9/10 seeds and Dropout lowers its best
 * validation RMSE on 9/10; BatchNorm alone does not (3/10; PyTorch shows the same on this data).
 *
 * Randomness: Philox streams of `seed` (./run-to-failure/draws.ts), never the global generator. Each
 * engine has its own streams — 2^50 + set·2^40 + 4·unit + purpose (set 0 train, 1 test; purpose 0
 * its parameters, 1 its noise, 2 its conditions) — so engine i is the same whatever the number of
 * engines asked for, and adding test engines changes no training engine.
 */
import { OptionError } from '../errors.js';
import { checkOptions, boolean, nonNegativeInt, numberIn, positiveInt } from '../functional/validate.js';
import { Tensor } from '../tensor/tensor.js';
import type { SeriesTable, UnitSeries } from '../data/series.js';
import { Draws } from './run-to-failure/draws.js';
import { drawLife } from './run-to-failure/health.js';
import { CONSTANT, INFORMATIVE, SENSORS } from './run-to-failure/sensors.js';

/** Options of datasets.runToFailure. */
export interface RunToFailureOptions {
  /** Seed of every draw, an integer in [0, 2^53 − 1]: the same seed gives the same data on every platform. Default 0. */
  seed?: number;
  /** Engines observed until failure (the training set), at most MAX_UNITS. Default 20: few enough that the unregularised backbone memorises them (the overfitting claim above) and one 40-epoch fit takes ≈ 9 s on 2 vCPUs. */
  trainUnits?: number;
  /** Engines cut before failure, with their true RUL (the test set; scored on their last window), at most MAX_UNITS. Default 100, as FD001. */
  testUnits?: number;
  /**
   * Six operating conditions that scale every sensor, switching at random from cycle to cycle (like
   * FD002/FD004; normalise per condition). Each unit's `conditions` holds the label (0..5) per row.
   * The 7 constant sensors then are constant within a condition only. Default false (FD001: one condition).
   */
  operatingConditions?: boolean;
  /** Multiplies every noise standard deviation (sensor and process noise); 0 gives noiseless readings. Default 1. */
  noise?: number;
}

/** What runToFailure returns. */
export interface RunToFailureDataset {
  /** Engines run until failure (no rulAtEnd): columns s1..s21, time = cycles 1..T. */
  readonly train: SeriesTable;
  /** Engines cut before failure, each with its true RUL at its last row (rulAtEnd). */
  readonly test: SeriesTable;
  /** The 14 sensors that respond to wear: s2 s3 s4 s7 s8 s9 s11 s12 s13 s14 s15 s17 s20 s21. */
  readonly informative: readonly string[];
  /** The 7 constant or nearly constant sensors: s1 s5 s6 s10 s16 s18 s19. */
  readonly constant: readonly string[];
}

const F = 'runToFailure';
const KEYS = ['seed', 'trainUnits', 'testUnits', 'operatingConditions', 'noise'] as const;
const STREAM_BASE = 2 ** 50;
const SET_STRIDE = 2 ** 40;
const PARAMS = 0, NOISE = 1, CONDITIONS = 2;
const CONDITION_COUNT = 6;
/** Seed of the fixed operating-condition factors ("CMAP"), independent of options.seed. */
const CONDITION_SEED = 0x434d4150;
const PROCESS_SD = 0.008;
const PROCESS_RHO = 0.8;
const GAIN_LOG_SD = 0.3;
const MIN_TEST_RUL = 7;
const MAX_TEST_RUL = 145;
/** Rows a test engine keeps at least: one 30-cycle window plus one. */
const MIN_TEST_ROWS = 31;

const COLUMNS = SENSORS.map((s) => s.name);

let conditionFactors: Float64Array | undefined;

/** f(k, j) of the header, row k = condition, column j = sensor (row 0 all ones); drawn once. */
function factors(): Float64Array {
  if (conditionFactors) return conditionFactors;
  const draws = new Draws(CONDITION_SEED, 0);
  const f = new Float64Array(CONDITION_COUNT * SENSORS.length).fill(1);
  for (let i = SENSORS.length; i < f.length; i++) f[i] = draws.between(0.85, 1.05);
  return (conditionFactors = f);
}

/** One engine: `test` cuts it before failure. */
function makeUnit(seed: number, set: number, index: number, noise: number, conditioned: boolean): UnitSeries {
  const stream = (purpose: number) => STREAM_BASE + set * SET_STRIDE + 4 * index + purpose;
  const params = new Draws(seed, stream(PARAMS));
  const life = drawLife(params);
  const C = SENSORS.length;
  const offset = SENSORS.map((s) => s.spread * params.normal());
  const gain = SENSORS.map(() => Math.exp(GAIN_LOG_SD * params.normal()));
  let rows = life.cycles, rulAtEnd: number | undefined;
  if (set === 1) {
    const maxRul = Math.min(MAX_TEST_RUL, life.cycles - MIN_TEST_ROWS);
    rulAtEnd = MIN_TEST_RUL + Math.floor(params.uniform() * (maxRul - MIN_TEST_RUL + 1));
    rows = life.cycles - rulAtEnd;
  }

  let conditions: Int32Array | undefined;
  if (conditioned) {
    const draws = new Draws(seed, stream(CONDITIONS));
    conditions = new Int32Array(rows);
    for (let t = 0; t < rows; t++) conditions[t] = Math.floor(draws.uniform() * CONDITION_COUNT);
  }
  const f = factors();

  const draws = new Draws(seed, stream(NOISE));
  const sd = noise * PROCESS_SD;
  const innovation = sd * Math.sqrt(1 - PROCESS_RHO * PROCESS_RHO);
  const values = new Float32Array(rows * C);
  const time = new Float64Array(rows);
  let e = sd * draws.normal();
  for (let t = 0; t < rows; t++) {
    if (t > 0) e = PROCESS_RHO * e + innovation * draws.normal();
    const w = life.wear[t]! + e;
    const k = conditions ? conditions[t]! : 0;
    for (let j = 0; j < C; j++) {
      const s = SENSORS[j]!;
      const eps = s.noise === 0 ? 0 : draws.normal();
      values[t * C + j] = f[k * C + j]! * (s.level + offset[j]! + s.change * gain[j]! * w) + noise * s.noise * eps;
    }
    time[t] = t + 1;
  }
  const unit: UnitSeries = { id: index + 1, values: new Tensor(values, [rows, C]), time };
  return { ...unit, ...(conditions && { conditions }), ...(rulAtEnd !== undefined && { rulAtEnd }) };
}

/**
 * The most engines on either side: FD004, C-MAPSS's largest subset, has 249 training engines; 1000
 * engines of up to ~360 cycles are ~0.3 GB of float32 readings, where a typo's 100,000 would be 30 GB.
 */
export const MAX_UNITS = 1000;

function atMostMaxUnits(name: string, n: number): number {
  if (n > MAX_UNITS) throw new OptionError(`${F}: ${name} must be at most ${MAX_UNITS}, got ${n}`);
  return n;
}

/**
 * The built-in run-to-failure dataset (header): `trainUnits` engines run to failure and `testUnits`
 * engines cut before it, 21 sensor columns s1..s21, ids 1..N in each set.
 */
export function runToFailure(options?: RunToFailureOptions): RunToFailureDataset {
  const o = checkOptions(F, options, KEYS);
  const seed = nonNegativeInt(F, 'seed', o.seed ?? 0);
  const trainUnits = atMostMaxUnits('trainUnits', positiveInt(F, 'trainUnits', o.trainUnits ?? 20));
  const testUnits = atMostMaxUnits('testUnits', nonNegativeInt(F, 'testUnits', o.testUnits ?? 100));
  const conditioned = boolean(F, 'operatingConditions', o.operatingConditions ?? false);
  const noise = numberIn(F, 'noise', o.noise ?? 1, 0, Infinity);
  const table = (set: number, n: number): SeriesTable => ({
    columns: COLUMNS,
    units: Array.from({ length: n }, (_, i) => makeUnit(seed, set, i, noise, conditioned)),
  });
  return { train: table(0, trainUnits), test: table(1, testUnits), informative: INFORMATIVE, constant: CONSTANT };
}
