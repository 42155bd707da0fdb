/**
 * Every reference backward kernel against float64 central finite differences of its forward
 * (method and error budget in ./helpers/gradcheck.ts). All arrays are Float64Array, so the reference
 * kernels compute entirely in float64. Cases are small so the whole file runs in well under a second
 * per kernel.
 */
import { describe, it, expect } from 'vitest';
import * as ref from '../src/ref/index.js';
import { gradcheck, rand64 } from './helpers/gradcheck.js';

type Inputs = Record<string, Float64Array>;

// ---------------------------------------------------------------------------------------------
// conv1d

interface ConvCase extends ref.Conv1dParams {
  bias: boolean;
  /** The case is meant to leave some x elements outside every output's receptive field. */
  uncovered?: boolean;
}

const conv = (p: Partial<ConvCase> & Pick<ConvCase, 'inChannels' | 'outChannels' | 'inLength' | 'kernelSize'>): ConvCase => ({
  batch: 1, stride: 1, padLeft: 0, padRight: 0, dilation: 1, groups: 1, bias: true, ...p,
});

const convCases: ConvCase[] = [
  conv({ inChannels: 2, outChannels: 3, inLength: 8, kernelSize: 3 }),
  conv({ inChannels: 2, outChannels: 3, inLength: 8, kernelSize: 3, batch: 2, bias: false }),
  conv({ inChannels: 2, outChannels: 2, inLength: 9, kernelSize: 3, batch: 2, stride: 2, padLeft: 1, padRight: 1 }),
  // Lout = floor((10 - 3) / 3) + 1 = 3 reaches u = 8 only: x[..., 9] gets no gradient.
  conv({ inChannels: 2, outChannels: 2, inLength: 10, kernelSize: 3, stride: 3, uncovered: true }),
  // stride 3 with symmetric padding: Lout = floor((11 + 2 - 3) / 3) + 1 = 4, last window u = 8..10.
  conv({ inChannels: 1, outChannels: 2, inLength: 11, kernelSize: 3, batch: 2, stride: 3, padLeft: 1, padRight: 1, bias: false }),
  conv({ inChannels: 3, outChannels: 2, inLength: 9, kernelSize: 3, dilation: 2, padLeft: 2, padRight: 2 }),
  // Asymmetric padding, left > right and right > left.
  conv({ inChannels: 2, outChannels: 3, inLength: 7, kernelSize: 4, padLeft: 2, padRight: 1, batch: 2 }),
  conv({ inChannels: 2, outChannels: 2, inLength: 7, kernelSize: 3, padLeft: 0, padRight: 3, dilation: 2, bias: false }),
  // Padding wider than the kernel reach: the edge outputs see padding plus at most one element.
  conv({ inChannels: 1, outChannels: 1, inLength: 5, kernelSize: 3, padLeft: 3, padRight: 2 }),
  // groups 2.
  conv({ inChannels: 4, outChannels: 2, inLength: 8, kernelSize: 3, groups: 2, batch: 2, padLeft: 1, padRight: 1 }),
  conv({ inChannels: 4, outChannels: 6, inLength: 9, kernelSize: 2, groups: 2, stride: 2, dilation: 2, padLeft: 1, padRight: 0, bias: false }),
  // Depthwise (groups = inChannels), with channel multiplier 1 and 2.
  conv({ inChannels: 3, outChannels: 3, inLength: 8, kernelSize: 3, groups: 3, batch: 2, padLeft: 1, padRight: 1 }),
  conv({ inChannels: 3, outChannels: 6, inLength: 10, kernelSize: 3, groups: 3, stride: 2, padLeft: 2, padRight: 0, dilation: 2, bias: false }),
  // stride 2, dilation 2, no padding: only even u are ever read (and u = 8 is the last), odd u get no gradient.
  conv({ inChannels: 2, outChannels: 2, inLength: 9, kernelSize: 2, stride: 2, dilation: 2, batch: 2, uncovered: true }),
  // Pointwise strided: Lout = 4 reads u = 0, 3, 6, 9; the other positions get no gradient.
  conv({ inChannels: 2, outChannels: 4, inLength: 11, kernelSize: 1, stride: 3, groups: 2, uncovered: true }),
  // Depthwise stride 3, dilation 2, asymmetric padding, tail left uncovered:
  // Lout = floor((11 + 1 - 5) / 3) + 1 = 3, windows start at u = -1, 2, 5 and reach at most u = 9.
  conv({ inChannels: 2, outChannels: 2, inLength: 11, kernelSize: 3, groups: 2, stride: 3, dilation: 2, padLeft: 1, padRight: 0, batch: 2, uncovered: true }),
];

function convName(c: ConvCase): string {
  return (
    `N=${c.batch} Cin=${c.inChannels} Cout=${c.outChannels} L=${c.inLength} K=${c.kernelSize} s=${c.stride} ` +
    `pad=(${c.padLeft},${c.padRight}) d=${c.dilation} g=${c.groups} bias=${c.bias}`
  );
}

/** Positions u of x read by some output (independent of the kernels: straight from the definition). */
function coveredPositions(c: ConvCase): boolean[] {
  const covered = new Array<boolean>(c.inLength).fill(false);
  const Lout = ref.conv1dOutLength(c);
  for (let t = 0; t < Lout; t++) {
    for (let j = 0; j < c.kernelSize; j++) {
      const u = t * c.stride - c.padLeft + j * c.dilation;
      if (u >= 0 && u < c.inLength) covered[u] = true;
    }
  }
  return covered;
}

function convSpec(c: ConvCase, seed: number) {
  const { bias, uncovered, ...params } = c;
  void uncovered;
  const Lout = ref.conv1dOutLength(params);
  const cinG = c.inChannels / c.groups;
  const inputs: Inputs = {
    x: rand64(c.batch * c.inChannels * c.inLength, seed),
    w: rand64(c.outChannels * cinG * c.kernelSize, seed + 1, 0.5),
  };
  if (bias) inputs.b = rand64(c.outChannels, seed + 2);
  return {
    kernel: 'conv1d',
    case: convName(c),
    inputs,
    shapes: { x: [c.batch, c.inChannels, c.inLength], w: [c.outChannels, cinG, c.kernelSize] },
    seed: seed + 3,
    forward: (v: Inputs) => {
      const y = new Float64Array(c.batch * c.outChannels * Lout);
      ref.conv1dForward(y, v.x!, v.w!, v.b ?? null, params);
      return y;
    },
    backward: (dy: Float64Array, v: Inputs) => {
      const dx = new Float64Array(v.x!.length), dw = new Float64Array(v.w!.length);
      ref.conv1dBackwardData(dx, dy, v.w!, params);
      ref.conv1dBackwardWeight(dw, v.x!, dy, params);
      const grads: Inputs = { x: dx, w: dw };
      if (bias) {
        const db = new Float64Array(c.outChannels);
        ref.conv1dBackwardBias(db, dy, params);
        grads.b = db;
      }
      return grads;
    },
  };
}

describe('gradcheck: conv1d (conv1dBackwardData, conv1dBackwardWeight, conv1dBackwardBias)', () => {
  it.each(convCases.map((c, i) => [convName(c), c, i] as const))('%s', (_name, c, i) => {
    const r = gradcheck(convSpec(c, 100 + 10 * i));
    // Elements of x outside every receptive field: the forward never reads them, so the numeric
    // gradient is exactly 0, and the analytic one must be exactly 0 too.
    const covered = coveredPositions(c);
    const nUncovered = covered.filter((v) => !v).length;
    if (c.uncovered) expect(nUncovered, 'case is meant to leave x elements without gradient').toBeGreaterThan(0);
    const dx = r.analytic.x!, num = r.numeric.x!;
    for (let i = 0; i < dx.length; i++) {
      if (!covered[i % c.inLength]) {
        expect(num[i], `numeric dx[${i}]`).toBe(0);
        expect(dx[i], `conv1dBackwardData dx[${i}] (position ${i % c.inLength} is read by no output)`).toBe(0);
      }
    }
    // Not vacuous: some gradient of every input is far from 0.
    for (const [name, g] of Object.entries(r.analytic)) {
      expect(Math.max(...g.map(Math.abs)), `max |d${name}|`).toBeGreaterThan(1e-2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// batchNorm1d

interface BnCase {
  batch: number;
  channels: number;
  length: number;
  affine: boolean;
  running: boolean;
  /** (N, C) input when false: length must be 1. */
  is3d: boolean;
}

const bnCases: BnCase[] = [
  { batch: 5, channels: 3, length: 1, is3d: false, affine: true, running: true },
  { batch: 4, channels: 2, length: 1, is3d: false, affine: true, running: false },
  { batch: 4, channels: 3, length: 1, is3d: false, affine: false, running: true },
  { batch: 6, channels: 2, length: 1, is3d: false, affine: false, running: false },
  { batch: 2, channels: 3, length: 4, is3d: true, affine: true, running: true },
  { batch: 3, channels: 2, length: 3, is3d: true, affine: true, running: false },
  { batch: 2, channels: 2, length: 5, is3d: true, affine: false, running: true },
  { batch: 1, channels: 3, length: 6, is3d: true, affine: false, running: false },
  { batch: 1, channels: 2, length: 5, is3d: true, affine: true, running: true },
];

const bnName = (c: BnCase) =>
  `${c.is3d ? `(N,C,L)=(${c.batch},${c.channels},${c.length})` : `(N,C)=(${c.batch},${c.channels})`} ` +
  `affine=${c.affine} running=${c.running}`;

const EPS = 1e-5;

function bnInputs(c: BnCase, seed: number): Inputs {
  // x: per-element values in [-1.5, 2.5), so every channel has a variance of order 1 and the
  // normalisation is far from the eps-dominated regime.
  const inputs: Inputs = { x: rand64(c.batch * c.channels * c.length, seed, 2, 0.5) };
  if (c.affine) {
    inputs.weight = rand64(c.channels, seed + 1, 1, 0.25); // includes negative weights
    inputs.bias = rand64(c.channels, seed + 2);
  }
  return inputs;
}

function bnTrainForward(c: BnCase, v: Inputs, running: { mean: Float64Array; var: Float64Array } | null) {
  const n = c.batch * c.channels * c.length;
  const y = new Float64Array(n), saveMean = new Float64Array(c.channels), saveInvstd = new Float64Array(c.channels);
  const rm = running ? Float64Array.from(running.mean) : null, rv = running ? Float64Array.from(running.var) : null;
  ref.batchNorm1dTrainForward(y, saveMean, saveInvstd, rm, rv, v.x!, v.weight ?? null, v.bias ?? null, {
    batch: c.batch, channels: c.channels, length: c.length, eps: EPS, momentum: 0.1,
  });
  return { y, saveMean, saveInvstd };
}

function bnBackward(c: BnCase, dy: Float64Array, v: Inputs, mean: Float64Array, invstd: Float64Array, training: boolean): Inputs {
  const dx = new Float64Array(v.x!.length);
  const dweight = c.affine ? new Float64Array(c.channels) : null, dbias = c.affine ? new Float64Array(c.channels) : null;
  ref.batchNorm1dBackward(dx, dweight, dbias, dy, v.x!, mean, invstd, v.weight ?? null, {
    batch: c.batch, channels: c.channels, length: c.length, training,
  });
  return c.affine ? { x: dx, weight: dweight!, bias: dbias! } : { x: dx };
}

function bnTrainSpec(c: BnCase, seed: number) {
  const running = c.running ? { mean: rand64(c.channels, seed + 5, 3), var: rand64(c.channels, seed + 6, 1, 2) } : null;
  return {
    kernel: 'batchNorm1d(train)',
    case: bnName(c),
    inputs: bnInputs(c, seed),
    shapes: { x: [c.batch, c.channels, c.length] },
    seed: seed + 3,
    running,
    forward: (v: Inputs) => bnTrainForward(c, v, running).y,
    backward: (dy: Float64Array, v: Inputs) => {
      const { saveMean, saveInvstd } = bnTrainForward(c, v, running);
      return bnBackward(c, dy, v, saveMean, saveInvstd, true);
    },
  };
}

describe('gradcheck: batchNorm1d training (batchNorm1dTrainForward + batchNorm1dBackward, training: true)', () => {
  it.each(bnCases.map((c, i) => [bnName(c), c, i] as const))('%s', (_name, c, i) => {
    const spec = bnTrainSpec(c, 300 + 10 * i);
    // Running statistics are updated but never read by the training forward: the output is
    // bit-identical with them, without them, and with other values in them.
    const ref0 = bnTrainForward(c, spec.inputs, null).y;
    const other = { mean: rand64(c.channels, 7, 10), var: rand64(c.channels, 8, 0.5, 5) };
    expect(Array.from(bnTrainForward(c, spec.inputs, other).y)).toEqual(Array.from(ref0));
    if (spec.running) expect(Array.from(bnTrainForward(c, spec.inputs, spec.running).y)).toEqual(Array.from(ref0));

    const r = gradcheck(spec);
    for (const [name, g] of Object.entries(r.analytic)) {
      expect(Math.max(...g.map(Math.abs)), `max |d${name}|`).toBeGreaterThan(1e-2);
    }
    // The training dx sums to 0 over each channel (dx is orthogonal to the mean direction).
    const M = c.batch * c.length;
    for (let ch = 0; ch < c.channels; ch++) {
      let s = 0;
      for (let n = 0; n < c.batch; n++) for (let l = 0; l < c.length; l++) s += r.analytic.x![(n * c.channels + ch) * c.length + l]!;
      expect(Math.abs(s), `sum of dx over channel ${ch} (M = ${M})`).toBeLessThan(1e-12);
    }
  });
});

function bnEvalSpec(c: BnCase, seed: number) {
  const runningMean = rand64(c.channels, seed + 5);
  const runningVar = rand64(c.channels, seed + 6, 0.5, 1); // in [0.5, 1.5)
  const params = { batch: c.batch, channels: c.channels, length: c.length, eps: EPS };
  const invstd = runningVar.map((v) => 1 / Math.sqrt(v + EPS));
  return {
    kernel: 'batchNorm1d(eval)',
    case: bnName(c),
    inputs: bnInputs(c, seed),
    shapes: { x: [c.batch, c.channels, c.length] },
    seed: seed + 3,
    forward: (v: Inputs) => {
      const y = new Float64Array(v.x!.length);
      ref.batchNorm1dEvalForward(y, v.x!, runningMean, runningVar, v.weight ?? null, v.bias ?? null, params);
      return y;
    },
    backward: (dy: Float64Array, v: Inputs) => bnBackward(c, dy, v, runningMean, invstd, false),
  };
}

const bnEvalCases: BnCase[] = [
  { batch: 4, channels: 3, length: 1, is3d: false, affine: true, running: true },
  { batch: 1, channels: 2, length: 1, is3d: false, affine: true, running: true },
  { batch: 3, channels: 2, length: 1, is3d: false, affine: false, running: true },
  { batch: 2, channels: 3, length: 4, is3d: true, affine: true, running: true },
  { batch: 2, channels: 2, length: 3, is3d: true, affine: false, running: true },
];

describe('gradcheck: batchNorm1d eval (batchNorm1dEvalForward + batchNorm1dBackward, training: false)', () => {
  it.each(bnEvalCases.map((c, i) => [bnName(c), c, i] as const))('%s', (_name, c, i) => {
    const r = gradcheck(bnEvalSpec(c, 500 + 10 * i));
    for (const [name, g] of Object.entries(r.analytic)) {
      expect(Math.max(...g.map(Math.abs)), `max |d${name}|`).toBeGreaterThan(1e-2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// linear

interface LinearCase extends ref.LinearParams {
  bias: boolean;
}

const linearCases: LinearCase[] = [
  { batch: 1, inFeatures: 4, outFeatures: 3, bias: true },
  { batch: 1, inFeatures: 5, outFeatures: 2, bias: false },
  { batch: 3, inFeatures: 4, outFeatures: 5, bias: true },
  { batch: 4, inFeatures: 3, outFeatures: 1, bias: false },
  { batch: 2, inFeatures: 1, outFeatures: 3, bias: true },
];

const linearName = (c: LinearCase) => `N=${c.batch} in=${c.inFeatures} out=${c.outFeatures} bias=${c.bias}`;

function linearSpec(c: LinearCase, seed: number) {
  const { bias, ...params } = c;
  const inputs: Inputs = {
    x: rand64(c.batch * c.inFeatures, seed),
    w: rand64(c.outFeatures * c.inFeatures, seed + 1),
  };
  if (bias) inputs.b = rand64(c.outFeatures, seed + 2);
  return {
    kernel: 'linear',
    case: linearName(c),
    inputs,
    shapes: { x: [c.batch, c.inFeatures], w: [c.outFeatures, c.inFeatures] },
    seed: seed + 3,
    forward: (v: Inputs) => {
      const y = new Float64Array(c.batch * c.outFeatures);
      ref.linearForward(y, v.x!, v.w!, v.b ?? null, params);
      return y;
    },
    backward: (dy: Float64Array, v: Inputs) => {
      const dx = new Float64Array(v.x!.length), dw = new Float64Array(v.w!.length);
      ref.linearBackwardData(dx, dy, v.w!, params);
      ref.linearBackwardWeight(dw, v.x!, dy, params);
      const grads: Inputs = { x: dx, w: dw };
      if (bias) {
        const db = new Float64Array(c.outFeatures);
        ref.linearBackwardBias(db, dy, params);
        grads.b = db;
      }
      return grads;
    },
  };
}

describe('gradcheck: linear (linearBackwardData, linearBackwardWeight, linearBackwardBias)', () => {
  it.each(linearCases.map((c, i) => [linearName(c), c, i] as const))('%s', (_name, c, i) => {
    const r = gradcheck(linearSpec(c, 700 + 10 * i));
    for (const [name, g] of Object.entries(r.analytic)) {
      expect(Math.max(...g.map(Math.abs)), `max |d${name}|`).toBeGreaterThan(1e-2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// relu

describe('gradcheck: relu (reluBackward)', () => {
  it('count=40, |x| >= 1e-2 (h = 1e-6 never crosses the kink)', () => {
    const count = 40;
    const x = rand64(count, 900).map((v) => (Math.abs(v) < 1e-2 ? Math.sign(v || 1) * 1e-2 : v));
    expect(x.every((v) => Math.abs(v) > 1e-3)).toBe(true);
    const forward = (v: Inputs) => {
      const y = new Float64Array(count);
      ref.reluForward(y, v.x!, { count });
      return y;
    };
    const r = gradcheck({
      kernel: 'relu',
      case: `count=${count}`,
      inputs: { x },
      seed: 901,
      forward,
      backward: (dy, v) => {
        const dx = new Float64Array(count);
        ref.reluBackward(dx, dy, forward(v), { count });
        return { x: dx };
      },
    });
    // Both branches are exercised.
    expect(r.analytic.x!.some((v, i) => v === 0 && x[i]! < 0)).toBe(true);
    expect(r.analytic.x!.some((v, i) => v !== 0 && v === r.upstream[i])).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// dropout, dropout1d: the mask is regenerated from the same params, so the forward is linear in x.

const DROP_PS = [0.3, 0, 1];

describe('gradcheck: dropout (dropoutBackward)', () => {
  it.each(DROP_PS)('count=48 p=%s', (p) => {
    const params: ref.DropoutParams = { count: 48, p, seed: 42, stream: 3, offset: 5 };
    const r = gradcheck({
      kernel: 'dropout',
      case: `count=48 p=${p}`,
      inputs: { x: rand64(48, 1000) },
      seed: 1001,
      forward: (v) => {
        const y = new Float64Array(48);
        ref.dropoutForward(y, v.x!, params);
        return y;
      },
      backward: (dy) => {
        const dx = new Float64Array(48);
        ref.dropoutBackward(dx, dy, params);
        return { x: dx };
      },
    });
    checkDropoutGradient(r.analytic.x!, r.upstream, p, 1);
  });
});

describe('gradcheck: dropout1d (dropout1dBackward)', () => {
  it.each(DROP_PS)('(N,C,L)=(3,6,4) p=%s', (p) => {
    const params: ref.Dropout1dParams = { batch: 3, channels: 6, length: 4, p, seed: 7, stream: 11, offset: 2 };
    const n = 3 * 6 * 4;
    const r = gradcheck({
      kernel: 'dropout1d',
      case: `(N,C,L)=(3,6,4) p=${p}`,
      inputs: { x: rand64(n, 1100) },
      shapes: { x: [3, 6, 4] },
      seed: 1101,
      forward: (v) => {
        const y = new Float64Array(n);
        ref.dropout1dForward(y, v.x!, params);
        return y;
      },
      backward: (dy) => {
        const dx = new Float64Array(n);
        ref.dropout1dBackward(dx, dy, params);
        return { x: dx };
      },
    });
    checkDropoutGradient(r.analytic.x!, r.upstream, p, 4);
    // Whole channels: each row of 4 is all kept or all dropped.
    const dx = r.analytic.x!;
    for (let row = 0; row < 18; row++) {
      const kept = Array.from(dx.subarray(row * 4, row * 4 + 4), (v) => v !== 0);
      expect(new Set(kept).size, `channel row ${row} is partly dropped`).toBe(1);
    }
  });
});

/** dx is g * scale (kept) or 0 (dropped); p = 0 keeps all, p = 1 drops all, p = 0.3 some of each. */
function checkDropoutGradient(dx: Float64Array, g: Float64Array, p: number, rowLength: number): void {
  const scale = p < 1 ? Math.fround(1 / (1 - p)) : 0;
  let kept = 0, dropped = 0;
  for (let i = 0; i < dx.length; i++) {
    if (dx[i] === 0) dropped++;
    else {
      expect(dx[i], `dx[${i}]`).toBe(g[i]! * scale);
      kept++;
    }
  }
  if (p === 0) expect(dropped).toBe(0);
  if (p === 1) expect(kept).toBe(0);
  if (p > 0 && p < 1) {
    expect(kept / rowLength, 'kept rows').toBeGreaterThan(0);
    expect(dropped / rowLength, 'dropped rows').toBeGreaterThan(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The harness itself: it must fail on wrong gradients, so the checks above cannot pass vacuously.

describe('gradcheck harness', () => {
  const c = convCases[2]!;

  it('passes the correct conv1d gradient it is about to be fed wrong versions of', () => {
    expect(() => gradcheck(convSpec(c, 42))).not.toThrow();
  });

  it('fails when an analytic gradient is scaled by 1.01, naming kernel, case, input, index and values', () => {
    const spec = convSpec(c, 42);
    const wrong = {
      ...spec,
      backward: (dy: Float64Array, v: Inputs) => {
        const g = spec.backward(dy, v);
        return { ...g, w: g.w!.map((e) => e * 1.01) };
      },
    };
    expect(() => gradcheck(wrong)).toThrow(
      new RegExp(`^gradcheck conv1d ${convName(c).replace(/[()]/g, '\\$&')}: dw\\[\\d+\\] \\(\\d+, \\d+, \\d+\\) numeric -?[\\d.e-]+, analytic -?[\\d.e-]+ `),
    );
    // dx and db are still correct and are not reported.
    expect(() => gradcheck(wrong)).not.toThrow(/dx\[|db\[/);
  });

  it('fails when a single gradient element is off by 1e-4', () => {
    const spec = convSpec(c, 42);
    const wrong = {
      ...spec,
      backward: (dy: Float64Array, v: Inputs) => {
        const g = spec.backward(dy, v);
        const x = Float64Array.from(g.x!);
        x[5]! += 1e-4;
        return { ...g, x };
      },
    };
    expect(() => gradcheck(wrong)).toThrow(/: dx\[5\] \(0, 0, 5\) numeric .*; 1 of 36 elements of dx fail\)$/);
  });

  it('fails when backward omits a gradient', () => {
    const spec = convSpec(c, 42);
    const wrong = { ...spec, backward: (dy: Float64Array, v: Inputs) => ({ x: spec.backward(dy, v).x! }) };
    expect(() => gradcheck(wrong)).toThrow(/backward returned gradients for \[x\], inputs are \[x, w, b\]/);
  });

  it('fails on the training forward checked against the eval-mode backward (ignores d mean, d var)', () => {
    const bc = bnCases[4]!;
    const spec = bnTrainSpec(bc, 42);
    const wrong = {
      ...spec,
      backward: (dy: Float64Array, v: Inputs) => {
        const { saveMean, saveInvstd } = bnTrainForward(bc, v, null);
        return bnBackward(bc, dy, v, saveMean, saveInvstd, false);
      },
    };
    expect(() => gradcheck(wrong)).toThrow(/^gradcheck batchNorm1d\(train\) .*: dx\[\d+\]/);
  });
});
