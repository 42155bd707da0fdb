/**
 * Array comparison for parity and golden tests. A failure names the kernel, the backend, the case
 * (shape and options), the first bad index, the expected and the actual value, and the tolerance.
 */
import { TOLERANCES, type Tolerance } from '../tolerances.js';

type Numeric = ArrayLike<number>;

/** First index where |got - want| > atol + rtol |want| (NaN must match NaN), or -1. */
export function firstMismatch(got: Numeric, want: Numeric, tol: Tolerance): number {
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) return i;
  }
  return -1;
}

/** Throws a descriptive error unless `got` matches `want` within the kernel's tolerance. */
export function expectClose(
  what: { kernel: keyof typeof TOLERANCES; backend: string; case: string; output: string },
  got: Numeric,
  want: Numeric,
  tol: Tolerance = TOLERANCES[what.kernel],
): void {
  if (got.length !== want.length) {
    throw new Error(`${what.kernel} [${what.backend}] ${what.case}: ${what.output} has length ${got.length}, expected ${want.length}`);
  }
  const i = firstMismatch(got, want, tol);
  if (i >= 0) {
    throw new Error(
      `${what.kernel} [${what.backend}] ${what.case}: ${what.output}[${i}] expected ${want[i]}, got ${got[i]} ` +
        `(|diff| ${Math.abs(got[i]! - want[i]!)} > atol ${tol.atol} + rtol ${tol.rtol}·|expected|)`,
    );
  }
}

/** mulberry32: a seeded stream of numbers in [0, 1), so cases are reproducible without the library's RNG. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random fill in [-1, 1) (mulberry32). */
export function fillRandom(a: Float32Array | Float64Array, seed: number, scale = 1, shift = 0): typeof a {
  const next = mulberry32(seed);
  for (let i = 0; i < a.length; i++) a[i] = (next() * 2 - 1) * scale + shift;
  return a;
}

/**
 * A Float32Array of `n` elements at an odd element offset inside a larger buffer with sentinel
 * values around it, to catch kernels that ignore byteOffset or write out of bounds.
 */
export function offsetArray(n: number, offset = 3): { view: Float32Array; intactGuards(): boolean } {
  const buf = new Float32Array(n + offset + 5).fill(12345.5);
  const view = buf.subarray(offset, offset + n);
  return {
    view,
    intactGuards: () => buf.subarray(0, offset).every((v) => v === 12345.5) && buf.subarray(offset + n).every((v) => v === 12345.5),
  };
}
