// Messages a command-line user acts on: a CSV column flag named as the flag, a delimiter that splits no
// row named with where it came from, a headerless CSV whose unit ids are text (not taken for a header),
// a CSV with a header and no rows, a table read as series for want of --target, an --out folder that cannot be
// created (refused before training: root passes the access check under /proc, where Node's recursive
// mkdir never returns), --threads above the core count, and `keel help COMMAND`.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

function csv(text: string): string {
  const file = join(tempDir(), 'data.csv');
  writeFileSync(file, text);
  return file;
}

const ROWS = 'unit,cycle,a,b\n1,1,0.5,0.2\n1,2,0.4,0.3\n';

describe('keel messages', () => {
  it.each([
    [['--unit-column', 'unitt'], '--unit-column "unitt" not found (columns: "unit", "cycle", "a", "b")'],
    [['--columns', 'a,nope'], '--columns entry 2 "nope" not found'],
    [['--delimiter', ';'], '--time-column index 1 is out of range: rows have 1 fields (read with the delimiter ";" from --delimiter or model.json, which splits no row: is it the file\'s?)'],
    [['--delimiter', ';', '--unit-column', 'unit'], '--unit-column "unit" not found (columns: "unit,cycle,a,b") (read with the delimiter ";" from --delimiter or model.json, which splits no row: is it the file\'s? Its header suggests --delimiter \',\')'],
  ])('train %j on a CSV names the flag', async (flags, message) => {
    const r = await run('train', '--data', `csv:${csv(ROWS)}`, ...flags, '--out', join(tempDir(), 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('a table of independent rows read as run-to-failure series (no --target) says how it was read and names --target', async () => {
    const r = await run('train', '--data', `csv:${csv('age,sex,bmi,y\n0.03,0.05,0.06,151\n-0.01,-0.04,-0.05,75\n0.08,0.05,0.04,141\n-0.01,-0.04,0.01,206\n0.03,0.05,0.06,135\n')}`, '--out', join(tempDir(), 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"sex": time -0.04 does not increase within unit -0.01 (previous time -0.04 on line 3) (read as run-to-failure series, with unit ids from column 0 and time from column 1; '
      + 'if the rows are a table of independent samples, name the column to predict with --target)');
  });

  it('a headerless CSV with text unit ids keeps its first row as data', async () => {
    const rows = Array.from({ length: 2 }, (_, u) => Array.from({ length: 12 }, (_, t) => `eng${u + 1},${t + 1},${(t * 0.1 + u).toFixed(2)},${(0.5 - t * 0.01).toFixed(3)}`));
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', `csv:${csv(rows.flat().join('\n'))}`, '--window', '4', '--val-units', '0.5', '--epochs', '1', '--out', dir, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).channels).toEqual(['c2', 'c3']);
    expect(JSON.parse(r.stdout).windows).toEqual({ fit: 9, validation: 9 }); // 12 rows per unit, window 4: none lost
  });

  it('a CSV with a header and no rows is named as such', async () => {
    const file = csv('unit,cycle,a,b\n');
    const r = await run('train', '--data', `csv:${file}`, '--out', join(tempDir(), 'm'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`DataError: ${file} has no data rows after its header`);
  });

  it('an --out folder that cannot be created fails before training', async () => {
    const r = await run('train', '--data', 'runtofailure', '--units', '3', '--out', '/proc/keel-test/m');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/StorageError: --out \/proc\/keel-test\/m: cannot (create \/proc\/keel-test|write in \/proc)/);
    expect(r.stderr).not.toContain('epoch 1/');
  });

  it('--threads above the core count warns that it is slower', async () => {
    const cores = availableParallelism();
    const r = await run('demo', '--epochs', '1', '--variants', 'none', '--threads', String(cores + 1), '--out', join(tempDir(), 'r'));
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`keel: --threads ${cores + 1} is more than this machine's ${cores} cores: the threads take turns on them`);
  });

  it('keel help COMMAND prints the command\'s help', async () => {
    const r = await run('help', 'train');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: keel train /);
  });
});
