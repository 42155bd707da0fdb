/**
 * Generated bad-argument tests for kernel entry points: from one valid call per kernel, mutations of
 * every array (wrong length, wrong type, missing), every params field (negative, non-integer,
 * non-finite, oversized, wrong type, missing), the params object itself and overlapping outputs.
 * Each mutation names the class it must throw (src/errors.ts): a wrong array length is a ShapeError,
 * every other mutation an OptionError.
 */
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../../src/backend/kernel-set.js';
import { KeelError, OptionError, ShapeError } from '../../src/errors.js';
import { allSets, nativeSets, refSet } from './backends.js';

/** bytes: a Uint8Array; doubles: a Float64Array; indices: an Int32Array of indices below this bound; otherwise a Float32Array. */
export type Arg = { name: string; size: number; nullable?: boolean; bytes?: boolean; doubles?: boolean; indices?: { bound: number; name: string } };
export interface KernelSpec {
  args: Arg[];
  params: Record<string, number | boolean>;
  /** Fields holding integers, finite numbers or booleans, for the generated mutations. */
  ints: string[];
  /** [field, lo, hi]: a number in [lo, hi]; hi Infinity: any finite number >= lo; lo -Infinity: any finite number. */
  numbers?: Array<[string, number, number]>;
  bools?: string[];
  /** Outputs may not overlap inputs (false for elementwise kernels, which may run in place). */
  disjoint: boolean;
}

const ofSize = (a: Arg, n: number) =>
  a.bytes ? new Uint8Array(n) : a.doubles ? new Float64Array(n) : a.indices ? new Int32Array(n) : new Float32Array(n);
const fresh = (a: Arg) => (a.bytes || a.indices ? ofSize(a, a.size) : ofSize(a, a.size).fill(0.5));
const validArgs = (spec: KernelSpec): unknown[] => [...spec.args.map(fresh), { ...spec.params }];

interface Mutation {
  label: string;
  args: () => unknown[];
  /** The message, or a pattern when it depends on the value. */
  message: string | RegExp;
  /** The class every backend throws; default OptionError. */
  cls?: typeof KeelError;
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
  const typeName = (arg: Arg) => (arg.bytes ? 'a Uint8Array' : arg.doubles ? 'a Float64Array' : arg.indices ? 'an Int32Array' : 'a Float32Array');
  spec.args.forEach((arg, i) => {
    if (arg.indices) {
      const { bound, name } = arg.indices;
      for (const v of [bound, -1]) {
        out.push({ label: `${arg.name}[0] = ${v}`, args: at(i, () => Int32Array.from({ length: arg.size }, (_, k) => (k === 0 ? v : 0))),
          message: `${kernel}: ${arg.name}[0] = ${v} is out of range [0, ${name} = ${bound})` });
      }
    }
    out.push({ label: `${arg.name} too long`, args: at(i, () => ofSize(arg, arg.size + 1)),
      message: new RegExp(`^${kernel}: ${arg.name} must have length ${arg.size} \\(.+\\), got ${arg.size + 1}$`), cls: ShapeError });
    out.push({ label: `${arg.name} too short`, args: at(i, () => ofSize(arg, arg.size - 1)),
      message: new RegExp(`^${kernel}: ${arg.name} must have length ${arg.size} \\(.+\\), got ${arg.size - 1}$`), cls: ShapeError });
    const [Wrong, wrong] = arg.indices ? [Float32Array, 'Float32Array'] as const : [Int32Array, 'Int32Array'] as const;
    out.push({ label: `${arg.name} as ${wrong}`, args: at(i, () => new Wrong(arg.size)), message: `${kernel}: ${arg.name} must be ${typeName(arg)}, got ${wrong}` });
    out.push({ label: `${arg.name} as Array`, args: at(i, () => new Array(arg.size).fill(0)), message: `${kernel}: ${arg.name} must be ${typeName(arg)}, got Array` });
    out.push({ label: `${arg.name} as string`, args: at(i, () => 'abc'), message: `${kernel}: ${arg.name} must be ${typeName(arg)}, got "abc"` });
    if (!arg.nullable) out.push({ label: `${arg.name} missing`, args: at(i, () => undefined), message: `${kernel}: ${arg.name} must be ${typeName(arg)}, got undefined` });
  });
  for (const field of spec.ints) {
    for (const v of [-1, 1.5, NaN, Infinity, 2 ** 53, '3', undefined]) {
      out.push({ label: `params.${field} = ${String(v)}`, args: withParam(field, v),
        message: new RegExp(`^${kernel}: params\\.${field} must be an integer in \\[\\d, 2\\^53 - 1\\], got ${v === '3' ? '"3"' : String(v)}$`) });
    }
  }
  for (const [field, lo, hi] of spec.numbers ?? []) {
    const range = lo === -Infinity ? 'a finite number' : hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    const bad: unknown[] = [lo === -Infinity ? -Infinity : lo - 1, NaN, Infinity, '0.5', undefined, ...(hi === Infinity ? [] : [hi + 0.5])];
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
    const o = spec.args[0]!, inIdx = spec.args.findIndex((a, i) => i > 0 && !a.nullable && ['x', 'dy', 'grad', 'src'].includes(a.name));
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

export function thrown(fn: () => void): Error | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e as Error;
  }
}

/** Expects fn to throw exactly `message` as an instance of cls (a KeelError). */
export function expectError(fn: () => void, cls: typeof KeelError, message: string, label?: string): void {
  const e = thrown(fn);
  expect(e, label).toBeInstanceOf(cls);
  expect(e, label).toBeInstanceOf(KeelError);
  expect(e!.message, label).toBe(message);
}

/**
 * One describe per kernel: the valid call passes on every backend, and every generated mutation of it
 * throws its class (a KeelError) and the same message from the reference and from every native set.
 */
export function describeBadArguments(specs: Partial<Record<KernelName, KernelSpec>>): void {
describe.each(Object.entries(specs) as Array<[KernelName, KernelSpec]>)('%s', (kernel, spec) => {
  it('accepts the valid call on every backend', () => {
    for (const set of allSets) expect(thrown(() => (set.kernels[kernel] as (...a: unknown[]) => void)(...validArgs(spec)))).toBeNull();
  });

  it.each(mutations(kernel, spec).map((m) => [m.label, m] as const))('rejects %s identically on every backend', (_label, m) => {
    const want = thrown(() => (refSet.kernels[kernel] as (...a: unknown[]) => void)(...m.args()));
    expect(want, 'the reference accepted it').not.toBeNull();
    const cls = m.cls ?? OptionError;
    expect(want).toBeInstanceOf(cls);
    expect(want).toBeInstanceOf(KeelError);
    if (typeof m.message === 'string') expect(want!.message).toBe(m.message);
    else expect(want!.message).toMatch(m.message);
    for (const set of nativeSets) {
      const got = thrown(() => (set.kernels[kernel] as (...a: unknown[]) => void)(...m.args()));
      expect(got, `${set.name} accepted it`).not.toBeNull();
      expect(got, set.name).toBeInstanceOf(cls);
      expect(got!.constructor, set.name).toBe(want!.constructor);
      expect(got!.message, set.name).toBe(want!.message);
    }
  });
});
}
