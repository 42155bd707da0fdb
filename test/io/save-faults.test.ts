/**
 * Atomic save under injected file-system faults: a short write (disk full), a failing fsync of the
 * temp file, a failing rename. Each must leave an existing target byte-identical and no temp file
 * behind, in save and saveSync. A failing directory fsync comes after the rename: the error is
 * reported, and the target holds the complete new file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { loadSync, save, saveSync } from '../../src/io/index.js';
import { expectSameState, TinyNet } from './helpers.js';

type Fault = 'short-write' | 'fsync' | 'rename' | 'dir-fsync' | null;
const faults = vi.hoisted(() => ({ fail: null as Fault }));

const ioError = (code: string, op: string) => Object.assign(new Error(`${code}: injected fault, ${op}`), { code });

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (path, flags, mode) => {
    const h = await real.open(path, flags, mode);
    const isTemp = flags === 'wx';
    if (isTemp && faults.fail === 'short-write') {
      h.writeFile = async (data) => {
        const bytes = data as Uint8Array;
        await h.write(bytes, 0, Math.floor(bytes.length / 2));
        throw ioError('ENOSPC', 'write');
      };
    }
    if ((isTemp && faults.fail === 'fsync') || (!isTemp && faults.fail === 'dir-fsync')) {
      h.sync = async () => {
        throw ioError('EIO', 'fsync');
      };
    }
    return h;
  };
  const rename: typeof real.rename = async (a, b) => {
    if (faults.fail === 'rename') throw ioError('EXDEV', 'rename');
    return real.rename(a, b);
  };
  return { ...real, open, rename, default: { ...real, open, rename } };
});

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const tempFds = new Set<number>();
  const openSync = ((path: string, flags: string, mode?: number) => {
    const fd = real.openSync(path, flags, mode);
    if (flags === 'wx') tempFds.add(fd);
    return fd;
  }) as typeof real.openSync;
  const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
    if (faults.fail === 'short-write') {
      real.writeSync(fd, buf, off, Math.floor(len / 2));
      throw ioError('ENOSPC', 'write');
    }
    return real.writeSync(fd, buf, off, len);
  }) as typeof real.writeSync;
  const fsyncSync = (fd: number) => {
    const isTemp = tempFds.has(fd);
    if ((isTemp && faults.fail === 'fsync') || (!isTemp && faults.fail === 'dir-fsync')) throw ioError('EIO', 'fsync');
    return real.fsyncSync(fd);
  };
  const closeSync = (fd: number) => {
    tempFds.delete(fd);
    return real.closeSync(fd);
  };
  const renameSync = (a: string, b: string) => {
    if (faults.fail === 'rename') throw ioError('EXDEV', 'rename');
    return real.renameSync(a, b);
  };
  const patched = { openSync, writeSync, fsyncSync, closeSync, renameSync };
  return { ...real, ...patched, default: { ...real, ...patched } };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-io-faults-'));
  faults.fail = null;
});
afterEach(() => {
  faults.fail = null;
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['save', async (p: string, s: ReturnType<TinyNet['stateDict']>) => save(p, s)],
  ['saveSync', async (p: string, s: ReturnType<TinyNet['stateDict']>) => saveSync(p, s)],
] as const)('%s under faults', (_name, saveFn) => {
  const cases: Array<[Exclude<Fault, null | 'dir-fsync'>, string]> = [
    ['short-write', 'ENOSPC'],
    ['fsync', 'EIO'],
    ['rename', 'EXDEV'],
  ];

  it.each(cases)('%s: the old file stays byte-identical, no temp file is left', async (fault, code) => {
    const path = join(dir, 'model.safetensors');
    await saveFn(path, new TinyNet(1).stateDict());
    const before = readFileSync(path);
    faults.fail = fault;
    const big = { ...new TinyNet(2).stateDict(), pad: { dtype: 'F32' as const, shape: [100_000], data: new Float32Array(100_000) } };
    let err: (Error & { code?: string }) | undefined;
    try {
      await saveFn(path, big);
    } catch (e) {
      err = e as Error & { code?: string };
    }
    faults.fail = null;
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code, path });
    expect(err?.message).toMatch(new RegExp(`^save\\(${JSON.stringify(path)}\\) failed: [a-z/ -]+ \\(${code}: injected fault`));
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    // And the next save works.
    await saveFn(path, big);
    expectSameState(loadSync(path), big);
  });

  it('dir-fsync: reported, after the complete new file is in place', async () => {
    const path = join(dir, 'model.safetensors');
    await saveFn(path, new TinyNet(1).stateDict());
    faults.fail = 'dir-fsync';
    let err: (Error & { code?: string }) | undefined;
    try {
      await saveFn(path, new TinyNet(2).stateDict());
    } catch (e) {
      err = e as Error & { code?: string };
    }
    faults.fail = null;
    expect(err).toBeInstanceOf(StorageError);
    expect(err?.code).toBe('EIO');
    expectSameState(loadSync(path), new TinyNet(2).stateDict());
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});
