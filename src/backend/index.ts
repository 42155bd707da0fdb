/** The kernel set every layer uses, chosen once when keel is first imported (see ./loader.ts). */
import { OptionError } from '../errors.js';
import { showValue } from '../tensor/shape.js';
import { type BackendInfo, loadBackend } from './loader.js';

const loaded = loadBackend();

/** The selected kernels: native when the addon loads (or is forced), the JS reference otherwise. */
export const kernels = loaded.kernels;

/** Which backend and CPU level keel runs on, and the variant behind each kernel. */
export function backendInfo(): BackendInfo {
  return structuredClone(loaded.info);
}

export { loaded as loadedBackend };

/** Threads the native kernels use (1 on the JS backend). */
export function getNumThreads(): number {
  return loaded.addon?.numThreads() ?? 1;
}

/**
 * Sets the native kernels' thread pool (KEEL_NUM_THREADS sets it at load; default: the machine's
 * cores). Results are bitwise identical for any thread count. No effect on the JS backend.
 */
export function setNumThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new OptionError(`setNumThreads: threads must be an integer in [1, 1024], got ${showValue(threads)}`);
  }
  loaded.addon?.setNumThreads(threads);
}
