// The comparison of a fused path (fused kernels, or BatchNorm folded into the convolution) with the
// same modules run one by one. The tolerance's derivation is written where it is used
// (test/fused.sequential.test.ts, test/fused.eval-fold.test.ts).
import { expect } from 'vitest';

/** |fused − unfused| ≤ atol·scale + rtol·|unfused| per element. */
export const NEAR_UNFUSED = { atol: 1e-5, rtol: 1e-4 } as const;

export function maxAbs(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** scale: the tensor's largest value, or (gradients) the largest gradient of the model. */
export function expectNearUnfused(what: string, got: ArrayLike<number>, want: ArrayLike<number>, scale = maxAbs(want), label = 'fused'): void {
  const { atol, rtol } = NEAR_UNFUSED;
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Math.abs(g - w) <= atol * scale + rtol * Math.abs(w))) {
      throw new Error(`${what}[${i}]: unfused ${w}, ${label} ${g} (|diff| ${Math.abs(g - w)} > ${atol}·${scale} + ${rtol}·|unfused|)`);
    }
  }
}
