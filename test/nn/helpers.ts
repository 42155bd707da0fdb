/** Shared helpers for the nn tests: fixtures, state snapshots, bitwise comparison. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { StateData, StateDict } from '../../src/io/state.js';
import type { Module } from '../../src/nn/module.js';
import { Tensor } from '../../src/tensor/tensor.js';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/nn/${name}`, import.meta.url), 'utf8')) as T;
}

/** The raw bytes of a typed array, for bitwise comparisons (NaN payloads and -0 included). */
export function bytes(a: StateData): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

/** A bitwise snapshot of every parameter and buffer (persistent or not) of a module tree. */
export function snapshot(m: Module): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, t] of m.namedParameters()) out.set(`param ${k}`, bytes(t.data));
  for (const [k, t] of m.namedBuffers()) out.set(`buffer ${k}`, bytes(t.data));
  return out;
}

export function expectSameSnapshot(got: Map<string, Uint8Array>, want: Map<string, Uint8Array>): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [k, w] of want) {
    const g = got.get(k)!;
    expect(Buffer.compare(Buffer.from(g), Buffer.from(w)), `${k} changed`).toBe(0);
  }
}

export function expectBitwiseEqual(got: Float32Array, want: Float32Array, what = 'values'): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  expect(Buffer.compare(Buffer.from(bytes(got)), Buffer.from(bytes(want))), `${what} differ bitwise`).toBe(0);
}

/** A state dict from the fixture format {key: {shape, dtype, data}}. */
export function stateFromFixture(s: Record<string, { shape: number[]; dtype: string; data: number[] }>): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = v.dtype === 'I64'
      ? { dtype: 'I64', shape: v.shape, data: BigInt64Array.from(v.data.map((x) => BigInt(x))) }
      : { dtype: 'F32', shape: v.shape, data: Float32Array.from(v.data) };
  }
  return out;
}

/** Deterministic input values (mulberry32), independent of the library's generator. */
export function input(shape: number[], seed = 1, scale = 1, shift = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    d[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale + shift;
  }
  return new Tensor(d, shape);
}

/** |got − want| ≤ atol + rtol·|want| everywhere, else a message naming the first bad index. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what}[${i}]: expected ${w}, got ${g} (|diff| ${Math.abs(g - w)} > ${atol} + ${rtol}·|expected|)`);
    }
  }
}
