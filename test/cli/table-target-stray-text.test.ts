// --task auto on a target column of numbers with a few text cells (src/cli/table-target.ts,
// chooseTask): an error naming the first such cell and its row, not a classifier of one label per
// distinct number; missing-value markers (#N/A, ?, …) there are refused as missing labels.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

const dir = tempDir();
/** 400 rows x,y with y = 3x + 1.5 (text `odd` in data row 7 when given); the file's path. */
function file(name: string, odd?: string): string {
  const rows = Array.from({ length: 400 }, (_, i) => `${i % 23},${i === 6 && odd !== undefined ? odd : 3 * (i % 23) + 1.5}`);
  const path = join(dir, name);
  writeFileSync(path, `x,y\n${rows.join('\n')}\n`);
  return path;
}

describe('keel train --target: a numeric target with stray text', () => {
  it('one text cell among numbers is an error naming the row and the cell', async () => {
    const r = await run('train', '--data', `csv:${file('n.csv', 'n.a.')}`, '--target', 'y', '--out', join(dir, 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DataError: the target "y" holds a number in 399 of 400 rows but "n.a." in data row 7: fix or drop that row to predict the number (--task regression), or pass --task classification to read the values as labels');
  });

  it.each(['#N/A', '?'])('%s among numbers is refused the same way, naming its row', async (marker) => {
    const r = await run('train', '--data', `csv:${file('m.csv', marker)}`, '--target', 'y', '--out', join(dir, 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the target "y" holds a number in 399 of 400 rows but ${JSON.stringify(marker)} in data row 7`);
  });

  it('--task classification reads such a column as labels', async () => {
    const r = await run('train', '--data', `csv:${file('c.csv', 'n.a.')}`, '--target', 'y', '--task', 'classification', '--epochs', '1', '--out', join(dir, 'c'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('classification of 24 labels');
  });
});
