// Bad arguments for the fused BatchNorm1d → ReLU → Dropout kernels, as test/bad-args.test.ts does for
// the others: wrong types, wrong lengths, missing, negative, non-integer, non-finite and oversized
// params, non-object params and overlapping outputs throw the same class and the same message from
// the reference and from every native set (src/ref/fused.ts and native/binding/fused.cc).
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../src/backend/kernel-set.js';
import { allSets, nativeSets, refSet } from './helpers/backends.js';

type Arg = { name: string; size: number; nullable?: boolean; bytes?: boolean };
interface KernelSpec {
  args: Arg[];
  params: Record<string, number | boolean>;
  ints: string[];
  numbers?: Array<[string, number, number]>;
  bools?: string[];
  disjoint: boolean;
}

const dims = { batch: 3, channels: 4, length: 5 };
const nx = 60;
const random = { p: 0.2, seed: 1, stream: 0, offset: 0 };
const ints = [...Object.keys(dims), 'seed', 'stream', 'offset'];

const specs: Partial<Record<KernelName, KernelSpec>> = {
  batchNorm1dReluDropoutForward: {
    args: [{ name: 'y', size: nx }, { name: 'saveMean', size: 4 }, { name: 'saveInvstd', size: 4 }, { name: 'runningMean', size: 4, nullable: true },
      { name: 'runningVar', size: 4, nullable: true }, { name: 'x', size: nx }, { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...dims, eps: 1e-5, momentum: 0.1, training: true, ...random }, ints,
    numbers: [['eps', 0, Infinity], ['momentum', 0, 1], ['p', 0, 1]], bools: ['training'], disjoint: true,
  },
  batchNorm1dReluDropoutBackward: {
    args: [{ name: 'dx', size: nx }, { name: 'dweight', size: 4, nullable: true }, { name: 'dbias', size: 4, nullable: true }, { name: 'dy', size: nx },
      { name: 'x', size: nx }, { name: 'mean', size: 4 }, { name: 'invstd', size: 4 }, { name: 'weight', size: 4, nullable: true }, { name: 'bias', size: 4, nullable: true }],
    params: { ...dims, training: true, ...random }, ints, numbers: [['p', 0, 1]], bools: ['training'], disjoint: true,
  },
};

const fresh = (a: Arg) => (a.bytes ? new Uint8Array(a.size) : new Float32Array(a.size).fill(0.5));
const validArgs = (spec: KernelSpec): unknown[] => [...spec.args.map(fresh), { ...spec.params }];

interface Mutation {
  label: string;
  args: () => unknown[];
  /** The message, or a pattern when it depends on the value. */
  message: string | RegExp;
}

function mutations(kernel: KernelName, spec: KernelSpec): Mutation[] {
  const out: Mutation[] = [];
  const at = (i: number, v: () => unknown) => () => {
    const a = validArgs(spec);
    a[i] = v();
    return a;
  };
  const withParam = (field: string, v: unknown) => () => {
    const a = validArgs(spec);
    (a[a.length - 1] as Record<string, unknown>)[field] = v;
    return a;
  };
  const typeName = (arg: Arg) => (arg.bytes ? 'Uint8Array' : 'Float32Array');
  spec.args.forEach((arg, i) => {
    out.push({ label: `${arg.name} too long`, args: at(i, () => (arg.bytes ? new Uint8Array(arg.size + 1) : new Float32Array(arg.size + 1))),
      message: new RegExp(`^${kernel}: ${arg.name} must have length ${arg.size} \\(.+\\), got ${arg.size + 1}$`) });
    out.push({ label: `${arg.name} too short`, args: at(i, () => (arg.bytes ? new Uint8Array(arg.size - 1) : new Float32Array(arg.size - 1))),
      message: new RegExp(`^${kernel}: ${arg.name} must have length ${arg.size} \\(.+\\), got ${arg.size - 1}$`) });
    out.push({ label: `${arg.name} as Int32Array`, args: at(i, () => new Int32Array(arg.size)), message: `${kernel}: ${arg.name} must be a ${typeName(arg)}, got Int32Array` });
    out.push({ label: `${arg.name} as Array`, args: at(i, () => new Array(arg.size).fill(0)), message: `${kernel}: ${arg.name} must be a ${typeName(arg)}, got Array` });
    out.push({ label: `${arg.name} as string`, args: at(i, () => 'abc'), message: `${kernel}: ${arg.name} must be a ${typeName(arg)}, got "abc"` });
    if (!arg.nullable) out.push({ label: `${arg.name} missing`, args: at(i, () => undefined), message: `${kernel}: ${arg.name} must be a ${typeName(arg)}, got undefined` });
  });
  for (const field of spec.ints) {
    for (const v of [-1, 1.5, NaN, Infinity, 2 ** 53, '3', undefined]) {
      out.push({ label: `params.${field} = ${String(v)}`, args: withParam(field, v),
        message: new RegExp(`^${kernel}: params\\.${field} must be an integer in \\[\\d, 2\\^53 - 1\\], got ${v === '3' ? '"3"' : String(v)}$`) });
    }
  }
  for (const [field, lo, hi] of spec.numbers ?? []) {
    const range = hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    const bad: unknown[] = [lo - 1, NaN, Infinity, '0.5', undefined, ...(hi === Infinity ? [] : [hi + 0.5])];
    for (const v of bad) {
      out.push({ label: `params.${field} = ${String(v)}`, args: withParam(field, v),
        message: `${kernel}: params.${field} must be ${range}, got ${v === '0.5' ? '"0.5"' : String(v)}` });
    }
  }
  for (const field of spec.bools ?? []) {
    for (const v of [1, 'true', undefined]) {
      out.push({ label: `params.${field} = ${String(v)}`, args: withParam(field, v),
        message: `${kernel}: params.${field} must be a boolean, got ${v === 'true' ? '"true"' : String(v)}` });
    }
  }
  for (const [label, v] of [['null', null], ['a number', 5], ['an array', []], ['missing', undefined]] as const) {
    out.push({ label: `params ${label}`, args: () => [...validArgs(spec).slice(0, -1), v],
      message: `${kernel}: params must be an object, got ${v === null ? 'null' : Array.isArray(v) ? 'Array' : String(v)}` });
  }
  if (spec.disjoint) {
    // The first output overlaps the first input by one element.
    const o = spec.args[0]!, inIdx = spec.args.findIndex((a, i) => i > 0 && !a.nullable && ['x', 'dy', 'grad'].includes(a.name));
    const input = spec.args[inIdx]!;
    out.push({
      label: `${o.name} overlapping ${input.name}`,
      args: () => {
        const a = validArgs(spec);
        const buf = new Float32Array(o.size + input.size);
        a[0] = buf.subarray(0, o.size);
        a[inIdx] = buf.subarray(o.size - 1, o.size - 1 + input.size);
        return a;
      },
      message: new RegExp(`^${kernel}: ${o.name} and ${input.name} share memory`),
    });
  }
  return out;
}

function thrown(fn: () => void): Error | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e as Error;
  }
}

describe.each(Object.entries(specs) as Array<[KernelName, KernelSpec]>)('%s', (kernel, spec) => {
  it('accepts the valid call on every backend', () => {
    for (const set of allSets) expect(thrown(() => (set.kernels[kernel] as (...a: unknown[]) => void)(...validArgs(spec)))).toBeNull();
  });

  it.each(mutations(kernel, spec).map((m) => [m.label, m] as const))('rejects %s identically on every backend', (_label, m) => {
    const want = thrown(() => (refSet.kernels[kernel] as (...a: unknown[]) => void)(...m.args()));
    expect(want, 'the reference accepted it').not.toBeNull();
    if (typeof m.message === 'string') expect(want!.message).toBe(m.message);
    else expect(want!.message).toMatch(m.message);
    for (const set of nativeSets) {
      const got = thrown(() => (set.kernels[kernel] as (...a: unknown[]) => void)(...m.args()));
      expect(got, `${set.name} accepted it`).not.toBeNull();
      expect(got!.constructor.name, set.name).toBe(want!.constructor.name);
      expect(got!.message, set.name).toBe(want!.message);
    }
  });
});

const expectSame = (fn: (k: Record<string, (...a: unknown[]) => void>) => void, message: string) => {
  for (const set of allSets) expect(() => fn(set.kernels as unknown as Record<string, (...a: unknown[]) => void>), set.name).toThrow(message);
};

describe('fused kernels: shape-dependent errors', () => {
  const c = () => new Float32Array(4), x = () => new Float32Array(nx);
  it('training with one value per channel', () => {
    const y = new Float32Array(1);
    expectSame((k) => k.batchNorm1dReluDropoutForward!(y, y.slice(), y.slice(), null, null, y.slice(), null, null, { batch: 1, channels: 1, length: 1, eps: 1e-5, momentum: 0.1, training: true, ...random }),
      'batchNorm1dReluDropoutForward: expected more than 1 value per channel when training, got batch*length = 1');
  });
  it('running statistics half given, or missing in eval', () => {
    expectSame((k) => k.batchNorm1dReluDropoutForward!(x(), c(), c(), c(), null, x(), null, null, { ...dims, eps: 1e-5, momentum: 0.1, training: true, ...random }),
      'batchNorm1dReluDropoutForward: runningMean and runningVar must both be given or both be null');
    expectSame((k) => k.batchNorm1dReluDropoutForward!(x(), c(), c(), null, null, x(), null, null, { ...dims, eps: 1e-5, momentum: 0.1, training: false, ...random }),
      'batchNorm1dReluDropoutForward: runningMean and runningVar are required when params.training is false');
  });
  it('draw indices past 2^53 - 1', () => {
    expectSame((k) => k.batchNorm1dReluDropoutBackward!(x(), null, null, x(), x(), c(), c(), null, null, { ...dims, training: true, ...random, offset: 2 ** 53 - 10 }),
      'batchNorm1dReluDropoutBackward: offset+count exceeds 2^53 - 1');
  });
  it('an output overlapping another output', () => {
    const buf = new Float32Array(8);
    expectSame((k) => k.batchNorm1dReluDropoutBackward!(x(), buf.subarray(0, 4), buf.subarray(2, 6), x(), x(), c(), c(), null, null, { ...dims, training: true, ...random }),
      'batchNorm1dReluDropoutBackward: dweight and dbias share memory; outputs must not overlap other arguments');
  });
  it('nativeSets are present when required', () => {
    if (process.env.KEEL_REQUIRE_NATIVE) expect(nativeSets.length).toBeGreaterThan(0);
  });
});
