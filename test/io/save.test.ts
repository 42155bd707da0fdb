/**
 * save / load on real files: round trips (async and sync), the model.loadStateDict(await load(path))
 * idiom end to end with a hand-made Module, a bad file or a mismatched state leaving the model as it
 * was, and atomic saves (failures leave an existing file byte-identical with no temp file behind;
 * concurrent saves leave one complete file). Injected write/fsync/rename faults: save-faults.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FormatError, KeelError, OptionError, StorageError } from '../../src/errors.js';
import { load, loadSync, loadWithMetadata, loadWithMetadataSync, save, saveSync, SafetensorsError } from '../../src/io/index.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import type { StateDict } from '../../src/io/state.js';
import { expectSameState, TinyNet } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-io-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const listing = () => readdirSync(dir).sort();

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an exception');
}

describe('save and load', () => {
  it('round-trips a state dict with metadata (async)', async () => {
    const path = join(dir, 'model.safetensors');
    const state = new TinyNet(4).stateDict();
    await save(path, state, { metadata: { epoch: '7' } });
    expectSameState(await load(path), state);
    const { tensors, metadata } = await loadWithMetadata(path);
    expectSameState(tensors, state);
    expect(metadata).toEqual({ epoch: '7' });
    expect(listing()).toEqual(['model.safetensors']);
    expect(readFileSync(path)).toEqual(Buffer.from(encodeSafetensors(state, { epoch: '7' })));
  });

  it('round-trips a state dict (sync); no metadata loads as {}', () => {
    const path = join(dir, 'model.safetensors');
    const state = new TinyNet(4).stateDict();
    saveSync(path, state);
    expectSameState(loadSync(path), state);
    expect(loadWithMetadataSync(path).metadata).toEqual({});
    expect(listing()).toEqual(['model.safetensors']);
  });

  it('model.loadStateDict(await load(path)) restores parameters and the int64 buffer', async () => {
    const path = join(dir, 'model.safetensors');
    const a = new TinyNet(1);
    a.numBatchesTracked.data[0] = 2n ** 60n + 1n;
    await save(path, a.stateDict());
    const b = new TinyNet(2);
    expect(b.loadStateDict(await load(path))).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectSameState(b.stateDict(), a.stateDict());
    expect(b.numBatchesTracked.data[0]).toBe(2n ** 60n + 1n);
  });

  it('names the path in errors and keeps the file-system error code', async () => {
    const missing = join(dir, 'nope.safetensors');
    const e = await rejection(load(missing));
    expect(e.message).toContain(`load(${JSON.stringify(missing)}) failed: the file or its folder does not exist (ENOENT`);
    expect(e).toBeInstanceOf(StorageError);
    expect(e).toBeInstanceOf(KeelError);
    expect(e).toMatchObject({ code: 'ENOENT', path: missing });
    expect((e as StorageError).cause).toMatchObject({ code: 'ENOENT' });
    expect(thrown(() => loadSync(missing))).toMatchObject({ name: 'StorageError', code: 'ENOENT', path: missing });
    writeFileSync(join(dir, 'bad.safetensors'), Uint8Array.of(1, 2));
    const bad = await rejection(load(join(dir, 'bad.safetensors')));
    expect(bad).toBeInstanceOf(SafetensorsError);
    expect(bad).toBeInstanceOf(FormatError);
    expect(bad).toBeInstanceOf(KeelError);
    expect(bad.name).toBe('SafetensorsError');
    expect(bad.message).toMatch(/^load\(".*bad\.safetensors"\): safetensors file is 2 bytes/);
    expect(() => loadSync(join(dir, 'bad.safetensors'))).toThrow(SafetensorsError);
    await expect(save('', {})).rejects.toThrow(OptionError);
    expect(() => loadSync(42 as never)).toThrow(/^loadSync: path must be a non-empty string, got 42$/);
    await expect(save(missing, {}, { meta: {} } as never)).rejects.toThrow(new OptionError('save: unknown option "meta" (known options: metadata)'));
    expect(() => saveSync(missing, {}, { metadata: 'pt' as never })).toThrow(new OptionError('encodeSafetensors: metadata must be an object of strings, got "pt"'));
    expect(existsSync(missing)).toBe(false);
  });

  it("torch.save's argument order, a module for its state dict, and a file that is not safetensors get errors that say so", async () => {
    const net = new TinyNet(); // with BatchNorm: num_batches_tracked is a BigInt, which JSON cannot print
    const target = join(dir, 'swapped.safetensors');
    const swapped = 'save: path must be a non-empty string, got an object (the arguments are (path, stateDict), path first: save(path, model.stateDict()))';
    await expect(save(net.stateDict() as never, target as never)).rejects.toThrow(new OptionError(swapped));
    expect(() => saveSync(net as never, target as never)).toThrow(/^saveSync: path must be a non-empty string, got a TinyNet \(the arguments are \(path, stateDict\)/);
    await expect(save(target, net as never)).rejects.toThrow(/got a TinyNet \(a module\): pass model\.stateDict\(\)$/);
    expect(existsSync(target)).toBe(false);
    writeFileSync(join(dir, 'table.csv'), 'a,b,c\n1,2,3\n');
    await expect(load(join(dir, 'table.csv'))).rejects.toThrow(/exceeds the limit of 100000000 bytes and the file \(12 bytes\): not a safetensors file, or a truncated one$/);
  });
});

describe('a bad file or a mismatched state leaves the model as it was', () => {
  const snapshot = (net: TinyNet) => encodeSafetensors(net.stateDict());

  async function expectUntouched(net: TinyNet, file: Uint8Array | StateDict, fragment: RegExp): Promise<void> {
    const path = join(dir, 'other.safetensors');
    if (file instanceof Uint8Array) writeFileSync(path, file);
    else await save(path, file);
    const before = snapshot(net);
    let err: unknown;
    try {
      net.loadStateDict(await load(path));
    } catch (e) {
      err = e;
    }
    expect(String(err)).toMatch(fragment);
    expect(Buffer.from(snapshot(net)).equals(Buffer.from(before))).toBe(true);
  }

  it('a truncated or corrupted file', async () => {
    const good = encodeSafetensors(new TinyNet(9).stateDict());
    await expectUntouched(new TinyNet(1), good.subarray(0, good.length - 3), /SafetensorsError: load\(.*\): 3 trailing bytes|extend beyond the data region/);
    const flipped = good.slice();
    flipped[10] = 0x00; // a control character inside the first key of the header JSON
    await expectUntouched(new TinyNet(1), flipped, /SafetensorsError/);
  });

  it('a shape mismatch in the last tensor: no earlier tensor is changed either', async () => {
    const state = new TinyNet(9).stateDict();
    state['1.running_var'] = { dtype: 'F32', shape: [5], data: new Float32Array(5) };
    await expectUntouched(new TinyNet(1), state, /size mismatch for 1\.running_var/);
  });

  it('a missing key, an unexpected key, a float num_batches_tracked', async () => {
    const missing = new TinyNet(9).stateDict();
    delete missing['1.num_batches_tracked'];
    await expectUntouched(new TinyNet(1), missing, /Missing key\(s\): "1\.num_batches_tracked"/);
    const extra = { ...new TinyNet(9).stateDict(), '2.weight': { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) } };
    await expectUntouched(new TinyNet(1), extra, /Unexpected key\(s\): "2\.weight"/);
    const floatCount = { ...new TinyNet(9).stateDict(), '1.num_batches_tracked': { dtype: 'F32' as const, shape: [], data: Float32Array.of(3) } };
    await expectUntouched(new TinyNet(1), floatCount, /dtype mismatch for 1\.num_batches_tracked/);
  });
});

describe('atomic save', () => {
  it('an invalid state dict throws before touching the file system: the old file stays byte-identical', async () => {
    const path = join(dir, 'model.safetensors');
    await save(path, new TinyNet(1).stateDict());
    const before = readFileSync(path);
    const bad = { ...new TinyNet(2).stateDict(), broken: { dtype: 'F32', shape: [3], data: new Float32Array(2) } } as StateDict;
    await expect(save(path, bad)).rejects.toThrow(/tensor "broken": data has 2 elements but shape \(3\) needs 3/);
    expect(() => saveSync(path, bad)).toThrow(SafetensorsError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(listing()).toEqual(['model.safetensors']);
  });

  it('a failure after the temp file is written (rename onto a directory) removes the temp file', async () => {
    const target = join(dir, 'model.safetensors');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    const e = await rejection(save(target, new TinyNet(1).stateDict()));
    expect(e.message).toContain(`save(${JSON.stringify(target)}) failed`);
    expect(e).toBeInstanceOf(StorageError);
    expect(e.code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect(thrown(() => saveSync(target, new TinyNet(1).stateDict())).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect(listing()).toEqual(['model.safetensors']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('a missing directory fails cleanly', async () => {
    const path = join(dir, 'no', 'such', 'model.safetensors');
    expect(await rejection(save(path, {}))).toMatchObject({ name: 'StorageError', code: 'ENOENT', path });
    expect(thrown(() => saveSync(path, {}))).toMatchObject({ name: 'StorageError', code: 'ENOENT', path });
    expect(listing()).toEqual([]);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a directory that is not writable: old file untouched', async () => {
    const path = join(dir, 'model.safetensors');
    await save(path, new TinyNet(1).stateDict());
    const before = readFileSync(path);
    chmodSync(dir, 0o500);
    try {
      expect((await rejection(save(path, new TinyNet(2).stateDict()))).code).toBe('EACCES');
      expect(thrown(() => saveSync(path, new TinyNet(2).stateDict())).code).toBe('EACCES');
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(listing()).toEqual(['model.safetensors']);
  });

  it('replaces an existing file completely and keeps its permission bits', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old contents, much longer than nothing at all '.repeat(200));
    chmodSync(path, 0o640);
    await save(path, {});
    expect(readFileSync(path)).toEqual(Buffer.from(encodeSafetensors({})));
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o640);
    saveSync(path, new TinyNet(3).stateDict());
    expectSameState(loadSync(path), new TinyNet(3).stateDict());
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(listing()).toEqual(['model.safetensors']);
  });

  it.skipIf(process.platform === 'win32')('follows a symlink: the file it points to is replaced, the link stays', async () => {
    mkdirSync(join(dir, 'run3'));
    const real = join(dir, 'run3', 'model.safetensors');
    await save(real, new TinyNet(1).stateDict());
    const link = join(dir, 'latest.safetensors');
    symlinkSync(join('run3', 'model.safetensors'), link);
    await save(link, new TinyNet(2).stateDict());
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expectSameState(loadSync(real), new TinyNet(2).stateDict());
    saveSync(link, new TinyNet(3).stateDict());
    expectSameState(loadSync(real), new TinyNet(3).stateDict());
    expect(listing()).toEqual(['latest.safetensors', 'run3']);
    expect(readdirSync(join(dir, 'run3'))).toEqual(['model.safetensors']);
  });

  it('concurrent saves to one path leave one complete file and no temp files', async () => {
    const path = join(dir, 'model.safetensors');
    const states = Array.from({ length: 16 }, (_, i) => {
      const s = new TinyNet(i + 1).stateDict();
      // Different sizes, so a mix of two writes could not pass as either.
      s.pad = { dtype: 'F64', shape: [1000 * (i + 1)], data: new Float64Array(1000 * (i + 1)).fill(i) };
      return s;
    });
    for (let round = 0; round < 3; round++) {
      await Promise.all(states.map((s, i) => save(path, s, { metadata: { i: String(i) } })));
      const { tensors, metadata } = loadWithMetadataSync(path);
      const i = Number(metadata.i);
      expectSameState(tensors, states[i]!);
      expect(listing()).toEqual(['model.safetensors']);
    }
  });

  it('a reader during concurrent saves always sees a complete file', async () => {
    const path = join(dir, 'model.safetensors');
    const state = (i: number) => {
      const s = new TinyNet(i).stateDict();
      s.pad = { dtype: 'U8', shape: [(i % 7) * 50_000], data: new Uint8Array((i % 7) * 50_000).fill(i) };
      return s;
    };
    await save(path, state(0));
    let reads = 0;
    let writing = true;
    const reader = async () => {
      while (writing) {
        const t = await load(path); // throws (failing the test) if it ever sees a partial file
        const i = Number((t['1.num_batches_tracked']!.data as BigInt64Array)[0]);
        expectSameState(t, state(i));
        reads++;
      }
    };
    const writer = async () => {
      try {
        for (let i = 1; i <= 40; i++) await save(path, state(i));
      } finally {
        writing = false;
      }
    };
    await Promise.all([reader(), writer()]);
    expect(reads).toBeGreaterThan(0);
    expect(existsSync(path)).toBe(true);
    expect(listing()).toEqual(['model.safetensors']);
  });
});
