// `keel build`, the opt-in build from source: its --help says what it needs, a bad --jobs is a usage
// error, and the node-gyp command line it runs (no real build here: that is CI's node-gyp step).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeGypCommand } from '../../src/cli/commands/build.js';
import { run } from './io.js';

const repo = resolve(import.meta.dirname, '../..');

describe('keel build', () => {
  it('--help names the command, what it needs and an example', async () => {
    const r = await run('build', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: keel build/);
    for (const need of ['C++17 compiler', 'make', 'Python 3', 'node-gyp', 'build/Release/keel.node']) expect(r.stdout).toContain(need);
    expect(r.stdout).toMatch(/Examples:\n\s+npx keel build\n/);
    expect((await run('--help')).stdout).toMatch(/\n\s+build\s+compile the native addon from source/);
  });

  it.each([
    [['build', '--jobs', '0'], '--jobs must be max or an integer in [1, 1024], got "0"'],
    [['build', '--jobs', 'all'], '--jobs must be max or an integer in [1, 1024], got "all"'],
    [['build', 'now'], 'unexpected argument "now"'],
  ])('%j is a usage error that builds nothing', async (argv, message) => {
    const r = await run(...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('node-gyp');
  });

  it("runs the package's own node-gyp when it has one, else node-gyp 12 through npx", () => {
    const own = nodeGypCommand(repo, 'max', { npm_config_nodedir: '/usr' });
    expect(own).toEqual({ command: join(repo, 'node_modules/.bin/node-gyp'), args: ['rebuild', '--jobs', 'max'] });
    const installed = nodeGypCommand(mkdtempSync(join(tmpdir(), 'keel-build-')), '2', { npm_config_nodedir: '/usr' });
    expect(installed).toEqual({ command: 'npx', args: ['--yes', 'node-gyp@12', 'rebuild', '--jobs', '2'] });
  });

  it("points node-gyp at the headers beside node when npm's nodedir is not set", () => {
    const prefix = dirname(dirname(process.execPath));
    const expected = existsSync(join(prefix, 'include/node/common.gypi')) ? [`--nodedir=${prefix}`] : [];
    expect(nodeGypCommand(repo, 'max', {}).args.filter((a) => a.startsWith('--nodedir'))).toEqual(expected);
  });
});
