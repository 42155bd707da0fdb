// The CLI's contract: exit 0 on success and --help, 2 on a usage error with a message naming the
// problem and pointing at --help, one JSON value on stdout with --json (keel info).
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIO } from './capture.js';

async function run(...argv: string[]) {
  const io = captureIO();
  const status = await runCli(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

describe('keel command line', () => {
  it('lists the commands with --help and with no command (then as a usage error)', async () => {
    const help = await run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+demo\s+.*\n\s+info\s/);
    expect((await run()).status).toBe(2);
  });

  it('prints --help with an example for every command', async () => {
    for (const name of ['demo', 'info']) {
      const r = await run(name, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: keel ${name}`));
      expect(r.stdout).toMatch(/Examples?:\n\s+keel /);
    }
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['demo', '--epochs', '0'], '--epochs must be an integer in [1, 1000], got "0"'],
    [['demo', '--epochs', '2.5'], '--epochs must be an integer in [1, 1000], got "2.5"'],
    [['demo', '--seed=-1'], '--seed must be an integer'],
    [['demo', '--variants', 'none,bogus'], 'got "bogus" in "none,bogus"'],
    [['demo', '--variants', 'none,none'], 'lists a value twice'],
    [['demo', '--threads', '0'], '--threads must be an integer in [1, 1024]'],
    [['demo', '--epoch', '3'], 'unknown option --epoch (did you mean --epochs?)'],
    [['demo', '--frobnicate'], 'unknown option --frobnicate\n'],
    [['demo', '--epochs', '-3'], '--epochs must be an integer in [1, 1000], got "-3"'],
    [['demo', '--out'], '--out needs a value'],
    [['demo', '--quick=yes'], '--quick takes no value'],
    [['help', 'frobnicate'], 'unknown command "frobnicate"'],
    [['demo', 'extra'], 'unexpected argument "extra"'],
    [['info', '--json=yes'], "--json"],
  ])('%j is a usage error: exit 2, the problem named, --help suggested', async (argv, message) => {
    const r = await run(...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/^keel( \w+)?: UsageError: /);
    expect(r.stderr).toMatch(/Run "keel (\w+ )?--help" for usage\./);
    expect(r.stdout).toBe('');
  });

  it('keel info --json describes the backend in one JSON object', async () => {
    const r = await run('info', '--json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['native', 'js']).toContain(info.backend);
    expect(Number.isInteger(info.threads)).toBe(true);
    if (info.backend === 'native') {
      expect(String(info.addonPath)).toMatch(/\.node$/);
      expect(info.caches).toEqual({ l2Bytes: expect.any(Number), lastLevelBytes: expect.any(Number), streamingStoreBytes: expect.any(Number) });
    }
  });

  it('keel --version prints the version', async () => {
    expect((await run('--version')).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
