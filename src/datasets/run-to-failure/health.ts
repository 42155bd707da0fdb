/**
 * An engine's life in the built-in run-to-failure dataset: its length, its initial wear and the wear
 * curve that takes it from healthy to failure, after the C-MAPSS simulator's health index
 * h(t) = 1 − d − exp(a·t^b) (DESIGN.md §9), written here as wear w = 1 − h that starts at d and
 * reaches 1 (h = 0, failure) on the last cycle.
 *
 * Law. Per engine, a ∈ U[0.001, 0.003], b ∈ U[1.4, 1.6], initial wear d ∈ U[0, 0.01]. In the
 * simulator's own time τ (τ = 0 at the onset of degradation)
 *   w(τ) = d + exp(a·τ^b) − 1,
 * which is d at the onset and 1 at τ_f = (log(2 − d) / a)^(1/b) (τ_f ∈ [30, 107] over the ranges).
 * Time rescaling: one unit of τ is C = 2.5 cycles, so degradation lasts D = C·τ_f cycles (75–268);
 * a larger a or b wears the engine out faster. The life T (cycles 1..T, failure on cycle T) is drawn
 * on its own, log-normal with median 188 cycles and log-sd 0.25, and (a, b, d, T) are drawn again
 * until 128 ≤ T ≤ 362 and the engine spends at least 20 healthy cycles before its onset
 * t0 = T − D. That gives lives over 128–362 with mean ≈ 206 and a right tail, like FD001's, and an
 * onset that differs from engine to engine. Before t0 the wear stays at d; on cycle t > t0,
 * τ = (t − t0) / C. Powers are written exp(b·log τ): only exp, log and arithmetic, for the same
 * bits on every platform.
 */
import type { Draws } from './draws.js';

/** Cycles per unit of the simulator's time τ. */
const CYCLES_PER_TAU = 2.5;
const MIN_LIFE = 128;
const MAX_LIFE = 362;
const LIFE_LOG_MEDIAN = Math.log(188);
const LIFE_LOG_SD = 0.25;
/** Cycles an engine runs at its initial wear before degradation starts, at least. */
const MIN_HEALTHY = 20;

/** One engine's noiseless wear, cycle by cycle. */
export interface Life {
  /** Cycles until failure (the length of `wear`). */
  readonly cycles: number;
  /** The last cycle before degradation starts (not an integer). */
  readonly onset: number;
  /** wear[t − 1] is the wear on cycle t: d up to the onset, then rising to exactly 1 on the last cycle. */
  readonly wear: Float64Array;
}

/** Draws an engine's life from `draws` (the law in the header). */
export function drawLife(draws: Draws): Life {
  for (;;) {
    const a = draws.between(0.001, 0.003);
    const b = draws.between(1.4, 1.6);
    const d = draws.between(0, 0.01);
    const cycles = Math.round(Math.exp(LIFE_LOG_MEDIAN + LIFE_LOG_SD * draws.normal()));
    // τ_f = (log(2 − d) / a)^(1/b)
    const tauF = Math.exp(Math.log(Math.log(2 - d) / a) / b);
    const onset = cycles - CYCLES_PER_TAU * tauF;
    if (cycles < MIN_LIFE || cycles > MAX_LIFE || onset < MIN_HEALTHY) continue;
    const wear = new Float64Array(cycles);
    for (let t = 1; t <= cycles; t++) {
      const tau = (t - onset) / CYCLES_PER_TAU;
      // w = d + exp(a·τ^b) − 1
      wear[t - 1] = tau <= 0 ? d : d + Math.exp(a * Math.exp(b * Math.log(tau))) - 1;
    }
    wear[cycles - 1] = 1; // failure: h = 0 exactly, not 1 ± rounding
    return { cycles, onset, wear };
  }
}
