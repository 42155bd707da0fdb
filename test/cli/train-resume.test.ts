// keel train backs up every finished epoch in --out: a run killed (SIGKILL) or interrupted goes on with
// --resume and writes the model the uninterrupted run writes, byte for byte; without --resume a new run
// replaces the backup; --resume with nothing to resume, or with another seed, says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interrupted, run, tempDir } from './io.js';

const args = (out: string, ...extra: string[]) => ['train', '--data', 'runtofailure', '--units', '8', '--epochs', '6', '--early-stopping', '0', '--out', out, ...extra];
const bytes = (dir: string) => readFileSync(join(dir, 'model.safetensors'));
const curves = (dir: string) => {
  const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs[0];
  return { train: r.train, validation: r.validation };
};

describe('keel train --resume', () => {
  it('a run killed after epoch 3 goes on with --resume and ends as the run never killed', async () => {
    const root = tempDir(), reference = join(root, 'reference'), killed = join(root, 'killed');
    expect((await run(...args(reference))).status).toBe(0);
    expect(existsSync(join(reference, 'backup.safetensors')), 'a finished run leaves no backup').toBe(false);

    const k = await interrupted(args(killed), /epoch 3\//, 'SIGKILL');
    expect(k.status).toBe(null);
    expect(existsSync(join(killed, 'backup.safetensors'))).toBe(true);
    expect(existsSync(join(killed, 'model.json')), 'killed before it wrote the model').toBe(false);

    const resumed = await run(...args(killed, '--resume'));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`keel train: resuming after epoch [23], from ${join(killed, 'backup.safetensors')}`));
    expect(bytes(killed).equals(bytes(reference))).toBe(true);
    expect(curves(killed)).toEqual(curves(reference));
    expect(existsSync(join(killed, 'backup.safetensors'))).toBe(false);
  }, 90_000);

  it('without --resume a new run replaces the backup and starts afresh', async () => {
    const root = tempDir(), out = join(root, 'm');
    await interrupted(args(out), /epoch 2\//, 'SIGKILL');
    expect(existsSync(join(out, 'backup.safetensors'))).toBe(true);
    const fresh = await run(...args(out, '--epochs', '2'));
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain('resuming');
    expect(curves(out).validation).toHaveLength(2);
  }, 90_000);

  it('says when there is nothing to resume, and refuses the backup of a run with another seed', async () => {
    const out = join(tempDir(), 'm');
    const none = await run(...args(out, '--resume'));
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`--resume: ${out} holds no backup of an interrupted run (backup.safetensors), so there is nothing to resume; run without --resume to start afresh`);
    await interrupted(args(out), /epoch 2\//, 'SIGKILL');
    const other = await run(...args(out, '--resume', '--seed', '1'));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(`cannot resume from ${join(out, 'backup.safetensors')}: it was written by a fit with seed 0, and this fit has seed 1`);
  }, 90_000);
});
