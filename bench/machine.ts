/**
 * Machine figures measured in the same run as the cases, so every case can be put against the
 * roofline of the machine it ran on: the stream bandwidth (native/bench/stream.cc: copy and triad
 * over 32 MiB arrays, the size of the BatchNorm/dropout input, with 1 and N threads) and the float32
 * FMA peak (native/bench/fma_peak.cc: register-resident FMA chains, AVX-512, AVX2, scalar) of one
 * thread and of N. The N-thread figure is the roof, not one core's times N: a VM's vCPUs can be SMT
 * siblings or share a core with other guests for minutes at a time (2 vCPUs of this machine kind have
 * measured 452 and 229 GFLOP/s an hour apart), and a roof nobody could reach would halve every
 * fraction. With two or more threads it also measures how far apart two of the CPUs are
 * (native/bench/core_to_core.cc: the round trip of one cache line between two pinned threads): a
 * host can move a VM's vCPUs between a shared L3 and two (this machine kind: ~120 against ~470 ns),
 * and hand-offs, a copy's bandwidth and other libraries' timings follow. The peak and the round trip
 * are measured again at the end of a run (remeasureMachine) to show such a change.
 *
 * The programs are plain C++ with no dependency. They are taken from a CMake build directory when
 * one holds an up-to-date build (KEEL_BENCH_BIN_DIR, build-bench, build-cmake, build-cpp: targets
 * keel_bench_stream, keel_bench_fma_peak and keel_bench_core_to_core, option KEEL_BUILD_BENCH),
 * otherwise compiled once with the system C++ compiler ($CXX, c++, g++ or clang++) into a cache under
 * the OS temp directory.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StreamFigure {
  kernel: 'copy' | 'triad';
  threads: number;
  /** MiB per array. */
  mb: number;
  /** Best of the repetitions (STREAM's convention), GB/s counting read + written bytes. */
  gbsBest: number;
  gbsMedian: number;
}

export interface FmaFigure {
  isa: string;
  threads: number;
  gflops: number;
  /** Before the cases, or after them (remeasureMachine). */
  when: 'start' | 'end';
}

export interface CoreToCoreFigure {
  /** The two CPUs the threads were pinned to ([-1, -1] where the OS cannot pin). */
  cpus: [number, number];
  pinned: boolean;
  /** Nanoseconds a round trip of the cache line: median and best of the repetitions. */
  nsMedian: number;
  nsBest: number;
  when: 'start' | 'end';
}

export interface MachineFigures {
  stream: StreamFigure[];
  fma: FmaFigure[];
  /** Measured only for runs of two or more threads. */
  coreToCore: CoreToCoreFigure[];
  /** Where each program came from (path of the binary). */
  programs: Record<string, string>;
  /** Why a figure is missing, if one is. */
  problems: string[];
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAMS = {
  stream: 'native/bench/stream.cc',
  fma_peak: 'native/bench/fma_peak.cc',
  core_to_core: 'native/bench/core_to_core.cc',
} as const;
type Program = keyof typeof PROGRAMS;

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** An up-to-date CMake-built binary of the program, or null. */
function prebuilt(name: Program): string | null {
  const src = join(ROOT, PROGRAMS[name]);
  const dirs = [process.env.KEEL_BENCH_BIN_DIR, 'build-bench', 'build-cmake', 'build-cpp'].filter((d): d is string => !!d);
  for (const d of dirs) {
    const dir = d.startsWith('/') ? d : join(ROOT, d);
    for (const sub of ['', 'Release']) {
      const bin = join(dir, sub, `keel_bench_${name}`);
      if (existsSync(bin) && mtime(bin) >= mtime(src)) return bin;
    }
  }
  return null;
}

/** Compiles the program into the cache (keyed by the source's hash); returns the binary's path. */
function compiled(name: Program): string {
  const src = join(ROOT, PROGRAMS[name]);
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'keel-bench-bin');
  const bin = join(dir, `keel_bench_${name}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter((c): c is string => !!c);
  const errors: string[] = [];
  for (const cxx of compilers) {
    const tmp = `${bin}.${process.pid}.tmp`;
    const r = spawnSync(cxx, ['-O3', '-std=c++17', '-pthread', '-ffp-contract=off', src, '-o', tmp], { encoding: 'utf8' });
    if (r.status === 0) {
      renameSync(tmp, bin);
      return bin;
    }
    errors.push(`${cxx}: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  throw new Error(`cannot build ${PROGRAMS[name]} (no CMake build with KEEL_BUILD_BENCH found and no working C++ compiler): ${errors.join('; ')}`);
}

function program(name: Program): string {
  return prebuilt(name) ?? compiled(name);
}

function runJsonLines(bin: string, args: string[]): Record<string, unknown>[] {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${bin} exited with ${r.status}: ${(r.stderr || '').trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function measureFma(bin: string, threads: number, when: FmaFigure['when']): FmaFigure[] {
  return runJsonLines(bin, ['--ms', '150', '--threads', String(threads)]).map((o) => ({
    isa: String(o.isa), threads: Number(o.threads), gflops: Number(o.gflops), when,
  }));
}

/** One run of the core-to-core program (built first if need be) over the process's first two CPUs. */
export function measureCoreToCore(when: CoreToCoreFigure['when'], bin = program('core_to_core')): CoreToCoreFigure[] {
  return runJsonLines(bin, []).map((o) => ({
    cpus: o.cpus as [number, number], pinned: o.pinned === true, nsMedian: Number(o.ns_median), nsBest: Number(o.ns_best), when,
  }));
}

/** Runs the programs: stream and the FMA peak with 1 and `threads` threads, and core-to-core if `threads` >= 2. */
export function measureMachine(threads: number): MachineFigures {
  const out: MachineFigures = { stream: [], fma: [], coreToCore: [], programs: {}, problems: [] };
  try {
    const bin = program('stream');
    out.programs.stream = bin;
    const counts = [...new Set([1, threads])].join(',');
    for (const o of runJsonLines(bin, ['--mb', '32', '--threads', counts, '--reps', '15'])) {
      out.stream.push({
        kernel: o.kernel as 'copy' | 'triad',
        threads: Number(o.threads),
        mb: Number(o.mb),
        gbsBest: Number(o.gbs_best),
        gbsMedian: Number(o.gbs_median),
      });
    }
  } catch (e) {
    out.problems.push(`stream: ${(e as Error).message}`);
  }
  try {
    const bin = program('fma_peak');
    out.programs.fma_peak = bin;
    for (const t of new Set([1, threads])) out.fma.push(...measureFma(bin, t, 'start'));
    if (out.fma.length === 0) out.problems.push('fma_peak: no figure on this architecture');
  } catch (e) {
    out.problems.push(`fma_peak: ${(e as Error).message}`);
  }
  if (threads >= 2 && availableParallelism() >= 2) {
    try {
      const bin = program('core_to_core');
      out.programs.core_to_core = bin;
      out.coreToCore.push(...measureCoreToCore('start', bin));
    } catch (e) {
      out.problems.push(`core_to_core: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The read+write (copy) bandwidth at this thread count (best of the repetitions), GB/s. */
export function streamGbs(m: MachineFigures | null, threads: number): number | undefined {
  return m?.stream.find((s) => s.kernel === 'copy' && s.threads === threads)?.gbsBest;
}

/** The best ISA's FMA peak at this thread count, measured `when`. */
function bestFma(m: MachineFigures | null, threads: number, when: FmaFigure['when']): FmaFigure | undefined {
  const at = m?.fma.filter((f) => f.threads === threads && f.when === when) ?? [];
  return at.length === 0 ? undefined : at.reduce((a, b) => (b.gflops > a.gflops ? b : a));
}

/**
 * The FMA roof of a run at `threads` threads: the best ISA's peak measured at that count before the
 * cases, or, if that count was not measured (a pool smaller than asked for), one thread's times it.
 */
export function fmaRoof(m: MachineFigures | null, threads: number): FmaFigure | undefined {
  const one = bestFma(m, 1, 'start');
  return bestFma(m, threads, 'start') ?? (one && { ...one, threads, gflops: one.gflops * threads });
}

/** A warning when `threads` threads reached less than 85% of `threads` times one thread's FMA peak before the cases. */
export function fmaShareWarning(m: MachineFigures | null, threads: number): string | undefined {
  const one = bestFma(m, 1, 'start'), all = bestFma(m, threads, 'start');
  if (!one || !all || threads === 1) return undefined;
  const cores = all.gflops / one.gflops;
  if (cores >= 0.85 * threads) return undefined;
  return (
    `WARNING: ${threads} threads reached ${cores.toFixed(2)}x one thread's FMA peak, not ~${threads}x: the host is sharing ` +
    `these vCPUs (SMT siblings, or a core shared with other guests). Fractions use the ${threads}-thread figure; ` +
    `timings from this run are not comparable with a quiet machine's.`
  );
}

/** A warning when the `threads`-thread FMA peak after the cases is more than 15% off the one before. */
export function fmaDriftWarning(m: MachineFigures | null, threads: number): string | undefined {
  const start = bestFma(m, threads, 'start'), end = bestFma(m, threads, 'end');
  if (!start || !end || Math.abs(end.gflops / start.gflops - 1) <= 0.15) return undefined;
  return (
    `WARNING: the ${threads}-thread FMA peak moved from ${start.gflops.toFixed(1)} GFLOP/s before the cases to ` +
    `${end.gflops.toFixed(1)} after them: the host's share of the CPU changed during the run, so its timings mix two machines.`
  );
}

/** A warning when the core-to-core round trip after the cases is more than 1.5 times longer or shorter than the one before. */
export function placementWarning(m: MachineFigures | null): string | undefined {
  const start = m?.coreToCore.find((f) => f.when === 'start'), end = m?.coreToCore.find((f) => f.when === 'end');
  if (!start || !end || Math.max(end.nsMedian / start.nsMedian, start.nsMedian / end.nsMedian) <= 1.5) return undefined;
  return (
    `WARNING: the round trip of a cache line between CPUs ${start.cpus.join(' and ')} went from ${start.nsMedian.toFixed(0)} ns before ` +
    `the cases to ${end.nsMedian.toFixed(0)} ns after them: the host moved the vCPUs during the run, so its timings mix two placements.`
  );
}

/**
 * Measures the `threads`-thread FMA peak and the core-to-core round trip again (after the cases),
 * adds them to `m`, and returns the warnings: fmaDriftWarning's and placementWarning's.
 */
export function remeasureMachine(m: MachineFigures | null, threads: number): string[] {
  if (!m) return [];
  const problems: string[] = [];
  if (m.programs.fma_peak && bestFma(m, threads, 'start')) {
    try {
      m.fma.push(...measureFma(m.programs.fma_peak, threads, 'end'));
    } catch (e) {
      problems.push(`machine: fma_peak after the cases: ${(e as Error).message}`);
    }
  }
  if (m.programs.core_to_core && m.coreToCore.length > 0) {
    try {
      m.coreToCore.push(...measureCoreToCore('end', m.programs.core_to_core));
    } catch (e) {
      problems.push(`machine: core_to_core after the cases: ${(e as Error).message}`);
    }
  }
  return [...problems, fmaDriftWarning(m, threads), placementWarning(m)].filter((w): w is string => w !== undefined);
}

/** The extra JSON lines of --json: every figure, or (part 'end') those remeasureMachine added. */
export function machineJsonLines(m: MachineFigures, part: 'all' | 'end' = 'all'): string[] {
  return [
    ...(part === 'all' ? m.stream : []).map((s) =>
      JSON.stringify({ case: 'machine.stream', impl: s.kernel, gbs: s.gbsBest, gbs_median: s.gbsMedian, mb: s.mb, threads: s.threads }),
    ),
    ...m.fma
      .filter((f) => part === 'all' || f.when === 'end')
      .map((f) => JSON.stringify({ case: 'machine.fma_peak', impl: f.isa, gflops: f.gflops, threads: f.threads, when: f.when })),
    ...m.coreToCore
      .filter((f) => part === 'all' || f.when === 'end')
      .map((f) =>
        JSON.stringify({ case: 'machine.core_to_core', impl: 'round_trip', ns: f.nsMedian, ns_best: f.nsBest, cpus: f.cpus, pinned: f.pinned, when: f.when }),
      ),
  ];
}
