/**
 * Two trainings at once in one process give bitwise what each gives alone. The addon's C++ state is
 * one per process (dispatch tables, the kernel thread pool) while every worker_thread runs its own
 * copy of keel and the addon's init (DESIGN.md §8): two trainings must not see each other through it.
 * test/worker-addon.test.ts already runs single kernels from three workers at once, terminates workers
 * mid-kernel and resizes the pool under a running worker; this file adds whole trainings:
 * - two real worker_threads, released together from a barrier, each training a different model (a
 *   conv1dBackbone and a BatchNorm MLP, ./train-job.ts) with fixed seeds, their training times
 *   overlapping (checked), end with the same bits as the same trainings run one at a time on the main
 *   thread — whichever of them held the shared pool and whichever ran its kernels serially;
 * - two fit() calls with worker: true, held at their start until both workers are up and then trained
 *   at the same time, end with the same weights, BatchNorm buffers, optimiser state and history as the
 *   same fits run one after the other.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { backendInfo, callbacks, fit, type FitHistory, type FitOptions, optim, Tensor } from '../../src/index.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { bnMlp, regressionData, smallBackbone } from '../train/helpers.js';
import { type TrainJob, type TrainResult, train } from './train-job.js';

/** A worker that loads ./train-job.ts through tsx, waits at the barrier (flags[0]: ready count, flags[1]: go), trains, and posts its result with its start and end times. */
function trainingWorker(job: TrainJob, flags: Int32Array): Worker {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `
const { parentPort, workerData } = require('node:worker_threads');
import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(new URL('./train-job.ts', import.meta.url).href)}); }).then(({ train }) => {
  const flags = new Int32Array(workerData.flags);
  Atomics.add(flags, 0, 1);
  while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 10);
  const start = performance.timeOrigin + performance.now();
  const result = train(workerData.job);
  parentPort.postMessage({ result, start, end: performance.timeOrigin + performance.now() });
});`;
  return new Worker(code, { eval: true, workerData: { job, flags: flags.buffer } });
}

type Timed = { result: TrainResult; start: number; end: number };

function expectSameState(got: TrainResult, want: TrainResult, what: string): void {
  expect(Object.keys(got.state)).toEqual(Object.keys(want.state));
  for (const [k, w] of Object.entries(want.state)) {
    expect(Buffer.compare(Buffer.from(got.state[k]!.buffer), Buffer.from(w.buffer)), `${what}: ${k} differs`).toBe(0);
  }
  expect(got.losses).toEqual(want.losses);
}

describe('two trainings in two worker_threads at once', () => {
  it('a backbone and an MLP, trained at the same time, end bitwise where each ends alone', async () => {
    const jobs: TrainJob[] = [{ model: 'backbone', seed: 11, steps: 12 }, { model: 'mlp', seed: 12, steps: 16 }];
    const alone = jobs.map(train);
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const workers = jobs.map((job) => trainingWorker(job, flags));
    const done = workers.map((w) => new Promise<Timed>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }));
    for (let t = 0; Atomics.load(flags, 0) < workers.length; t++) {
      if (t > 3000) throw new Error('workers did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    const [a, b] = await Promise.all(done);
    await Promise.all(workers.map((w) => w.terminate()));
    // The two trainings really ran at the same time.
    expect(a!.start).toBeLessThan(b!.end);
    expect(b!.start).toBeLessThan(a!.end);
    expect(a!.result.isa).toBe(backendInfo().isa);
    expectSameState(a!.result, alone[0]!, 'backbone');
    expectSameState(b!.result, alone[1]!, 'mlp');
    expect(alone[0]!.losses[11]).not.toBe(alone[0]!.losses[0]); // it trained
  });
});

/** n windows (n, 4, 12) uniform in [−1, 1) from prng(seed); y (n, 1) the mean of channel 0 over the last 4 steps. */
function windows(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const x = Float32Array.from({ length: n * 48 }, () => 2 * r() - 1);
  const y = Float32Array.from({ length: n }, (_, i) => x.subarray(i * 48 + 8, i * 48 + 12).reduce((s, v) => s + v, 0) / 4);
  return { x: new Tensor(x, [n, 4, 12]), y: new Tensor(y, [n, 1]) };
}

describe('two fit() calls in worker mode at once', () => {
  /** The two fits: a small backbone on windows, a BatchNorm MLP on regressionData; fresh models with fixed initial weights. */
  const fits = () => [
    { model: smallBackbone(21, { dropout: 0.1, headDropout: 0.3 }), data: windows(192, 3) },
    { model: bnMlp({ inputs: 6, hidden: 32, dropout: 0.3, seed: 22 }), data: regressionData(256, 4) },
  ];
  const options = (data: { x: Tensor; y: Tensor }, extra: Partial<FitOptions> = {}): FitOptions => ({
    ...data, epochs: 3, batchSize: 32, validationSplit: 0.25, seed: 9, verbose: false, worker: true,
    optimizer: (p) => new optim.AdamW(p, { lr: 3e-3 }),
    ...extra,
  });

  it('a backbone and an MLP fitted at the same time end bitwise where each ends alone', async () => {
    // The worker waits for the caller after 'trainBegin': each fit is held there until both have started.
    let arrived = 0, release!: () => void;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    class StartTogether extends callbacks.Callback {
      begin = NaN;
      end = NaN;
      override async onTrainBegin(): Promise<void> {
        if (++arrived === 2) release();
        await bothStarted;
        this.begin = performance.now();
      }
      override onTrainEnd(): void {
        this.end = performance.now();
      }
    }
    const together = fits(), marks = [new StartTogether(), new StartTogether()];
    const histories = await Promise.all(together.map((f, i) => fit(f.model, options(f.data, { callbacks: [marks[i]!] }))));
    expect(marks[0]!.begin).toBeLessThan(marks[1]!.end);
    expect(marks[1]!.begin).toBeLessThan(marks[0]!.end);
    const alone = fits();
    const aloneHistories: FitHistory[] = [];
    for (const f of alone) aloneHistories.push(await fit(f.model, options(f.data)));
    for (let i = 0; i < 2; i++) {
      expect(histories[i]!.epochs).toHaveLength(3);
      expectSameSnapshot(snapshot(together[i]!.model), snapshot(alone[i]!.model));
      expect(histories[i]!.optimizer.stateDict()).toEqual(aloneHistories[i]!.optimizer.stateDict());
      expect(histories[i]!.epochs.map((e) => [e.loss, e.valLoss])).toEqual(aloneHistories[i]!.epochs.map((e) => [e.loss, e.valLoss]));
    }
  });
});
