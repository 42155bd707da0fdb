/**
 * λ ~ Beta(α, β) for MixUp and CutMix (internal), from keel's generator: one stream of the global
 * generator (takeStream) per draw of λ, read draw by draw, since the rejection sampler below needs a
 * variable number of uniforms.
 *
 *   Beta:  λ = X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β), computed from log X and log Y as
 *          λ = 1 / (1 + exp(log Y − log X)) so tiny shapes (whose gammas underflow) still give a λ.
 *   Gamma(a), a ≥ 1 (Marsaglia & Tsang 2000): d = a − 1/3, c = 1/√(9d); repeat z ~ N(0, 1),
 *          v = (1 + c·z)³ until v > 0 and log u < z²/2 + d − d·v + d·log v (u ~ U(0, 1)); return d·v.
 *   Gamma(a), a < 1: Gamma(a + 1)·u^(1/a) (their boosting rule), i.e. log X = log Gamma(a + 1) + log(u)/a.
 * Uniforms are (k + 1/2)/2^32 for a 32-bit draw k (never 0 or 1); normals come by Box–Muller from two.
 */
import { PhiloxDraws } from '../ref/philox.js';
import { takeStream } from '../tensor/random.js';

const TWO32 = 4294967296;

/** Sequential uniforms and normals from one (seed, stream) of keel's generator. */
class Draws {
  private readonly philox: PhiloxDraws;
  private next = 0;

  constructor() {
    const { seed, stream } = takeStream();
    this.philox = new PhiloxDraws(seed, stream);
  }

  uniform(): number {
    return (this.philox.draw(this.next++) + 0.5) / TWO32;
  }

  normal(): number {
    const u1 = this.uniform(), u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** log of a Gamma(a, 1) draw (a > 0). */
function logGamma(a: number, r: Draws): number {
  if (a < 1) return logGamma(a + 1, r) + Math.log(r.uniform()) / a;
  const d = a - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = r.normal();
    const w = 1 + c * z;
    if (w <= 0) continue;
    const v = w * w * w;
    if (Math.log(r.uniform()) < (z * z) / 2 + d - d * v + d * Math.log(v)) return Math.log(d) + Math.log(v);
  }
}

/** One λ ~ Beta(alpha, beta) (both > 0), in [0, 1]. */
export function sampleBeta(alpha: number, beta: number): number {
  const r = new Draws();
  const lx = logGamma(alpha, r), ly = logGamma(beta, r);
  return 1 / (1 + Math.exp(ly - lx));
}
