/**
 * The built-in dataset's random numbers: uniforms and normals read one after another from one
 * (seed, stream) of Philox4x32-10 (src/ref/philox.ts), never from keel's global generator, so a
 * dataset call leaves the caller's random state alone and each purpose (a unit's parameters, its
 * noise, its operating conditions) has its own stream. Only + − × ÷, Math.sqrt and Math.log touch
 * the draws: IEEE-754 arithmetic and V8's fdlibm ports give the same bits on every platform (no
 * Math.cos/sin here, hence the polar method rather than Box–Muller).
 */
import { PhiloxDraws } from '../../ref/philox.js';

const TWO32 = 4294967296;

/** Sequential draws of one (seed, stream). */
export class Draws {
  private readonly philox: PhiloxDraws;
  private next = 0;
  private spare: number | null = null;

  constructor(seed: number, stream: number) {
    this.philox = new PhiloxDraws(seed, stream);
  }

  /** Uniform in (0, 1): u = (draw + 0.5) / 2^32, never 0 or 1. */
  uniform(): number {
    return (this.philox.draw(this.next++) + 0.5) / TWO32;
  }

  /** Uniform in (lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * Standard normal, Marsaglia's polar method: u, v uniform in (−1, 1), retried until
   * s = u² + v² < 1; then u·f and v·f with f = sqrt(−2·log(s) / s) are two independent N(0, 1)
   * (the second is kept for the next call). s is never 0: 2·uniform − 1 is an odd multiple of 2^-32.
   */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1, v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      this.spare = v * f;
      return u * f;
    }
  }
}
