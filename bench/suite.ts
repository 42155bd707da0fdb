/**
 * The engine shared by bench/run.ts and bench/compare.ts: loads keel with the requested thread
 * count, runs the cases of ./cases.ts on each implementation and returns one result per
 * (case, implementation).
 *
 * Implementations:
 *   native  the addon's kernel set (KEEL_BACKEND=native semantics: KEEL_CPU forces the CPU level,
 *           KEEL_ADDON_PATH the file). Kernel cases call it directly; layer cases run the library,
 *           which must itself have loaded the addon (else they are skipped with a message).
 *   ref     the JS reference kernels. Kernel cases call them directly; layer cases need the whole
 *           library on KEEL_BACKEND=js, which is chosen once per process at import, so they run in
 *           a child process (bench/run.ts with KEEL_BACKEND=js) whose JSON line is read back.
 *
 * Threads: KEEL_NUM_THREADS is set before keel is imported and setNumThreads(threads) is called
 * after every load, so the native thread pool has exactly `threads` workers; the recorded count is
 * the pool's (getNumThreads()). The JS reference runs on the main thread and is recorded as 1.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelSet } from '../src/backend/kernel-set.js';
import type { BackendInfo } from '../src/backend/loader.js';
import { type BenchCase, type KeelApi, type KernelCase, CASES, allocateLikeTensors } from './cases.js';
import { medianMs, NATIVE_POLICY, REF_POLICY, type TimingPolicy } from './timing.js';

/** The default thread count: 2 (the comparison setting), or fewer on a smaller machine. */
export const DEFAULT_THREADS = Math.min(2, availableParallelism());

export type ImplName = 'ref' | 'native';
export const IMPL_NAMES: readonly ImplName[] = ['ref', 'native'];

export interface CaseResult {
  case: string;
  impl: string;
  ms: number;
  runs: number;
  threads: number;
  /** The kernel variants run ('js', 'avx512', 'avx2+scalar', …) or a note. */
  variant: string;
}

export interface Session {
  keel: KeelApi;
  threads: number;
  /** The library's own backend (what layer cases run on). */
  library: BackendInfo;
  /** The native kernel set for kernel cases, or null with the reason. */
  native: { kernels: KernelSet; info: BackendInfo } | null;
  nativeProblem: string | null;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const RUN_TS = join(HERE, 'run.ts');

/** The cases whose name contains `filter` (or equals it with `exact`). */
export function selectCases(filter: string, exact = false): BenchCase[] {
  return CASES.filter((c) => (exact ? c.name === filter : c.name.includes(filter)));
}

/**
 * Imports keel with the thread pool set to `threads` and loads the native kernel set when wanted.
 * Call once per process, before anything else imports src/.
 */
export async function openSession(threads: number, wantNative: boolean): Promise<Session> {
  process.env.KEEL_NUM_THREADS = String(threads);
  const keel = (await import('../src/index.js')) as KeelApi;
  allocateLikeTensors(keel);
  let native: Session['native'] = null, nativeProblem: string | null = null;
  if (wantNative) {
    try {
      const loaded = keel.loadBackend({ env: { ...process.env, KEEL_BACKEND: 'native' } });
      native = { kernels: loaded.kernels, info: loaded.info };
    } catch (e) {
      nativeProblem = (e as Error).message;
    }
  }
  // Every loadBackend() call sets the pool from KEEL_NUM_THREADS; set it explicitly last anyway.
  keel.setNumThreads(threads);
  return { keel, threads, library: keel.backendInfo(), native, nativeProblem };
}

/** The pool size native runs use (the addon's own count). */
function nativeThreads(s: Session): number {
  return s.keel.getNumThreads();
}

function variantsOf(c: KernelCase, info: BackendInfo): string {
  return [...new Set(c.kernels.map((k) => info.variants[k]))].join('+');
}

/** The library's variant summary for layer cases: the distinct variants of its kernel set. */
function libraryVariant(info: BackendInfo): string {
  return [...new Set(Object.values(info.variants).filter((v) => v !== 'any'))].join('+'); // 'any': one variant for every level
}

function timed(fn: () => void, policy: Readonly<TimingPolicy>) {
  return medianMs(fn, policy);
}

/** A ref layer case in a child process on KEEL_BACKEND=js; returns its result line. */
function refLayerInChild(c: BenchCase, threads: number): CaseResult {
  const args = [...process.execArgv, RUN_TS, '--case', c.name, '--exact', '--impl', 'ref', '--json', '--no-machine', '--threads', String(threads)];
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, KEEL_BACKEND: 'js' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.error) throw r.error;
  const line = r.stdout.split('\n').find((l) => l.includes(`"case":"${c.name}"`));
  if (r.status !== 0 || !line) throw new Error(`child run (KEEL_BACKEND=js) failed with status ${r.status}`);
  const o = JSON.parse(line) as CaseResult;
  return { case: o.case, impl: 'ref', ms: o.ms, runs: o.runs, threads: o.threads, variant: 'js' };
}

/**
 * Runs one case on the given implementations, in order. Failures and skips are reported through
 * `warn` and leave the implementation out of the result.
 */
export function runCase(
  s: Session, c: BenchCase, impls: readonly ImplName[], warn: (m: string) => void,
): { results: CaseResult[]; failures: number } {
  const out: CaseResult[] = [];
  let failures = 0;
  const bind = c.kind === 'kernel' ? c.setup() : null; // kernel inputs shared by the impls
  for (const impl of impls) {
    try {
      if (c.kind === 'kernel') {
        if (impl === 'ref') {
          const t = timed(bind!(s.keel.referenceKernels), REF_POLICY);
          out.push({ case: c.name, impl, ms: t.ms, runs: t.runs, threads: 1, variant: 'js' });
        } else {
          if (!s.native) continue; // reported once by the caller
          const t = timed(bind!(s.native.kernels), NATIVE_POLICY);
          out.push({ case: c.name, impl, ms: t.ms, runs: t.runs, threads: nativeThreads(s), variant: variantsOf(c, s.native.info) });
        }
      } else if (impl === 'native') {
        if (s.library.backend !== 'native') {
          warn(`${c.name} [native]: skipped — the library runs on the JS backend (KEEL_BACKEND=${process.env.KEEL_BACKEND ?? ''}, or the addon did not load)`);
          continue;
        }
        const t = timed(c.setup(s.keel), NATIVE_POLICY);
        out.push({ case: c.name, impl, ms: t.ms, runs: t.runs, threads: nativeThreads(s), variant: libraryVariant(s.library) });
      } else if (s.library.backend === 'js') {
        const t = timed(c.setup(s.keel), REF_POLICY);
        out.push({ case: c.name, impl, ms: t.ms, runs: t.runs, threads: 1, variant: 'js' });
      } else {
        out.push(refLayerInChild(c, s.threads));
      }
    } catch (e) {
      warn(`${c.name} [${impl}] failed: ${(e as Error).message}`);
      failures++;
    }
  }
  return { results: out, failures };
}

/** The JSON line of a result: {"case", "impl", "ms", "runs", "threads"} (ms to 4 decimals, as torch_cases.py). */
export function resultJson(r: CaseResult): string {
  return JSON.stringify({ case: r.case, impl: r.impl, ms: Math.round(r.ms * 1e4) / 1e4, runs: r.runs, threads: r.threads });
}
