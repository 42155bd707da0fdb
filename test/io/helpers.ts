/**
 * Helpers for the io tests: a hand-made Module with the state-dict keys of PyTorch's
 * Sequential(Conv1d(3, 4, 3, bias=False), BatchNorm1d(4)) (built from the Module base only, so the
 * io tests do not depend on the layers in src/nn), value comparison by bits, and expected-value
 * descriptions shared with test/fixtures/io/make_io_fixtures.py, and a real small tmpfs for the
 * disk-full and read-only tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Int64Buffer, type StateData, type StateDict, type StateTensor } from '../../src/io/state.js';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A leaf module holding named parameters and buffers; forward is the identity. */
export class Holder extends Module {
  constructor(params: Record<string, Tensor>, buffers: Record<string, StateTensor> = {}) {
    super();
    for (const [n, t] of Object.entries(params)) this.registerParameter(n, t);
    for (const [n, t] of Object.entries(buffers)) this.registerBuffer(n, t);
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  toJSON(): ModuleJSON {
    return { type: 'Holder' };
  }
}

/** Sequential(Conv1d(3, 4, 3, bias=False), BatchNorm1d(4)) as far as its state dict goes. */
export class TinyNet extends Module {
  readonly conv: Holder;
  readonly bn: Holder;
  readonly numBatchesTracked = new Int64Buffer([]);

  constructor(seed = 1) {
    super();
    // Exact binary fractions, so the values are the same on every platform and engine.
    const fill = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => (((i * 37 + k * 11 + seed * 5) % 29) - 14) / 16);
    this.conv = this.registerModule('0', new Holder({ weight: new Tensor(fill(36, 0), [4, 3, 3]) }));
    this.bn = this.registerModule(
      '1',
      new Holder(
        { weight: new Tensor(fill(4, 1), [4]), bias: new Tensor(fill(4, 2), [4]) },
        {
          running_mean: new Tensor(fill(4, 3), [4]),
          running_var: new Tensor(fill(4, 4).map(Math.abs), [4]),
          num_batches_tracked: this.numBatchesTracked,
        },
      ),
    );
    this.numBatchesTracked.value = seed;
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  toJSON(): ModuleJSON {
    return { type: 'TinyNet' };
  }
}

/** Raw bytes of a typed array (native order), for bit-exact comparisons that treat NaN and -0 exactly. */
export function bytesOf(data: StateData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Asserts two state dicts have the same keys (in order), dtypes, shapes and bit-identical data. */
export function expectSameState(got: StateDict, want: StateDict): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    expect({ k, dtype: g.dtype, shape: [...g.shape] }).toEqual({ k, dtype: w.dtype, shape: [...w.shape] });
    expect(g.data.constructor).toBe(w.data.constructor);
    expect(Buffer.from(bytesOf(g.data)).equals(Buffer.from(bytesOf(w.data))), `data of ${k}`).toBe(true);
  }
}

/** One tensor as the fixture JSON describes it. */
export interface TensorSpec {
  dtype: string;
  shape: number[];
  values: Array<number | string>;
}

/** JSON values: I64 as decimal strings; NaN, ±Infinity and -0 as the strings Number() parses back. */
export function specOf(t: StateTensor): TensorSpec {
  const values = Array.from(t.data as ArrayLike<number | bigint>, (v) => {
    if (typeof v === 'bigint') return v.toString();
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (Object.is(v, -0)) return '-0'; // JSON.stringify would write 0
    return v;
  });
  return { dtype: t.dtype, shape: [...t.shape], values };
}

/** The value a fixture entry stands for (an exact double or a bigint). */
export function specValue(v: number | string, dtype: string): number | bigint {
  if (dtype === 'I64') return BigInt(v);
  return typeof v === 'string' ? Number(v) : v;
}

/** Mulberry32: a small seeded stream of uniforms in [0, 1), independent of keel's generator (the corruption loop here; the training tests' data). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mounted tmpfs: its folder, or why it could not be mounted; and how to remove it. */
export interface Tmpfs {
  dir: string;
  /** Why the mount failed (not root, no mount permission in this container…), or null when mounted. */
  skip: string | null;
  /** Remounts it read-only (`mount -o remount,ro`). */
  readOnly(): void;
  /** Unmounts it and removes the folder. */
  remove(): void;
}

/** Mounts a tmpfs of `size` (e.g. '256k') on a fresh folder under the system's temp folder. */
export function mountTmpfs(size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'keel-tmpfs-'));
  let skip: string | null = null;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    skip = `cannot mount a tmpfs here (needs root and mount permission): ${(e as Error).message.split('\n')[0]}`;
  }
  return {
    dir,
    skip,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    remove: () => {
      if (!skip) execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
