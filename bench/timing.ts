/**
 * The median timer. It mirrors median_ms() of the PyTorch anchor script (the torch_cases.py that the
 * SIMD issue compares against), so keel and PyTorch numbers are measured the same way:
 *
 *   warm-up runs (untimed), then timed runs while (runs < minRuns or elapsed < minSeconds),
 *   stopping at maxRuns; the result is sorted[floor(runs / 2)] (the upper median for an even count).
 *
 * PyTorch's values are warmup 2, minRuns 7, minSeconds 0.6, and a cap of 201 runs (it breaks once
 * it has more than 200): NATIVE_POLICY. The plain-JS reference kernels are far slower on the bench
 * shapes (conv1d.fwd takes seconds per run), so REF_POLICY bounds them by time instead: one warm-up
 * run, then at least 3 timed runs, and no new run is started after ~2 s unless the 3 are not done yet.
 */

export interface TimingPolicy {
  /** Untimed runs before measuring (JIT, page faults of freshly allocated outputs, caches). */
  warmup: number;
  /** Timed runs always made, whatever they cost. */
  minRuns: number;
  /** Timed runs continue until this much time (seconds, timed loop only) has passed... */
  minSeconds: number;
  /** ...but never beyond this many runs. */
  maxRuns: number;
}

/** torch_cases.py's median_ms(fn, min_runs=7, min_s=0.6). */
export const NATIVE_POLICY: Readonly<TimingPolicy> = { warmup: 2, minRuns: 7, minSeconds: 0.6, maxRuns: 201 };

/** The JS reference: time-bounded, at least 3 runs. */
export const REF_POLICY: Readonly<TimingPolicy> = { warmup: 1, minRuns: 3, minSeconds: 2, maxRuns: 201 };

export interface Timing {
  /** Median wall time of one run, in milliseconds. */
  ms: number;
  /** Number of timed runs. */
  runs: number;
  /** Every timed run in milliseconds, sorted ascending. */
  samples: number[];
}

const nowNs = (): bigint => process.hrtime.bigint();
const msSince = (t0: bigint): number => Number(nowNs() - t0) / 1e6;

export function medianMs(fn: () => void, policy: Readonly<TimingPolicy>): Timing {
  for (let i = 0; i < policy.warmup; i++) fn();
  const samples: number[] = [];
  const tAll = nowNs();
  while (samples.length < policy.minRuns || msSince(tAll) < policy.minSeconds * 1e3) {
    const t0 = nowNs();
    fn();
    samples.push(msSince(t0));
    if (samples.length >= policy.maxRuns) break;
  }
  return timingOf(samples);
}

/** medianMs for an asynchronous function (onnxruntime-node's session.run), same policy and median. */
export async function medianMsAsync(fn: () => Promise<unknown>, policy: Readonly<TimingPolicy>): Promise<Timing> {
  for (let i = 0; i < policy.warmup; i++) await fn();
  const samples: number[] = [];
  const tAll = nowNs();
  while (samples.length < policy.minRuns || msSince(tAll) < policy.minSeconds * 1e3) {
    const t0 = nowNs();
    await fn();
    samples.push(msSince(t0));
    if (samples.length >= policy.maxRuns) break;
  }
  return timingOf(samples);
}

/** Sorts `samples` in place; their upper median (sorted[floor(n / 2)]) is the run's time. */
function timingOf(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, runs: samples.length, samples };
}

/** The upper median of `values` (medianMs' rule); `values` is not changed. */
export function upperMedian(values: readonly number[]): number {
  return timingOf([...values]).ms;
}
