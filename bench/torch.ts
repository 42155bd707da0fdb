/**
 * The PyTorch side of the comparison: bench/torch_cases.py (same case names, shapes and median
 * timer as ./cases.ts and ./timing.ts) run with the system Python that has torch — KEEL_BENCH_PYTHON
 * if set (then only it), else /usr/bin/python3, else python3 on PATH — and the verdict on the BLAS its
 * matrix products run on, which the scripts print first (torch_cases.py's blas()). PyTorch runs in
 * torchEnv(): glibc keeps the memory PyTorch frees, as keel's storage pool keeps its arrays.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_cases.py');

export interface TorchResult {
  case: string;
  impl: string;
  ms: number;
  runs: number;
  threads: number;
}

/**
 * PyTorch's BLAS: the library (or build configuration, and OpenBLAS's kernel set), whether it is an
 * optimised one (null: unknown), and what to do when it is not, if the script knows better than
 * blasVerdict's default.
 */
export interface TorchBlas {
  lib: string;
  optimised: boolean | null;
  hint?: string;
}

/** The BLAS line the scripts print first. */
export interface TorchBlasLine {
  blas?: string;
  optimised?: boolean | null;
  hint?: string;
}

/** The TorchBlas of a BLAS line. */
export function torchBlas(o: TorchBlasLine): TorchBlas {
  return { lib: String(o.blas), optimised: o.optimised ?? null, ...(o.hint ? { hint: o.hint } : {}) };
}

/** What the scripts print: the BLAS line first, then one line per case. */
interface TorchLine extends TorchResult, TorchBlasLine {}

export interface TorchPython {
  python: string;
  version: string;
}

/**
 * The environment the PyTorch scripts run in: glibc told to keep what it frees (MALLOC_MMAP_MAX_=0:
 * large blocks come from the heap rather than fresh mmaps; MALLOC_TRIM_THRESHOLD_: the heap is not
 * handed back). PyTorch's CPU allocator mallocs every tensor, and glibc maps a 32 MB block afresh
 * and unmaps it at free, so every call faults each page of its outputs in again: in the AMD EPYC
 * Zen 5 VM a fault cost ~12 us, and `x * 2` of a 32 MB tensor took 98 ms, 0.7 ms with this; the
 * bn1d cases' PyTorch times fell 9-10x. That cost is the VM's, not PyTorch's kernels': keel's pool
 * avoids it, and so would jemalloc or tcmalloc under PyTorch. Variables already set win, so
 * `MALLOC_MMAP_MAX_=65536` measures PyTorch on glibc's defaults.
 */
export function torchEnv(): NodeJS.ProcessEnv {
  return { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(4 * 2 ** 30), ...process.env };
}

/** How torchEnv() leaves glibc, for the benches' headers. */
export function torchEnvText(): string {
  const env = torchEnv();
  return `glibc MALLOC_MMAP_MAX_=${env.MALLOC_MMAP_MAX_}, MALLOC_TRIM_THRESHOLD_=${env.MALLOC_TRIM_THRESHOLD_}`;
}

/** The first Python that imports torch, or the reasons none does. */
export function findTorch(): TorchPython | { problem: string } {
  // KEEL_BENCH_PYTHON, when set, is the only candidate (so a run can also be made without torch).
  const candidates = process.env.KEEL_BENCH_PYTHON ? [process.env.KEEL_BENCH_PYTHON] : ['/usr/bin/python3', 'python3'];
  const problems: string[] = [];
  for (const python of [...new Set(candidates)]) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').at(-1) || `exit status ${r.status}`;
    problems.push(`${python}: ${why}`);
  }
  return { problem: `no Python with torch (${problems.join('; ')})` };
}

/**
 * Runs torch_cases.py; returns its results by case name. With `onnxPath`, the script also exports
 * the eval backbone to that ONNX file (for the onnxruntime-node comparison).
 */
export function runTorchCases(
  t: TorchPython, threads: number, filter: string, onnxPath?: string, exact = false,
): TorchOutput & { problem?: string } {
  const args = [SCRIPT, String(threads), filter];
  if (exact) args.push('--exact');
  if (onnxPath) args.push('--onnx', onnxPath);
  const r = spawnSync(t.python, args, { encoding: 'utf8', env: torchEnv(), stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const out = parseTorchOutput(r.stdout ?? '');
  const problem = r.error ? r.error.message : r.status !== 0 ? `torch_cases.py exited with status ${r.status}` : undefined;
  return problem ? { ...out, problem } : out;
}

export interface TorchOutput {
  results: Map<string, TorchResult>;
  /** From the {"case": "blas"} line, when there is one. */
  blas?: TorchBlas;
}

/** Reads torch_cases.py's output, live or recorded (JSON lines; other lines are skipped). */
export function parseTorchOutput(text: string): TorchOutput {
  const out: TorchOutput = { results: new Map() };
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const o = JSON.parse(line) as TorchLine;
    if (typeof o.impl !== 'string' || !o.impl.startsWith('torch')) continue;
    if (o.case === 'blas') out.blas = torchBlas(o);
    else out.results.set(o.case, o);
  }
  return out;
}

/** The results alone of recorded output (as bench/run.ts's --torch-results reads it). */
export function parseTorchLines(text: string): Map<string, TorchResult> {
  return parseTorchOutput(text).results;
}

/**
 * The BLAS in a report's header, and the warning to print loudly when it is not known to be optimised:
 * on the reference BLAS PyTorch's Linear is ~10x slower, and on OpenBLAS's pre-AVX kernels ~4.6x,
 * which flatters every Linear-heavy ratio.
 */
export function blasVerdict(b: TorchBlas): { text: string; warning?: string } {
  const verdict = b.optimised === true ? 'optimised' : b.optimised === false ? 'NOT optimised: ratios flattered' : 'unknown whether optimised';
  const text = `BLAS ${b.lib} (${verdict})`;
  if (b.optimised === true) return { text };
  return {
    text,
    warning: `PyTorch's BLAS is ${b.lib}, ${verdict} — ` +
      (b.hint ?? 'without OpenBLAS its Linear is ~10x slower and every ratio involving a GEMM is flattered (Debian: sudo apt-get install libopenblas0-pthread)'),
  };
}
