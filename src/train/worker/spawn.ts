/**
 * Starting fit's worker thread. It loads keel exactly as the caller did: the same addon file, the same
 * CPU level and fusion setting (so both modes compute bit for bit the same), and it shares the caller's
 * kernel thread pool (the pool belongs to the process; a worker never resizes it).
 *
 * From the built package the entry is ./entry.js. When keel runs from its TypeScript sources (its own
 * test suite, under tsx or vitest) the entry is ./entry.ts, started through tsx's loader, which is a dev
 * dependency: users never take that path.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { backendInfo } from '../../backend/index.js';
import type { WorkerJob } from './protocol.js';

/** The environment that makes the worker load the same kernels as this thread. */
function backendEnv(): Record<string, string> {
  const info = backendInfo();
  if (info.backend !== 'native') return { KEEL_BACKEND: 'js' };
  return { KEEL_BACKEND: 'native', KEEL_CPU: info.isa, ...(info.addonPath ? { KEEL_ADDON_PATH: info.addonPath } : {}) };
}

export function spawnWorker(job: WorkerJob, transfer: ArrayBuffer[]): Worker {
  const env = { ...process.env, ...backendEnv() };
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // tsx/esm/api's ESM build (its CommonJS build cannot register hooks from a worker on Node 20).
    const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const entry = new URL('./entry.ts', here).href;
    const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData: job, env, transferList: transfer });
  }
  return new Worker(new URL('./entry.js', here), { workerData: job, env, transferList: transfer });
}
