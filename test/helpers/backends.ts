/**
 * The kernel sets every parity test runs: the JS reference, and the native addon at every CPU level
 * this machine supports (KEEL_CPU-independent). KEEL_ADDON_PATH selects which addon build is under
 * test (CI runs the suite against the node-gyp and the cmake-js builds). Set KEEL_REQUIRE_NATIVE=1
 * (CI does) to fail instead of skipping when the addon is missing.
 */
import { addonCandidates, loadBackend, type NativeAddon } from '../../src/backend/loader.js';
import { type KernelSet, referenceKernels } from '../../src/backend/kernel-set.js';

export interface NamedKernels {
  /** 'ref', or 'native-scalar', 'native-avx2', ... */
  name: string;
  kernels: KernelSet;
}

function loadAddon(): NativeAddon | null {
  const env = { ...process.env, KEEL_BACKEND: process.env.KEEL_REQUIRE_NATIVE ? 'native' : undefined, KEEL_CPU: undefined };
  const candidates = process.env.KEEL_ADDON_PATH ? [process.env.KEEL_ADDON_PATH] : addonCandidates();
  return loadBackend({ env, candidates, warn: () => {} }).addon;
}

export const addon = loadAddon();

/** Native kernel sets, one per supported CPU level (empty when the addon is not built). */
export const nativeSets: NamedKernels[] = addon
  ? addon.supportedIsas().map((isa) => ({ name: `native-${isa}`, kernels: addon!.kernelSet(isa).kernels }))
  : [];

export const refSet: NamedKernels = { name: 'ref', kernels: referenceKernels };

/** The reference followed by every native set. */
export const allSets: NamedKernels[] = [refSet, ...nativeSets];
