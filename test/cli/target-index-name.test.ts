// --target N (a column index) under a header is named as readCsv names the column: from the first
// record parsed by csv-parse, whole — a quoted name with the delimiter in it, a doubled quote, a
// header longer than 64 KB — so model.json names the column eval and predict look for.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTable } from '../../src/cli/table-data.js';
import { run, tempDir } from './io.js';

const dir = tempDir();
/** A file of `header` and 100 rows of `columns` numbers (the last one the first's double); its path. */
function table(name: string, header: string, columns: number): string {
  const rows = Array.from({ length: 100 }, (_, i) => Array.from({ length: columns }, (_, c) => (c === columns - 1 ? 2 * (i % 13) : (i * (c + 3)) % 17)).join(','));
  const path = join(dir, name);
  writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
  return path;
}

describe('--target N: the column\'s name from the parsed header', () => {
  it.each([
    ['x1,"p,q",y', 1, 'p,q'],
    ['"Temp, C",pressure,yield', 2, 'yield'],
    ['x1,"<b>&""x""",y', 1, '<b>&"x"'],
  ])('%s, --target %d: "%s"', async (header, target, name) => {
    const t = await loadTable(table('t.csv', header, 3), { target, features: null });
    expect(t.target!.name).toBe(name);
    expect(t.features).not.toContain(name);
  });

  it('an 8,001-column header longer than 64 KB names the last column', async () => {
    const names = Array.from({ length: 8001 }, (_, c) => (c === 8000 ? 'target' : `feature_${String(c).padStart(4, '0')}`));
    expect(names.join(',').length).toBeGreaterThan(65536);
    const t = await loadTable(table('wide.csv', names.join(','), 8001), { target: 8000, features: null });
    expect(t.target!.name).toBe('target');
  });

  it('keel train records the name, and eval finds the column by it', async () => {
    const file = table('q.csv', '"Temp, C",pressure,yield', 3), m = join(dir, 'm');
    const t = await run('train', '--data', `csv:${file}`, '--target', '2', '--epochs', '1', '--out', m);
    expect(t.status, t.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(m, 'model.json'), 'utf8'));
    expect([saved.features, saved.target.column]).toEqual([['Temp, C', 'pressure'], 'yield']);
    const e = await run('eval', '--model', m, '--data', `csv:${file}`);
    expect(e.status, e.stderr).toBe(0);
  });
});
