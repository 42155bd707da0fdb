// The multi-tensor Adam kernel (adamUpdateMulti): on the reference and every native CPU level, one
// call over a list of tensors is bit for bit the sequence of adamUpdate calls on them, and the same
// as the reference's, over every SIMD tail (counts 0..33), a 300k-element tensor among small ones
// (blocks split across threads and tensors), amsgrad / decoupled / maximize / weight decay and the
// step differing per tensor, and gradients with NaN, ±Infinity and ±0. Then its bad arguments: the
// same class and message on every backend, naming the entry, and no tensor modified.
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../src/errors.js';
import type { AdamTensor, AdamUpdateParams } from '../src/ref/optim.js';
import { allSets, refSet } from './helpers/backends.js';
import { expectError } from './helpers/bad-args.js';

type List = Array<AdamTensor<Float32Array>>;
const f32 = Math.fround;
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0];

/** Values from a fixed linear congruential sequence (seeded per array), in [shift - scale, shift + scale). */
function values(n: number, seed: number, scale: number, shift = 0): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale + shift;
  }
  return a;
}

/** Tensor k's step scalars: the options and the step differ from tensor to tensor. */
function paramsOf(k: number, count: number): AdamUpdateParams {
  const step = 1 + (k % 7), lr = 1e-3, wd = k % 3 === 0 ? 0 : 1e-2;
  return {
    count, beta1: f32(0.9), beta2: f32(0.999), oneMinusBeta1: f32(0.1), oneMinusBeta2: f32(0.001), weightDecay: f32(wd), eps: f32(1e-8),
    decay: f32(1 - lr * wd), c2Sqrt: f32(Math.sqrt(1 - 0.999 ** step)), negStep: f32(-lr / (1 - 0.9 ** step)),
    decoupled: k % 2 === 1, maximize: k % 5 === 4, amsgrad: (k >> 1) % 2 === 1,
  };
}

function makeList(counts: readonly number[], specials: boolean): List {
  return counts.map((n, k) => {
    const grad = values(n, 7 * k + 1, 1);
    if (specials) SPECIALS.forEach((v, j) => { if (j * 3 < n) grad[j * 3] = v; });
    const params = paramsOf(k, n);
    return {
      param: values(n, 7 * k + 2, 1), expAvg: values(n, 7 * k + 3, 0.01), expAvgSq: values(n, 7 * k + 4, 1e-4, 1e-4),
      maxExpAvgSq: params.amsgrad ? values(n, 7 * k + 5, 1e-4, 1.5e-4) : null, grad, params,
    };
  });
}

function cloneList(list: List): List {
  return list.map((t) => ({
    ...t, param: t.param.slice(), expAvg: t.expAvg.slice(), expAvgSq: t.expAvgSq.slice(), maxExpAvgSq: t.maxExpAvgSq?.slice() ?? null, grad: t.grad.slice(),
  }));
}

function expectSameBits(got: List, want: List, label: string): void {
  want.forEach((w, k) => {
    for (const name of ['param', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] as const) {
      const a = got[k]![name], b = w[name];
      if (!a || !b) {
        expect(a, `${label}: tensors[${k}].${name}`).toBe(b);
        continue;
      }
      for (let i = 0; i < b.length; i++) {
        if (!Object.is(a[i], b[i])) throw new Error(`${label}: tensors[${k}].${name}[${i}] expected ${b[i]}, got ${a[i]}`);
      }
    }
  });
}

const LISTS: Array<[string, readonly number[]]> = [
  ['counts 0..33', Array.from({ length: 34 }, (_, n) => n)],
  ['300k among small ones', [5, 300_000, 0, 4096, 4097, 17, 1]],
  ['one tensor', [4099]],
  ['no tensors', []],
];

describe.each(allSets)('adamUpdateMulti: $name', ({ name, kernels }) => {
  it.each(LISTS)('%s: equals the sequence of adamUpdate calls and the reference, bitwise', (label, counts) => {
    for (const specials of [false, true]) {
      const start = makeList(counts, specials);
      const multi = cloneList(start), single = cloneList(start), ref = cloneList(start);
      kernels.adamUpdateMulti(multi);
      for (const t of single) kernels.adamUpdate(t.param, t.expAvg, t.expAvgSq, t.maxExpAvgSq, t.grad, t.params);
      refSet.kernels.adamUpdateMulti(ref);
      const caseName = `${name} ${label}${specials ? ' with specials' : ''}`;
      expectSameBits(multi, single, `${caseName} (multi vs single calls)`);
      expectSameBits(multi, ref, `${caseName} (vs reference)`);
    }
  });

  it('accepts gradients shared between tensors (inputs may overlap)', () => {
    const list = makeList(Array(12).fill(9), false);
    for (const t of list) t.grad = list[0]!.grad;
    const single = cloneList(list);
    for (const t of single) t.grad = single[0]!.grad;
    kernels.adamUpdateMulti(list);
    for (const t of single) kernels.adamUpdate(t.param, t.expAvg, t.expAvgSq, t.maxExpAvgSq, t.grad, t.params);
    expectSameBits(list, single, `${name} shared grad`);
  });
});

// ---- bad arguments: every backend, the same class and message, and nothing modified ---------------

/** Every array of a list, copied, to show a failed call changed nothing. */
function snapshot(list: readonly unknown[]): Float32Array[] {
  return list.flatMap((t) => (t && typeof t === 'object' ? Object.values(t).filter((v): v is Float32Array => v instanceof Float32Array).map((a) => a.slice()) : []));
}

/** A valid list of n tensors of 5 elements (tensor 1 with amsgrad), then bent by `bend`. */
function badList(bend: (list: List & unknown[]) => void, n = 3): unknown[] {
  const list = makeList(Array(n).fill(5), false);
  bend(list);
  return list;
}

const MSG_SHARE = 'share memory; outputs must not overlap other arguments';
const BAD: Array<[string, () => unknown, typeof OptionError, string]> = [
  ['not an array', () => null, OptionError, 'adamUpdateMulti: tensors must be an Array, got null'],
  ['an entry not an object', () => badList((l) => { l[1] = 5 as never; }), OptionError, 'adamUpdateMulti: tensors[1] must be an object, got 5'],
  ['a hole', () => badList((l) => { delete l[1]; }), OptionError, 'adamUpdateMulti: tensors[1] must be an object, got undefined'],
  ['params missing', () => badList((l) => { (l[2] as { params?: unknown }).params = undefined; }), OptionError,
    'adamUpdateMulti: tensors[2].params must be an object, got undefined'],
  ['a scalar out of range', () => badList((l) => { l[2]!.params = { ...l[2]!.params, beta1: 2 }; }), OptionError,
    'adamUpdateMulti: tensors[2].params.beta1 must be a number in [0, 1], got 2'],
  ['a flag not a boolean', () => badList((l) => { l[0]!.params = { ...l[0]!.params, amsgrad: 1 as never }; }), OptionError,
    'adamUpdateMulti: tensors[0].params.amsgrad must be a boolean, got 1'],
  ['a negative count', () => badList((l) => { l[1]!.params = { ...l[1]!.params, count: -1 }; }), OptionError,
    'adamUpdateMulti: tensors[1].params.count must be an integer in [0, 2^53 - 1], got -1'],
  ['a wrong length (last entry)', () => badList((l) => { l[2]!.grad = new Float32Array(4); }), ShapeError,
    'adamUpdateMulti: tensors[2].grad must have length 5 (count = 5), got 4'],
  ['a plain Array', () => badList((l) => { l[1]!.expAvg = [1, 2, 3, 4, 5] as never; }), OptionError,
    'adamUpdateMulti: tensors[1].expAvg must be a Float32Array, got Array'],
  ['amsgrad without maxExpAvgSq', () => badList((l) => { l[3]!.maxExpAvgSq = null; }, 4), OptionError,
    'adamUpdateMulti: tensors[3].maxExpAvgSq must be a Float32Array, got null'],
  ['param aliasing its own grad', () => badList((l) => { l[0]!.grad = l[0]!.param; }), OptionError,
    `adamUpdateMulti: tensors[0].param and tensors[0].grad ${MSG_SHARE}`],
  ['an output aliasing another tensor\'s output', () => badList((l) => { l[2]!.expAvg = l[0]!.param; }), OptionError,
    `adamUpdateMulti: tensors[0].param and tensors[2].expAvg ${MSG_SHARE}`],
  ['a grad inside another tensor\'s output', () => badList((l) => {
    const buf = new Float32Array(20);
    l[0]!.params = { ...l[0]!.params, count: 20 };
    Object.assign(l[0]!, { param: buf, expAvg: new Float32Array(20), expAvgSq: new Float32Array(20), grad: new Float32Array(20) });
    l[2]!.grad = buf.subarray(3, 8);
  }), OptionError, `adamUpdateMulti: tensors[0].param and tensors[2].grad ${MSG_SHARE}`],
  // 40 tensors: past 16 arrays the binding sweeps by address before searching pair by pair.
  ['a long list: a grad inside an output far before it', () => badList((l) => {
    const buf = new Float32Array(400);
    l[4]!.params = { ...l[4]!.params, count: 400 };
    Object.assign(l[4]!, { param: new Float32Array(400), expAvg: new Float32Array(400), expAvgSq: buf, grad: new Float32Array(400) });
    l[37]!.grad = buf.subarray(390, 395);
  }, 40), OptionError, `adamUpdateMulti: tensors[4].expAvgSq and tensors[37].grad ${MSG_SHARE}`],
  ['a long list: two outputs overlapping by one element', () => badList((l) => {
    const buf = new Float32Array(9);
    l[30]!.param = buf.subarray(0, 5);
    l[12]!.expAvg = buf.subarray(4, 9);
  }, 40), OptionError, `adamUpdateMulti: tensors[12].expAvg and tensors[30].param ${MSG_SHARE}`],
];

describe.each(allSets)('adamUpdateMulti bad arguments: $name', ({ kernels }) => {
  it.each(BAD)('%s', (_label, make, cls, message) => {
    const list = make();
    const before = Array.isArray(list) ? snapshot(list) : [];
    expectError(() => kernels.adamUpdateMulti(list as List), cls, message);
    if (Array.isArray(list)) expect(snapshot(list)).toEqual(before);
  });

  it('accepts a long list whose grads all share one array', () => {
    const list = badList((l) => { for (const t of l) t.grad = l[0]!.grad; }, 40);
    expect(() => kernels.adamUpdateMulti(list as List)).not.toThrow();
  });
});
