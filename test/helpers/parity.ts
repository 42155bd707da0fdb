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
import { type ArgSpec, type Outputs, runKernel } from './run-kernel.js';

export { type ArgSpec, type Outputs, runKernel } from './run-kernel.js';

/**
 * The reference's outputs of recent cases. Each parity file runs the same cases once per native kernel
 * set (scalar, AVX2, AVX-512), and the reference's result does not depend on the set, so it is computed
 * once: on the large shapes the JS reference was most of a parity file's time. Bounded (oldest out
 * first), since under the sanitizers' --no-isolate run one process runs every parity file.
 */
const references = new Map<string, { outputs: Outputs; bytes: number }>();
const REFERENCE_BYTES = 256 << 20;
let referenceBytes = 0;

function reference(kernel: KernelName, args: ArgSpec[], params: object, seed: number): Outputs {
  // NaN, ±Infinity and -0 (in specials) must not share a key with null or 0.
  const key = JSON.stringify([kernel, args, params, seed], (_k, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `${Object.is(v, -0) ? '-0' : v}` : v);
  const hit = references.get(key);
  if (hit) return hit.outputs;
  const outputs = runKernel(refSet.kernels, kernel, args, params, seed);
  const bytes = Object.values(outputs).reduce((sum, o) => sum + o.byteLength, 0);
  references.set(key, { outputs, bytes });
  referenceBytes += bytes;
  for (const [old, entry] of references) {
    if (referenceBytes <= REFERENCE_BYTES) break;
    references.delete(old);
    referenceBytes -= entry.bytes;
  }
  return outputs;
}

/** Runs the case on the reference and on `native`; every output must match within TOLERANCES[kernel]. */
export function expectParity(native: NamedKernels, kernel: keyof typeof TOLERANCES & KernelName, caseName: string, args: ArgSpec[], params: object, seed = 1): void {
  const want = reference(kernel, args, params, seed);
  const got = runKernel(native.kernels, kernel, args, params, seed);
  for (const name of Object.keys(want)) {
    expect(got[name], `${kernel} ${caseName}: ${name} missing`).toBeDefined();
    expectClose({ kernel, backend: native.name, case: caseName, output: name }, got[name]!, want[name]!);
  }
}
