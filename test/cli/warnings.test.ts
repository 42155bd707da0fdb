// The library's warnings in the real process: keel's own "keel: warning: …" lines on stderr, without
// node's "(node:PID) [CODE] Warning:" frame and its --trace-warnings hint (nor a second "keel: "); keel
// build is spared the no-addon warning that asks for it; NODE_NO_WARNINGS=1 still silences them.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './io.js';

/** keel train on six rows in batches of 3, which the small-batch BatchNorm check warns about. */
function trainSmallBatches(env: Record<string, string> = {}) {
  const dir = tempDir();
  const file = join(dir, 'rows.csv');
  writeFileSync(file, 'x,y\n1,2\n2,3\n3,5\n4,4\n5,6\n6,7\n');
  const argv = ['--import', 'tsx', 'src/cli/main.ts', 'train', '--data', `csv:${file}`, '--target', 'y', '--batch-size', '3', '--epochs', '1', '--out', join(dir, 'm')];
  return spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('warnings of the keel process', () => {
  it("are keel's lines, without node's frame", () => {
    const r = trainSmallBatches();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^keel: warning: BatchNorm1d\(128\) at "1", BatchNorm1d\(64\) at "5" normalise with batch statistics in training, and the batch size is 3/m);
    expect(r.stderr).not.toContain('(node:');
    expect(r.stderr).not.toContain('--trace-warnings');
  }, 30000);

  it("the no-addon warning reads 'keel: warning: native addon not loaded', and keel build, which it asks for, does not print it", () => {
    const keel = (...argv: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], { encoding: 'utf8', env: { ...process.env, KEEL_ADDON_PATH: '/nonexistent/keel.node' } });
    const info = keel('info');
    expect(info.status, info.stderr).toBe(0);
    expect(info.stderr).toMatch(/^keel: warning: native addon not loaded, using the JS reference kernels \(slow\)/m);
    const build = keel('build', '--help');
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).toBe('');
  }, 30000);

  it('NODE_NO_WARNINGS=1 silences them', () => {
    const r = trainSmallBatches({ NODE_NO_WARNINGS: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
  }, 30000);
});
