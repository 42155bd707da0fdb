// --out FOLDER that exists: keel writes over a folder it wrote (a rerun), and refuses, before
// training, a folder it did not write that holds a file of a name it writes (`--out .` in a project
// must not replace its index.html), leaving that file as it was.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir, trainSmallModel } from './io.js';

const train = (out: string) => run('train', '--data', 'runtofailure', '--units', '6', '--epochs', '1', '--out', out);

describe('keel train --out an existing folder', () => {
  it("refuses a folder keel did not write that holds one of the files it writes, and leaves the user's file", async () => {
    const dir = join(tempDir(), 'site');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<p>my page</p>');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await train(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${dir} holds index.html, which keel would replace, and keel did not write this folder; give a new or empty folder`);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('<p>my page</p>');
  });

  it("writes into a folder that holds only other files, and over a folder it wrote (a model folder, or a report)", async () => {
    const dir = join(tempDir(), 'project');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect((await train(dir)).status).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<meta name="generator" content="keel">');
    expect((await train(dir)).status).toBe(0); // a rerun
    const model = await trainSmallModel();
    expect((await train(model)).status).toBe(0);
    // A rerun of the demo with fewer runs removes the earlier report's charts it no longer draws.
    const report = join(tempDir(), 'report');
    expect((await run('demo', '--quick', '--variants', 'none,dropout', '--out', report)).status).toBe(0);
    expect((await run('demo', '--quick', '--variants', 'dropout', '--out', report)).status).toBe(0);
    expect(readdirSync(report).filter((f) => f.endsWith('.svg'))).toEqual(['curves-dropout.svg']);
  }, 120_000);

  it('a folder holding a file of no name keel writes is not refused, and the file is left alone', async () => {
    // No run is named with a space, so this is no chart keel writes.
    const dir = join(tempDir(), 'site');
    mkdirSync(dir);
    writeFileSync(join(dir, 'curves-My Chart.svg'), '<svg/>');
    expect((await train(dir)).status).toBe(0);
    expect(readFileSync(join(dir, 'curves-My Chart.svg'), 'utf8')).toBe('<svg/>');
  });
});
