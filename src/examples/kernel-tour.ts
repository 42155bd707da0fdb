/**
 * The quick-start job (until the `keel` CLI exists): runs every kernel once on the reference (JS)
 * backend and on the native addon at the selected CPU level, with the shapes of the first block of
 * the DESIGN.md §1 backbone (batch 32, 14 channels, window 30, 64 filters) and its 1920 → 128 head,
 * then prints, per kernel, the largest difference between the two backends and the time of each.
 * Exits with status 1 if any kernel disagrees beyond 1e-4 relative.
 *
 *   npm start                       (after npm install)
 *   KEEL_CPU=scalar npm start       (force a CPU level)
 */
import { performance } from 'node:perf_hooks';
import { loadBackend } from '../backend/loader.js';
import { KERNEL_NAMES, type KernelName, type KernelSet, referenceKernels } from '../backend/kernel-set.js';
import { conv1dOutLength } from '../ref/conv1d.js';

const N = 32, C = 14, L = 30, F = 64, HIDDEN = 128;
const conv = { batch: N, inChannels: C, inLength: L, outChannels: F, kernelSize: 3, stride: 1, padLeft: 1, padRight: 1, dilation: 1, groups: 1 };
const Lout = conv1dOutLength(conv);
const bn = { batch: N, channels: F, length: Lout };
const lin = { batch: N, inFeatures: F * Lout, outFeatures: HIDDEN };
const drop = { p: 0.15, seed: 2024, stream: 1, offset: 0 };

let state = 12345;
function random(n: number, scale = 1, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    a[i] = (state / 2 ** 32 - 0.5) * 2 * scale + shift;
  }
  return a;
}

const x = random(N * C * L), w = random(F * C * 3, 0.3), cb = random(F, 0.1);
const act = random(N * F * Lout), dy = random(N * F * Lout);
const gamma = random(F, 0.2, 1), beta = random(F, 0.1), mean = random(F, 0.1), invstd = random(F, 0.2, 1);
const h = random(N * F * Lout), wl = random(HIDDEN * F * Lout, 0.02), bl = random(HIDDEN, 0.1), dh = random(N * HIDDEN);
const z = (n: number) => new Float32Array(n);

/** One call per kernel: returns its outputs (fresh arrays, so the backends never share state). */
const calls: Record<KernelName, (k: KernelSet) => Array<Float32Array | Uint8Array>> = {
  conv1dForward: (k) => { const y = z(N * F * Lout); k.conv1dForward(y, x, w, cb, conv); return [y]; },
  conv1dBackwardData: (k) => { const o = z(x.length); k.conv1dBackwardData(o, dy, w, conv); return [o]; },
  conv1dBackwardWeight: (k) => { const o = z(w.length); k.conv1dBackwardWeight(o, x, dy, conv); return [o]; },
  conv1dBackwardBias: (k) => { const o = z(F); k.conv1dBackwardBias(o, dy, conv); return [o]; },
  batchNorm1dTrainForward: (k) => {
    const y = z(act.length), m = z(F), s = z(F), rm = z(F), rv = z(F).fill(1);
    k.batchNorm1dTrainForward(y, m, s, rm, rv, act, gamma, beta, { ...bn, eps: 1e-5, momentum: 0.1 });
    return [y, m, s, rm, rv];
  },
  batchNorm1dEvalForward: (k) => { const y = z(act.length); k.batchNorm1dEvalForward(y, act, mean, invstd, gamma, beta, { ...bn, eps: 1e-5 }); return [y]; },
  batchNorm1dBackward: (k) => {
    const dx = z(act.length), dg = z(F), db = z(F);
    k.batchNorm1dBackward(dx, dg, db, dy, act, mean, invstd, gamma, { ...bn, training: true });
    return [dx, dg, db];
  },
  batchNorm1dReluDropoutForward: (k) => {
    const y = z(act.length), m = z(F), s = z(F), rm = z(F), rv = z(F).fill(1);
    k.batchNorm1dReluDropoutForward(y, m, s, rm, rv, act, gamma, beta, { ...bn, eps: 1e-5, momentum: 0.1, training: true, ...drop });
    return [y, m, s, rm, rv];
  },
  batchNorm1dReluDropoutBackward: (k) => {
    const dx = z(act.length), dg = z(F), db = z(F);
    k.batchNorm1dReluDropoutBackward(dx, dg, db, dy, act, mean, invstd, gamma, beta, { ...bn, training: true, ...drop });
    return [dx, dg, db];
  },
  batchNorm1dReluDropoutForwardWithStats: (k) => {
    const y = z(act.length), m = z(F), s = z(F), rm = z(F), rv = z(F).fill(1);
    const bm = Float64Array.from(mean), bv = Float64Array.from(invstd, (v) => 1 / (v * v));
    k.batchNorm1dReluDropoutForwardWithStats(y, m, s, rm, rv, act, bm, bv, gamma, beta, { ...bn, eps: 1e-5, momentum: 0.1, training: true, ...drop });
    return [y, m, s, rm, rv];
  },
  conv1dForwardStats: (k) => {
    const y = z(N * F * Lout), m = new Float64Array(F), v = new Float64Array(F);
    k.conv1dForwardStats(y, m, v, x, w, cb, conv);
    return [y, Float32Array.from(m), Float32Array.from(v)];
  },
  conv1dReluForward: (k) => { const y = z(N * F * Lout); k.conv1dReluForward(y, x, w, cb, conv); return [y]; },
  dropoutMask: (k) => { const m = new Uint8Array(act.length); k.dropoutMask(m, { count: act.length, ...drop }); return [m]; },
  dropoutForward: (k) => { const y = z(act.length); k.dropoutForward(y, act, { count: act.length, ...drop }); return [y]; },
  dropoutBackward: (k) => { const o = z(act.length); k.dropoutBackward(o, dy, { count: act.length, ...drop }); return [o]; },
  dropout1dMask: (k) => { const m = new Uint8Array(N * F); k.dropout1dMask(m, { ...bn, ...drop }); return [m]; },
  dropout1dForward: (k) => { const y = z(act.length); k.dropout1dForward(y, act, { ...bn, ...drop }); return [y]; },
  dropout1dBackward: (k) => { const o = z(act.length); k.dropout1dBackward(o, dy, { ...bn, ...drop }); return [o]; },
  reluForward: (k) => { const y = z(act.length); k.reluForward(y, act, { count: act.length }); return [y]; },
  reluBackward: (k) => { const o = z(act.length); k.reluBackward(o, dy, act, { count: act.length }); return [o]; },
  linearForward: (k) => { const y = z(N * HIDDEN); k.linearForward(y, h, wl, bl, lin); return [y]; },
  linearBackwardData: (k) => { const o = z(h.length); k.linearBackwardData(o, dh, wl, lin); return [o]; },
  linearBackwardWeight: (k) => { const o = z(wl.length); k.linearBackwardWeight(o, h, dh, lin); return [o]; },
  linearBackwardBias: (k) => { const o = z(HIDDEN); k.linearBackwardBias(o, dh, lin); return [o]; },
  adamUpdate: (k) => {
    const p = wl.slice(), m = z(wl.length), v = z(wl.length).fill(1e-4), n = wl.length;
    k.adamUpdate(p, m, v, null, wl.map((w) => w * 0.5), { count: n, beta1: 0.9, beta2: 0.999, oneMinusBeta1: Math.fround(0.1),
      oneMinusBeta2: Math.fround(0.001), weightDecay: 1e-5, eps: 1e-8, decay: 1, c2Sqrt: Math.fround(Math.sqrt(0.001)), negStep: -0.01,
      decoupled: false, maximize: false, amsgrad: false });
    return [p, m, v];
  },
  sgdUpdate: (k) => {
    const p = wl.slice(), b = wl.map((w) => w * 0.1);
    k.sgdUpdate(p, b, wl.map((w) => w * 0.5), { count: wl.length, weightDecay: 1e-5, momentum: 0.9, oneMinusDampening: 1, negLr: -0.01,
      nesterov: true, maximize: false, firstStep: false });
    return [p, b];
  },
};

function timed<T>(fn: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = fn();
  return { result, ms: performance.now() - t0 };
}

/** Largest |a - b| / max(1, |b|) over all outputs. */
function maxRelDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let worst = 0;
  a.forEach((out, j) => {
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - b[j]![i]!) / Math.max(1, Math.abs(b[j]![i]!)));
  });
  return worst;
}

const native = loadBackend();
const nativeKernels = native.info.backend === 'native' ? native.kernels : null;
console.log(`keel kernel tour: x (${N}, ${C}, ${L}) → Conv1d(${C}→${F}, k=3, p=1) → BatchNorm1d → ReLU → Dropout(0.15) → Linear(${F * Lout}→${HIDDEN})`);
console.log(nativeKernels
  ? `native backend: ${native.info.addonPath}\nCPU level: ${native.info.isa} (detected ${native.info.detectedIsa}; supported: ${native.info.supportedIsas.join(', ')}); ` +
    `kernel variants in use: ${[...new Set(Object.values(native.info.variants))].join(', ')}\n`
  : 'native backend: not available — only the JS reference runs (in a checkout `npm install` builds it; in an installed package, `npx keel build`)\n');

const TOLERANCE = 1e-4;
let failed = 0;
console.log(`${'kernel'.padEnd(26)}${'ref ms'.padStart(9)}${'native ms'.padStart(11)}${'speed-up'.padStart(10)}   max rel diff   check`);
for (const name of KERNEL_NAMES) {
  const ref = timed(() => calls[name](referenceKernels));
  let line = `${name.padEnd(26)}${ref.ms.toFixed(2).padStart(9)}`;
  if (nativeKernels) {
    const nat = timed(() => calls[name](nativeKernels));
    const diff = maxRelDiff(nat.result, ref.result);
    const ok = diff <= TOLERANCE;
    if (!ok) failed++;
    line += `${nat.ms.toFixed(2).padStart(11)}${(ref.ms / nat.ms).toFixed(1).padStart(9)}×   ${diff.toExponential(2).padStart(12)}   ${ok ? 'ok' : 'MISMATCH'}`;
  }
  console.log(line);
}
console.log(nativeKernels
  ? `\n${KERNEL_NAMES.length - failed}/${KERNEL_NAMES.length} kernels agree between native and reference within ${TOLERANCE} relative (single cold runs; see npm run bench for timings).`
  : '\nRan every reference kernel.');
process.exitCode = failed ? 1 : 0;
