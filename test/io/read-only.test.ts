/**
 * Storage that refuses writes: a tmpfs remounted read-only (EROFS), and a folder and a file the user
 * may not write or read (EACCES — root ignores permission bits, so that part runs in a child as
 * `nobody` through setpriv, as test/backend/thread-limit.test.ts does). Every refused save, sync or
 * async, is a StorageError naming the path and the reason, with the old file left byte for byte and
 * no temporary file; a refused load is a StorageError too. Each part is skipped, with the reason in
 * its title, where it cannot run (no mount permission; not root or no setpriv).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeelError, StorageError } from '../../src/errors.js';
import { loadSync, save, saveSync } from '../../src/io/index.js';
import { Linear } from '../../src/nn/linear.js';
import { expectSameState, mountTmpfs } from './helpers.js';

const fs = mountTmpfs('1m');
afterAll(() => fs.remove());

describe.skipIf(fs.skip !== null)(fs.skip ? `read-only file system (skipped: ${fs.skip})` : 'read-only file system (a tmpfs remounted ro)', () => {
  it('save and saveSync: StorageError EROFS, the old file unchanged and still loadable, no temp file', async () => {
    const path = join(fs.dir, 'model.safetensors');
    const old = new Linear(8, 4).stateDict();
    saveSync(path, old);
    const before = readFileSync(path);
    fs.readOnly();
    const next = new Linear(8, 4).stateDict();
    const syncErr = (() => {
      try {
        saveSync(path, next);
      } catch (e) {
        return e;
      }
    })();
    for (const err of [await save(path, next).catch((e: unknown) => e), syncErr]) {
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toBeInstanceOf(KeelError);
      expect(err).toMatchObject({ code: 'EROFS', path });
      expect((err as Error).message).toMatch(/^save\(".*model\.safetensors"\) failed: the file system is read-only \(EROFS/);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(fs.dir)).toEqual(['model.safetensors']);
    expectSameState(loadSync(path), old);
    expect(() => loadSync(join(fs.dir, 'missing.safetensors'))).toThrow(StorageError);
  });
});

const canDrop = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
const dropSkip = canDrop ? null : 'needs root and /usr/bin/setpriv to run a child as nobody';

describe.skipIf(dropSkip !== null)(dropSkip ? `permission denied (skipped: ${dropSkip})` : 'permission denied (a child running as nobody)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ro-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('save / saveSync into a folder it may not write, load of a file it may not read: StorageError EACCES', () => {
    const path = join(dir, 'model.safetensors'), secret = join(dir, 'secret.safetensors');
    saveSync(path, new Linear(8, 4).stateDict());
    saveSync(secret, new Linear(8, 4).stateDict());
    chmodSync(secret, 0o600);
    chmodSync(dir, 0o555);
    const before = readFileSync(path);
    const saveUrl = new URL('../../src/io/save.ts', import.meta.url).href;
    // In the child: each call's error as { name, code, path, message }.
    const script = `
      const io = await import(${JSON.stringify(saveUrl)});
      const state = { w: { dtype: 'F32', shape: [2], data: new Float32Array(2) } };
      const err = (e) => ({ name: e.name, code: e.code, path: e.path, message: e.message });
      const out = [];
      await io.save(${JSON.stringify(path)}, state).then(() => out.push(null), (e) => out.push(err(e)));
      try { io.saveSync(${JSON.stringify(path)}, state); out.push(null); } catch (e) { out.push(err(e)); }
      try { io.loadSync(${JSON.stringify(secret)}); out.push(null); } catch (e) { out.push(err(e)); }
      console.log(JSON.stringify(out));`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
    });
    expect(r.status, r.stderr).toBe(0);
    const [asyncSave, syncSave, load] = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<Record<string, string>>;
    for (const e of [asyncSave, syncSave]) {
      expect(e).toMatchObject({ name: 'StorageError', code: 'EACCES', path });
      expect(e!.message).toMatch(/^save\(".*model\.safetensors"\) failed: permission denied \(EACCES/);
    }
    expect(load).toMatchObject({ name: 'StorageError', code: 'EACCES', path: secret });
    expect(load!.message).toMatch(/^load\(".*secret\.safetensors"\) failed: permission denied \(EACCES/);
    chmodSync(dir, 0o755);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'secret.safetensors']);
  });
});
