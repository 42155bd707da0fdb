// keel eval --rul FILE pairs line k with the unit of the k-th smallest id, as NASA's RUL_FD001.txt
// pairs line i with unit i (src/cli/data-source.ts, withRulFile): a test file whose units are
// written in another order scores the same as one in id order, 18-digit ids (kept as text) are
// ordered exactly, and text ids, which give no order, are refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCmapss } from '../../examples/csv-windows.js';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { run, tempDir } from './io.js';

let dir: string, model: string, lines: string[];
const unitOf = (l: string) => Number(l.trim().split(/\s+/)[0]);
/** The rows with the units in decreasing id order, each unit's rows as they were. */
const reversed = (rows: string[]) => [...rows].sort((a, b) => unitOf(b) - unitOf(a));
beforeAll(async () => {
  dir = tempDir();
  const data = runToFailure({ seed: 1, trainUnits: 5, testUnits: 4 });
  writeCmapss(data.train, join(dir, 'train.txt'));
  writeCmapss(data.test, join(dir, 'test.txt'));
  writeFileSync(join(dir, 'rul.txt'), data.test.units.map((u) => `${u.rulAtEnd}\n`).join(''));
  lines = readFileSync(join(dir, 'test.txt'), 'utf8').trim().split('\n');
  model = join(dir, 'model');
  const t = await run('train', '--data', `csv:${join(dir, 'train.txt')}`, '--columns', '6,7,8,11,12,13', '--epochs', '1', '--out', model);
  expect(t.status, t.stderr).toBe(0);
});

/** keel eval --json of `file` against rul.txt. */
async function score(file: string): Promise<{ status: number; stderr: string; rmse?: number }> {
  const r = await run('eval', '--model', model, '--data', `csv:${join(dir, file)}`, '--rul', join(dir, 'rul.txt'), '--json');
  return { status: r.status, stderr: r.stderr, ...(r.status === 0 ? { rmse: JSON.parse(r.stdout).rmse } : {}) };
}

describe('keel eval --rul: lines paired with units by id', () => {
  it('units written 4 → 1 score as in id order', async () => {
    writeFileSync(join(dir, 'reversed.txt'), `${reversed(lines).join('\n')}\n`);
    const inOrder = await score('test.txt'), backwards = await score('reversed.txt');
    expect(backwards.status, backwards.stderr).toBe(0);
    expect(backwards.rmse).toBeCloseTo(inOrder.rmse!, 6);
  });

  it('18-digit ids, beyond 2^53, keep their order and stay distinct', async () => {
    // 123456789012345671 … 674 are one double apart at most: read as numbers they would merge.
    const big = reversed(lines).map((l) => l.trim().replace(/^(\d+)/, (id) => `12345678901234567${Number(id)}`));
    writeFileSync(join(dir, 'big.txt'), `${big.join('\n')}\n`);
    expect((await score('big.txt')).rmse).toBeCloseTo((await score('test.txt')).rmse!, 6);
  });

  it('text ids are refused: they give no order to pair the lines with', async () => {
    writeFileSync(join(dir, 'text.txt'), `${lines.map((l) => `E${l.trim()}`).join('\n')}\n`);
    const r = await score('text.txt');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`DataError: --rul ${join(dir, 'rul.txt')}: line k is the true RUL of the unit with the k-th smallest id, but unit "E1" has an id that is not a number`);
  });
});
