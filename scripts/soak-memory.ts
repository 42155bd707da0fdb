/**
 * The soak run's memory readings (scripts/soak.ts), and the model-side callback that takes them inside
 * fit's worker thread, where the caller's gc() does not reach (each isolate has its own heap, and
 * process.memoryUsage()'s heapUsed, external and arrayBuffers are the calling isolate's; rss is the
 * process's). The worker inherits --expose-gc from the soak process, and fit imports this module in
 * the worker to rebuild the callback (registerCallbackType's `module`).
 */
import { type CallbackSpec, ModelCallback, registerCallbackType } from '../src/train/callbacks/index.js';

export const MB = 2 ** 20;

/** One reading in MB, after a settled full GC. `at`: steps, epochs or cycles done in the phase; `seconds` since the soak started. */
export interface Sample {
  phase: string;
  at: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * gc(), 20 ms, gc(), 20 ms, gc(), then process.memoryUsage() in MB. One gc() leaves the memory of freed
 * ArrayBuffers counted in external until V8's array-buffer sweeper has run (±30 MB of jitter on the
 * soak's workload); three, with pauses between, settle it to ±0.1 MB.
 */
export async function settledMemory(): Promise<Pick<Sample, 'rss' | 'heapUsed' | 'external' | 'arrayBuffers'>> {
  const gc = globalThis.gc as () => void;
  gc();
  await pause();
  gc();
  await pause();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heapUsed: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB };
}

/** What WorkerMemory is built from: the epochs to sample at, and the soak's start (performance.timeOrigin + now(), ms). */
export interface WorkerMemoryOptions {
  epochs: number[];
  startedAt: number;
}

/** At the given epoch ends, records the memory of the thread the training loop runs on (phase 'fit-worker'); the records come back with its state. */
export class WorkerMemory extends ModelCallback {
  samples: Sample[] = [];

  constructor(private readonly options: WorkerMemoryOptions) {
    super();
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (!this.options.epochs.includes(epoch)) return;
    const m = await settledMemory();
    this.samples.push({ phase: 'fit-worker', at: epoch, seconds: (performance.timeOrigin + performance.now() - this.options.startedAt) / 1000, ...m });
  }

  override toSpec(): CallbackSpec {
    return { type: 'SoakWorkerMemory', options: { ...this.options }, state: {} };
  }

  override exportState(): Record<string, unknown> {
    return { samples: this.samples };
  }

  override importState(state: Record<string, unknown>): void {
    this.samples = (state.samples as Sample[] | undefined) ?? [];
  }
}

registerCallbackType('SoakWorkerMemory', WorkerMemory, (o) => new WorkerMemory(o as unknown as WorkerMemoryOptions), { module: import.meta.url });
