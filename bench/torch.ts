/**
 * The PyTorch side of the comparison: bench/torch_cases.py (same case names, shapes and median
 * timer as ./cases.ts and ./timing.ts) run with the system Python that has torch — KEEL_BENCH_PYTHON
 * if set (then only it), else /usr/bin/python3, else python3 on PATH.
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

export interface TorchPython {
  python: string;
  version: string;
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
): { results: Map<string, TorchResult>; problem?: string } {
  const args = [SCRIPT, String(threads), filter];
  if (exact) args.push('--exact');
  if (onnxPath) args.push('--onnx', onnxPath);
  const r = spawnSync(t.python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const results = new Map<string, TorchResult>();
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const o = JSON.parse(line) as TorchResult;
    results.set(o.case, o);
  }
  const problem = r.error ? r.error.message : r.status !== 0 ? `torch_cases.py exited with status ${r.status}` : undefined;
  return problem ? { results, problem } : { results };
}

/** Reads recorded results (JSON lines as torch_cases.py prints them). */
export function parseTorchLines(text: string): Map<string, TorchResult> {
  const results = new Map<string, TorchResult>();
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const o = JSON.parse(line) as TorchResult;
    if (typeof o.impl === 'string' && o.impl.startsWith('torch')) results.set(o.case, o);
  }
  return results;
}
