// writeFileAtomic: a refused write is a StorageError about the target file — its path, the system's
// code, a message naming the target and not the temporary file — and leaves no temporary file.
// writeFilesAtomic: files written as one — a refused write of one replaces none of them.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { writeFileAtomic, writeFilesAtomic } from '../../src/report/atomic-write.js';

describe('writeFileAtomic', () => {
  it('a refused write is a StorageError naming the target file, with the system code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-atomic-'));
    writeFileSync(join(dir, 'file'), '');
    const target = join(dir, 'file', 'out.json'); // under a file: ENOTDIR
    let caught: unknown;
    try {
      writeFileAtomic(target, '{}');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StorageError);
    const e = caught as StorageError;
    expect([e.path, e.code]).toEqual([target, 'ENOTDIR']);
    expect(e.message).toContain(`'${target}'`);
    expect(e.message).not.toMatch(/\.tmp/);
    expect(readdirSync(dir)).toEqual(['file']);
  });
});

describe('writeFilesAtomic', () => {
  it('a refused second file leaves the first as it was, and no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-atomic-'));
    writeFileSync(join(dir, 'results.json'), 'old');
    writeFileSync(join(dir, 'file'), '');
    const refused = join(dir, 'file', 'best.json'); // under a file: ENOTDIR
    expect(() => writeFilesAtomic([[join(dir, 'results.json'), 'new'], [refused, '{}']])).toThrow(StorageError);
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['file', 'results.json']);
    writeFilesAtomic([[join(dir, 'results.json'), 'new'], [join(dir, 'best.json'), '{}']]);
    expect([readFileSync(join(dir, 'results.json'), 'utf8'), readFileSync(join(dir, 'best.json'), 'utf8')]).toEqual(['new', '{}']);
  });
});
