/**
 * Parity and bitwise determinism on random shapes: the check issue 13 says will be re-run "on shapes
 * outside the repository's tables". The parity tests (test/*.parity.test.ts) and the determinism test
 * use fixed tables, and the fuzz targets (native/fuzz) stay below a few hundred elements; this draws
 * shapes from a seed you choose, up to ~600k elements a tensor, so the thread pool splits the work.
 *
 * Each case is one family of kernels on one random shape (the rng of case i depends only on the seed
 * and i, so `--case i` replays it alone):
 *   conv      conv1dForward, conv1dForwardStats, conv1dReluForward, conv1dBackwardData,
 *             conv1dBackwardWeight, conv1dBackwardBias (groups, stride, dilation, asymmetric padding, bias)
 *   linear    linearForward, linearForwardStats, linearBackwardData, linearBackwardWeight, linearBackwardBias
 *   batchnorm batchNorm1dTrainForward, batchNorm1dEvalForward, batchNorm1dBackward, and the fused
 *             BatchNorm → ReLU → Dropout kernels (forward and backward, with and without given statistics)
 *   elementwise reluForward/Backward, dropout and dropout1d forward/backward, adamUpdate, sgdUpdate
 * For every native CPU level this machine has: the call with 1 thread against the JS reference, then
 * with 2, 3 and 4 threads against the 1-thread result, bit for bit. Inputs are uniform in [-1, 1).
 *
 * Tolerance against the reference: the elementwise kernels and the optimisers' updates must be exact
 * (one float32 rounding per operation on every path, as their parity tests require); the others may differ by atol = 2^-22·R + rtol 1e-4, R the longest sum behind one output (C_in/groups·K
 * for a convolution's forward, N·L_out for its weight gradient, N·L for a BatchNorm statistic): a
 * float32 chain of R products of such values drifts from the double reference by about 2^-24·R/3,
 * while a bug (a wrong index, a lost tail, a skipped channel, a race) is off by O(0.1–1).
 *
 *   npm run test:shapes -- [--seed 1] [--seconds 60] [--case I] [--json]
 *
 * Prints a line per problem and a summary; exit status 0 when every check passed, 1 on any problem,
 * 2 on bad options. --json prints one object ({ seed, cases, checks, levels, problems }) instead.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { KernelName } from '../src/backend/kernel-set.js';
import { addon, type NamedKernels, nativeSets, refSet } from '../test/helpers/backends.js';
import { firstMismatch, mulberry32 } from '../test/helpers/compare.js';
import { type ArgSpec, type Outputs, runKernel } from '../test/helpers/run-kernel.js';

/** One kernel call of a case: its arguments, parameters and R (see the header). */
interface Call {
  kernel: KernelName;
  args: ArgSpec[];
  params: object;
  /** The longest float32 sum behind one output; 0 for the kernels that must be exact. */
  sum: number;
}

const arg = (name: string, kind: ArgSpec['kind'], size: number, extra: Partial<ArgSpec> = {}): ArgSpec => ({ name, kind, size, ...extra });
const stats = (name: string, size: number) => arg(name, 'out', size, { doubles: true });
/** Elements per tensor the shapes stay under (the JS reference must run them too). */
const MAX_ELEMENTS = 600_000;

type Draw = { int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean };

function convCalls(d: Draw): Call[] {
  const groups = d.pick([1, 1, 1, 2, 3, 4]);
  const cin = groups * d.int(1, 24), cout = groups * d.int(1, 24);
  const K = d.int(1, 9), dilation = d.pick([1, 1, 2, 3]), stride = d.pick([1, 1, 1, 2, 3]);
  const padLeft = d.int(0, K), padRight = d.int(0, K);
  const inLength = d.int(Math.max(1, (K - 1) * dilation + 1 - padLeft - padRight), 400);
  const batch = d.int(1, Math.min(64, Math.max(1, Math.floor(MAX_ELEMENTS / (Math.max(cin, cout) * inLength)))));
  const p = { batch, inChannels: cin, inLength, outChannels: cout, kernelSize: K, stride, padLeft, padRight, dilation, groups };
  const Lout = Math.floor((inLength + padLeft + padRight - (K - 1) * dilation - 1) / stride) + 1;
  const nx = batch * cin * inLength, ny = batch * cout * Lout, nw = cout * (cin / groups) * K;
  const bias = d.chance(0.5) ? arg('bias', 'in', cout) : arg('bias', 'null', 0);
  const fwd = (cin / groups) * K, bwd = batch * Lout;
  return [
    { kernel: 'conv1dForward', args: [arg('y', 'out', ny), arg('x', 'in', nx), arg('w', 'in', nw), bias], params: p, sum: fwd },
    { kernel: 'conv1dForwardStats', args: [arg('y', 'out', ny), stats('mean', cout), stats('variance', cout), arg('x', 'in', nx), arg('w', 'in', nw), bias], params: p, sum: fwd },
    { kernel: 'conv1dReluForward', args: [arg('y', 'out', ny), arg('x', 'in', nx), arg('w', 'in', nw), bias], params: p, sum: fwd },
    { kernel: 'conv1dBackwardData', args: [arg('dx', 'out', nx), arg('dy', 'in', ny), arg('w', 'in', nw)], params: p, sum: (cout / groups) * K },
    { kernel: 'conv1dBackwardWeight', args: [arg('dw', 'out', nw), arg('x', 'in', nx), arg('dy', 'in', ny)], params: p, sum: bwd },
    { kernel: 'conv1dBackwardBias', args: [arg('db', 'out', cout), arg('dy', 'in', ny)], params: p, sum: bwd },
  ];
}

function linearCalls(d: Draw): Call[] {
  const batch = d.int(1, 700), inFeatures = d.int(1, 700), outFeatures = d.int(1, 300);
  const p = { batch, inFeatures, outFeatures };
  const nx = batch * inFeatures, ny = batch * outFeatures, nw = outFeatures * inFeatures;
  const bias = d.chance(0.5) ? arg('bias', 'in', outFeatures) : arg('bias', 'null', 0);
  return [
    { kernel: 'linearForward', args: [arg('y', 'out', ny), arg('x', 'in', nx), arg('w', 'in', nw), bias], params: p, sum: inFeatures },
    { kernel: 'linearForwardStats', args: [arg('y', 'out', ny), stats('mean', outFeatures), stats('variance', outFeatures), arg('x', 'in', nx), arg('w', 'in', nw), bias], params: p, sum: inFeatures },
    { kernel: 'linearBackwardData', args: [arg('dx', 'out', nx), arg('dy', 'in', ny), arg('w', 'in', nw)], params: p, sum: outFeatures },
    { kernel: 'linearBackwardWeight', args: [arg('dw', 'out', nw), arg('x', 'in', nx), arg('dy', 'in', ny)], params: p, sum: batch },
    { kernel: 'linearBackwardBias', args: [arg('db', 'out', outFeatures), arg('dy', 'in', ny)], params: p, sum: batch },
  ];
}

function batchNormCalls(d: Draw): Call[] {
  const C = d.int(1, 130), length = d.pick([1, d.int(1, 40), d.int(1, 700)]);
  const batch = d.int(1, Math.max(1, Math.floor(MAX_ELEMENTS / (C * length))));
  const shape = { batch, channels: C, length }, n = batch * C * length, M = batch * length;
  const random = { p: d.pick([0, 0.15, 0.5]), seed: d.int(0, 2 ** 31), stream: d.int(0, 99), offset: d.int(0, 99) };
  const running = (kind: ArgSpec['kind']) => [arg('runningMean', kind, C), arg('runningVar', kind, C, { shift: 2 })];
  const affine = [arg('weight', 'in', C), arg('bias', 'in', C)];
  const saved = [arg('mean', 'in', C, { scale: 0.1 }), arg('invstd', 'in', C, { scale: 0.2, shift: 1 })];
  const given = [arg('batchMean', 'in', C, { doubles: true, shift: 3 }), arg('batchVar', 'in', C, { doubles: true, scale: 0.1, shift: 0.4 })];
  const train = { ...shape, eps: 1e-5, momentum: 0.1, training: true, ...random };
  const trainOut = [arg('y', 'out', n), arg('saveMean', 'out', C), arg('saveInvstd', 'out', C)];
  const grads = [arg('dx', 'out', n), arg('dweight', 'out', C), arg('dbias', 'out', C), arg('dy', 'in', n), arg('x', 'in', n)];
  return [
    { kernel: 'batchNorm1dTrainForward', args: [...trainOut, ...running('inout'), arg('x', 'in', n, { shift: 3 }), ...affine], params: { ...shape, eps: 1e-5, momentum: 0.1 }, sum: M },
    { kernel: 'batchNorm1dEvalForward', args: [arg('y', 'out', n), arg('x', 'in', n), ...running('in'), ...affine], params: { ...shape, eps: 1e-5 }, sum: 1 },
    { kernel: 'batchNorm1dBackward', args: [...grads, ...saved, arg('weight', 'in', C)], params: { ...shape, training: true }, sum: M },
    { kernel: 'batchNorm1dReluDropoutForward', args: [...trainOut, ...running('inout'), arg('x', 'in', n, { shift: 3 }), ...affine], params: train, sum: M },
    { kernel: 'batchNorm1dReluDropoutBackward', args: [...grads, ...saved, ...affine], params: { ...shape, training: true, ...random }, sum: M },
    { kernel: 'batchNorm1dReluDropoutForwardWithStats', args: [...trainOut, ...running('inout'), arg('x', 'in', n, { shift: 3 }), ...given, ...affine], params: train, sum: 1 },
    { kernel: 'batchNorm1dReluDropoutBackwardWithOutput', args: [...grads, arg('y', 'in', n, { shift: 0.2 }), ...saved, arg('weight', 'in', C)], params: { ...shape, training: true, ...random }, sum: M },
  ];
}

function elementwiseCalls(d: Draw): Call[] {
  const count = d.pick([d.int(0, 70), d.int(1, 5000), d.int(1, MAX_ELEMENTS)]);
  const C = d.int(1, 64), length = d.int(1, 300), batch = d.int(1, Math.max(1, Math.floor(MAX_ELEMENTS / (C * length))));
  const random = { p: d.pick([0, 0.15, 0.5, 0.9]), seed: d.int(0, 2 ** 31), stream: d.int(0, 99), offset: d.int(0, 99) };
  const n1d = batch * C * length, one = { ...random, count }, per = { ...random, batch, channels: C, length };
  const amsgrad = d.chance(0.5), decoupled = d.chance(0.5), momentum = d.pick([0, 0.9]);
  return [
    { kernel: 'reluForward', args: [arg('y', 'out', count), arg('x', 'in', count)], params: { count }, sum: 0 },
    { kernel: 'reluBackward', args: [arg('dx', 'out', count), arg('dy', 'in', count), arg('y', 'in', count)], params: { count }, sum: 0 },
    { kernel: 'dropoutForward', args: [arg('y', 'out', count), arg('x', 'in', count)], params: one, sum: 0 },
    { kernel: 'dropoutBackward', args: [arg('dx', 'out', count), arg('dy', 'in', count)], params: one, sum: 0 },
    { kernel: 'dropout1dForward', args: [arg('y', 'out', n1d), arg('x', 'in', n1d)], params: per, sum: 0 },
    { kernel: 'dropout1dBackward', args: [arg('dx', 'out', n1d), arg('dy', 'in', n1d)], params: per, sum: 0 },
    {
      kernel: 'adamUpdate',
      args: [arg('param', 'inout', count), arg('expAvg', 'inout', count, { scale: 0.01 }), arg('expAvgSq', 'inout', count, { scale: 1e-4, shift: 1e-4 }),
        amsgrad ? arg('maxExpAvgSq', 'inout', count, { scale: 1e-4, shift: 1.5e-4 }) : arg('maxExpAvgSq', 'null', 0), arg('grad', 'in', count)],
      params: { count, beta1: 0.9, beta2: 0.999, oneMinusBeta1: 0.1, oneMinusBeta2: 0.001, weightDecay: decoupled ? 0 : 0.01, eps: 1e-8,
        decay: decoupled ? 0.99999 : 1, c2Sqrt: 0.05, negStep: -0.01, decoupled, maximize: d.chance(0.2), amsgrad },
      sum: 0,
    },
    {
      kernel: 'sgdUpdate',
      args: [arg('param', 'inout', count), momentum ? arg('momentumBuffer', 'inout', count) : arg('momentumBuffer', 'null', 0), arg('grad', 'in', count)],
      params: { count, weightDecay: 0.01, momentum, oneMinusDampening: 0.9, negLr: -0.01, nesterov: momentum > 0 && d.chance(0.5), maximize: false, firstStep: d.chance(0.2) },
      sum: 0,
    },
  ];
}

/** The families in the order a case picks them from (the convolutions twice as often). */
const FAMILIES = [convCalls, convCalls, linearCalls, batchNormCalls, elementwiseCalls] as const;

/** The calls of case `index` under `seed`: a function of (seed, index) alone. */
export function sweepCase(seed: number, index: number): Call[] {
  const r = mulberry32(Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  const d: Draw = {
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r() * xs.length)]!,
    chance: (p) => r() < p,
  };
  return d.pick(FAMILIES)(d);
}

export interface SweepOptions {
  seed: number;
  /** Stop starting new cases after this many seconds (default 60). */
  seconds?: number;
  /** Run exactly these case indices instead (e.g. [i] to replay case i). */
  cases?: readonly number[];
  /** The kernel sets under test (default: every native level of this machine). */
  levels?: readonly NamedKernels[];
  /** Sets the native thread count (default: the addon's). */
  setThreads?: (threads: number) => void;
}

export interface SweepResult {
  seed: number;
  /** Cases run (each a family of kernels on one shape). */
  cases: number;
  /** Comparisons made: one per kernel call, level and thread count. */
  checks: number;
  levels: string[];
  /** One line per problem, with the case index to replay it. */
  problems: string[];
}

const THREADS = [1, 2, 3, 4];
const sameBits = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;

function tolerance(call: Call): { atol: number; rtol: number } {
  return call.sum === 0 ? { atol: 0, rtol: 0 } : { atol: 2 ** -22 * Math.max(call.sum, 16), rtol: 1e-4 };
}

/**
 * Runs the sweep. A native kernel that throws is reported as a problem; the reference throwing would
 * mean this script drew invalid parameters, and propagates.
 */
export function sweep(options: SweepOptions): SweepResult {
  const { seed } = options;
  const levels = options.levels ?? nativeSets;
  const setThreads = options.setThreads ?? ((t: number) => addon?.setNumThreads(t));
  const threadsBefore = addon?.numThreads();
  const result: SweepResult = { seed, cases: 0, checks: 0, levels: levels.map((l) => l.name), problems: [] };
  const deadline = Date.now() + (options.seconds ?? 60) * 1000;
  try {
    for (let i = 0; options.cases ? i < options.cases.length : Date.now() < deadline; i++) {
      const index = options.cases ? options.cases[i]! : i;
      for (const call of sweepCase(seed, index)) {
        const where = `case ${index} ${call.kernel} ${JSON.stringify(call.params)}`;
        const want = runKernel(refSet.kernels, call.kernel, call.args, call.params, index);
        for (const level of levels) result.problems.push(...checkLevel(level, call, want, index, setThreads, where, result));
      }
      result.cases++;
    }
  } finally {
    if (threadsBefore !== undefined) addon?.setNumThreads(threadsBefore);
  }
  return result;
}

/** One level's problems with one call (at most one: the first found); counts its checks in `result`. */
function checkLevel({ name, kernels }: NamedKernels, call: Call, want: Outputs, index: number,
  setThreads: (t: number) => void, where: string, result: SweepResult): string[] {
  const tol = tolerance(call);
  let first: Outputs | null = null;
  for (const threads of THREADS) {
    setThreads(threads);
    let got: Outputs;
    try {
      got = runKernel(kernels, call.kernel, call.args, call.params, index);
    } catch (e) {
      return [`${name} with ${threads} thread${threads > 1 ? 's' : ''}: threw ${(e as Error).message}: ${where}`];
    }
    result.checks++;
    if (first === null) {
      first = got;
      for (const k of Object.keys(want)) {
        const i = firstMismatch(got[k]!, want[k]!, tol);
        if (i >= 0) return [`${name}: ${k}[${i}] = ${got[k]![i]}, the reference ${want[k]![i]} (atol ${tol.atol}, rtol ${tol.rtol}): ${where}`];
      }
    } else {
      for (const k of Object.keys(first)) {
        if (!sameBits(first[k]!, got[k]!)) return [`${name}: ${k} with ${threads} threads differs from 1 thread: ${where}`];
      }
    }
  }
  return [];
}

function main(): void {
  const USAGE = 'Usage: npm run test:shapes -- [--seed N] [--seconds S] [--case I] [--json]';
  let v;
  try {
    v = parseArgs({ options: { seed: { type: 'string', default: '1' }, seconds: { type: 'string', default: '60' }, case: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }).values;
  } catch (e) {
    console.error(`sweep-shapes: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (v.help) return console.log(USAGE);
  const seed = Number(v.seed), seconds = Number(v.seconds), replay = v.case === undefined ? undefined : Number(v.case);
  const bad = !Number.isSafeInteger(seed) || seed < 0 ? `--seed must be a non-negative integer, got "${v.seed}"`
    : !(seconds > 0 && seconds <= 86400) ? `--seconds must be in (0, 86400], got "${v.seconds}"`
    : replay !== undefined && !(Number.isSafeInteger(replay) && replay >= 0) ? `--case must be a non-negative integer, got "${v.case}"` : null;
  if (bad) {
    console.error(`sweep-shapes: ${bad}\n${USAGE}`);
    process.exit(2);
  }
  if (nativeSets.length === 0) {
    console.error('sweep-shapes: the native addon is not built (npm install builds it); there is nothing to compare');
    process.exit(1);
  }
  const r = sweep({ seed, seconds, ...(replay !== undefined ? { cases: [replay] } : {}) });
  if (v.json) console.log(JSON.stringify(r));
  else {
    for (const p of r.problems) console.log(p);
    console.log(`seed ${r.seed}: ${r.cases} random shapes, ${r.checks} checks (${r.levels.join(', ')}; 1-4 threads): ${r.problems.length} problems`);
  }
  process.exitCode = r.problems.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
