// writeStudyReport: creates a new nested folder, writes every rendered file atomically (temp name + rename, index.html last), replaces an older report, leaves no temp file even when a rename fails (a StorageError naming the path).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { renderStudyReport, writeStudyReport } from '../../src/report/index.js';
import { typedError } from '../data/helpers.js';
import { demoReport } from './demo-report.js';

const root = mkdtempSync(join(tmpdir(), 'keel-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeStudyReport', () => {
  it('creates a new nested folder and writes exactly the rendered files, index.html last', () => {
    const dir = join(root, 'a', 'b', 'report');
    const report = demoReport(15);
    const written = writeStudyReport(dir, report);
    const rendered = renderStudyReport(report);
    expect(written.dir).toBe(dir);
    expect(written.html).toBe(join(dir, 'index.html'));
    expect(written.files).toEqual([...rendered.keys()].map((f) => join(dir, f)));
    expect(written.files.at(-1)).toBe(written.html);
    expect(readdirSync(dir).sort()).toEqual([...rendered.keys()].sort());
    for (const [name, contents] of rendered) expect(readFileSync(join(dir, name), 'utf8')).toBe(contents);
  });

  it('a relative dir (to the working directory) comes back absolute', () => {
    const target = join(root, 'rel', 'report');
    expect(writeStudyReport(relative(process.cwd(), target), demoReport(5)).dir).toBe(target);
  });

  it('replaces the files of an older report by rename (new inode) and leaves other files alone', () => {
    const dir = join(root, 'again');
    writeStudyReport(dir, demoReport(10));
    writeFileSync(join(dir, 'mine.txt'), 'keep');
    const before = statSync(join(dir, 'index.html')).ino;
    const report = demoReport(20);
    writeStudyReport(dir, report);
    // An in-place rewrite keeps the inode; write-to-temp-then-rename gives the name a new file.
    expect(statSync(join(dir, 'index.html')).ino).not.toBe(before);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe(renderStudyReport(report).get('index.html'));
    expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('keep');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed rename throws a StorageError and removes its temporary file; index.html (written last) is not written', async () => {
    const dir = join(root, 'blocked');
    mkdirSync(join(dir, 'results.md'), { recursive: true }); // a folder where a file must go: rename fails
    const e = await typedError(() => writeStudyReport(dir, demoReport(8)), StorageError, /^writeStudyReport: cannot write .*results\.md \(.*(EISDIR|ENOTEMPTY|EEXIST|directory)/);
    expect(e.path).toBe(join(dir, 'results.md'));
    expect(['EISDIR', 'ENOTEMPTY', 'EEXIST']).toContain(e.code);
    const left = readdirSync(dir);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(left).not.toContain('index.html');
    expect(left).toContain('results.json');
  });
});
