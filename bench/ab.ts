/**
 * Two addon builds timed against each other in one process (npm run bench:ab): the library's kernel
 * set hands every call to build A or build B, switching every --block steps of the §1 backbone
 * (training step or eval forward) or of the §1 MLP's training step, so both builds run on the same
 * data, the same heap and the same host in the same minutes. On a VM whose share of the CPU drifts
 * over minutes (bench/README.md, "Noise") separate runs of two builds cannot resolve a few percent;
 * alternating blocks can, and the kernels are timed where they run in training, with the step's
 * caches, not repeated on hot data.
 *
 *   npm run bench:ab -- --a /tmp/keel-before.node --b build/Release/keel.node [--case train|eval|mlp]
 *       [--rounds 40] [--block 10] [--threads 2] [--kernels conv1dBackwardWeight,...]
 *
 * Each build is its own shared object with its own thread pool, so A and B must be files at different
 * paths (copy the old build away before rebuilding). The first step of each block is not timed: the
 * other build's pool may still be spinning. Prints the step medians and B/A, and per kernel named in
 * --kernels its mean time per step under each build.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelSet } from '../src/backend/kernel-set.js';
import { intOption, parseCli, usageError } from './cli.js';
import { trainingStep } from './steps.js';
import { openSession } from './suite.js';
import { upperMedian } from './timing.js';

const PROG = 'bench:ab';
const USAGE = `Usage: tsx bench/ab.ts --a PATH --b PATH [options]   (npm run bench:ab -- ...)

Times two addon builds against each other in one process, alternating blocks of backbone steps.

  --a PATH          the first build (a keel.node)
  --b PATH          the second build (another file)
  --case NAME       train (zeroGrad, forward, mseLoss, backward, Adam step; batch 256), eval
                    (noGrad forward, batch 256) or mlp (the MLP 784 -> 512 -> 256 -> 10 of bench:e2e,
                    Linear -> BatchNorm1d -> ReLU -> Dropout(0.5), crossEntropy, AdamW; batch 128);
                    default train
  --rounds N        A/B rounds (default 40)
  --block N         steps per build per round, the first untimed (default 10)
  --threads N       kernel threads (default 2)
  --kernels LIST    comma-separated kernel names to time inside the steps as well

Example:
  cp build/Release/keel.node /tmp/before.node   # then change native/ and rebuild: node scripts/build-addon.mjs
  npm run bench:ab -- --a /tmp/before.node --b build/Release/keel.node --kernels conv1dBackwardWeight
`;

const o = parseCli(PROG, USAGE, {
  a: { type: 'string' },
  b: { type: 'string' },
  case: { type: 'string', default: 'train' },
  rounds: { type: 'string', default: '40' },
  block: { type: 'string', default: '10' },
  threads: { type: 'string', default: '2' },
  kernels: { type: 'string', default: '' },
});
if (!o.a || !o.b) usageError(PROG, `--a and --b are required\n\n${USAGE}`);
if (!['train', 'eval', 'mlp'].includes(o.case!)) usageError(PROG, `--case must be train, eval or mlp, got ${JSON.stringify(o.case)}`);
const paths = [resolve(o.a), resolve(o.b)];
for (const p of paths) if (!existsSync(p)) usageError(PROG, `no addon at ${p}`);
if (paths[0] === paths[1]) usageError(PROG, '--a and --b must be different files (each build needs its own path)');
const rounds = intOption(PROG, 'rounds', o.rounds!, 1), block = intOption(PROG, 'block', o.block!, 2), threads = intOption(PROG, 'threads', o.threads!, 1);

const session = await openSession(threads, false);
const { keel } = session;
const backend = (await import('../src/backend/index.js')) as { kernels: KernelSet };
const builds = paths.map((path) => keel.loadBackend({ env: { ...process.env, KEEL_BACKEND: 'native', KEEL_ADDON_PATH: path } }).kernels);
keel.setNumThreads(threads);
const timedNames = o.kernels.split(',').filter((n) => n !== '');
for (const n of timedNames) if (typeof builds[0]![n as keyof KernelSet] !== 'function') usageError(PROG, `--kernels: no kernel named ${JSON.stringify(n)}`);

// The library's kernel set delegates to the current build; the named kernels are timed per build.
let current = 0;
const kernelMs = [new Map<string, number>(), new Map<string, number>()];
const library = backend.kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of Object.keys(library)) {
  if (typeof library[name] !== 'function') continue;
  const timed = timedNames.includes(name);
  library[name] = (...args: unknown[]) => {
    const fn = (builds[current] as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    if (!timed) return fn(...args);
    const t0 = performance.now();
    const r = fn(...args);
    kernelMs[current]!.set(name, (kernelMs[current]!.get(name) ?? 0) + performance.now() - t0);
    return r;
  };
}

let step: () => void;
if (o.case === 'eval') {
  keel.manualSeed(0);
  const inputs = Array.from({ length: 4 }, () => keel.randn([256, 14, 30]));
  const net = keel.nn.conv1dBackbone().eval();
  let i = 0;
  step = () => void keel.noGrad(() => net.forward(inputs[i++ % inputs.length]!));
} else {
  step = trainingStep(keel, o.case === 'mlp' ? 'mlp' : 'backbone').step;
}

for (const b of [0, 1]) {
  current = b;
  for (let j = 0; j < 20; j++) step();
}
kernelMs.forEach((m) => m.clear());
const stepMs: number[][] = [[], []];
for (let r = 0; r < rounds; r++) {
  for (const b of [0, 1]) {
    current = b;
    step();
    for (let j = 1; j < block; j++) {
      const t0 = performance.now();
      step();
      stepMs[b]!.push(performance.now() - t0);
    }
  }
}
// Kernel times include the untimed first step of each block: per step, over all of them.
const steps = rounds * block;
const [ma, mb] = stepMs.map(upperMedian) as [number, number];
console.log(`${o.case === 'mlp' ? 'MLP train' : `backbone ${o.case}`} step, ${threads} threads, ${rounds} rounds of ${block} steps per build`);
console.log(`A ${paths[0]}\nB ${paths[1]}`);
console.log(`step median: A ${ma.toFixed(3)} ms, B ${mb.toFixed(3)} ms, B/A ${(mb / ma).toFixed(3)}`);
for (const n of timedNames) {
  const [ka, kb] = kernelMs.map((m) => (m.get(n) ?? 0) / steps) as [number, number];
  console.log(`  ${n}: A ${ka.toFixed(3)} ms, B ${kb.toFixed(3)} ms a step, B/A ${(kb / ka).toFixed(3)}`);
}
