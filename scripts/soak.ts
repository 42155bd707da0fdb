/**
 * The soak run of issue 12: does a long training process hold its memory flat? Three phases, one
 * process, DESIGN.md §1's backbone (nn.conv1dBackbone() defaults: 14 channels, window 30) on the
 * built-in data (datasets.runToFailure, seed 0: standardised 30-cycle windows of the training engines):
 *
 *   steps   a hand-written loop: zeroGrad, forward, F.mseLoss, backward, Adam step, batch 256 from a
 *           shuffled DataLoader (default 5,000 steps)
 *   fit     one fit() in worker mode (worker: true — an error rather than a silent caller-thread run),
 *           AdamW, validationSplit 0.1, on the first 5,120 windows: 18 steps an epoch (default 50 epochs)
 *   cycles  io.save of the state dict to a temporary directory, io.load, model.loadStateDict (default
 *           1,000 cycles)
 *
 * Memory is sampled every 500 steps / 5 epochs / 100 cycles, at the end of the warm-up and at the end
 * of each phase (of the fit: the last epoch but one, see EpochSampler): process.memoryUsage()'s rss, heapUsed, external and arrayBuffers (external counts
 * arrayBuffers). Two settings make the figures mean what is live rather than what a collector or
 * allocator has not handed back yet; the script restarts itself with them when they are missing:
 * - --expose-gc: every sample follows three full collections (./soak-memory.ts, settledMemory);
 * - MALLOC_MMAP_THRESHOLD_=131072 (glibc; kept if already set): allocations of 128 KiB and more (every
 *   tensor of a batch) are mmap'ed and go back to the OS when freed. glibc's default threshold rises
 *   after such frees, so freed multi-MB buffers then stay in its heap and rss jitters by ±20 MB around
 *   a level 50 MB higher, which hides any trend of 10 MB; that retained memory is bounded, not a leak.
 * In the fit phase, at each sampled epoch end, a model-side callback (./soak-memory.ts, WorkerMemory)
 * first collects and reads the worker's own heap (phase 'fit-worker'), then the caller samples its
 * process while the worker waits (phase 'fit': rss then includes the worker); the sample after fit
 * resolves, the worker gone, is reported too ('after-fit').
 *
 * Growth of a phase: its last sample minus its sample at the end of warm-up (the first 10 %: 500 steps,
 * 5 epochs, 100 cycles at the defaults), for rss, heapUsed and external. Warm-up excludes what a start
 * legitimately costs: JIT code, V8's heap sizing, the allocator's arenas, the addon's pool threads.
 * The run fails (exit status 1) if any growth reaches --bound-mb (default 10; MB = 2^20 bytes). Bad
 * options: exit status 2.
 *
 *   MALLOC_MMAP_THRESHOLD_=131072 node --expose-gc --import tsx scripts/soak.ts
 *       [--steps 5000] [--epochs 50] [--cycles 1000] [--bound-mb 10] [--json]
 *   (or just `node --import tsx scripts/soak.ts ...` / `npx tsx scripts/soak.ts ...`: it restarts itself)
 *
 * --json prints one JSON object at the end ({ options, machine, samples, phases, pass }) instead of the
 * table; the progress lines go to stderr either way. test/reliability/soak.test.ts runs a short variant.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendInfo, callbacks, data, DataLoader, datasets, F, fit, io, manualSeed, nn, optim, Tensor } from '../src/index.js';
import { type Sample, settledMemory, WorkerMemory } from './soak-memory.js';

const BATCH = 256;
const FIT_SAMPLES = 5120;
const WINDOW = 30;
const PHASES = ['steps', 'fit', 'fit-worker', 'cycles'] as const;
const METRICS = ['rss', 'heapUsed', 'external'] as const;

const USAGE = `Usage: node --expose-gc --import tsx scripts/soak.ts [options]

  --steps N       training steps of the hand-written loop (default 5000; samples every 500)
  --epochs N      epochs of the worker-mode fit (default 50; samples every 5)
  --cycles N      save/load cycles of the state dict (default 1000; samples every 100)
  --bound-mb X    fail if any phase's growth after warm-up (rss, heapUsed or external) reaches X MB (default 10)
  --json          print the result as one JSON object
  --help          this text
`;

/** Prints the problem and the usage, exits 2. */
function usageError(message: string): never {
  process.stderr.write(`soak: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        steps: { type: 'string', default: '5000' },
        epochs: { type: 'string', default: '50' },
        cycles: { type: 'string', default: '1000' },
        'bound-mb': { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 2 || n > 1e7) usageError(`--${name} must be an integer in [2, 1e7], got "${v}"`);
    return n;
  };
  const boundMb = Number(values['bound-mb']);
  if (!(boundMb > 0 && boundMb < 1e6)) usageError(`--bound-mb must be a number in (0, 1e6), got "${values['bound-mb']}"`);
  return { steps: int('steps', values.steps), epochs: int('epochs', values.epochs), cycles: int('cycles', values.cycles), boundMb, json: values.json };
}

const startedAt = performance.timeOrigin + performance.now();
const samples: Sample[] = [];

function record(s: Sample): void {
  samples.push(s);
  process.stderr.write(`soak: ${s.phase} ${s.at}: rss ${s.rss.toFixed(1)} MB, heapUsed ${s.heapUsed.toFixed(1)} MB, external ${s.external.toFixed(1)} MB (${s.seconds.toFixed(0)} s)\n`);
}

async function sample(phase: string, at: number): Promise<void> {
  const m = await settledMemory();
  record({ phase, at, seconds: (performance.timeOrigin + performance.now() - startedAt) / 1000, ...m });
}

/** Warm-up of a phase of n units: its first 10 %. */
const warmUp = (n: number) => Math.max(1, Math.ceil(n / 10));

/** Sample points of a phase of n units: the end of warm-up, every `every`, and `last` (default n), none after it. */
const samplePoint = (at: number, n: number, every: number, last = n) => at <= last && (at === warmUp(n) || at % every === 0 || at === last);

/** The built-in windows: runToFailure's training engines, standardised, 30-cycle windows of the 14 informative sensors, RUL targets. */
function windows(): { x: Tensor; y: Tensor } {
  const ds = datasets.runToFailure({ seed: 0 });
  const scaled = new data.Standardizer().fit(ds.train).transform(ds.train);
  const w = data.slidingWindows(scaled, { window: WINDOW, channels: ds.informative, targets: 'rul' });
  return { x: w.x, y: w.y! };
}

async function trainSteps(model: nn.Module, xy: { x: Tensor; y: Tensor }, steps: number): Promise<void> {
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new DataLoader(new data.TensorDataset(xy.x, xy.y), { batchSize: BATCH, shuffle: true, dropLast: true, seed: 0 });
  model.train();
  for (let step = 0; step < steps; ) {
    for (const [x, y] of loader) {
      opt.zeroGrad();
      F.mseLoss(model.forward(x!), y!).backward();
      opt.step();
      if (samplePoint(++step, steps, 500)) await sample('steps', step);
      if (step === steps) break;
    }
  }
}

/**
 * Samples the caller's process at the epoch ends of `points`. Not passive: the worker waits for it, so
 * every sample sees the worker alive and between epochs. The worker does not wait after the last epoch
 * (it posts the trained state and exits), so the fit phase's samples end one epoch before it and
 * 'after-fit' follows.
 */
class EpochSampler extends callbacks.Callback {
  constructor(private readonly points: number[]) {
    super();
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.points.includes(epoch)) await sample('fit', epoch);
  }
}

async function fitEpochs(model: nn.Module, xy: { x: Tensor; y: Tensor }, epochs: number): Promise<void> {
  const n = Math.min(FIT_SAMPLES, xy.x.shape[0]!);
  const take = (t: Tensor) => new Tensor(t.data.slice(0, n * (t.data.length / t.shape[0]!)), [n, ...t.shape.slice(1)]);
  const points = Array.from({ length: epochs }, (_, i) => i + 1).filter((e) => samplePoint(e, epochs, 5, epochs - 1));
  const inWorker = new WorkerMemory({ epochs: points, startedAt });
  const history = await fit(model, {
    x: take(xy.x), y: take(xy.y), epochs, batchSize: BATCH, validationSplit: 0.1,
    optimizer: (params) => new optim.AdamW(params, { lr: 1e-3 }),
    worker: true, verbose: false, callbacks: [inWorker, new EpochSampler(points)],
  });
  if (history.epochs.length !== epochs) throw new Error(`soak: fit ran ${history.epochs.length} of ${epochs} epochs (stopped: ${history.stopped})`);
  for (const s of inWorker.samples) record(s);
  await sample('after-fit', epochs);
}

async function saveLoadCycles(model: nn.Module, cycles: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-soak-'));
  const path = join(dir, 'model.safetensors');
  try {
    for (let c = 1; c <= cycles; c++) {
      await io.save(path, model.stateDict());
      model.loadStateDict(await io.load(path));
      if (samplePoint(c, cycles, 100)) await sample('cycles', c);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PhaseResult {
  phase: (typeof PHASES)[number];
  /** From the sample before the phase to its last one. */
  seconds: number;
  warmUp: number;
  /** Last sample minus the warm-up sample, MB. */
  growth: Record<(typeof METRICS)[number], number>;
  pass: boolean;
}

function phaseResult(phase: PhaseResult['phase'], n: number, bound: number): PhaseResult {
  const own = samples.filter((s) => s.phase === phase);
  const base = own.find((s) => s.at === warmUp(n))!, last = own.at(-1)!;
  const growth = Object.fromEntries(METRICS.map((m) => [m, last[m] - base[m]])) as PhaseResult['growth'];
  const before = samples.filter((s) => s.seconds < own[0]!.seconds).at(-1)!;
  return { phase, seconds: last.seconds - before.seconds, warmUp: warmUp(n), growth, pass: METRICS.every((m) => growth[m] < bound) };
}

function cpuModel(): string {
  const r = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('Model name:')) : undefined;
  return line ? line.slice('Model name:'.length).trim() : (cpus()[0]?.model ?? 'unknown CPU');
}

function printTable(phases: PhaseResult[], bound: number, machine: object): void {
  const f = (v: number) => v.toFixed(1).padStart(8);
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`.padStart(8);
  console.log(`machine: ${JSON.stringify(machine)}`);
  console.log(`${'phase'.padEnd(11)}${'at'.padStart(5)}${'s'.padStart(8)}${'rss'.padStart(8)}${'heap'.padStart(8)}${'ext'.padStart(8)}${'ab'.padStart(8)}   (MB after gc)`);
  for (const s of samples) console.log(`${s.phase.padEnd(11)}${String(s.at).padStart(5)}${f(s.seconds)}${f(s.rss)}${f(s.heapUsed)}${f(s.external)}${f(s.arrayBuffers)}`);
  console.log(`\ngrowth after warm-up (bound ${bound} MB):`);
  for (const p of phases) {
    console.log(`${p.phase.padEnd(11)} ${p.seconds.toFixed(0).padStart(5)} s  warm-up ${String(p.warmUp).padStart(4)}  rss ${signed(p.growth.rss)}  heapUsed ${signed(p.growth.heapUsed)}  external ${signed(p.growth.external)}  ${p.pass ? 'ok' : 'FAIL'}`);
  }
}

async function main(o: ReturnType<typeof parseOptions>): Promise<void> {
  manualSeed(0);
  const xy = windows();
  const model = nn.conv1dBackbone();
  const info = backendInfo();
  const machine: Record<string, unknown> = {
    cpu: cpuModel(), cores: availableParallelism(), backend: info.backend, isa: info.isa, node: process.version,
    mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_, loadavgStart: loadavg(),
  };
  await sample('start', 0);
  await trainSteps(model, xy, o.steps);
  await fitEpochs(model, xy, o.epochs);
  await saveLoadCycles(model, o.cycles);
  const counts = { steps: o.steps, fit: o.epochs, 'fit-worker': o.epochs, cycles: o.cycles };
  const phases = PHASES.map((p) => phaseResult(p, counts[p], o.boundMb));
  const pass = phases.every((p) => p.pass);
  machine.loadavgEnd = loadavg();
  if (o.json) console.log(JSON.stringify({ options: o, machine, samples, phases, pass }));
  else printTable(phases, o.boundMb, machine);
  process.exitCode = pass ? 0 : 1;
}

const options = parseOptions(); // before a restart, so bad options fail fast
if (typeof globalThis.gc !== 'function' || process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  // Restart with both settings of the header, keeping the loader flags (tsx's) this process was started with.
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env },
  });
  process.exit(r.status ?? 1);
} else {
  await main(options);
}
