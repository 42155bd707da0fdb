// The optimiser update kernels (adamUpdate, sgdUpdate): every native CPU level bit for bit equal to
// the reference (which src/optim's PyTorch golden tests pin), over every SIMD tail (lengths 0..40 and
// long odd ones), every option combination, and inputs with NaN, ±Infinity, ±0, subnormals and huge
// values. Bitwise means −0 must be −0 (and NaN NaN): these kernels have tolerance 0 and the
// comparison here is Object.is, stricter than the shared |diff| <= 0.
import { describe, expect, it } from 'vitest';
import type { AdamUpdateParams, SgdUpdateParams } from '../src/ref/optim.js';
import { allSets, nativeSets, refSet } from './helpers/backends.js';
import { type ArgSpec, type Outputs, runKernel } from './helpers/parity.js';

const f32 = Math.fround;
const LENGTHS = [...Array.from({ length: 41 }, (_, n) => n), 63, 64, 65, 127, 1000, 1023, 4099];
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-40, 3e38, -3e38];
const bools = [false, true];

function expectBitwise(kernel: string, backend: string, caseName: string, got: Outputs, want: Outputs): void {
  for (const name of Object.keys(want)) {
    const g = got[name]!, w = want[name]!;
    expect(g.length, `${kernel} [${backend}] ${caseName}: ${name} length`).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      if (!Object.is(g[i], w[i])) {
        throw new Error(`${kernel} [${backend}] ${caseName}: ${name}[${i}] expected ${Object.is(w[i], -0) ? '-0' : w[i]}, got ${Object.is(g[i], -0) ? '-0' : g[i]}`);
      }
    }
  }
}

/** Every case on every native set, without and with special values, compared bitwise with the reference. */
function checkCases(kernel: 'adamUpdate' | 'sgdUpdate', cases: Array<{ label: string; args: (specials?: readonly number[]) => ArgSpec[]; params: object }>): void {
  describe.skipIf(nativeSets.length === 0).each(nativeSets)(`${kernel} parity: $name`, (native) => {
    it.each(LENGTHS)('count %i, every option', (count) => {
      for (const c of cases) {
        for (const specials of [undefined, SPECIALS]) {
          const args = c.args(specials).map((a) => ({ ...a, size: a.kind === 'null' ? 0 : count }));
          const params = { ...c.params, count };
          const caseName = `count ${count} ${c.label}${specials ? ' with specials' : ''}`;
          expectBitwise(kernel, native.name, caseName, runKernel(native.kernels, kernel, args, params, count + 1), runKernel(refSet.kernels, kernel, args, params, count + 1));
        }
      }
    });
  });
}

// ---- adamUpdate: decoupled x amsgrad x maximize x weight decay 0 / 1e-2 --------------------------

const adamBase = {
  beta1: f32(0.9), beta2: f32(0.999), oneMinusBeta1: f32(0.1), oneMinusBeta2: f32(0.001), eps: f32(1e-8),
  c2Sqrt: f32(Math.sqrt(1 - 0.999 ** 3)), negStep: f32(-1e-3 / (1 - 0.9 ** 3)),
};
const adamCases = bools.flatMap((decoupled) => bools.flatMap((amsgrad) => bools.flatMap((maximize) => [0, 1e-2].map((wd) => {
  const params: Omit<AdamUpdateParams, 'count'> = {
    ...adamBase, weightDecay: f32(wd), decay: decoupled ? f32(1 - 1e-3 * wd) : 1, decoupled, maximize, amsgrad,
  };
  return {
    label: `decoupled ${decoupled} amsgrad ${amsgrad} maximize ${maximize} wd ${wd}`,
    params,
    args: (specials?: readonly number[]): ArgSpec[] => [
      { name: 'param', kind: 'inout', size: 0, specials },
      { name: 'expAvg', kind: 'inout', size: 0, scale: 0.01, specials },
      { name: 'expAvgSq', kind: 'inout', size: 0, scale: 1e-4, shift: 1e-4, specials: specials?.filter((v) => !(v < 0)) },
      amsgrad ? { name: 'maxExpAvgSq', kind: 'inout', size: 0, scale: 1e-4, shift: 1.5e-4, specials } : { name: 'maxExpAvgSq', kind: 'null', size: 0 },
      { name: 'grad', kind: 'in', size: 0, scale: 0.1, specials },
    ],
  };
}))));
checkCases('adamUpdate', adamCases);

// ---- sgdUpdate: momentum buffer or none x first step x nesterov x maximize x weight decay x dampening

const sgdCases = [
  // Plain SGD: no buffer (the momentum fields are ignored).
  ...bools.flatMap((maximize) => [0, 1e-2].map((wd) => ({ buffer: false, firstStep: false, nesterov: false, maximize, wd, dampening: 0 }))),
  ...bools.flatMap((firstStep) => bools.flatMap((nesterov) => bools.flatMap((maximize) => [0, 1e-2].flatMap((wd) =>
    [0, 0.1].map((dampening) => ({ buffer: true, firstStep, nesterov, maximize, wd, dampening })))))),
].map((o) => {
  const params: Omit<SgdUpdateParams, 'count'> = {
    weightDecay: f32(o.wd), momentum: f32(0.9), oneMinusDampening: f32(1 - o.dampening), negLr: f32(-0.01),
    nesterov: o.nesterov, maximize: o.maximize, firstStep: o.firstStep,
  };
  return {
    label: `buffer ${o.buffer} firstStep ${o.firstStep} nesterov ${o.nesterov} maximize ${o.maximize} wd ${o.wd} dampening ${o.dampening}`,
    params,
    args: (specials?: readonly number[]): ArgSpec[] => [
      { name: 'param', kind: 'inout', size: 0, specials },
      o.buffer ? { name: 'momentumBuffer', kind: 'inout', size: 0, scale: 0.1, specials } : { name: 'momentumBuffer', kind: 'null', size: 0 },
      { name: 'grad', kind: 'in', size: 0, scale: 0.1, specials },
    ],
  };
});
checkCases('sgdUpdate', sgdCases);

describe.each(allSets)('sgdUpdate semantics: $name', (set) => {
  const params = { count: 5, weightDecay: 0, momentum: f32(0.9), oneMinusDampening: f32(0.5), negLr: f32(-0.5), nesterov: false, maximize: false };

  it('starts the momentum buffer from the gradient on the first step, without reading it', () => {
    const param = new Float32Array([1, 2, 3, 4, 5]), grad = new Float32Array([0.5, -1, 0, -0, 2]);
    const buf = new Float32Array(5).fill(NaN);
    set.kernels.sgdUpdate(param, buf, grad, { ...params, firstStep: true });
    expect(Array.from(buf)).toEqual(Array.from(grad));
    expect(Object.is(buf[3], -0)).toBe(true);
    expect(Array.from(param)).toEqual([0.75, 2.5, 3, 4, 4]);
  });

  it('then decays it: b = μ·b + (1 − τ)·g, θ = θ − lr·b', () => {
    const param = new Float32Array([1, 2, 3, 4, 5]), grad = new Float32Array([1, 1, 1, 1, 1]), buf = new Float32Array([2, 0, -2, 4, 0]);
    set.kernels.sgdUpdate(param, buf, grad, { ...params, firstStep: false });
    const want = [2, 0, -2, 4, 0].map((b) => f32(f32(f32(b * f32(0.9))) + f32(0.5)));
    expect(Array.from(buf)).toEqual(want);
    expect(Array.from(param)).toEqual([1, 2, 3, 4, 5].map((p, i) => f32(p - 0.5 * want[i]!)));
  });

  it('updates only the parameter without a buffer (plain SGD)', () => {
    const param = new Float32Array([1, 2, 3, 4, 5]), grad = new Float32Array([1, 2, 3, 4, 5]);
    set.kernels.sgdUpdate(param, null, grad, { ...params, firstStep: true, nesterov: true });
    expect(Array.from(param)).toEqual([0.5, 1, 1.5, 2, 2.5]);
  });

  it('rejects a momentum buffer that shares memory with the parameter or the gradient', () => {
    const mem = new Float32Array(12);
    const p = { ...params, firstStep: false };
    expect(() => set.kernels.sgdUpdate(mem.subarray(0, 5), mem.subarray(4, 9), new Float32Array(5), p)).toThrow(
      'sgdUpdate: param and momentumBuffer share memory; outputs must not overlap other arguments',
    );
    expect(() => set.kernels.sgdUpdate(new Float32Array(5), mem.subarray(0, 5), mem.subarray(3, 8), p)).toThrow(
      'sgdUpdate: momentumBuffer and grad share memory; outputs must not overlap other arguments',
    );
  });
});

// x + y·z with the exact sum just above a float32 tie: formed in float64 it rounds to the tie, which
// then rounds to even; a float32 FMA (one rounding) would round up. The kernels' definition is the
// float64 form (src/ref/optim.ts), so every set must give the even neighbour — in the vector body and
// in the tail (67 elements).
describe.each(allSets)('fused ops are formed in float64, not as float32 FMAs: $name', (set) => {
  const n = 67, one = 1, up = f32(1 + 2 ** -23);
  const small = f32(2 ** -24 * (1 + 2 ** -15)), below = f32(1 - 2 ** -15); // small·below = 2^-24 − 2^-54

  it('sgdUpdate: θ + (−lr)·d', () => {
    const param = new Float32Array(n).fill(up), grad = new Float32Array(n).fill(below);
    set.kernels.sgdUpdate(param, null, grad, { count: n, weightDecay: 0, momentum: 0, oneMinusDampening: 1, negLr: -small, nesterov: false, maximize: false, firstStep: false });
    expect(Array.from(param)).toEqual(new Array(n).fill(one));
  });

  it('adamUpdate: g + wd·θ', () => {
    const param = new Float32Array(n).fill(-below), grad = new Float32Array(n).fill(up);
    const m = new Float32Array(n), v = new Float32Array(n);
    set.kernels.adamUpdate(param, m, v, null, grad, {
      count: n, beta1: 0, beta2: 0, oneMinusBeta1: 1, oneMinusBeta2: 1, weightDecay: small, eps: 1e-8, decay: 1, c2Sqrt: 1, negStep: -1e-3,
      decoupled: false, maximize: false, amsgrad: false,
    });
    expect(Array.from(m)).toEqual(new Array(n).fill(one)); // m = 0·β1 + 1·g = g
  });
});

// The scalars are float32 values: a caller passing a float64 (0.9, 1e-5) gets the same bits from the
// reference (which rounds them) as from the native binding (which converts them to float).
describe.skipIf(nativeSets.length === 0).each(nativeSets)('float64 scalars are rounded to float32 like the binding: $name', (native) => {
  it.each([['adamUpdate'], ['sgdUpdate']] as const)('%s', (kernel) => {
    const n = 37;
    const args: ArgSpec[] = kernel === 'adamUpdate'
      ? [{ name: 'param', kind: 'inout', size: n }, { name: 'expAvg', kind: 'inout', size: n, scale: 0.01 },
        { name: 'expAvgSq', kind: 'inout', size: n, scale: 1e-4, shift: 1e-4 }, { name: 'maxExpAvgSq', kind: 'inout', size: n, scale: 1e-4, shift: 1.5e-4 },
        { name: 'grad', kind: 'in', size: n, scale: 0.1 }]
      : [{ name: 'param', kind: 'inout', size: n }, { name: 'momentumBuffer', kind: 'inout', size: n, scale: 0.1 }, { name: 'grad', kind: 'in', size: n, scale: 0.1 }];
    const params = kernel === 'adamUpdate'
      ? { count: n, beta1: 0.9, beta2: 0.999, oneMinusBeta1: 0.1, oneMinusBeta2: 0.001, weightDecay: 1e-5, eps: 1e-8, decay: 1 - 1e-8, c2Sqrt: 0.0547, negStep: -0.0037,
        decoupled: true, maximize: false, amsgrad: true }
      : { count: n, weightDecay: 1e-5, momentum: 0.9, oneMinusDampening: 0.9, negLr: -0.01, nesterov: true, maximize: false, firstStep: false };
    expectBitwise(kernel, native.name, 'float64 scalars', runKernel(native.kernels, kernel, args, params, 5), runKernel(refSet.kernels, kernel, args, params, 5));
  });
});
