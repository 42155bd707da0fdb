/** The kernel set every layer uses, chosen once when keel is first imported (see ./loader.ts). */
import { type BackendInfo, loadBackend } from './loader.js';

const loaded = loadBackend();

/** The selected kernels: native when the addon loads (or is forced), the JS reference otherwise. */
export const kernels = loaded.kernels;

/** Which backend and CPU level keel runs on, and the variant behind each kernel. */
export function backendInfo(): BackendInfo {
  return structuredClone(loaded.info);
}

export { loaded as loadedBackend };
