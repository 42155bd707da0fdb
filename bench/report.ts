/** Formatting shared by bench/run.ts and bench/compare.ts: aligned tables, throughput, rooflines. */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { describeCaches } from '../src/backend/loader.js';
import type { BenchCase } from './cases.js';
import { fmaRoof, fmaShareWarning, type MachineFigures, streamGbs } from './machine.js';
import type { Session } from './suite.js';
import type { TimingPolicy } from './timing.js';

export interface Column {
  title: string;
  left?: boolean;
}

/** An aligned text table: header, rule, rows; widths fitted to the content. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns.map((c, i) => (c.left ? (cells[i] ?? '').padEnd(widths[i]!) : (cells[i] ?? '').padStart(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '';
  return r >= 100 ? `${r.toFixed(0)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/** GB/s for memory-bound cases, GFLOP/s for compute-bound ones. */
export function throughput(c: BenchCase, ms: number): { value: number; unit: 'GB/s' | 'GFLOP/s' } | undefined {
  if (c.flops !== undefined) return { value: c.flops / (ms * 1e6), unit: 'GFLOP/s' };
  if (c.bytes !== undefined) return { value: c.bytes / (ms * 1e6), unit: 'GB/s' };
  return undefined;
}

export function formatThroughput(c: BenchCase, ms: number): string {
  const t = throughput(c, ms);
  return t ? `${t.value.toFixed(t.value >= 100 ? 0 : 1)} ${t.unit}` : '';
}

/**
 * The fraction of the machine's roof a run reached: GB/s over the stream copy bandwidth measured at
 * the same thread count, or GFLOP/s over the FMA peak measured at the same thread count.
 */
export function roofFraction(c: BenchCase, ms: number, threads: number, m: MachineFigures | null): { fraction: number; of: 'stream' | 'FMA' } | undefined {
  const t = throughput(c, ms);
  if (!t) return undefined;
  if (t.unit === 'GB/s') {
    const s = streamGbs(m, threads);
    return s ? { fraction: t.value / s, of: 'stream' } : undefined;
  }
  const p = fmaRoof(m, threads);
  return p ? { fraction: t.value / p.gflops, of: 'FMA' } : undefined;
}

export function formatRoof(r: ReturnType<typeof roofFraction>): string {
  return r ? `${(r.fraction * 100).toFixed(r.fraction < 0.1 ? 1 : 0)}% ${r.of}` : '';
}

export function policyText(name: string, p: Readonly<TimingPolicy>): string {
  return `${name} ${p.warmup} warm-up, >= ${p.minRuns} runs and >= ${p.minSeconds} s (max ${p.maxRuns})`;
}

/** The machine lines of a readable report. */
export function machineText(m: MachineFigures | null, threads: number): string[] {
  if (!m) return ['machine: not measured (--no-machine)'];
  const lines: string[] = [];
  const counts = [...new Set(m.stream.map((s) => s.threads))];
  if (counts.length > 0) {
    const parts = counts.map((t) => {
      const copy = m.stream.find((s) => s.kernel === 'copy' && s.threads === t);
      const triad = m.stream.find((s) => s.kernel === 'triad' && s.threads === t);
      return `${t} thread${t > 1 ? 's' : ''}: copy ${copy?.gbsBest.toFixed(1) ?? '?'} GB/s, triad ${triad?.gbsBest.toFixed(1) ?? '?'} GB/s`;
    });
    lines.push(`machine stream (${m.stream[0]!.mb} MiB arrays, best of reps; read+write bytes): ${parts.join('; ')}`);
  }
  if (m.fma.length > 0) {
    const figures = (when: string, t: number) =>
      m.fma.filter((f) => f.when === when && f.threads === t).map((f) => `${f.isa} ${f.gflops.toFixed(1)}`).join(', ');
    const fmaCounts = [...new Set(m.fma.map((f) => f.threads))];
    const end = figures('end', threads);
    const roof = fmaRoof(m, threads);
    lines.push(
      `machine FMA peak (GFLOP/s, best of reps): ${fmaCounts.map((t) => `${t} thread${t > 1 ? 's' : ''}: ${figures('start', t)}`).join('; ')}` +
        (end ? `; again after the cases, ${threads} thread${threads > 1 ? 's' : ''}: ${end}` : '') +
        (roof ? ` (roof used: ${roof.isa} ${roof.gflops.toFixed(1)} at ${roof.threads} thread${roof.threads > 1 ? 's' : ''})` : ''),
    );
    const share = fmaShareWarning(m, threads);
    if (share) lines.push(share);
  }
  const c2c = (when: string) => m.coreToCore.find((f) => f.when === when);
  const start = c2c('start'), end = c2c('end');
  if (start) {
    lines.push(
      `machine core-to-core (one cache line's round trip between CPUs ${start.cpus.join(' and ')}` +
        `${start.pinned ? '' : ', threads not pinned'}; median of reps): ${start.nsMedian.toFixed(0)} ns` +
        (end ? `; again after the cases: ${end.nsMedian.toFixed(0)} ns` : ''),
    );
  }
  for (const p of m.problems) lines.push(`machine: ${p}`);
  return lines;
}

/** The load average when the bench started (this module is imported at start-up). */
const START_LOAD = loadavg();

/** The system load (now, or at start), to judge the noise of a run on a shared machine. */
export function loadText(atStart = false): string {
  const l = atStart ? START_LOAD : loadavg();
  return `load average ${l.map((v) => v.toFixed(2)).join(' / ')} (1 / 5 / 15 min) on ${availableParallelism()} logical CPUs`;
}

/** The environment lines of a readable report. */
export function sessionText(s: Session): string[] {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `keel bench — node ${process.version}, ${process.platform}-${process.arch}, ${cpu} (${availableParallelism()} logical CPUs)`,
    `threads: ${s.threads} (native pool: getNumThreads() = ${s.keel.getNumThreads()}; the JS reference runs on 1)`,
    `at start: ${loadText(true)}`,
    `library backend (layer cases): ${s.library.backend}${s.library.backend === 'native' ? ` ${s.library.isa}, ${s.library.addonPath}` : ''}`,
  ];
  if (s.native) {
    const n = s.native.info;
    const counts = new Map<string, number>();
    for (const v of Object.values(n.variants)) counts.set(v, (counts.get(v) ?? 0) + 1);
    lines.push(
      `native kernels: level ${n.isa}${process.env.KEEL_CPU ? ' (KEEL_CPU)' : ''}, detected ${n.detectedIsa}, supported ` +
        `${n.supportedIsas.join('/')}; variants ${[...counts].map(([v, k]) => `${v} x${k}`).join(', ')}`,
    );
    // Blocking and streaming-store thresholds follow these, so a figure is read with them.
    if (n.caches) lines.push(`caches: ${describeCaches(n.caches)}`);
  } else if (s.nativeProblem) {
    lines.push(`native kernels: not loaded — ${s.nativeProblem.split('\n')[0]}`);
  }
  return lines;
}
