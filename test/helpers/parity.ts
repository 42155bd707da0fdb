/**
 * Parity harness: run one kernel call on the reference and on every native kernel set with the same
 * inputs (./run-kernel.ts: odd offsets, guard values, NaN-filled outputs) and compare each output with
 * the reference under the kernel's tolerance.
 */
import { expect } from 'vitest';
import type { KernelName } from '../../src/backend/kernel-set.js';
import { TOLERANCES } from '../tolerances.js';
import { type NamedKernels, refSet } from './backends.js';
import { expectClose } from './compare.js';
import { type ArgSpec, runKernel } from './run-kernel.js';

export { type ArgSpec, type Outputs, runKernel } from './run-kernel.js';

/** Runs the case on the reference and on `native`; every output must match within TOLERANCES[kernel]. */
export function expectParity(native: NamedKernels, kernel: keyof typeof TOLERANCES & KernelName, caseName: string, args: ArgSpec[], params: object, seed = 1): void {
  const want = runKernel(refSet.kernels, kernel, args, params, seed);
  const got = runKernel(native.kernels, kernel, args, params, seed);
  for (const name of Object.keys(want)) {
    expect(got[name], `${kernel} ${caseName}: ${name} missing`).toBeDefined();
    expectClose({ kernel, backend: native.name, case: caseName, output: name }, got[name]!, want[name]!);
  }
}
