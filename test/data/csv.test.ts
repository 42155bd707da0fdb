// readCsv/parseCsv on well-formed input: comma and whitespace layouts, column choice,
// group/time/conditions/labels, missing as NaN, streaming = string.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

/**
 * A C-MAPSS-like train file: 100 units of 128–284 rows, 20,631 rows in all, 26 fields (unit, cycle,
 * 3 settings, 21 sensors) separated by single spaces with two trailing spaces, no header. Field c of
 * unit u at cycle t is sensor(u, t, c), a fixed formula, printed with 4 decimals.
 */
const sensor = (u: number, t: number, c: number) => Number((Math.sin(u * 31 + t * 7 + c) * 10 ** (c % 5)).toFixed(4));
const unitLengths = Array.from({ length: 100 }, (_, i) => 128 + ((i * 97) % 157));
unitLengths[99] = 20631 - unitLengths.slice(0, 99).reduce((a, b) => a + b, 0);
function cmapssText(): string {
  const lines: string[] = [];
  unitLengths.forEach((len, i) => {
    for (let t = 1; t <= len; t++) {
      const fields = [String(i + 1), String(t)];
      for (let c = 0; c < 24; c++) fields.push(sensor(i + 1, t, c).toFixed(4));
      lines.push(`${fields.join(' ')}  `);
    }
  });
  return lines.join('\n') + '\n';
}

describe('parseCsv (comma-separated, with a header)', () => {
  it('reads every column as float32 rows in file order', () => {
    const t = parseCsv('a,b,c\n1,2,3\n4.5,-6e2,.25\n');
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.values.shape).toEqual([2, 3]);
    expect(Array.from(t.values.data)).toEqual(f32([1, 2, 3, 4.5, -600, 0.25]));
    expect(t.time).toBeUndefined();
  });

  it('handles CRLF, a BOM, quoted fields, blanks around fields, blank lines and a missing final newline', () => {
    const t = parseCsv('\uFEFF"a","b,x"\r\n 1 , "2"\r\n\r\n   \r\n3,4');
    expect(t.columns).toEqual(['a', 'b,x']);
    expect(Array.from(t.values.data)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the chosen columns, by name or index, in the order given; unchosen columns may hold text', () => {
    const t = parseCsv('id,name,x,y\n1,alpha,10,20\n2,beta,30,40\n', { columns: ['y', 0, 'x'] });
    expect(t.columns).toEqual(['y', 'id', 'x']);
    expect(Array.from(t.values.data)).toEqual([20, 1, 10, 40, 2, 30]);
  });

  it('time and conditions columns come out as Float64Array and Int32Array and leave the value columns', () => {
    const t = parseCsv('t,cond,x\n0.5,2,1\n0.25,0,2\n', { time: 't', conditions: 1 });
    expect(t.columns).toEqual(['x']);
    expect(t.time).toEqual(Float64Array.from([0.5, 0.25])); // no order required without a group
    expect(t.conditions).toEqual(Int32Array.from([2, 0]));
    expect(Array.from(t.values.data)).toEqual([1, 2]);
  });

  it('a labels column comes out as the strings written, one per row, and leaves the value columns', () => {
    const t = parseCsv('x,species,y\n1,setosa,2\n3, virginica ,4\n5,7,6\n', { labels: 'species' });
    expect(t.columns).toEqual(['x', 'y']);
    expect(t.labels).toEqual(['setosa', 'virginica', '7']); // trimmed as every comma-separated field is
    expect(Array.from(t.values.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseCsv('1 a\n2 b\n', { delimiter: 'whitespace', header: false, labels: 1 }).labels).toEqual(['a', 'b']);
    expect(parseCsv('x,y\n1,2\n').labels).toBeUndefined();
  });

  it('with a group column, a labels column gives each unit (a labelled sequence) its one label', () => {
    const t = parseCsv('id,x,activity\nb,1,walk\na,2,run\nb,3,walk\n', { group: 'id', labels: 'activity' });
    expect(t.columns).toEqual(['x']);
    expect(t.units.map((u) => [u.id, u.label, Array.from(u.values.data)])).toEqual([['b', 'walk', [1, 3]], ['a', 'run', [2]]]);
    expect(parseCsv('id,x\n1,2\n', { group: 'id' }).units[0]!.label).toBeUndefined();
  });

  it("missing: 'nan' keeps '', NA, N/A, NaN, nan and null as NaN", () => {
    const t = parseCsv('a,b,c\n,NA,N/A\nNaN,nan,null\n1,2,3\n', { missing: 'nan' });
    expect(Array.from(t.values.data.subarray(0, 6)).every(Number.isNaN)).toBe(true);
    expect(Array.from(t.values.data.subarray(6))).toEqual([1, 2, 3]);
  });

  it('header: false names columns c0, c1, … or as `names` says', () => {
    expect(parseCsv('1,2\n3,4\n', { header: false }).columns).toEqual(['c0', 'c1']);
    const t = parseCsv('1,2\n3,4\n', { header: false, names: ['u', 'v'], columns: ['v'] });
    expect(t.columns).toEqual(['v']);
    expect(Array.from(t.values.data)).toEqual([2, 4]);
  });

  it('other delimiters, comments, and a header without rows', () => {
    expect(Array.from(parseCsv('a;b\n1;2\n', { delimiter: ';' }).values.data)).toEqual([1, 2]);
    expect(Array.from(parseCsv('a\tb\n1\t2\n', { delimiter: '\t' }).values.data)).toEqual([1, 2]);
    const c = parseCsv('# made by hand\na,b\n1,2 # first\n# between\n3,4\n', { comment: '#' });
    expect(Array.from(c.values.data)).toEqual([1, 2, 3, 4]);
    const empty = parseCsv('a,b,c\n');
    expect(empty.values.shape).toEqual([0, 3]);
    expect(parseCsv('', { header: false, names: ['a'] }).values.shape).toEqual([0, 1]);
  });

  it('skipEmptyLines: false makes an empty line a row (here a missing value)', () => {
    const t = parseCsv('a\n1\n\n2\n', { skipEmptyLines: false, missing: 'nan' });
    expect(Array.from(t.values.data)).toEqual([1, NaN, 2]);
  });
});

describe('grouped tables (SeriesTable)', () => {
  it('one unit per id in order of first appearance, rows in file order, even interleaved', () => {
    const text = 'unit,t,x\nb,1,10\na,1,20\nb,2,11\na,2,21\nb,3,12\n';
    const s = parseCsv(text, { group: 'unit', time: 't' });
    expect(s.columns).toEqual(['x']);
    expect(s.units.map((u) => u.id)).toEqual(['b', 'a']);
    expect(Array.from(s.units[0]!.values.data)).toEqual([10, 11, 12]);
    expect(s.units[0]!.values.shape).toEqual([3, 1]);
    expect(s.units[0]!.time).toEqual(Float64Array.from([1, 2, 3]));
    expect(Array.from(s.units[1]!.values.data)).toEqual([20, 21]);
  });

  it('numeric ids are numbers and compare as numbers ("1" and "1.0" are one unit)', () => {
    const s = parseCsv('u,x\n2,1\n1,2\n1.0,3\n', { group: 0 });
    expect(s.units.map((u) => u.id)).toEqual([2, 1]);
    expect(Array.from(s.units[1]!.values.data)).toEqual([2, 3]);
    expect(s.units[0]!.time).toBeUndefined();
  });

  it('carries per-unit conditions', () => {
    const s = parseCsv('u,c,x\n1,0,5\n1,3,6\n2,1,7\n', { group: 'u', conditions: 'c' });
    expect(s.units.map((u) => Array.from(u.conditions!))).toEqual([[0, 3], [1]]);
  });
});

describe('readCsv (streamed from a file)', () => {
  it('reads a 20,631-row C-MAPSS-like whitespace file into 100 units with exact values', async () => {
    const path = file('train_FD001.txt', cmapssText());
    const s = await readCsv(path, { delimiter: 'whitespace', header: false, group: 0, time: 1 });
    expect(s.columns).toEqual(Array.from({ length: 24 }, (_, i) => `c${i + 2}`));
    expect(s.units.map((u) => u.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s.units.map((u) => u.values.shape[0])).toEqual(unitLengths);
    // Spot checks against the formula, across many stream chunks (the file is ~4.4 MB).
    for (const [u, t, c] of [[1, 1, 0], [1, 128, 23], [37, 100, 5], [100, unitLengths[99]!, 17]] as const) {
      const unit = s.units[u - 1]!;
      expect(unit.values.data[(t - 1) * 24 + c]).toBe(Math.fround(sensor(u, t, c)));
      expect(unit.time![t - 1]).toBe(t);
    }
  });

  it('gives what parseCsv gives on the same text, with and without a group', async () => {
    const text = 'u,t,a,b\n1,1,0.1,x\n1,2,0.2,y\n2,1,0.3,z\n';
    const path = file('same.csv', text);
    const opts = { group: 'u', time: 't', columns: ['a'] };
    expect(await readCsv(path, opts)).toEqual(parseCsv(text, opts));
    expect(await readCsv(path, { columns: [2, 0] })).toEqual(parseCsv(text, { columns: [2, 0] }));
  });
});
