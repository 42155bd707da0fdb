/**
 * The bad-input battery's harness (issue 12): `battery(entryPoint, cases)` registers one vitest
 * describe per public entry point with one test per hostile input. A case either names the typed
 * error class the call must throw or reject with (also a KeelError, its message naming the argument),
 * or — where keel documents a non-error result — checks that result. Either way an optional state
 * snapshot (model weights and buffers, optimiser state, file bytes on disk) taken before the call must
 * be byte-identical after it: a refused call changes nothing. Failures are tagged ([no-throw],
 * [class], [keel], [message], [state]) so scripts/count-bad-input.mjs can say why cases fail.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'vitest';
import { KeelError } from '../../src/errors.js';
import type { Module } from '../../src/nn/module.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

/** A class of error (the typed classes of src/errors.ts and their subclasses). */
export type ErrorClass = abstract new (...args: never[]) => Error;

interface CaseBase {
  /** What is wrong with the input; a case with a documented non-error result says so in its name. */
  name: string;
  /** The call under test; a returned promise is awaited. */
  call(): unknown;
  /** A snapshot taken before and after the call; the two must be identical. */
  state?: () => Uint8Array | string;
}

/** A hostile input keel must refuse with `error`. */
export interface ThrowCase extends CaseBase {
  /** The typed class the error must be an instance of (it must also be a KeelError). */
  error: ErrorClass;
  /** What the message must match: at least the argument's name. */
  message?: RegExp;
}

/** A hostile-looking input keel documents a result for: `result` checks it (throw to fail). */
export interface ResultCase extends CaseBase {
  result(value: unknown): void;
}

export type Case = ThrowCase | ResultCase;

/** The problems of one case's outcome, each tagged; empty when the case passes. */
async function problems(c: Case): Promise<string[]> {
  const before = c.state?.();
  let value: unknown, error: unknown, threw = false;
  try {
    value = await c.call();
  } catch (e) {
    threw = true;
    error = e;
  }
  const out: string[] = [];
  if ('error' in c) {
    const want = c.error.name;
    if (!threw) out.push(`[no-throw] expected ${want}, the call returned ${brief(value)}`);
    else if (!(error instanceof Error)) out.push(`[class] expected ${want}, got a thrown ${brief(error)}`);
    else {
      const got = `${error.constructor.name}: ${error.message.split('\n')[0]}`;
      if (!(error instanceof c.error)) out.push(`[class] expected ${want}, got ${got}`);
      if (!(error instanceof KeelError)) out.push(`[keel] not a KeelError: ${got}`);
      if (c.message && !c.message.test(error.message)) out.push(`[message] ${c.message} does not match "${error.message}"`);
    }
  } else if (threw) {
    out.push(`[threw] expected a result, got ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : brief(error)}`);
  } else {
    try {
      c.result(value);
    } catch (e) {
      out.push(`[result] ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (c.state && !sameSnapshot(before!, c.state())) {
    // An accepted bad input changing the state is part of [no-throw]; [state] is for refused calls and documented results.
    if (!threw && 'error' in c) out[0] += ' (and changed the state)';
    else out.push(`[state] ${threw ? 'the refused call' : 'the call (a documented result)'} changed the model, optimiser or file`);
  }
  return out;
}

function brief(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return typeof v === 'object' ? `a ${name ?? 'object'}` : `${typeof v} ${String(v).slice(0, 60)}`;
}

function sameSnapshot(a: Uint8Array | string, b: Uint8Array | string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Registers `bad-input: <entryPoint>` with one test per case. */
export function battery(entryPoint: string, cases: Case[]): void {
  describe(`bad-input: ${entryPoint}`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const found = await problems(c);
        if (found.length) throw new Error(found.join('\n'));
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------------

const hash = (h: ReturnType<typeof createHash>) => h.digest('hex');

/** Every parameter, buffer (persistent or not), gradient and the training flag of a module tree, hashed. */
export function modelState(model: Module): () => string {
  return () => {
    const h = createHash('sha256');
    for (const [prefix, m] of model.namedModules()) h.update(`${prefix}:${m.training}\n`);
    for (const [k, t] of model.namedParameters()) {
      h.update(`p ${k} ${t.shape.join(',')}\n`).update(bytesOf(t.data));
      if (t.grad) h.update(`g ${k}\n`).update(bytesOf(t.grad.data));
    }
    for (const [k, t] of model.namedBuffers()) h.update(`b ${k} ${t.dtype} ${t.shape.join(',')}\n`).update(bytesOf(t.data));
    return hash(h);
  };
}

/** The optimiser's state dict (buffers, counters, group options), hashed; typed arrays by their bytes. */
export function optimizerState(opt: Optimizer): () => string {
  return () => {
    const json = JSON.stringify(opt.stateDict(), (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? Buffer.from(bytesOf(v as Float32Array)).toString('hex') : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
    return hash(createHash('sha256').update(json));
  };
}

/** The bytes of a file (or "absent") and the names beside it, hashed: no change, no debris. */
export function fileState(path: string): () => string {
  return () => {
    const h = createHash('sha256').update(readdirSync(dirname(path)).sort().join('\n'));
    h.update(existsSync(path) ? readFileSync(path) : 'absent');
    return hash(h);
  };
}

/** The bytes and shapes of some tensors (running statistics, a user's input), hashed. */
export function tensorState(...ts: Array<{ data: ArrayBufferView; shape: readonly number[] }>): () => string {
  return () => {
    const h = createHash('sha256');
    for (const t of ts) h.update(`${t.shape.join(',')}\n`).update(bytesOf(t.data));
    return hash(h);
  };
}

/** Several snapshots as one. */
export function states(...fns: Array<() => Uint8Array | string>): () => string {
  return () => fns.map((f) => { const s = f(); return typeof s === 'string' ? s : Buffer.from(s).toString('hex'); }).join('|');
}

/** The bytes of a typed array (its view only, not the rest of its buffer). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

// ---------------------------------------------------------------------------------------------------
// Hostile buffers
// ---------------------------------------------------------------------------------------------------

/** A Float32Array whose ArrayBuffer was transferred away (length 0, buffer.detached). */
export function detachedFloat32(n: number): Float32Array {
  return detach(new Float32Array(n));
}

/** `view` after its ArrayBuffer was transferred away (as postMessage does): length 0, buffer.detached. */
export function detach<T extends ArrayBufferView>(view: T): T {
  structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
  return view;
}

/** A Float32Array of n values 0.5 on a resizable ArrayBuffer (length-tracking). */
export function resizableFloat32(n: number): Float32Array {
  // (Node's resizable ArrayBuffer; the lib typings of @types/node 20 do not know the options argument.)
  const buf = new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer)(4 * n, { maxByteLength: 4 * n + 64 });
  return new Float32Array(buf).fill(0.5);
}

/** The typed arrays of numbers (not BigInts). */
export type NumberArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/**
 * `values` in a `Kind` view starting `offset` elements into a larger buffer whose elements outside
 * the view are 99 (junk): a reader that ignores byteOffset or byteLength shows at once. With
 * Uint8Array, any byte offset; with wider kinds, byte offsets that are multiples of the element size
 * but (for offset 1, 3, …) not of 8, 16 or 64.
 */
export function viewAt<T extends NumberArray>(Kind: new (n: number) => T, values: ArrayLike<number>, offset: number): T {
  const whole = new Kind(offset + values.length + 5).fill(99) as T;
  const view = whole.subarray(offset, offset + values.length) as T;
  view.set(values);
  return view;
}

/** A sparse array of length n with only index 0 set: holes read as undefined. */
export function sparse(n: number): number[] {
  const a: number[] = [];
  a[0] = 1;
  a.length = n;
  return a;
}
