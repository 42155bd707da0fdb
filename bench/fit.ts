/**
 * The non-blocking proof of fit() (issue 8): while fit trains DESIGN.md §1's backbone at batch 256 on
 * 10,000 samples, how late does a timer on the caller's (main) thread run, and how fast does training go,
 * in worker mode (the loop in a worker_threads worker) and in-thread mode (`worker: false`, the loop on
 * the main thread, yielding between batches)? The issue's bars: event-loop delay p99 < 20 ms in worker
 * mode, and worker throughput within 10% of in-thread throughput.
 *
 *   npm run bench:fit -- [--epochs 3] [--repeats 3] [--threads N] [--json] [--dist]
 *   npx tsx bench/fit.ts --repeats 5 --json
 *
 * Each run builds the same model (same seed), calls fit with AdamW, validationSplit 0.1, verbose false,
 * and measures, on the main thread:
 *   event-loop delay  perf_hooks.monitorEventLoopDelay over the whole fit call (start-up and finish
 *                     included): p50, p99, max. Node records the interval between two firings of a
 *                     timer of period `resolution`, so an idle loop reads about `resolution` (1 ms by
 *                     default): the figures are as recorded, resolution included.
 *   start-up          fit called → onTrainBegin on the main thread (worker mode: copying the data onto
 *                     shared memory, starting the worker, loading keel and rebuilding the run there —
 *                     through tsx when running from sources, plain Node with --dist).
 *   finish            the last onEpochEnd → fit resolved (worker mode: the trained state comes back and
 *                     the worker exits).
 *   throughput        (a) "train": history's training time — total training samples over the summed
 *                     training time of the epochs (samples / samplesPerSecond per epoch; validation
 *                     excluded), the loop's own speed; (b) "wall": total training samples over (fit's wall
 *                     time − start-up), validation and finish included. The start-up cost is reported on
 *                     its own, so the worker's start does not pollute the ratio.
 * Runs alternate (worker, thread, worker, …) so both modes see the same machine noise; one untimed 1-epoch
 * warm-up per mode goes first (JIT on the main thread, tsx's transform cache). Reported: the median of
 * each figure per mode, and the worker/thread ratio of the median throughputs. Worker mode starts a fresh
 * isolate every fit, so its first epoch runs on cold JIT; that is part of what it costs and is measured.
 *
 * The data: x ~ N(0, 1) of shape (10000, 14, 30), seeded; y = mean_t x[:, 0, t] + 0.5·mean_{t≥20} x[:, 3, t]
 * − 0.25·x[:, 7, 29] + 0.1·ε, a target the backbone can learn (the loss falls), so the run does real work.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as Keel from '../src/index.js';
import { parseCli, usageError } from './cli.js';
import { formatRatio, loadText, table } from './report.js';
import { upperMedian } from './timing.js';

type KeelApi = typeof Keel;
type Mode = 'worker' | 'thread';

const SAMPLES = 10_000;
const CHANNELS = 14;
const WINDOW = 30;
const BATCH = 256;
const VALIDATION_SPLIT = 0.1;
/** The issue's bars. */
const WORKER_P99_BAR_MS = 20;
const THROUGHPUT_RATIO_BAR = 0.9;

const USAGE = `Usage: tsx bench/fit.ts [options]   (npm run bench:fit -- [options])

  --epochs N       epochs per fit (default 3)
  --repeats N      timed fits per mode, interleaved worker, thread, worker, ... (default 3)
  --threads N      native kernel threads (KEEL_NUM_THREADS, setNumThreads; default: this machine's, ${availableParallelism()})
  --resolution MS  monitorEventLoopDelay resolution in ms, 1..10 (default 1)
  --dist           import keel from dist/index.js (the compiled package users run: \`npm run build:ts\` first)
                   instead of src/ (from sources the worker starts through tsx, which costs start-up time)
  --json           one JSON object per line: a "fit.machine" line, one "fit.run" line per fit, one
                   "fit.median" line per mode and a "fit.ratio" line
  --help           this text

The fit: nn.conv1dBackbone({ inChannels: ${CHANNELS}, window: ${WINDOW} }) on ${SAMPLES} seeded samples, batch ${BATCH},
AdamW(lr 1e-3), validationSplit ${VALIDATION_SPLIT}, verbose false. Bars (issue 8): worker-mode event-loop delay p99
< ${WORKER_P99_BAR_MS} ms; worker throughput >= ${THROUGHPUT_RATIO_BAR} x in-thread throughput.
`;

function fail(message: string): never {
  return usageError('bench:fit', message);
}

function intArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
  return n;
}

function parseOptions() {
  const values = parseCli('bench:fit', USAGE, {
    epochs: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
    resolution: { type: 'string', default: '1' },
    dist: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  return {
    epochs: intArg('epochs', values.epochs, 1, 1000),
    repeats: intArg('repeats', values.repeats, 1, 100),
    threads: intArg('threads', values.threads, 1, 1024),
    resolution: intArg('resolution', values.resolution, 1, 10),
    dist: values.dist,
    json: values.json,
  };
}

/** lscpu's "Model name" (os.cpus()'s model where lscpu is missing). */
function cpuModel(): string {
  const r = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('Model name:')) : undefined;
  return line ? line.slice('Model name:'.length).trim() : (cpus()[0]?.model ?? 'unknown CPU');
}

/** The seeded data of the header: x (N, 14, 30) ~ N(0, 1) and a learnable y (N, 1). */
function makeData(keel: KeelApi): { x: Keel.Tensor; y: Keel.Tensor } {
  keel.manualSeed(1234);
  const x = keel.randn([SAMPLES, CHANNELS, WINDOW]);
  const noise = keel.randn([SAMPLES]).data;
  const xs = x.data, ys = new Float32Array(SAMPLES);
  const at = (i: number, c: number, t: number) => xs[(i * CHANNELS + c) * WINDOW + t]!;
  for (let i = 0; i < SAMPLES; i++) {
    let m0 = 0, m3 = 0;
    for (let t = 0; t < WINDOW; t++) m0 += at(i, 0, t);
    for (let t = 20; t < WINDOW; t++) m3 += at(i, 3, t);
    ys[i] = m0 / WINDOW + (0.5 * m3) / (WINDOW - 20) - 0.25 * at(i, 7, WINDOW - 1) + 0.1 * noise[i]!;
  }
  return { x, y: keel.tensor(ys, [SAMPLES, 1]) };
}

interface RunResult {
  mode: Mode;
  /** 0 for the warm-up, then 1..repeats. */
  repeat: number;
  wallMs: number;
  startupMs: number;
  finishMs: number;
  /** Training samples over the epochs' summed training time (history). */
  trainSamplesPerSec: number;
  /** Training samples over (wall − start-up). */
  wallSamplesPerSec: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** Event-loop delay samples recorded. */
  eldCount: number;
  finalLoss: number;
  finalValLoss: number;
}

async function runOnce(keel: KeelApi, data: { x: Keel.Tensor; y: Keel.Tensor }, mode: Mode, epochs: number, resolution: number, repeat: number): Promise<RunResult> {
  keel.manualSeed(0); // the same initial weights for every run
  const model = keel.nn.conv1dBackbone({ inChannels: CHANNELS, window: WINDOW });
  const marks = { trainBegin: NaN, lastEpochEnd: NaN, mode: '', samples: 0 };
  /** Marks the times on the main thread; passive, so the worker never waits for it after an epoch. */
  class Marks extends keel.callbacks.Callback {
    override get passive(): boolean {
      return true;
    }
    override onTrainBegin(): void {
      marks.trainBegin = performance.now();
      marks.mode = this.context.params.mode;
      marks.samples = this.context.params.samples;
    }
    override onEpochEnd(): void {
      marks.lastEpochEnd = performance.now();
    }
  }
  const eld = monitorEventLoopDelay({ resolution });
  eld.enable();
  const t0 = performance.now();
  const history = await keel.fit(model, {
    x: data.x,
    y: data.y,
    epochs,
    batchSize: BATCH,
    validationSplit: VALIDATION_SPLIT,
    optimizer: (params) => new keel.optim.AdamW(params, { lr: 1e-3 }),
    verbose: false,
    worker: mode === 'worker',
    callbacks: [new Marks()],
  });
  const t1 = performance.now();
  eld.disable();
  if (marks.mode !== mode) throw new Error(`asked for a ${mode}-mode fit, but it ran in ${marks.mode || 'no'} mode`);
  if (history.epochs.length !== epochs) throw new Error(`fit recorded ${history.epochs.length} epochs, not ${epochs} (stopped: ${history.stopped})`);
  const total = marks.samples * epochs;
  const trainSeconds = history.epochs.reduce((s, e) => s + marks.samples / e.samplesPerSecond, 0);
  const wallMs = t1 - t0, startupMs = marks.trainBegin - t0;
  const last = history.epochs.at(-1)!;
  return {
    mode,
    repeat,
    wallMs,
    startupMs,
    finishMs: t1 - marks.lastEpochEnd,
    trainSamplesPerSec: total / trainSeconds,
    wallSamplesPerSec: total / ((wallMs - startupMs) / 1000),
    eldP50Ms: eld.percentile(50) / 1e6,
    eldP99Ms: eld.percentile(99) / 1e6,
    eldMaxMs: eld.max / 1e6,
    eldCount: eld.count,
    finalLoss: last.loss,
    finalValLoss: last.valLoss ?? NaN,
  };
}

const FIELDS = ['wallMs', 'startupMs', 'finishMs', 'trainSamplesPerSec', 'wallSamplesPerSec', 'eldP50Ms', 'eldP99Ms', 'eldMaxMs'] as const;
type Medians = Record<(typeof FIELDS)[number], number>;

function medians(runs: readonly RunResult[]): Medians {
  return Object.fromEntries(FIELDS.map((f) => [f, upperMedian(runs.map((r) => r[f]))])) as Medians;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const rate = (v: number) => v.toFixed(0);

async function main(): Promise<void> {
  const o = parseOptions();
  process.env.KEEL_NUM_THREADS = String(o.threads);
  const source = o.dist ? 'dist' : 'src';
  let keel: KeelApi;
  try {
    keel = (await import(o.dist ? '../dist/index.js' : '../src/index.js')) as KeelApi;
  } catch (e) {
    fail(`cannot import keel from ${source}/ — ${(e as Error).message}${o.dist ? ' (run `npm run build:ts` first)' : ''}`);
  }
  if (typeof keel.fit !== 'function') fail(`${source}/index.js has no fit()${o.dist ? ' — dist/ is stale: run `npm run build:ts`' : ''}`);
  keel.setNumThreads(o.threads);
  const info = keel.backendInfo();
  const cpu = cpuModel();
  const threads = keel.getNumThreads();
  const setting = { source, epochs: o.epochs, repeats: o.repeats, samples: SAMPLES, validationSplit: VALIDATION_SPLIT, batchSize: BATCH, resolutionMs: o.resolution };
  if (o.json) {
    console.log(JSON.stringify({ case: 'fit.machine', cpu, logicalCpus: availableParallelism(), threads, node: process.version, backend: info.backend, isa: info.backend === 'native' ? info.isa : 'js', ...setting }));
  } else {
    console.log(
      [
        `keel bench:fit — node ${process.version}, ${process.platform}-${process.arch}, ${cpu} (${availableParallelism()} logical CPUs)`,
        `threads: ${threads} (getNumThreads()); backend ${info.backend}${info.backend === 'native' ? ` ${info.isa}` : ''}; keel from ${source}/${o.dist ? '' : ' (the worker starts through tsx)'}`,
        `at start: ${loadText(true)}`,
        `fit: conv1dBackbone(14 ch, window 30) on ${SAMPLES} samples (validationSplit ${VALIDATION_SPLIT}), batch ${BATCH}, AdamW, ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}; ` +
          `${o.repeats} timed fit${o.repeats > 1 ? 's' : ''} per mode, interleaved, after a 1-epoch warm-up per mode; event-loop resolution ${o.resolution} ms`,
        '',
      ].join('\n'),
    );
  }

  const data = makeData(keel);
  const modes: Mode[] = ['worker', 'thread'];
  const say = (m: string) => {
    if (!o.json && process.stderr.isTTY) process.stderr.write(m);
  };
  for (const mode of modes) {
    say(`  warm-up ${mode}\n`);
    await runOnce(keel, data, mode, 1, o.resolution, 0);
  }
  const runs: RunResult[] = [];
  for (let i = 1; i <= o.repeats; i++) {
    for (const mode of modes) {
      const r = await runOnce(keel, data, mode, o.epochs, o.resolution, i);
      runs.push(r);
      if (o.json) {
        console.log(JSON.stringify({ case: 'fit.run', ...r, threads, source }));
      } else {
        say(`  ${mode} #${i}: ${ms(r.wallMs)} ms, ${rate(r.trainSamplesPerSec)} samples/s, event-loop p99 ${ms(r.eldP99Ms)} ms\n`);
      }
    }
  }

  const med = Object.fromEntries(modes.map((m) => [m, medians(runs.filter((r) => r.mode === m))])) as Record<Mode, Medians>;
  const trainRatio = med.worker.trainSamplesPerSec / med.thread.trainSamplesPerSec;
  const wallRatio = med.worker.wallSamplesPerSec / med.thread.wallSamplesPerSec;
  const p99Pass = med.worker.eldP99Ms < WORKER_P99_BAR_MS;
  const ratioPass = trainRatio >= THROUGHPUT_RATIO_BAR;

  if (o.json) {
    for (const m of modes) {
      const x = med[m];
      console.log(JSON.stringify({ case: 'fit.median', mode: m, ...Object.fromEntries(FIELDS.map((f) => [f, round(x[f], 3)])), runs: o.repeats, threads, source }));
    }
    console.log(JSON.stringify({
      case: 'fit.ratio', trainRatio: round(trainRatio, 4), wallRatio: round(wallRatio, 4), ratioBar: THROUGHPUT_RATIO_BAR, ratioPass,
      workerEldP99Ms: round(med.worker.eldP99Ms, 3), p99BarMs: WORKER_P99_BAR_MS, p99Pass, threads, source,
    }));
    return;
  }
  console.log(
    table(
      [
        { title: 'mode', left: true }, { title: 'fit ms' }, { title: 'start-up ms' }, { title: 'finish ms' },
        { title: 'train samples/s' }, { title: 'wall samples/s' }, { title: 'delay p50 ms' }, { title: 'p99 ms' }, { title: 'max ms' },
      ],
      modes.map((m) => {
        const x = med[m];
        return [m, ms(x.wallMs), ms(x.startupMs), ms(x.finishMs), rate(x.trainSamplesPerSec), rate(x.wallSamplesPerSec), ms(x.eldP50Ms), ms(x.eldP99Ms), ms(x.eldMaxMs)];
      }),
    ),
  );
  console.log(
    [
      '',
      `medians of ${o.repeats} fit${o.repeats > 1 ? 's' : ''} per mode. train samples/s: training samples / the epochs' training time (history; validation excluded);`,
      'wall samples/s: training samples / (fit wall time − start-up). start-up: fit called → onTrainBegin; finish: last onEpochEnd → fit resolved.',
      `delay: main-thread event-loop delay over the whole fit (monitorEventLoopDelay, resolution ${o.resolution} ms, included in the figures).`,
      '',
      `worker event-loop delay p99: ${ms(med.worker.eldP99Ms)} ms (bar < ${WORKER_P99_BAR_MS} ms): ${p99Pass ? 'PASS' : 'MISS'}; in-thread p99: ${ms(med.thread.eldP99Ms)} ms`,
      `worker/thread throughput: ${formatRatio(trainRatio)} on training time (bar >= ${THROUGHPUT_RATIO_BAR}x): ${ratioPass ? 'PASS' : 'MISS'}; ${formatRatio(wallRatio)} on wall time − start-up`,
      `at end: ${loadText()}`,
    ].join('\n'),
  );
}

await main();
