/**
 * The kernel tour (examples/kernel-tour.ts): every kernel runs on the reference and on a second kernel
 * set and the tour flags any output that differs beyond its tolerance. Checked against the reference
 * itself (no difference at all), against a set with one deliberately wrong kernel (that one, and only
 * that one, is flagged), and against the native addon when it loads (every kernel agrees).
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, type KernelSet, loadBackend, referenceKernels } from 'keel';
import { kernelTour, TOLERANCE } from '../../examples/kernel-tour.js';

describe('kernel tour example', () => {
  it('runs every kernel and finds no difference between the reference and itself', () => {
    const rows = kernelTour({ kernels: referenceKernels });
    expect(rows.map((r) => r.kernel)).toEqual([...KERNEL_NAMES]);
    for (const r of rows) expect([r.kernel, r.maxRelDiff, r.ok]).toEqual([r.kernel, 0, true]);
  });

  it('flags exactly the kernel whose output is off by more than the tolerance', () => {
    const wrong: KernelSet = {
      ...referenceKernels,
      reluForward: (y, x, params) => {
        referenceKernels.reluForward(y, x, params);
        y[7]! += 10 * TOLERANCE;
      },
    };
    const rows = kernelTour({ kernels: wrong });
    expect(rows.filter((r) => !r.ok).map((r) => r.kernel)).toEqual(['reluForward']);
    const relu = rows.find((r) => r.kernel === 'reluForward')!;
    expect(relu.maxRelDiff).toBeGreaterThan(TOLERANCE);
  });

  it('without a second kernel set, only the reference runs', () => {
    const rows = kernelTour({ kernels: null });
    expect(rows).toHaveLength(KERNEL_NAMES.length);
    for (const r of rows) expect([r.nativeMs, r.maxRelDiff]).toEqual([null, null]);
  });

  const native = loadBackend();
  it.skipIf(native.info.backend !== 'native')('the native addon agrees with the reference on every kernel', () => {
    const rows = kernelTour();
    expect(rows.filter((r) => !r.ok).map((r) => [r.kernel, r.maxRelDiff])).toEqual([]);
    for (const r of rows) expect(r.nativeMs).toBeGreaterThanOrEqual(0);
  });
});
