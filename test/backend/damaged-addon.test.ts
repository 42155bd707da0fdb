// A damaged addon file is refused before it is loaded, and keel falls back to the JS kernels with its
// warning: a truncated copy (dlopen of it dies of SIGBUS, killing the process before any error can be
// caught) and a file built for another machine are named as such. Each load runs in a child process,
// so that a regression crashes the child, not the test runner.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elfProblem } from '../../src/backend/elf-check.js';
import { backendInfo } from '../../src/backend/index.js';

const repo = resolve(import.meta.dirname, '../..');
const built = backendInfo().addonPath;

/** loadBackend on `file` alone, in a child process: its exit status and output. */
function loadIn(file: string) {
  const code = `import { loadBackend } from './src/backend/loader.ts';
const b = loadBackend({ candidates: [${JSON.stringify(file)}], warn: (m) => console.log(m) });
console.log('backend:', b.info.backend);`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8' });
}

describe.skipIf(built === null || process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch))('a damaged addon file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-damaged-'));
  const whole = readFileSync(built!);

  it.each([1000, 100_000, whole.length - 1])('cut to %i bytes: refused as truncated; the JS kernels load instead', (bytes) => {
    const file = join(dir, `cut-${bytes}.node`);
    writeFileSync(file, whole.subarray(0, bytes));
    expect(elfProblem(file)).toMatch(new RegExp(`^truncated: ${bytes} bytes, but its ELF section table ends at byte ${whole.length}`));
    const r = loadIn(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${file}: truncated: ${bytes} bytes`);
    expect(r.stdout).toContain('backend: js');
  });

  it('built for another machine: named as such', () => {
    const file = join(dir, 'other.node');
    const other = Buffer.from(whole);
    other.writeUInt16LE(process.arch === 'x64' ? 183 : 62, 0x12);
    writeFileSync(file, other);
    expect(elfProblem(file)).toBe(`built for ${process.arch === 'x64' ? 'arm64' : 'x64'}, not this ${process.arch} machine`);
    expect(loadIn(file).stdout).toContain('backend: js');
  });

  it('the whole file passes and loads', () => {
    const file = join(dir, 'whole.node');
    copyFileSync(built!, file);
    expect(elfProblem(file)).toBeNull();
    expect(loadIn(file).stdout).toContain('backend: native');
  });
});
