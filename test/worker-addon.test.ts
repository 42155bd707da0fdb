// The native addon in worker_threads, as fit() uses it: a training worker loads the addon while the
// main thread runs kernels too, and users terminate workers at any moment. The addon's C++ state is
// one per process (the dispatch tables, the thread pool) while each worker runs the addon's init with
// its own env (DESIGN.md §8). Checked here: three workers and the main thread running the same
// kernels at once get bit-for-bit the main thread's single-threaded results; a worker terminated
// inside a long kernel call, while it loops on tiny ones, or inside an argument check that then
// throws (node-addon-api must swallow the error that can no longer reach JS:
// NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, native/binding/defines.json), ends alone and leaves the
// process and its kernels intact; setNumThreads from the
// main thread while a worker runs kernels changes no result and cannot deadlock (run in a child
// process killed on a timeout, since a deadlocked main thread would stop vitest's timers too); and a
// worker that alone loaded the addon unloads it on exit with the pool's threads joined. Each env keeps
// the error classes it handed the addon (setErrorClasses): a worker loading keel gets keel's classes,
// a worker requiring the addon alone gets the built-in ones, and terminating a worker inside one of its
// classes' constructors ends it alone.
// Workers run plain JS that `require`s the addon by absolute path, so they need no TypeScript loader.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/backend/kernel-set.js';
import type { Conv1dParams } from '../src/ref/conv1d.js';
import { addonCandidates, loadBackend } from '../src/backend/loader.js';
import { OptionError } from '../src/errors.js';
import { expectError } from './helpers/bad-args.js';

// The addon under test, found as test/helpers/backends.ts finds it (KEEL_ADDON_PATH, else the build
// locations), and its path for the workers.
const loaded = loadBackend({
  env: { KEEL_BACKEND: process.env.KEEL_REQUIRE_NATIVE ? 'native' : undefined },
  candidates: process.env.KEEL_ADDON_PATH ? [process.env.KEEL_ADDON_PATH] : addonCandidates(),
  warn: () => {},
});
const addon = loaded.addon;
const addonPath = loaded.info.addonPath;
const isa = addon?.detectIsa() ?? 'scalar';

// The inputs and the kernel calls, as JS source run verbatim by the main thread, the workers and the
// child processes, so every thread makes exactly the same calls. Inputs come from a fixed LCG.
const SHARED = `
const CONV = { batch: 16, inChannels: 64, inLength: 256, outChannels: 64, kernelSize: 3, stride: 1,
  padLeft: 1, padRight: 1, dilation: 1, groups: 1 };
const BN = { batch: 16, channels: 64, length: 256, eps: 1e-5, momentum: 0.1 };
const DROP = { count: 1 << 20, p: 0.15, seed: 7, stream: 3, offset: 11 };

function fill(a, seed, scale = 1, shift = 0) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = shift + scale * (s / 4294967296 * 2 - 1);
  }
  return a;
}

function makeInputs() {
  const c = CONV, b = BN;
  return {
    conv: CONV, bn: BN, drop: DROP,
    x: fill(new Float32Array(c.batch * c.inChannels * c.inLength), 1),
    w: fill(new Float32Array(c.outChannels * c.inChannels * c.kernelSize), 2, 0.1),
    bias: fill(new Float32Array(c.outChannels), 3),
    bnX: fill(new Float32Array(b.batch * b.channels * b.length), 4, 2, 0.5),
    gamma: fill(new Float32Array(b.channels), 5, 0.5, 1),
    beta: fill(new Float32Array(b.channels), 6),
    runningMean: fill(new Float32Array(b.channels), 7),
    runningVar: fill(new Float32Array(b.channels), 8, 0.5, 1),
  };
}

// conv1dForward, batchNorm1dTrainForward (running statistics updated from the same start each time)
// and dropoutMask; every output in a fresh array.
function runAll(k, inp) {
  const c = inp.conv, b = inp.bn;
  const y = new Float32Array(c.batch * c.outChannels * c.inLength);  // stride 1, 'same' padding
  k.conv1dForward(y, inp.x, inp.w, inp.bias, c);
  const bnY = new Float32Array(inp.bnX.length);
  const saveMean = new Float32Array(b.channels), saveInvstd = new Float32Array(b.channels);
  const runningMean = inp.runningMean.slice(), runningVar = inp.runningVar.slice();
  k.batchNorm1dTrainForward(bnY, saveMean, saveInvstd, runningMean, runningVar, inp.bnX, inp.gamma, inp.beta, b);
  const mask = new Uint8Array(inp.drop.count);
  k.dropoutMask(mask, inp.drop);
  return { y, bnY, saveMean, saveInvstd, runningMean, runningVar, mask };
}

function sameBits(a, b) {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), v = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (u.length !== v.length) return false;
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return false;
  return true;
}

// How many outputs of got differ in any bit from want.
function countMismatches(got, want) {
  let n = 0;
  for (const name of Object.keys(want)) if (!sameBits(got[name], want[name])) n++;
  return n;
}
`;

interface Inputs {
  conv: Conv1dParams;
  bn: { batch: number; channels: number; length: number; eps: number; momentum: number };
  drop: { count: number; p: number };
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  bnX: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}
type Outputs = Record<'y' | 'bnY' | 'saveMean' | 'saveInvstd' | 'runningMean' | 'runningVar', Float32Array> & { mask: Uint8Array };
interface Shared {
  makeInputs(): Inputs;
  runAll(k: KernelSet, inp: Inputs): Outputs;
  countMismatches(got: Outputs, want: Outputs): number;
}
// Compiled from the same source text the workers run.
const shared = new Function(`${SHARED}\nreturn { makeInputs, runAll, countMismatches };`)() as Shared;

/** The start of every worker: the addon by absolute path, its kernel set, the shared code. */
const PRELUDE = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
const k = addon.kernelSet(workerData.isa).kernels;
${SHARED}
`;

/** Runs a child Node process on `script`; rejects if it fails or outlives `timeoutMs` (then killed). */
function runChild(script: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child failed (${error.signal ?? error.code}${error.killed ? ', killed on timeout' : ''}): ${stderr}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!addon)('the native addon in worker_threads', () => {
  const threadsBefore = addon?.numThreads() ?? 1;
  afterAll(() => addon?.setNumThreads(threadsBefore));
  const k = addon?.kernelSet(isa).kernels as KernelSet;
  const inputs = shared.makeInputs();
  // The main thread's single-threaded results, the reference for every other run.
  addon?.setNumThreads(1);
  const want = addon ? shared.runAll(k, inputs) : ({} as Outputs);
  addon?.setNumThreads(2);

  it('the reference results are the kernels\' results (checked at a few points by hand)', () => {
    const { conv: c, bn: b } = inputs;
    // y[n, o, t] = bias[o] + sum_{i, j} w[o, i, j] * x[n, i, t + j - padLeft]  (zero outside)
    for (const [n, o, t] of [[0, 0, 0], [3, 17, 100], [15, 63, 255]] as const) {
      let s = inputs.bias[o]!;
      for (let i = 0; i < c.inChannels; i++)
        for (let j = 0; j < c.kernelSize; j++) {
          const u = t + j - c.padLeft;
          if (u >= 0 && u < c.inLength) s += inputs.w[(o * c.inChannels + i) * c.kernelSize + j]! * inputs.x[(n * c.inChannels + i) * c.inLength + u]!;
        }
      expect(want.y[(n * c.outChannels + o) * c.inLength + t]).toBeCloseTo(s, 4);
    }
    // saveMean is the channel's batch mean; the running mean moves 10 % (momentum) towards it.
    for (const ch of [0, 31, 63]) {
      let s = 0;
      for (let n = 0; n < b.batch; n++) for (let l = 0; l < b.length; l++) s += inputs.bnX[(n * b.channels + ch) * b.length + l]!;
      const mean = s / (b.batch * b.length);
      expect(want.saveMean[ch]).toBeCloseTo(mean, 5);
      expect(want.runningMean[ch]).toBeCloseTo(0.9 * inputs.runningMean[ch]! + 0.1 * mean, 5);
    }
    // About 1 - p of the mask is kept (p = 0.15 over 2^20 draws: standard deviation 0.00035).
    const kept = want.mask.reduce((a, v) => a + v, 0) / want.mask.length;
    expect(Math.abs(kept - 0.85)).toBeLessThan(0.003);
  });

  it('three workers and the main thread running the same kernels at once all get the single-threaded bits', async () => {
    const WORKERS = 3;
    // flags[0]: workers ready; flags[1]: go; flags[2]: workers done.
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const code = `${PRELUDE}
const flags = new Int32Array(workerData.flags);
const inp = workerData.inputs, want = workerData.want;
Atomics.add(flags, 0, 1);
while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 20);
let mismatches = 0, last;
for (let r = 0; r < workerData.reps; r++) {
  last = runAll(k, inp);
  mismatches += countMismatches(last, want);
}
Atomics.add(flags, 2, 1);
parentPort.postMessage({ mismatches, last });
`;
    const workers = Array.from({ length: WORKERS }, () =>
      new Worker(code, { eval: true, workerData: { addonPath, isa, flags: flags.buffer, inputs, want, reps: 25 } }));
    const results = workers.map((w) => once(w, 'message') as Promise<[{ mismatches: number; last: Outputs }]>);
    for (let t = 0; Atomics.load(flags, 0) < WORKERS; t++) {
      if (t > 2000) throw new Error('workers did not start');
      await sleep(5);
    }
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    // The main thread keeps calling the kernels (on the 2-thread pool) until every worker is done.
    let mainMismatches = 0, mainReps = 0;
    while ((Atomics.load(flags, 2) < WORKERS || mainReps < 10) && mainReps < 5000) {
      mainMismatches += shared.countMismatches(shared.runAll(k, inputs), want);
      mainReps++;
    }
    for (const [r] of await Promise.all(results)) {
      expect(r.mismatches).toBe(0);
      expect(shared.countMismatches(r.last, want)).toBe(0);
    }
    expect(Atomics.load(flags, 2)).toBe(WORKERS);
    expect(mainMismatches).toBe(0);
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('a worker terminated inside a ~10 ms kernel call, 20 times, ends alone; the main thread\'s kernels are unchanged', async () => {
    // A conv1dForward of ~10 ms here: the batch is sized from a timed call of 4 samples.
    const probe: Conv1dParams = { ...inputs.conv, batch: 4, inChannels: 128, outChannels: 128, inLength: 192 };
    const px = new Float32Array(4 * 128 * 192), pw = new Float32Array(128 * 128 * 3), py = new Float32Array(4 * 128 * 192);
    k.conv1dForward(py, px, pw, null, probe);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) k.conv1dForward(py, px, pw, null, probe);
    const msPerSample = (performance.now() - t0) / 12;
    const batch = Math.max(1, Math.min(256, Math.round(10 / msPerSample)));
    // state[0] is 1 from just before each conv1dForward call until just after it returns.
    const code = `${PRELUDE}
const state = new Int32Array(workerData.state);
const c = { ...CONV, batch: workerData.batch, inChannels: 128, outChannels: 128, inLength: 192 };
const x = fill(new Float32Array(c.batch * c.inChannels * c.inLength), 1);
const w = fill(new Float32Array(c.outChannels * c.inChannels * c.kernelSize), 2, 0.1);
const y = new Float32Array(c.batch * c.outChannels * c.inLength);
for (let calls = 0; ; calls++) {
  Atomics.store(state, 0, 1);
  k.conv1dForward(y, x, w, null, c);
  Atomics.store(state, 0, 0);
  if (calls === 0) parentPort.postMessage('running');
}
`;
    let insideCall = 0;
    for (let i = 0; i < 20; i++) {
      const state = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(code, { eval: true, workerData: { addonPath, isa, state: state.buffer, batch } });
      const errors: Error[] = [];
      worker.on('error', (e) => errors.push(e));
      const exited = once(worker, 'exit');
      await once(worker, 'message');
      await sleep((i * 7) % 17);
      insideCall += Atomics.load(state, 0);
      const exitCode = await worker.terminate();
      await exited;
      expect(exitCode).toBe(1);
      expect(errors).toEqual([]);
    }
    // The loop spends nearly all its time inside the kernel, so most terminations land there.
    expect(insideCall).toBeGreaterThanOrEqual(10);
    expect(addon!.numThreads()).toBe(2);
    expect(shared.countMismatches(shared.runAll(k, inputs), want)).toBe(0);
  });

  it('a worker terminated while it loops on tiny kernels (argument checks are most of each call), 20 times, ends alone', async () => {
    // A call's Node-API reads of its arguments fail once terminate() has been called; before
    // NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS the first such termination aborted the process
    // ("terminate called after throwing an instance of 'Napi::Error'").
    const code = `${PRELUDE}
const c = { ...CONV, batch: 2, inChannels: 3, outChannels: 4, inLength: 8 };
const x = fill(new Float32Array(2 * 3 * 8), 1), w = fill(new Float32Array(4 * 3 * 3), 2), y = new Float32Array(2 * 4 * 8);
const b = { ...BN, batch: 2, channels: 4, length: 8 };
const bnY = new Float32Array(64), m = new Float32Array(4), s = new Float32Array(4), rm = new Float32Array(4), rv = new Float32Array(4).fill(1);
const mask = new Uint8Array(64), drop = { ...DROP, count: 64 };
for (let i = 0; ; i++) {
  k.conv1dForward(y, x, w, null, c);
  k.batchNorm1dTrainForward(bnY, m, s, rm, rv, y, null, null, b);
  k.dropoutMask(mask, drop);
  if (i === 200) parentPort.postMessage('running');
}
`;
    for (let i = 0; i < 20; i++) {
      const worker = new Worker(code, { eval: true, workerData: { addonPath, isa } });
      const errors: Error[] = [];
      worker.on('error', (e) => errors.push(e));
      const exited = once(worker, 'exit');
      await once(worker, 'message');
      await sleep(i % 4);
      expect(await worker.terminate()).toBe(1);
      await exited;
      expect(errors).toEqual([]);
    }
    expect(shared.countMismatches(shared.runAll(k, inputs), want)).toBe(0);
  });

  it('a worker terminated inside a kernel\'s argument check, which then throws, does not take the process down', async () => {
    // The check calls back into JS (a getter, or the constructor of the error class the worker handed
    // the addon) that reports and spins until terminated: the Node-API call fails because the env is
    // stopping, node-addon-api throws, and the throw cannot reach JS.
    const code = `${PRELUDE}
const y = new Float32Array(4), x = new Float32Array(4);
let message = '', armed = false;
if (workerData.typed) {
  class OptionError extends Error { constructor(m) { super(m); if (armed) spin(); } }
  addon.setErrorClasses({ OptionError, ShapeError: class ShapeError extends Error {}, BackendError: class BackendError extends Error {} });
}
try { k.reluForward(y, x, null); } catch (e) { message = e.constructor.name + ': ' + e.message; }
const spin = () => { parentPort.postMessage(message); for (;;); };
if (workerData.where === 'params') {
  k.reluForward(y, x, { get count() { return spin(); } });
} else if (workerData.where === 'constructor') {
  armed = true;
  k.reluForward(y, x, null);
} else {
  // A wrong-typed array: the error message asks for its constructor's name.
  const bad = new Int32Array(4);
  Object.defineProperty(bad, 'constructor', { get: spin });
  k.reluForward(bad, x, { count: 4 });
}
parentPort.postMessage('not reached');
`;
    for (const [where, typed] of [['params', false], ['message', false], ['params', true], ['constructor', true]] as const) {
      const worker = new Worker(code, { eval: true, workerData: { addonPath, isa, where, typed } });
      const errors: Error[] = [];
      worker.on('error', (e) => errors.push(e));
      const messages: string[] = [];
      worker.on('message', (m: string) => messages.push(m));
      const exited = once(worker, 'exit');
      await Promise.race([once(worker, 'message'), exited]);
      expect(await worker.terminate()).toBe(1);
      await exited;
      // Before termination the same check threw normally: the worker's class, or the built-in one
      // in a worker that handed none (the main thread's classes are not the worker's).
      expect(messages).toEqual([`${typed ? 'OptionError' : 'TypeError'}: reluForward: params must be an object, got null`]);
      expect(errors).toEqual([]);
    }
    expect(shared.countMismatches(shared.runAll(k, inputs), want)).toBe(0);
  });

  it('a worker that loads the addon through keel\'s loader gets keel\'s error classes, and the main thread keeps its own', async () => {
    // As fit's worker does: keel's TypeScript sources through tsx's loader (src/train/worker/spawn.ts).
    // The classes live in each env's instance data, so the worker's are its own module's (another
    // realm: compared there) and the main thread's are untouched.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const loaderUrl = new URL('../src/backend/loader.ts', import.meta.url).href, errorsUrl = new URL('../src/errors.ts', import.meta.url).href;
    const code = `
const { parentPort, workerData } = require('node:worker_threads');
import(${JSON.stringify(tsx)}).then((api) => { api.register(); return Promise.all([import(${JSON.stringify(loaderUrl)}), import(${JSON.stringify(errorsUrl)})]); })
  .then(([loader, errors]) => {
    const { kernels: k, info } = loader.loadBackend({ env: { KEEL_BACKEND: 'native', KEEL_ADDON_PATH: workerData.addonPath }, warn: () => {} });
    const caught = (fn) => { try { fn(); } catch (e) { return [e.constructor.name, e instanceof errors.KeelError && e.constructor === errors[e.constructor.name], e.message]; } };
    parentPort.postMessage({
      backend: info.backend,
      option: caught(() => k.reluForward(new Float32Array(2), new Float32Array(2), null)),
      shape: caught(() => k.reluForward(new Float32Array(3), new Float32Array(2), { count: 2 })),
    });
  });
`;
    const worker = new Worker(code, { eval: true, workerData: { addonPath } });
    const [r] = (await once(worker, 'message')) as [{ backend: string; option: unknown[]; shape: unknown[] }];
    await worker.terminate();
    expect(r.backend).toBe('native');
    expect(r.option).toEqual(['OptionError', true, 'reluForward: params must be an object, got null']);
    expect(r.shape).toEqual(['ShapeError', true, 'reluForward: y must have length 2 (count = 2), got 3']);
    expectError(() => k.reluForward(new Float32Array(2), new Float32Array(2), null as never), OptionError, 'reluForward: params must be an object, got null');
  }, 20_000);

  it('setNumThreads from the main thread while a worker runs kernels: same bits, no deadlock', async () => {
    // In a child process: its main thread resizes the pool (1, 2, 3, 4, 1, ...) as fast as it can,
    // and every 8th time runs the kernels itself, while its worker runs them 40 times.
    const script = `
const { Worker } = require('node:worker_threads');
const addonPath = ${JSON.stringify(addonPath)}, isa = ${JSON.stringify(isa)};
const addon = require(addonPath);
const k = addon.kernelSet(isa).kernels;
${SHARED}
const inputs = makeInputs();
addon.setNumThreads(1);
const want = runAll(k, inputs);
const flags = new Int32Array(new SharedArrayBuffer(8));
const code = ${JSON.stringify(PRELUDE)} + \`
const flags = new Int32Array(workerData.flags);
let mismatches = 0;
Atomics.store(flags, 0, 1);
for (let r = 0; r < 40; r++) mismatches += countMismatches(runAll(k, workerData.inputs), workerData.want);
parentPort.postMessage(mismatches);
Atomics.store(flags, 1, 1);
\`;
const worker = new Worker(code, { eval: true, workerData: { addonPath, isa, flags: flags.buffer, inputs, want } });
worker.once('message', (workerMismatches) => {
  worker.once('exit', () => console.log(JSON.stringify({ workerMismatches, mainMismatches, resizes, mainRuns, threads: addon.numThreads() })));
});
while (Atomics.load(flags, 0) === 0) Atomics.wait(flags, 0, 0, 5);
let resizes = 0, mainRuns = 0, mainMismatches = 0;
while (Atomics.load(flags, 1) === 0) {
  addon.setNumThreads(1 + (resizes % 4));
  if (addon.numThreads() !== 1 + (resizes % 4)) mainMismatches++;
  if (++resizes % 8 === 0) { mainMismatches += countMismatches(runAll(k, inputs), want); mainRuns++; }
}
addon.setNumThreads(2);
`;
    const out = await runChild(script, 15_000);
    const r = JSON.parse(out) as { workerMismatches: number; mainMismatches: number; resizes: number; mainRuns: number; threads: number };
    expect(r.workerMismatches).toBe(0);
    expect(r.mainMismatches).toBe(0);
    expect(r.resizes).toBeGreaterThan(8); // the resizes really overlapped the worker's kernels
    expect(r.mainRuns).toBeGreaterThan(0);
    expect(r.threads).toBe(2);
  }, 20_000);

  it.skipIf(process.platform !== 'linux')('a worker that alone loaded the addon unloads it when terminated mid-kernel, its pool threads joined', async () => {
    // Node closes an addon when the last env that loaded it goes away; the pool's static destructor
    // must then stop its threads, or they would run unmapped code. Threads counted in /proc/self/task.
    const script = `
const { Worker } = require('node:worker_threads');
const fs = require('node:fs');
const addonPath = ${JSON.stringify(addonPath)};
const threads = () => fs.readdirSync('/proc/self/task').length;
const mapped = () => fs.readFileSync('/proc/self/maps', 'utf8').includes(addonPath);
const before = threads(), mappedBefore = mapped();
const code = ${JSON.stringify(PRELUDE)} + \`
addon.setNumThreads(4);
const inp = makeInputs();
for (let r = 0; ; r++) { runAll(k, inp); if (r === 1) parentPort.postMessage(addon.numThreads()); }
\`;
const worker = new Worker(code, { eval: true, workerData: { addonPath, isa: ${JSON.stringify(isa)} } });
worker.once('message', (poolSize) => {
  const during = threads(), mappedDuring = mapped();
  worker.terminate().then((exitCode) => setTimeout(() => {
    console.log(JSON.stringify({ before, during, after: threads(), mappedBefore, mappedDuring, mappedAfter: mapped(), poolSize, exitCode }));
  }, 100));
});
`;
    const r = JSON.parse(await runChild(script, 15_000)) as Record<string, number | boolean>;
    expect(r).toMatchObject({ mappedBefore: false, mappedDuring: true, mappedAfter: false, poolSize: 4, exitCode: 1 });
    expect(r.during as number).toBeGreaterThanOrEqual((r.before as number) + 4); // the worker and 3 pool threads
    expect(r.after).toBe(r.before);
  });
});
