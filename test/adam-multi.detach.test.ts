/**
 * adamUpdateMulti when a getter of the list resizes or detaches an array the binding has already
 * checked: the binding reads every JS value of every entry before it takes any element pointer, so
 * the call fails with a ShapeError naming the shrunk array instead of writing through a stale pointer
 * (a segfault, exit 139, before the fix). The JS reference checks every length again after reading
 * the list and throws the same error. Each case runs in a child (./adam-multi.detach-child.ts) for
 * the reference and every native CPU level, so that a crash is a signal here, not a dead test runner. The argument
 * checks themselves are in adam-multi.parity.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allSets } from './helpers/backends.js';

const CHILD = fileURLToPath(new URL('./adam-multi.detach-child.ts', import.meta.url));
const LENGTH = 'adamUpdateMulti: tensors[0].param must have length 16777216 (count = 16777216), got 0';

const CASES = [
  ["the entry's grad getter shrinks its param's resizable buffer to 0 bytes", 'resize'],
  ["the next entry's params getter detaches the first entry's param", 'detach'],
] as const;

describe.each(allSets.map((s) => s.name.replace('native-', '')))('adamUpdateMulti, %s: arrays changed by a getter', (isa) => {
  it.each(CASES)('%s: a ShapeError, not a crash', (_label, kase) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, isa, kase], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ error: 'ShapeError', message: LENGTH });
  });
});
