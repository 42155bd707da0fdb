// How the CLI reports errors (src/cli/errors.ts): every failure prints `keel <command>: <class>: <message>`
// on stderr, with or without --json; a UsageError (an OptionError from a value on the command line,
// including a library's OptionError about one) exits 2 and points at --help; every other error exits 1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatus, UsageError } from '../../src/cli/errors.js';
import { FormatError, KeelError, OptionError, plainError, reviveError, StorageError } from '../../src/errors.js';
import { run, tempDir } from './io.js';

describe('keel: error classes and exit statuses', () => {
  it.each([[[]], [['--json']]])('a bad flag value %j exits 2 naming the class, the flag and what it takes; stdout stays empty', async (extra) => {
    const r = await run('demo', '--epochs', 'many', ...extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('keel demo: UsageError: --epochs must be an integer in [1, 1000], got "many"\nRun "keel demo --help" for usage.\n');
    expect(r.stdout).toBe('');
  });

  it("a library's OptionError about a command-line value is a usage error, the library's message kept", async () => {
    const r = await run('train', '--data', 'runtofailure', '--out', join(tempDir(), 'm'), '--augment', '{"type":"jitter","options":{"sigma":-1}}', '--json');
    expect(r.status).toBe(2);
    // Checked before the data is read, so it is the first thing on stderr.
    expect(r.stderr).toBe('keel train: UsageError: --augment: augment.jitter: sigma must be a finite number >= 0, got -1\nRun "keel train --help" for usage.\n');
    expect(r.stdout).toBe('');
  });

  it('a model folder that is missing or damaged exits 1 with StorageError or FormatError, no --help hint', async () => {
    const dir = tempDir();
    const missing = await run('eval', '--model', join(dir, 'none'), '--data', 'runtofailure', '--json');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^keel eval: StorageError: .*model\.json: cannot read the model description \(ENOENT\)/);
    expect(missing.stderr).not.toContain('--help');
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'model.json'), '{"format": "keel-model"');
    const broken = await run('predict', '--model', join(dir, 'broken'), '--data', 'runtofailure');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^keel predict: FormatError: .*model\.json: /);
  });

  it('a CSV file that cannot be read exits 1 with a StorageError', async () => {
    const r = await run('train', '--data', `csv:${join(tempDir(), 'absent.csv')}`, '--out', join(tempDir(), 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^keel train: StorageError: --data csv:.*absent\.csv: cannot read it \(ENOENT/);
  });

  it('exitStatus: 2 for a UsageError only; any other OptionError, KeelError or error is 1', () => {
    expect(exitStatus(new UsageError('--x'))).toBe(2);
    for (const e of [new OptionError('fn: x must be 1, got 2'), new FormatError('f: bad'), new StorageError('f: no space', 'f', null), new Error('boom'), 'thrown string']) {
      expect(exitStatus(e)).toBe(1);
    }
  });

  it('UsageError is an OptionError and a KeelError, named and rebuilt after a worker boundary', () => {
    const e = new UsageError('--epochs must be an integer in [1, 1000], got "x"');
    expect(e).toBeInstanceOf(OptionError);
    expect(e).toBeInstanceOf(KeelError);
    expect(e.name).toBe('UsageError');
    const back = reviveError(structuredClone(plainError(e)));
    expect(back).toBeInstanceOf(UsageError);
    expect([back.name, back.message]).toEqual([e.name, e.message]);
  });
});
