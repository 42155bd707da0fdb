/**
 * The kernel layer under the layers: runs every kernel once on the reference (JS) backend and on the
 * native addon at the selected CPU level, with the shapes of the first block of the DESIGN.md §1
 * backbone (batch 32, 14 channels, window 30, 64 filters) and its 1920 → 128 head, then prints, per
 * kernel, the largest difference between the two backends and the time of each. Exits with status 1
 * if any kernel disagrees beyond 1e-4 relative.
 *
 *   npx tsx examples/kernel-tour.ts
 *   KEEL_CPU=scalar npx tsx examples/kernel-tour.ts      (force a CPU level)
 *
 * The inputs come from a fixed linear congruential sequence, not keel's generator, so the tour draws
 * nothing from (and does not shift) the caller's random numbers.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type BackendInfo, conv1dOutLength, KERNEL_NAMES, type KernelName, type KernelSet, loadBackend, referenceKernels } from 'keel';

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
  batchNorm1dReluDropoutBackwardWithOutput: (k) => {
    // act stands in for the forward's output: the kernel reads its decisions off y > 0
    const dx = z(act.length), dg = z(F), db = z(F);
    k.batchNorm1dReluDropoutBackwardWithOutput(dx, dg, db, dy, act, act, mean, invstd, gamma, { ...bn, training: true, ...drop });
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
  gatherRows: (k) => {
    const out = z(4 * HIDDEN);
    k.gatherRows(out, wl, Int32Array.from([3, 0, 1, 2]), { rows: 4, rowLength: HIDDEN, srcRows: wl.length / HIDDEN });
    return [out];
  },
  linearForwardStats: (k) => {
    const y = z(N * HIDDEN), m = new Float64Array(HIDDEN), v = new Float64Array(HIDDEN);
    k.linearForwardStats(y, m, v, h, wl, bl, lin);
    return [y, Float32Array.from(m), Float32Array.from(v)];
  },
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
  adamUpdateMulti: (k) => {
    const tensors = [wl, bl].map((w, i) => ({
      param: w.slice(), expAvg: z(w.length), expAvgSq: z(w.length).fill(1e-4), maxExpAvgSq: null, grad: w.map((x) => x * 0.5),
      // AdamW; the two tensors at different steps (i + 1).
      params: { count: w.length, beta1: 0.9, beta2: 0.999, oneMinusBeta1: Math.fround(0.1), oneMinusBeta2: Math.fround(0.001),
        weightDecay: 0.01, eps: 1e-8, decay: Math.fround(1 - 1e-4), c2Sqrt: Math.fround(Math.sqrt(1 - 0.999 ** (i + 1))),
        negStep: Math.fround(-0.01 / (1 - 0.9 ** (i + 1))), decoupled: true, maximize: false, amsgrad: false },
    }));
    k.adamUpdateMulti(tensors);
    return tensors.flatMap((t) => [t.param, t.expAvg, t.expAvgSq]);
  },
  nonFiniteIndex: (k) => {
    const g = wl.slice();
    g[g.length - 3] = NaN;
    return [Float32Array.of(k.nonFiniteIndex(g, { count: g.length }))];
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

export const TOLERANCE = 1e-4;

export interface KernelTourOptions {
  /** The kernel set checked against the reference. Default: the native addon's, if it loads; otherwise none (only the reference runs). */
  kernels?: KernelSet | null;
}

export interface KernelTourRow {
  kernel: KernelName;
  refMs: number;
  /** null when there is no kernel set to compare. */
  nativeMs: number | null;
  /** Largest |native − ref| / max(1, |ref|) over the kernel's outputs; null when there is nothing to compare. */
  maxRelDiff: number | null;
  /** Within TOLERANCE (true when there is nothing to compare). */
  ok: boolean;
}

export function kernelTour(options: KernelTourOptions = {}): KernelTourRow[] {
  const other = options.kernels === undefined ? nativeBackend().kernels : options.kernels;
  return KERNEL_NAMES.map((kernel) => {
    const ref = timed(() => calls[kernel](referenceKernels));
    if (!other) return { kernel, refMs: ref.ms, nativeMs: null, maxRelDiff: null, ok: true };
    const nat = timed(() => calls[kernel](other));
    const diff = maxRelDiff(nat.result, ref.result);
    return { kernel, refMs: ref.ms, nativeMs: nat.ms, maxRelDiff: diff, ok: diff <= TOLERANCE };
  });
}

/** The addon's kernel set and what was selected, or null kernels when only the JS reference is available. */
function nativeBackend(): { kernels: KernelSet | null; info: BackendInfo } {
  const { info, kernels } = loadBackend();
  return { kernels: info.backend === 'native' ? kernels : null, info };
}

function main(): void {
  const { info, kernels } = nativeBackend();
  console.log(`keel kernel tour: x (${N}, ${C}, ${L}) → Conv1d(${C}→${F}, k=3, p=1) → BatchNorm1d → ReLU → Dropout(0.15) → Linear(${F * Lout}→${HIDDEN})`);
  console.log(kernels
    ? `native backend: ${info.addonPath}\nCPU level: ${info.isa} (detected ${info.detectedIsa}; supported: ${info.supportedIsas.join(', ')}); ` +
      `kernel variants in use: ${[...new Set(Object.values(info.variants))].join(', ')}\n`
    : 'native backend: not available — only the JS reference runs (in a checkout `npm install` builds it; in an installed package, `npx keel build`)\n');
  const rows = kernelTour({ kernels });
  const nameWidth = Math.max(...KERNEL_NAMES.map((n) => n.length)) + 2;
  console.log(`${'kernel'.padEnd(nameWidth)}${'ref ms'.padStart(9)}${'native ms'.padStart(11)}${'speed-up'.padStart(10)}   max rel diff   check`);
  for (const r of rows) {
    let line = `${r.kernel.padEnd(nameWidth)}${r.refMs.toFixed(2).padStart(9)}`;
    if (r.nativeMs !== null) {
      line += `${r.nativeMs.toFixed(2).padStart(11)}${(r.refMs / r.nativeMs).toFixed(1).padStart(9)}×   ${r.maxRelDiff!.toExponential(2).padStart(12)}   ${r.ok ? 'ok' : 'MISMATCH'}`;
    }
    console.log(line);
  }
  const failed = rows.filter((r) => !r.ok).length;
  console.log(kernels
    ? `\n${rows.length - failed}/${rows.length} kernels agree between native and reference within ${TOLERANCE} relative (single cold runs; see npm run bench for timings).`
    : '\nRan every reference kernel.');
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
