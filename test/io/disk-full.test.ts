/**
 * A real full disk: a 256 KiB tmpfs holds a small model's file; saving a model that does not fit
 * (save and saveSync) throws StorageError with code ENOSPC naming the path, leaves the old file
 * byte for byte and no temporary file (the space is given back: the small model saves again). Needs
 * root to mount the tmpfs; skipped, with the reason in its title, where mounting is not permitted.
 * (Injected faults of every step: save-faults.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeelError, StorageError } from '../../src/errors.js';
import { loadSync, save, saveSync } from '../../src/io/index.js';
import { Linear } from '../../src/nn/linear.js';
import { expectSameState, mountTmpfs } from './helpers.js';

const fs = mountTmpfs('256k');
afterAll(() => fs.remove());

describe.skipIf(fs.skip !== null)(fs.skip ? `disk full (skipped: ${fs.skip})` : 'disk full (a 256 KiB tmpfs)', () => {
  const small = new Linear(16, 8).stateDict(); // 544 bytes of weights
  const big = new Linear(300, 300).stateDict(); // 361 KB: more than the whole file system

  it.each([
    ['save', (p: string, s: typeof small) => save(p, s)],
    ['saveSync', async (p: string, s: typeof small) => saveSync(p, s)],
  ] as const)('%s: StorageError ENOSPC, the old file unchanged, no temp file left', async (_name, saveFn) => {
    const path = join(fs.dir, 'model.safetensors');
    await saveFn(path, small);
    const before = readFileSync(path);
    const err = await saveFn(path, big).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toBeInstanceOf(KeelError);
    expect(err).toMatchObject({ name: 'StorageError', code: 'ENOSPC', path });
    expect((err as Error).message).toMatch(/^save\(".*model\.safetensors"\) failed: no space left on the device \(ENOSPC/);
    expect((err as StorageError).cause).toMatchObject({ code: 'ENOSPC' });
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(fs.dir)).toEqual(['model.safetensors']);
    // The temp file's space was given back: a model that fits saves and loads again.
    const other = new Linear(16, 8).stateDict();
    await saveFn(path, other);
    expectSameState(loadSync(path), other);
  });
});
