// A semicolon-separated file with decimal commas (10,346) is refused saying so and how to convert it,
// not as a column to encode (src/cli/data-source.ts, withCliHint).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

describe('keel train: decimal commas', () => {
  it.each([['10,346'], ['1.234,5']])('%s is named as a decimal comma, with how to convert the file', async (value) => {
    const dir = tempDir(), file = join(dir, 'semi.csv');
    writeFileSync(file, `alcohol;acidity;quality\n${value};0,5;6\n9,8;0,4;5\n`);
    const r = await run('train', '--data', `csv:${file}`, '--target', 'quality', '--out', join(dir, 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`semi.csv:2:1: "alcohol": "${value}" is not a number (a decimal comma: keel reads numbers with a decimal point only; convert the file first`);
    expect(r.stderr).not.toContain('encode this column');
  });
});
