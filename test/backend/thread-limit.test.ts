/**
 * When the OS refuses threads (a container's or user's process limit), the addon keeps the threads it
 * got and says so, instead of letting std::system_error abort the whole process — at setNumThreads and
 * at import, where the loader sizes the pool to the machine. The limit is RLIMIT_NPROC (`ulimit -u`),
 * which binds only an unprivileged user, so the child runs as `nobody` through setpriv; the test needs
 * root and util-linux's setpriv (CI has both) and is skipped elsewhere. The error is a plain Error
 * from the addon alone, and keel's BackendError once the loader has handed it keel's classes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addonCandidates, loadBackend } from '../../src/backend/loader.js';

const canDrop = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
const loaded = loadBackend({ env: { ...process.env, KEEL_CPU: undefined }, candidates: process.env.KEEL_ADDON_PATH ? [process.env.KEEL_ADDON_PATH] : addonCandidates(), warn: () => {} });
const addonPath = loaded.info.backend === 'native' ? loaded.info.addonPath : undefined;

/** Runs `script` with node as nobody under `ulimit -u 16`; stdout and stderr. */
function limited(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const command = ['ulimit -u 16 &&', 'exec', ...[process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`)].join(' ');
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', command], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!canDrop || !addonPath)('a refused thread does not abort the process', () => {
  it('setNumThreads throws an Error (a BackendError given the classes) naming how many threads the pool kept', () => {
    const script = `const a = require(${JSON.stringify(addonPath)});
const grow = () => { try { a.setNumThreads(64); console.log('no error'); } catch (e) { console.log(e.constructor.name + ': ' + e.message); } };
grow();
a.setErrorClasses({ OptionError: class OptionError extends Error {}, ShapeError: class ShapeError extends Error {}, BackendError: class BackendError extends Error {} });
grow();
console.log('threads ' + a.numThreads());`;
    const r = limited(['-e', script]);
    expect(r.status, r.stderr).toBe(0);
    const [plain, typed, threads] = r.stdout.trim().split('\n');
    const kept = Number(threads!.split(' ')[1]);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(64);
    // Each message names the pool the call left. The limit counts every process of `nobody`, and other
    // test files run children as nobody too, so a slot can free up between the two calls: the first
    // count may be lower than the last, which is the pool's final size.
    const first = /^Error: setNumThreads: the system refused to start 64 threads; the pool runs with (\d+)$/.exec(plain!);
    expect(first, plain).not.toBeNull();
    expect(Number(first![1])).toBeGreaterThanOrEqual(1);
    expect(Number(first![1])).toBeLessThanOrEqual(kept);
    expect(typed).toBe(`BackendError: setNumThreads: the system refused to start 64 threads; the pool runs with ${kept}`);
  });

  it('importing keel with KEEL_NUM_THREADS above the limit warns once and loads the native backend', () => {
    // dist/ (built by npm install, as the CLI tests use it): tsx's esbuild service needs more threads than the limit.
    const script = `import('${new URL('../../dist/index.js', import.meta.url).pathname}').then((k) => console.log(JSON.stringify(k.backendInfo().backend)));`;
    const r = limited(['-e', script], { KEEL_NUM_THREADS: '64', KEEL_ADDON_PATH: addonPath!, KEEL_BACKEND: 'native' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('native');
    expect(r.stderr.split('KEEL_THREADS').length - 1).toBe(1);
    expect(r.stderr).toMatch(/the system refused to start 64 threads; the pool runs with \d+/);
  });
});
