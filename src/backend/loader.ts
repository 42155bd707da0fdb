/**
 * Chooses the kernel set once, at load.
 *
 *   KEEL_BACKEND=js|native   force a backend; native forced but not loadable is an error, not a fallback
 *   KEEL_CPU=scalar|avx2|avx512|neon   force a CPU level (native); unsupported is an error
 *   KEEL_ADDON_PATH=/path/keel.node    load the addon from there only (e.g. the cmake-js build)
 *   KEEL_NUM_THREADS=n                 the native kernels' thread pool (default: the machine's cores); set by
 *                                      the main thread only: the pool is the process's, and workers share it
 *
 * Without KEEL_ADDON_PATH the addon is tried, in order: a local build in the package root (node-gyp's
 * build/Release and build/Debug, cmake-js's build-cmake/Release: a contributor's, or what `keel build`
 * made in an installed copy), then the prebuilt addon shipped for this platform,
 * prebuilds/<platform>-<arch>[-glibc|-musl]/keel.node. If none loads, the JS reference kernels are used
 * and one warning names every place tried, why each failed, and the command that builds the addon.
 *
 * Right after an addon loads it is handed keel's error classes (setErrorClasses), so its argument
 * checks throw the OptionError and ShapeError the JS reference throws. Every problem with the
 * environment or the addon here is a BackendError.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { BackendError, OptionError, ShapeError } from '../errors.js';
import { elfProblem } from './elf-check.js';
import { KERNEL_NAMES, type KernelName, type KernelSet, referenceKernels } from './kernel-set.js';

/** Which kernel set runs: the native addon's, or the plain-JS reference (KEEL_BACKEND forces one). */
export type Backend = 'native' | 'js';
/** A CPU level of the native kernels (KEEL_CPU forces one): portable scalar C++, x86-64 AVX2+FMA or AVX-512, arm64 NEON. */
export type Isa = 'scalar' | 'avx2' | 'avx512' | 'neon';

/** What the library runs on, as `backendInfo()` reports it. */
export interface BackendInfo {
  /** 'native' (the addon) or 'js' (the reference kernels). */
  backend: Backend;
  /** The CPU level the native kernels were chosen for ('js' when running the reference kernels). */
  isa: Isa | 'js';
  /** The best level this CPU and OS support (native only). */
  detectedIsa: Isa | null;
  /** Every level this CPU and OS support (native only). */
  supportedIsas: Isa[];
  /** The variant behind each kernel: 'scalar', 'avx2', ... or 'js'; 'any' for one that runs the same code at every level (gatherRows, a copy). */
  variants: Record<KernelName, string>;
  /** The addon file loaded, or null. */
  addonPath: string | null;
  /** The cache sizes the native kernels size their blocking and streaming stores by (null for 'js'). */
  caches: CacheSizes | null;
}

/**
 * This machine's caches as the native kernels read them once (Linux's sysfs; defaults elsewhere). Only
 * speed depends on them: BatchNorm1d pipelines channels within half the L2 and writes outputs of
 * `streamingStoreBytes` or more with streaming stores.
 */
export interface CacheSizes {
  /** One core's L2, in bytes. */
  l2Bytes: number;
  /** The last-level cache (L3, else L2), in bytes. */
  lastLevelBytes: number;
  /** Outputs at least this large are written with streaming stores (8 MB). */
  streamingStoreBytes: number;
}

/**
 * One line for `keel info` and the bench header: "L2 1 MB per core, last level 32 MB; streaming stores
 * from 8 MB". A last level no larger than the L2 is the L2 itself: the OS reported no larger cache
 * (a CPU without an L3, or a VM that hides its caches), and the line says so rather than pass it off as an L3.
 */
export function describeCaches(c: CacheSizes): string {
  const mb = (bytes: number) => (bytes >= 1 << 20 ? `${bytes / (1 << 20)} MB` : `${bytes / 1024} KB`);
  const last = c.lastLevelBytes > c.l2Bytes ? mb(c.lastLevelBytes) : 'the L2 (no larger cache reported)';
  return `L2 ${mb(c.l2Bytes)} per core, last level ${last}; streaming stores from ${mb(c.streamingStoreBytes)}`;
}

/** The addon's exports (native/binding/addon.cc). */
export interface NativeAddon {
  /** The best CPU level this CPU and OS support (cpuid and xgetbv). */
  detectIsa(): Isa;
  /** Every CPU level this CPU and OS support. */
  supportedIsas(): Isa[];
  /** The kernels for one CPU level and the variant each one runs. */
  kernelSet(isa: Isa): {
    /** The kernel functions. */
    kernels: KernelSet;
    /** The variant behind each kernel: 'scalar', 'avx2', …. */
    variants: Record<KernelName, string>;
  };
  /** Threads in the native thread pool. */
  numThreads(): number;
  /** The cache sizes the kernels' blocking and store choices use (native/src/cache.h). */
  cacheSizes(): CacheSizes;
  /** Resizes the native thread pool (main thread only). */
  setNumThreads(threads: number): void;
  /** Bytes from the start of the buffer's memory to its first 64-byte boundary. */
  alignmentOffset(buffer: ArrayBuffer): number;
  /**
   * The classes this thread's kernel calls throw (the addon keeps them per thread). Without this
   * call they throw the built-in TypeError, RangeError and Error.
   */
  setErrorClasses(classes: { OptionError: typeof OptionError; ShapeError: typeof ShapeError; BackendError: typeof BackendError }): void;
}

/** What loadBackend chose. */
export interface LoadedBackend {
  /** The selected kernel set. */
  kernels: KernelSet;
  /** What was selected, as backendInfo() reports it. */
  info: BackendInfo;
  /** The addon, when native: lets tests build a kernel set for every supported level. */
  addon: NativeAddon | null;
}

/** Options of loadBackend (for tests and tools; keel itself loads once with the defaults). */
export interface LoadOptions {
  /** The environment read for KEEL_BACKEND, KEEL_CPU, KEEL_ADDON_PATH; default process.env. */
  env?: Record<string, string | undefined>;
  /** Addon files to try, in order; default: `addonCandidates()`. */
  candidates?: string[];
  /** Where the fallback warning goes; default: process.emitWarning. */
  warn?: (message: string) => void;
}

const require = createRequire(import.meta.url);

/** The package root: the nearest directory above this module with a package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new BackendError('keel: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** The part of Node's diagnostic report that names the C library (`process.report.getReport().header`). */
export interface ReportHeader {
  glibcVersionRuntime?: string;
}

/** This process's report header, without the network part of the report (slow on some hosts; detect-libc does the same). */
function reportHeader(): ReportHeader {
  // excludeNetwork is Node ≥ 20.13 (inside our engines) but missing from @types/node 20.
  const report = process.report as typeof process.report & { excludeNetwork: boolean };
  const excludeNetwork = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    return (report.getReport() as { header: ReportHeader }).header;
  } finally {
    report.excludeNetwork = excludeNetwork;
  }
}

/**
 * The C library of this Linux process. glibc's dynamic loader tells Node its version, which the
 * report header carries as glibcVersionRuntime; a process without it runs on musl (Alpine). This is
 * detect-libc's first and decisive test, not a guess from files such as /etc/alpine-release.
 */
export function linuxLibc(header: ReportHeader = reportHeader()): 'glibc' | 'musl' {
  return header.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** The prebuild folder name for a platform: `linux-x64-glibc`, `linux-arm64-musl`, `darwin-arm64`. */
export function prebuildTag(platform: string = process.platform, arch: string = process.arch, libc?: 'glibc' | 'musl'): string {
  if (platform !== 'linux') return `${platform}-${arch}`;
  return `${platform}-${arch}-${libc ?? linuxLibc()}`;
}

/**
 * The addon locations tried by default, in order: node-gyp's Release and Debug builds and cmake-js's
 * (a local build wins, so a contributor or `keel build` replaces the prebuild), then the prebuild.
 */
export function addonCandidates(root: string = packageRoot(), tag: string = prebuildTag()): string[] {
  return [
    join(root, 'build', 'Release', 'keel.node'),
    join(root, 'build', 'Debug', 'keel.node'),
    join(root, 'build-cmake', 'Release', 'keel.node'),
    join(root, 'prebuilds', tag, 'keel.node'),
  ];
}

/** What the fallback warning tells a user to run for native speed. */
export const BUILD_FROM_SOURCE = 'npx keel build';

const ISAS: readonly Isa[] = ['scalar', 'avx2', 'avx512', 'neon'];

function jsBackend(): LoadedBackend {
  const variants = Object.fromEntries(KERNEL_NAMES.map((n) => [n, 'js'])) as Record<KernelName, string>;
  return {
    kernels: referenceKernels,
    info: { backend: 'js', isa: 'js', detectedIsa: null, supportedIsas: [], variants, addonPath: null, caches: null },
    addon: null,
  };
}

/** Loads the first candidate that loads; returns it, or the list of failures. */
function tryLoad(candidates: string[]): { addon: NativeAddon; path: string } | { failures: string[] } {
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      const problem = elfProblem(path);
      if (problem !== null) throw new BackendError(problem);
      const addon = require(path) as NativeAddon;
      // An addon built from older sources lacks these: better the JS kernels and the warning (which says to rebuild).
      for (const f of ['setErrorClasses', 'cacheSizes'] as const) {
        if (typeof addon[f] !== 'function') throw new BackendError(`built from older keel sources (no ${f})`);
      }
      addon.setErrorClasses({ OptionError, ShapeError, BackendError });
      const { kernels } = addon.kernelSet(addon.detectIsa());
      const absent = KERNEL_NAMES.find((n) => typeof kernels[n] !== 'function');
      if (absent) throw new BackendError(`built from older keel sources (no ${absent} kernel)`);
      return { addon, path };
    } catch (e) {
      failures.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { failures };
}

/**
 * Chooses a kernel set as the file header describes (environment overrides, then addon candidates,
 * then the JS fallback with one warning). keel calls it once at import; call it yourself only to
 * inspect what would be chosen.
 */
export function loadBackend(options: LoadOptions = {}): LoadedBackend {
  const env = options.env ?? process.env;
  const forced = env.KEEL_BACKEND?.trim().toLowerCase() || undefined;
  if (forced !== undefined && forced !== 'js' && forced !== 'native') {
    throw new BackendError(`keel: KEEL_BACKEND must be "js" or "native", got "${env.KEEL_BACKEND}"`);
  }
  if (forced === 'js') return jsBackend();

  const candidates = options.candidates ?? (env.KEEL_ADDON_PATH ? [env.KEEL_ADDON_PATH] : addonCandidates());
  const loaded = tryLoad(candidates);
  if ('failures' in loaded) {
    const tried = loaded.failures.map((f) => `  ${f}`).join('\n');
    if (forced === 'native') {
      throw new BackendError(`keel: KEEL_BACKEND=native but the native addon could not be loaded. Tried:\n${tried}`);
    }
    const warn = options.warn ?? ((m: string) => process.emitWarning(m, { code: 'KEEL_NO_NATIVE' }));
    warn(
      `keel: native addon not loaded, using the JS reference kernels (slow). Tried:\n${tried}\n` +
        `For native speed, build the addon from source with \`${BUILD_FROM_SOURCE}\` (needs a C++17 compiler, make and Python 3).`,
    );
    return jsBackend();
  }

  const { addon, path } = loaded;
  const detected = addon.detectIsa(), supported = addon.supportedIsas();
  const requested = env.KEEL_CPU?.trim().toLowerCase() || undefined;
  if (requested !== undefined && !(ISAS as readonly string[]).includes(requested)) {
    throw new BackendError(`keel: KEEL_CPU must be one of ${ISAS.join(', ')}, got "${env.KEEL_CPU}"`);
  }
  const isa = (requested ?? detected) as Isa;
  if (!supported.includes(isa)) {
    throw new BackendError(`keel: KEEL_CPU=${isa} is not supported by this CPU/OS (supported: ${supported.join(', ')})`);
  }
  const threadsVar = env.KEEL_NUM_THREADS?.trim();
  const threads = threadsVar ? Number(threadsVar) : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new BackendError(`keel: KEEL_NUM_THREADS must be an integer in [1, 1024], got "${env.KEEL_NUM_THREADS}"`);
  }
  // The pool belongs to the process: a worker thread (fit's) uses the caller's and never resizes it.
  // The OS may start fewer threads than asked (a container's process limit): run with those, and say so.
  if (isMainThread) {
    try {
      addon.setNumThreads(threads);
    } catch (e) {
      process.emitWarning((e as Error).message, { code: 'KEEL_THREADS' });
    }
  }
  const set = addon.kernelSet(isa);
  return {
    kernels: set.kernels,
    info: { backend: 'native', isa, detectedIsa: detected, supportedIsas: supported, variants: set.variants, addonPath: path, caches: addon.cacheSizes() },
    addon,
  };
}
