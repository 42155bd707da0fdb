// Header detection of a CSV file (src/cli/data-source.ts, sniff): the first record is parsed as
// readCsv parses it, and only a field that is text makes it a header — a quoted number, an empty
// field or a missing-value marker is what a data row holds. Old Mac files (CR line endings) are
// split into lines too.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/cli/data-source.js';
import { run, tempDir } from './io.js';

const dir = tempDir();
/** `text` written to a file of the temporary folder; its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('sniff: which first rows are a header', () => {
  it.each([
    ['quoted numbers', '"10.346","5.627","1.651"\n"10.822","6.448","1.949"\n', ','],
    ['an empty first-row cell', '10.346,5.627,,3.266\n10.822,6.448,1.949,3.233\n', ','],
    ['CR line endings', '10.346,5.627,1.651\r10.822,6.448,1.949\r', ','],
    ['NaN in a C-MAPSS row', '1 1 -0.0007 NaN 100.0 518.67  \n1 2 0.0019 -0.0003 100.0 518.67  \n', 'whitespace'],
    ['a missing-value marker', '1;2;#N/A;4\n5;6;7;8\n', ';'],
  ])('%s: no header', async (_, text, delimiter) => {
    const s = await sniff(file('data.csv', text), undefined);
    expect(s).toMatchObject({ header: false, detected: false, delimiter });
  });

  it('a header with a blank name (pandas\' index column) and quoted names is one', async () => {
    const s = await sniff(file('h.csv', ',"unit","Temp, C",x\n0,1,2,3\n'), undefined);
    expect(s).toMatchObject({ header: true, fields: ['', 'unit', 'Temp, C', 'x'] });
  });

  it("pandas' header of a frame with numbered columns (\",0,1,2\": the index column has no name) is one", async () => {
    const s = await sniff(file('pd.csv', ',0,1,2\n0,0.5,1.5,2.5\n1,0.25,1.25,2.25\n'), undefined);
    expect(s).toMatchObject({ header: true, detected: true, fields: ['', '0', '1', '2'] });
  });

  it('a record that sniff cannot parse leaves no file open', async () => {
    const path = file('bad.csv', `"a"b,c\n${'1,2\n'.repeat(200_000)}`);
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) await sniff(path, undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(open()).toBeLessThanOrEqual(before + 2);
  });

  it('CR line endings: the delimiter is counted on the first line only', async () => {
    const s = await sniff(file('cr.csv', 'a;b;c\r1,5;2,5;3\r1,5;2,5;3\r1,5;2,5;3\r'), undefined);
    expect(s).toMatchObject({ delimiter: ';', line: 'a;b;c', header: true });
  });

  it('keel train reads a header-less file of quoted numbers as data: 400 rows, columns c0 …', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => [i % 7, (i * 3) % 11, i % 5].map((v) => `"${v}.5"`).join(','));
    const r = await run('train', '--data', `csv:${file('quoted.csv', `${rows.join('\n')}\n`)}`, '--target', '2', '--epochs', '1', '--out', join(dir, 'm'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('quoted.csv, 400 rows of 2 features and the target "c2"');
  });

  it('keel train on a header-less C-MAPSS file with NaN in its first row names the missing value, not a duplicate header name', async () => {
    const rows = ['1 1 0.1 NaN 100.0', '1 2 0.2 0.3 100.0'];
    const r = await run('train', '--data', `csv:${file('nan.txt', `${rows.join('\n')}\n`)}`, '--out', join(dir, 'm2'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nan.txt:1:4: "c3": missing value "NaN"; keel\'s commands take no missing values: fill or drop them first');
  });
});
