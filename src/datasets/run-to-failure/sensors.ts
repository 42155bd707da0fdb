/**
 * The 21 sensors of the built-in run-to-failure dataset, at the scales of NASA C-MAPSS FD001
 * (DESIGN.md §9): for each, its healthy level, how far it moves between a healthy engine and one at
 * failure (the sign says whether it rises or falls with wear), its sensor noise and the spread of
 * its manufacturing offset from engine to engine. The 14 informative sensors (2, 3, 4, 7, 8, 9, 11,
 * 12, 13, 14, 15, 17, 20, 21) respond to wear; 7, 12, 20 and 21 fall, the others rise, as in FD001.
 * The other 7 are constant (1, 5, 10, 16, 18, 19) or nearly so (6, which flickers between 21.60
 * and 21.61 in FD001), so dropping them is a real preprocessing step that loses nothing.
 *
 * Levels are read off FD001's training set: the healthy level plus about a fifth of the change (the
 * mean wear over a life) is close to FD001's column mean, and noise, wear and engine spread together
 * give roughly its column standard deviation (e.g. s2 ≈ 642.7 ± 0.5, s9 ≈ 9065 ± 22,
 * s15 ≈ 8.44 ± 0.04). s9 and s14 (core and corrected core speed) vary mostly between engines, as in
 * FD001. Of that spread, the engine-to-engine part is weighted more and the per-reading noise less
 * than in FD001 (spread ≈ 2–3 × noise for most sensors; s9 and s14 then spread ≈ ± 40 and ± 28, wider
 * than FD001's ± 22 and ± 19): an engine's offsets are then a fingerprint a
 * network can learn on its training engines, which is what makes the unregularised backbone overfit
 * with the dataset's defaults (issue 9; measured by keel demo and bench/regularisation.ts).
 */

/** One sensor: value = level + offset + change·wear + noise (see ../run-to-failure.ts). */
export interface Sensor {
  readonly name: string;
  /** Reading of a healthy engine (wear 0). */
  readonly level: number;
  /** Reading at failure (wear 1) minus `level`: positive if the sensor rises with wear. */
  readonly change: number;
  /** Standard deviation of the sensor noise, per reading. */
  readonly noise: number;
  /** Standard deviation of an engine's manufacturing offset. */
  readonly spread: number;
}

// name, healthy level, change at failure, noise std, manufacturing std
const TABLE: ReadonlyArray<readonly [string, number, number, number, number]> = [
  ['s1', 518.67, 0, 0, 0], //        T2, fan inlet temperature
  ['s2', 642.35, 1.2, 0.12, 0.24], // T24, LPC outlet temperature
  ['s3', 1586.5, 14, 1.8, 4.5], //   T30, HPC outlet temperature
  ['s4', 1402.5, 25, 2.2, 6], //     T50, LPT outlet temperature
  ['s5', 14.62, 0, 0, 0], //         P2, fan inlet pressure
  ['s6', 21.61, 0, 0.00056, 0], //    P15, bypass-duct pressure (nearly constant)
  ['s7', 554, -2.6, 0.2, 0.6], //    P30, HPC outlet pressure
  ['s8', 2388.05, 0.25, 0.018, 0.045], // Nf, fan speed
  ['s9', 9055, 45, 2.8, 36], //        Nc, core speed
  ['s10', 1.3, 0, 0, 0], //          epr, engine pressure ratio
  ['s11', 47.35, 0.95, 0.064, 0.15], // Ps30, HPC outlet static pressure
  ['s12', 521.8, -2.2, 0.168, 0.45], // phi, fuel flow / Ps30
  ['s13', 2388.05, 0.25, 0.018, 0.045], // NRf, corrected fan speed
  ['s14', 8136, 30, 2, 27], //        NRc, corrected core speed
  ['s15', 8.425, 0.085, 0.01, 0.024], // BPR, bypass ratio
  ['s16', 0.03, 0, 0, 0], //         farB, burner fuel-air ratio
  ['s17', 392.3, 4.5, 0.48, 1.2], //  htBleed, bleed enthalpy
  ['s18', 2388, 0, 0, 0], //         Nf_dmd, demanded fan speed
  ['s19', 100, 0, 0, 0], //          PCNfR_dmd, demanded corrected fan speed
  ['s20', 38.9, -0.45, 0.044, 0.12], // W31, HPT coolant bleed
  ['s21', 23.34, -0.27, 0.026, 0.075], // W32, LPT coolant bleed
];

export const SENSORS: readonly Sensor[] = TABLE.map(([name, level, change, noise, spread]) => ({ name, level, change, noise, spread }));

/** The sensors that respond to wear, in column order. */
export const INFORMATIVE: readonly string[] = SENSORS.filter((s) => s.change !== 0).map((s) => s.name);

/** The constant or nearly constant sensors, in column order. */
export const CONSTANT: readonly string[] = SENSORS.filter((s) => s.change === 0).map((s) => s.name);
