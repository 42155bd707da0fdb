/**
 * Whole training epochs through keel's fit, against PyTorch on the same data in the same run (issue 13's
 * end-to-end cases). Where bench/cases.ts times one step on fixed inputs, these time what a user's
 * training costs: shuffling, batching, autograd, allocation and GC between the kernels included.
 *
 *   npm run bench:e2e -- [--case e2e.mlp.epoch|e2e.backbone.epoch] [--epochs 3] [--threads 2] [--json]
 *
 * The cases (float32; every epoch visits every full batch once in a new random order, so the sample
 * count is cut to a whole number of batches):
 *   e2e.mlp.epoch       the seed-002 MLP 784 → 512 → 256 → 10, each hidden layer Linear (no bias) →
 *                       BatchNorm1d → ReLU → Dropout(0.5); AdamW(lr 1e-3, weightDecay 1e-2), batch 128,
 *                       cross-entropy, on Fashion-MNIST's 60,000 training images (datasets.fashionMnist;
 *                       seeded uniform pixels and labels of the same shape when it is not installed).
 *   e2e.backbone.epoch  nn.conv1dBackbone() defaults (DESIGN.md §1), batch 256, mse, the study's optimiser
 *                       (AdamW(lr 1e-3) with decay 0.1 on conv/linear weights: optim.weightDecayGroups), on
 *                       10,000 windows of the built-in run-to-failure data (30 cycles × 14 sensors,
 *                       standardised; RUL capped at 125 and divided by 125, as keel demo's study).
 * keel runs fit (validation off, verbose off) on the caller's thread (`worker: false`) and in a worker
 * (`worker: true`); an epoch's time is history's `seconds`. PyTorch runs bench/e2e_torch.py on the same
 * samples, written to a temporary directory (same loop as DESIGN's anchors/e2e_torch.py), after keel.
 * Seconds per epoch are the upper median of the epochs after the first (the first warms the JIT, the
 * allocator and the caches); with one epoch, that epoch.
 *
 * Counted flops: 2 per multiply-add of the GEMMs and convolutions only — forward, backward-weight, and
 * backward-data wherever the layer's input needs a gradient (not the first layer's) — as bench/cases.ts
 * counts backbone.train.step (whose count is reused here). The fraction of FMA peak is the epoch's
 * GFLOP/s over the FMA peak measured at the same thread count in the same run (bench/machine.ts).
 *
 * --profile replaces the timing: keel's fit runs on the caller's thread only (a profile samples the thread
 * it runs in, so worker mode cannot be profiled) under node:inspector's CPU profiler, sampling every
 * 100 µs over the epochs after the first; bench/profile.ts splits the samples' self time into kernels,
 * autograd, allocation, GC, data and other JS (its header gives the attribution rule and its limits),
 * reported per training step with the top functions. PyTorch and the machine figures are not run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { Session as InspectorSession } from 'node:inspector/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Module } from '../src/nn/module.js';
import { resetStoragePoolStats, storagePoolStats } from '../src/tensor/storage.js';
import type { Optimizer } from '../src/optim/optimizer.js';
import type { Tensor } from '../src/tensor/tensor.js';
import type { Callback } from '../src/train/callbacks/callback.js';
import { CASES as STEP_CASES, type KeelApi } from './cases.js';
import { parseCli, usageError } from './cli.js';
import { fmaRoof, machineJsonLines, type MachineFigures, measureMachine, remeasureMachine } from './machine.js';
import { CATEGORIES, type ProfileSummary, summarise } from './profile.js';
import { formatRatio, loadText, machineText, sessionText, table } from './report.js';
import { MLP_WIDTHS, mlpModel } from './steps.js';
import { DEFAULT_THREADS, openSession } from './suite.js';
import { upperMedian } from './timing.js';
import { blasVerdict, findTorch, type TorchBlas, type TorchBlasLine, torchBlas, type TorchPython, torchEnv, torchEnvText } from './torch.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(HERE, 'e2e_torch.py');
const PROG = 'bench:e2e';

type Mode = 'thread' | 'worker';
const MODES: readonly Mode[] = ['thread', 'worker'];

interface Data {
  x: Tensor;
  y: Tensor;
  /** Where the samples come from, for the report. */
  source: string;
}

/** The issue's figures for a case; a missing field is not required. */
interface Bar {
  maxSeconds?: number;
  fmaFraction: number;
  torchRatio: number;
}

interface E2eCase {
  name: string;
  what: string;
  batch: number;
  /** Samples before the cut to whole batches (--limit lowers it). */
  samples: number;
  loss: 'crossEntropy' | 'mse';
  /** The model torch builds (bench/e2e_torch.py). */
  torchModel: 'mlp' | 'backbone';
  /** Counted flops of one training step (see the header). */
  stepFlops: number;
  bar: Bar;
  data(keel: KeelApi, samples: number): Promise<Data>;
  model(keel: KeelApi): Module;
  optimizer(keel: KeelApi, model: Module): Optimizer;
}

// --- the MLP --------------------------------------------------------------------------------------
const MLP_BATCH = 128;

/**
 * Counted flops of one training step of a stack of Linear layers (widths[i] → widths[i+1]) at batch N:
 * each layer 2·N·in·out forward and again for the weight gradient; again for the input gradient except
 * in the first layer (the data needs none).
 */
function linearStackStepFlops(widths: readonly number[], batch: number): number {
  let flops = 0;
  for (let i = 0; i + 1 < widths.length; i++) flops += 2 * batch * widths[i]! * widths[i + 1]! * (i === 0 ? 2 : 3);
  return flops;
}

/** Fashion-MNIST's training split, or seeded data of its shape (uniform pixels, uniform labels 0–9). */
async function fashionOrSeeded(keel: KeelApi, samples: number): Promise<Data> {
  const take = (x: Tensor, y: Tensor, source: string): Data => ({
    x: new keel.Tensor(x.data.slice(0, samples * 784), [samples, 784]),
    y: new keel.Tensor(y.data.slice(0, samples), [samples]),
    source,
  });
  try {
    const { train } = await keel.datasets.fashionMnist();
    return take(train.x, train.y, `Fashion-MNIST (${keel.datasets.FASHION_MNIST_DIR})`);
  } catch (e) {
    if (!(e instanceof keel.datasets.DatasetNotFoundError)) throw e;
    keel.manualSeed(2);
    const y = keel.rand([samples]);
    for (let i = 0; i < samples; i++) y.data[i] = Math.min(9, Math.floor(y.data[i]! * 10));
    return take(keel.rand([samples, 784]), y, 'SEEDED uniform data of Fashion-MNIST\'s shape (Fashion-MNIST not installed: apt-get install dataset-fashion-mnist)');
  }
}

// --- the backbone ---------------------------------------------------------------------------------
const BACKBONE_BATCH = 256;
const WINDOW = 30;
const RUL_CAP = 125;
const STEP_CASE = STEP_CASES.find((c) => c.name === 'backbone.train.step')!;

/**
 * `samples` windows of the built-in run-to-failure data (seed 0), prepared as keel demo's study does:
 * standardised, 30-cycle windows over the 14 informative sensors, targets RUL (capped at 125) / 125.
 * Engines are added until there are enough windows; the first `samples` (engine order) are kept.
 */
function runToFailureWindows(keel: KeelApi, samples: number): Data {
  const options = { window: WINDOW, targets: 'rul', rulCap: RUL_CAP } as const;
  for (let units = Math.ceil(samples / 200) + 1; ; units += 10) {
    const ds = keel.datasets.runToFailure({ seed: 0, trainUnits: units });
    const scaled = new keel.data.Standardizer().fit(ds.train).transform(ds.train);
    const w = keel.data.slidingWindows(scaled, { ...options, channels: ds.informative });
    if (w.x.shape[0]! < samples) continue;
    const per = w.x.shape[1]! * WINDOW;
    const y = w.y.data.slice(0, samples).map((v) => v / RUL_CAP);
    return {
      x: new keel.Tensor(w.x.data.slice(0, samples * per), [samples, w.x.shape[1]!, WINDOW]),
      y: new keel.Tensor(y, [samples, 1]),
      source: `built-in runToFailure (seed 0, ${units} engines, ${w.x.shape[0]} windows; the first ${samples} kept)`,
    };
  }
}

const E2E_CASES: readonly E2eCase[] = [
  {
    name: 'e2e.mlp.epoch',
    what: 'MLP 784→512→256→10 (Linear no bias, BatchNorm1d, ReLU, Dropout 0.5), AdamW(1e-3, wd 1e-2), batch 128, crossEntropy',
    batch: MLP_BATCH,
    samples: 60_000,
    loss: 'crossEntropy',
    torchModel: 'mlp',
    stepFlops: linearStackStepFlops(MLP_WIDTHS, MLP_BATCH),
    bar: { maxSeconds: 1.2, fmaFraction: 0.5, torchRatio: 8 },
    data: fashionOrSeeded,
    model: mlpModel,
    optimizer: ({ optim }, model) => new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 }),
  },
  {
    name: 'e2e.backbone.epoch',
    what: 'nn.conv1dBackbone() (14 ch, window 30, 1 output), AdamW(1e-3, wd 0.1 on weights), batch 256, mse',
    batch: BACKBONE_BATCH,
    samples: 10_000,
    loss: 'mse',
    torchModel: 'backbone',
    stepFlops: STEP_CASE.flops!, // counted at batch 256, this case's batch
    bar: { fmaFraction: 0.5, torchRatio: 5 },
    data: async (keel, samples) => runToFailureWindows(keel, samples),
    model: ({ nn }) => nn.conv1dBackbone(),
    optimizer: ({ optim }, model) => new optim.AdamW(optim.weightDecayGroups(model, 0.1), { lr: 1e-3 }),
  },
];

const USAGE = `Usage: tsx bench/e2e.ts [options]   (npm run bench:e2e -- [options])

  --case NAME        only the cases whose name contains NAME (${E2E_CASES.map((c) => c.name).join(', ')})
  --epochs N         epochs per run (default 3; seconds per epoch = median of the epochs after the first)
  --threads N        keel's pool and torch.set_num_threads (default ${DEFAULT_THREADS})
  --modes LIST       fit modes, comma-separated: thread (worker: false), worker (worker: true); default thread,worker
  --limit N          at most N samples per case (smoke runs); still whole batches, at least one
  --no-torch         skip PyTorch (bench/e2e_torch.py)
  --no-machine       skip the stream / FMA peak measurement (then no fraction of FMA peak)
  --profile          instead of timing: profile keel's fit on the caller's thread (thread mode only:
                     the profiler samples the thread it runs in, not a worker) over the epochs after the
                     first (the only epoch with --epochs 1), every 100 us, and split a training step into
                     kernels, autograd, allocation, GC, data and other JS, with the top 10 functions by
                     self time (bench/profile.ts); --modes, PyTorch and the machine figures are not used
  --json             JSON lines instead of the table
  --help             this text

Bars (issue 13): e2e.mlp.epoch <= 1.2 s an epoch, >= 50% of FMA peak, >= 8x PyTorch;
e2e.backbone.epoch >= 50% of FMA peak, >= 5x PyTorch. PyTorch: KEEL_BENCH_PYTHON, /usr/bin/python3 or
python3 with torch; it should use an optimised BLAS (Debian: apt-get install libopenblas0-pthread).
`;

function fail(message: string): never {
  return usageError(PROG, message);
}

function intArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
  return n;
}

function parseOptions() {
  const v = parseCli(PROG, USAGE, {
    case: { type: 'string', default: '' },
    epochs: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(DEFAULT_THREADS) },
    modes: { type: 'string', default: MODES.join(',') },
    limit: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'no-machine': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const cases = E2E_CASES.filter((c) => c.name.includes(v.case));
  if (cases.length === 0) fail(`--case "${v.case}" matches no case (cases: ${E2E_CASES.map((c) => c.name).join(', ')})`);
  const modes = v.modes.split(',').map((m) => m.trim());
  const bad = modes.find((m) => !(MODES as readonly string[]).includes(m));
  if (bad !== undefined || modes.length === 0) fail(`--modes must list ${MODES.join(' and/or ')}, got "${v.modes}"`);
  return {
    cases,
    epochs: intArg('epochs', v.epochs, 1, 1000),
    threads: intArg('threads', v.threads, 1, 1024),
    modes: [...new Set(modes)] as Mode[],
    limit: v.limit === undefined ? Infinity : intArg('limit', v.limit, 1, 1e9),
    torch: !v['no-torch'] && !v.profile,
    machine: !v['no-machine'] && !v.profile,
    profile: v.profile,
    json: v.json,
  };
}

/** lscpu's "Model name" (os.cpus()'s model where lscpu is missing). */
function cpuModel(): string {
  const r = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('Model name:')) : undefined;
  return line ? line.slice('Model name:'.length).trim() : (cpus()[0]?.model ?? 'unknown CPU');
}

/** The samples a case trains on: at most `limit`, cut to whole batches (at least one). */
function caseSamples(c: E2eCase, limit: number): number {
  return Math.max(1, Math.floor(Math.min(c.samples, limit) / c.batch)) * c.batch;
}

/** The upper median (bench/timing.ts' rule) of the epochs after the first; the only epoch if one. */
function epochSeconds(all: readonly number[]): number {
  return upperMedian(all.length > 1 ? all.slice(1) : all);
}

interface Run {
  case: string;
  impl: string;
  /** Seconds of every epoch, in order. */
  epochs: number[];
  /** The mean training loss of the last epoch (a check that both sides train). */
  loss: number;
  /** PyTorch's BLAS and whether it is an optimised one (null: cannot tell). */
  blas?: TorchBlas;
}

async function runKeel(keel: KeelApi, c: E2eCase, data: Data, mode: Mode, epochs: number, callbacks: Callback[] = []): Promise<Run> {
  keel.manualSeed(0);
  const model = c.model(keel);
  const history = await keel.fit(model, {
    x: data.x, y: data.y, epochs, batchSize: c.batch, loss: c.loss,
    optimizer: (_, m) => c.optimizer(keel, m), verbose: false, worker: mode === 'worker', seed: 0, callbacks,
  });
  if (history.epochs.length !== epochs) throw new Error(`${c.name} [${mode}]: fit ran ${history.epochs.length} of ${epochs} epochs (${history.stopped})`);
  return { case: c.name, impl: `keel-${mode}`, epochs: history.epochs.map((e) => e.seconds), loss: history.epochs.at(-1)!.loss };
}

// --- --profile ----------------------------------------------------------------------------------------
const SAMPLING_US = 100;

interface ProfiledRun {
  summary: ProfileSummary;
  /** How the profiled epochs' requests for large arrays were served (src/tensor/storage.ts). */
  pool: ReturnType<typeof storagePoolStats>;
  /** The run (every epoch's seconds: the first unprofiled when there are several). */
  run: Run;
  /** Epochs profiled, and the training steps in them. */
  epochs: number;
  steps: number;
}

/**
 * keel's fit on the caller's thread under node:inspector's CPU profiler, started as the first profiled
 * epoch begins and stopped as the last one ends; the summary covers that window, read on process.hrtime
 * (the profiler's clock: CLOCK_MONOTONIC on Linux).
 */
async function profileKeel(keel: KeelApi, c: E2eCase, data: Data, epochs: number): Promise<ProfiledRun> {
  const first = epochs > 1 ? 2 : 1;
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const inspector = new InspectorSession();
  inspector.connect();
  const window = { fromUs: 0, toUs: 0 };
  let profile: Profiler.Profile | undefined;
  let pool = storagePoolStats();
  class ProfileEpochs extends keel.callbacks.Callback {
    override async onEpochBegin(epoch: number): Promise<void> {
      if (epoch !== first) return;
      await inspector.post('Profiler.start');
      resetStoragePoolStats();
      window.fromUs = nowUs();
    }
    override async onEpochEnd(epoch: number): Promise<void> {
      if (epoch !== epochs) return;
      window.toUs = nowUs();
      pool = storagePoolStats();
      ({ profile } = await inspector.post('Profiler.stop'));
    }
  }
  try {
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: SAMPLING_US });
    const run = await runKeel(keel, c, data, 'thread', epochs, [new ProfileEpochs()]);
    const profiled = epochs - first + 1;
    return { summary: summarise(profile!, window), pool, run, epochs: profiled, steps: (profiled * data.x.shape[0]!) / c.batch };
  } finally {
    inspector.disconnect();
  }
}

/** The share of the pool's requests it served (0 when there were none). */
function hitRate(pool: ProfiledRun['pool']): number {
  return pool.hits / Math.max(1, pool.hits + pool.misses);
}

/** Above this share of the window without samples (or sampled beyond it), the profile is suspect. */
const MAX_UNATTRIBUTED = 0.05;

/** --profile: each case's step split into categories, as a table or one JSON line per case. */
async function profileCases(o: ReturnType<typeof parseOptions>, keel: KeelApi, say: (m: string) => void, warn: (m: string) => void): Promise<string[]> {
  const lines: string[] = [];
  for (const c of o.cases) {
    const samples = caseSamples(c, o.limit);
    const data = await c.data(keel, samples);
    say(`${c.name}: keel fit on the caller's thread, ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}, profiling ${o.epochs > 1 ? 'those after the first' : 'it'}…`);
    const p = await profileKeel(keel, c, data, o.epochs);
    const { summary: s, steps } = p;
    const unattributed = 1 - s.sampledMs / s.wallMs;
    if (Math.abs(unattributed) > MAX_UNATTRIBUTED) warn(`${c.name}: the samples cover ${pct(s.sampledMs / s.wallMs)} of the profiled wall time (expected about 100%)`);
    const perStep = (ms: number) => ms / steps;
    if (o.json) {
      lines.push(JSON.stringify({
        case: c.name, impl: 'keel-thread', profile: true, epochs_profiled: p.epochs, steps, samples, batch: c.batch,
        ms_step: Object.fromEntries(CATEGORIES.map((k) => [k, round(perStep(s.ms[k]), 4)])),
        wall_ms_step: round(perStep(s.wallMs), 4), unattributed: round(unattributed, 4), profile_samples: s.samples,
        pool_hit_rate: round(hitRate(p.pool), 4), fresh_mb_step: round(p.pool.freshBytes / 1e6 / steps, 4),
        epochs_s: p.run.epochs.map((e) => round(e, 4)), top: s.top.map(({ name, where, category, ms }) => ({ name, where, category, ms_step: round(perStep(ms), 4) })),
        data: data.source,
      }));
      continue;
    }
    const share = (ms: number) => pct(ms / s.wallMs);
    const firstNote = p.run.epochs.length > p.epochs ? `; the first, unprofiled: ${secs(p.run.epochs[0]!)} s` : ' (no warm-up epoch: it includes the first steps)';
    lines.push(
      '',
      `${c.name}: ${p.epochs} epoch${p.epochs > 1 ? 's' : ''} profiled, ${steps} steps of batch ${c.batch} from ${data.source}; ` +
        `fit's seconds for them: ${p.run.epochs.slice(-p.epochs).map(secs).join(', ')}${firstNote}`,
      table(
        [{ title: 'category', left: true }, { title: 'ms/step' }, { title: 'share' }],
        [...CATEGORIES.map((k) => [k, perStep(s.ms[k]).toFixed(3), share(s.ms[k])]), ['wall', perStep(s.wallMs).toFixed(3), '100%']],
      ),
      `storage pool (arrays of 4 KB and more): ${pct(hitRate(p.pool))} of ${p.pool.hits + p.pool.misses} requests reused an array; ` +
        `${(p.pool.freshBytes / 1e6 / steps).toFixed(2)} MB a step freshly allocated`,
      `sampled ${s.sampledMs.toFixed(0)} of ${s.wallMs.toFixed(0)} ms wall (${s.samples} samples, ${(s.wallMs * 1e3 / Math.max(1, s.samples)).toFixed(0)} us apart on average): ` +
        `unattributed ${(unattributed * 100).toFixed(1)}%`,
      `top ${s.top.length} functions by self time:`,
      table(
        [{ title: 'function', left: true }, { title: 'where', left: true }, { title: 'category', left: true }, { title: 'ms/step' }, { title: 'share' }],
        s.top.map((f) => [f.name, f.where, f.category, perStep(f.ms).toFixed(3), share(f.ms)]),
      ),
    );
  }
  return lines;
}

interface TorchRun {
  run?: Run;
  blas?: Run['blas'];
  problem?: string;
}

/** bench/e2e_torch.py on the same samples (written to a temporary directory as raw float32). */
function runTorch(t: TorchPython, c: E2eCase, data: Data, epochs: number, threads: number): TorchRun {
  const dir = mkdtempSync(join(tmpdir(), 'keel-e2e-'));
  try {
    const meta = { case: c.name, model: c.torchModel, threads, epochs, batch: c.batch, x: data.x.shape, y: data.y.shape, seed: 0 };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(dir, 'x.f32'), data.x.data);
    writeFileSync(join(dir, 'y.f32'), data.y.data);
    const r = spawnSync(t.python, [TORCH_SCRIPT, dir], { encoding: 'utf8', env: torchEnv(), stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000 });
    const out: TorchRun = {};
    const epochsSeen: number[] = [];
    let loss = NaN, impl = 'torch';
    for (const line of (r.stdout ?? '').split('\n')) {
      if (!line.startsWith('{')) continue;
      const o = JSON.parse(line) as { case: string; impl: string; s?: number; loss?: number } & TorchBlasLine;
      impl = o.impl;
      if (o.case === 'blas') out.blas = torchBlas(o);
      else {
        epochsSeen.push(o.s!);
        loss = o.loss!;
      }
    }
    if (epochsSeen.length === epochs) out.run = { case: c.name, impl, epochs: epochsSeen, loss, ...(out.blas ? { blas: out.blas } : {}) };
    if (r.error || r.status !== 0) out.problem = `e2e_torch.py: ${r.error?.message ?? `exit status ${r.status}`}`;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one run reached: seconds per epoch, samples/s, GFLOP/s and the fraction of the FMA roof. */
function figures(c: E2eCase, samples: number, run: Run, threads: number, machine: MachineFigures | null) {
  const seconds = epochSeconds(run.epochs);
  const gflops = ((samples / c.batch) * c.stepFlops) / seconds / 1e9;
  const peak = fmaRoof(machine, threads);
  return { seconds, samplesPerSecond: samples / seconds, gflops, fmaFraction: peak ? gflops / peak.gflops : undefined };
}

const round = (v: number | undefined, digits: number) => (v === undefined ? undefined : Number(v.toFixed(digits)));
const pct = (f: number | undefined) => (f === undefined ? '' : `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`);
const secs = (s: number) => s.toFixed(s >= 10 ? 1 : s >= 1 ? 2 : 3);

async function main(): Promise<void> {
  const o = parseOptions();
  const warn = (m: string) => process.stderr.write(`${PROG}: ${m}\n`);
  const say = (m: string) => {
    if (!o.json) process.stderr.write(`${PROG}: ${m}\n`);
  };
  const cpu = cpuModel();
  const machine = o.machine ? measureMachine(o.threads) : null;
  const session = await openSession(o.threads, false);
  const { keel } = session;
  if (session.library.backend !== 'native') warn(`keel runs on the ${session.library.backend} backend (the addon did not load): the figures are the JS reference's`);
  const threads = keel.getNumThreads();
  let torch: TorchPython | null = null, torchNote = "skipped (--no-torch); keel's numbers only";
  if (o.torch) {
    const t = findTorch();
    if ('problem' in t) torchNote = `not available — ${t.problem}; keel's numbers only`;
    else [torch, torchNote] = [t, `torch ${t.version} (${t.python}), torch.set_num_threads(${threads}), ${torchEnvText()}`];
  }

  const rows: string[][] = [];
  const notes: string[] = [];
  let blasSeen = false;
  let failures = 0;
  if (o.json) {
    console.log(JSON.stringify({ case: 'e2e.machine', cpu, node: process.version, backend: session.library.backend, threads, epochs: o.epochs, torch: torch?.version ?? null }));
    if (machine) for (const l of machineJsonLines(machine)) console.log(l);
  }
  if (o.profile) {
    const lines = await profileCases(o, keel, say, warn);
    if (o.json) for (const l of lines) console.log(l);
    else {
      console.log([
        ...sessionText(session), `CPU (lscpu Model name): ${cpu}`,
        `profile: keel's fit (validation off, verbose off, seed 0) on the caller's thread under node:inspector, sampling every ${SAMPLING_US} us; ` +
          'self time by category per training step (bench/profile.ts: native kernel time counts against the JS function that calls it)',
        ...lines, '', `at end: ${loadText()}`,
      ].join('\n'));
    }
    return;
  }
  for (const c of o.cases) {
    const samples = caseSamples(c, o.limit);
    const data = await c.data(keel, samples);
    notes.push(`${c.name}: ${c.what}; ${samples} samples (${samples / c.batch} batches of ${c.batch}) from ${data.source}; ${(c.stepFlops / 1e9).toFixed(3)} GFLOP counted per step`);
    const runs: Run[] = [];
    for (const mode of o.modes) {
      say(`${c.name}: keel fit, ${mode} mode, ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}…`);
      try {
        runs.push(await runKeel(keel, c, data, mode, o.epochs));
      } catch (e) {
        warn(`${c.name} [${mode}] failed: ${(e as Error).message}`);
        failures++;
      }
    }
    let torchRun: Run | undefined;
    if (torch) {
      say(`${c.name}: PyTorch, ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}…`);
      const t = runTorch(torch, c, data, o.epochs, threads);
      if (t.problem) {
        warn(t.problem);
        failures++;
      }
      if (t.blas && !blasSeen) {
        // The same Python and BLAS for every case: said once.
        blasSeen = true;
        const { text, warning } = blasVerdict(t.blas);
        torchNote += `; ${text}`;
        if (warning) warn(warning);
      }
      torchRun = t.run;
      if (torchRun) runs.push(torchRun);
    }
    const torchSeconds = torchRun ? epochSeconds(torchRun.epochs) : undefined;
    for (const run of runs) {
      const f = figures(c, samples, run, threads, machine);
      const isKeel = run.impl.startsWith('keel');
      const ratio = isKeel && torchSeconds !== undefined ? torchSeconds / f.seconds : undefined;
      if (o.json) {
        console.log(JSON.stringify({
          case: c.name, impl: run.impl, s_epoch: round(f.seconds, 4), samples_per_s: Math.round(f.samplesPerSecond), gflops: round(f.gflops, 2),
          fma_fraction: round(f.fmaFraction, 4), torch_over_keel: round(ratio, 3), epochs_s: run.epochs.map((s) => round(s, 4)), loss: round(run.loss, 5),
          samples, batch: c.batch, threads, cpu, data: data.source, ...(run.blas ? { blas: run.blas.lib, blas_optimised: run.blas.optimised } : {}),
        }));
        continue;
      }
      const verdicts: string[] = [];
      if (isKeel) {
        const { maxSeconds, fmaFraction, torchRatio } = c.bar;
        if (maxSeconds !== undefined) verdicts.push(`<= ${maxSeconds} s ${f.seconds <= maxSeconds ? 'PASS' : 'MISS'}`);
        if (f.fmaFraction !== undefined) verdicts.push(`>= ${pct(fmaFraction)} ${f.fmaFraction >= fmaFraction ? 'PASS' : 'MISS'}`);
        if (ratio !== undefined) verdicts.push(`>= ${torchRatio}x ${ratio >= torchRatio ? 'PASS' : 'MISS'}`);
      }
      rows.push([
        c.name, run.impl, secs(f.seconds), f.samplesPerSecond.toFixed(0), f.gflops.toFixed(1), pct(f.fmaFraction),
        isKeel && torchSeconds !== undefined ? secs(torchSeconds) : '', formatRatio(ratio), run.loss.toPrecision(4), verdicts.join(', '),
      ]);
    }
  }
  const drift = remeasureMachine(machine, threads);
  for (const w of drift) warn(w);
  if (o.json && machine) for (const l of machineJsonLines(machine, 'end')) console.log(l);
  if (!o.json) {
    console.log(
      [
        ...sessionText(session),
        `CPU (lscpu Model name): ${cpu}`,
        ...machineText(machine, threads),
        `PyTorch: ${torchNote}`,
        `epochs: ${o.epochs} per run; s/epoch = upper median of the epochs after the first; fit with validation off, verbose off, seed 0`,
        '',
        table(
          [
            { title: 'case', left: true }, { title: 'impl', left: true }, { title: 's/epoch' }, { title: 'samples/s' }, { title: 'GFLOP/s' },
            { title: '% FMA peak' }, { title: 'torch s/epoch' }, { title: 'torch/keel' }, { title: 'last loss' }, { title: 'issue bar', left: true },
          ],
          rows,
        ),
        '',
        ...notes,
        ...drift,
        `at end: ${loadText()}`,
      ].join('\n'),
    );
  }
  if (failures > 0) process.exitCode = 1;
}

await main();
