/**
 * Runs one kernel call on fresh arrays built from argument specs: every array at an odd offset inside
 * a larger buffer with guard values around it, outputs pre-filled with NaN (so an element a kernel
 * forgets to write cannot pass), inputs filled from a seed. Used by the parity tests (./parity.ts) and
 * by the random-shape sweep (scripts/sweep-shapes.ts), so it imports nothing from vitest.
 */
import type { KernelName, KernelSet } from '../../src/backend/kernel-set.js';
import { fillRandom } from './compare.js';

/** One positional argument: an output, an input, an in/out buffer (e.g. running stats), or null. */
export interface ArgSpec {
  name: string;
  kind: 'out' | 'in' | 'inout' | 'null';
  size: number;
  /** Inputs are uniform in [-scale, scale) + shift. */
  scale?: number;
  shift?: number;
  /** Uint8Array (dropout masks) instead of Float32Array. */
  bytes?: boolean;
  /** Values (NaN, infinities, ±0, ...) written over the random fill, near both ends of the array. */
  specials?: readonly number[];
  /** Float64Array (statistics kept in double) instead of Float32Array. */
  doubles?: boolean;
  /** Fill seed of this input (default: from the call's seed and the argument's position). */
  seed?: number;
}

export type Outputs = Record<string, Float32Array | Float64Array | Uint8Array>;

const GUARD = 12345.5;

/** Calls `kernel` of `set` with fresh arrays made from `args`; returns copies of every written array. */
export function runKernel(set: KernelSet, kernel: KernelName, args: ArgSpec[], params: object, seed: number): Outputs {
  const guards: Array<{ name: string; ok: () => boolean }> = [];
  const views = args.map((a, i) => {
    if (a.kind === 'null') return null;
    const offset = 1 + (i % 3) * 2; // odd element offsets: 1, 3, 5
    const Ctor = a.bytes ? Uint8Array : a.doubles ? Float64Array : Float32Array;
    const buf = new Ctor(a.size + offset + 4);
    buf.fill(a.bytes ? 77 : GUARD);
    const view = buf.subarray(offset, offset + a.size);
    if (a.kind === 'out') view.fill(a.bytes ? 255 : NaN);
    else if (!a.bytes) fillRandom(view as Float32Array | Float64Array, a.seed ?? seed * 131 + i, a.scale ?? 1, a.shift ?? 0);
    if (a.kind !== 'out' && a.size > 0) {
      a.specials?.forEach((v, k) => {
        const j = (k * 7 + i * 3) % a.size;
        view[j] = v;
        view[a.size - 1 - j] = v;
      });
    }
    const g = a.bytes ? 77 : GUARD;
    guards.push({ name: a.name, ok: () => buf.subarray(0, offset).every((v) => v === g) && buf.subarray(offset + a.size).every((v) => v === g) });
    return view;
  });
  (set[kernel] as (...xs: unknown[]) => void)(...views, params);
  for (const g of guards) {
    if (!g.ok()) throw new Error(`${kernel}: wrote outside ${g.name}`);
  }
  const out: Outputs = {};
  args.forEach((a, i) => {
    if (a.kind === 'out' || a.kind === 'inout') out[a.name] = views[i]!.slice();
  });
  return out;
}
