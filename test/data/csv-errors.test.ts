// readCsv/parseCsv on malformed input: every problem in the text is a CsvError naming file, line and column; bad options are OptionErrors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, parseCsv, readCsv, type CsvOptions } from '../../src/data/csv.js';
import { FormatError, OptionError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-csv-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CsvError parseCsv throws on `text` (fails the test if it throws anything else or nothing). */
function csvError(text: string, options?: CsvOptions): CsvError {
  try {
    parseCsv(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('parseCsv did not throw');
}

describe('CsvError: where and what', () => {
  it.each([
    ['12abc', '"12abc" is not a number'],
    ['0x10', '"0x10" is not a number'],
    ['1,5', 'expected 2 fields'],
    ['Infinity', '"Infinity" is not a number'],
    ['1e39', 'outside the float32 range'],
    ['--1', '"--1" is not a number'],
    ['1.2.3', '"1.2.3" is not a number'],
  ])('rejects %j with file:line:column', (field, reason) => {
    const e = csvError(`a,b\n1,2\n3,${field}\n`);
    expect(e.file).toBe('<string>');
    expect(e.line).toBe(3);
    expect(e.message).toContain(reason);
    if (!reason.startsWith('expected')) {
      expect(e.column).toBe(2);
      expect(e.message.startsWith('<string>:3:2: "b": ')).toBe(true);
    }
  });

  it.each(['', 'NA', 'NaN', 'null'])("a missing value %j is an error by default, pointing at missing: 'nan'", (field) => {
    const e = csvError(`a,b\n1,2\n${field},4\n`);
    expect([e.line, e.column]).toEqual([3, 1]);
    expect(e.message).toContain(`missing value ${JSON.stringify(field)}`);
    expect(e.message).toContain("missing: 'nan'");
  });

  it('a row with too few or too many fields names its line and the count the header set', () => {
    const few = csvError('a,b,c\n1,2,3\n4,5\n');
    expect([few.line, few.column]).toEqual([3, 3]);
    expect(few.reason).toBe('expected 3 fields (as in the header), got 2');
    expect(csvError('1 2\n3 4 5\n', { delimiter: 'whitespace', header: false }).reason).toBe('expected 2 fields (as in the first row), got 3');
    expect(csvError('1,2,3\n', { header: false, names: ['a', 'b'] }).reason).toBe('expected 2 fields (as in names), got 3');
  });

  it('skipEmptyLines: false turns an empty line in a whitespace file into a field-count error', () => {
    expect(csvError('1 2\n\n3 4\n', { delimiter: 'whitespace', header: false, skipEmptyLines: false }).line).toBe(2);
  });

  it('time must strictly increase within a unit; the message names both lines', () => {
    const e = csvError('u,t,x\n1,1,0\n2,5,0\n1,2,0\n1,2,0\n', { group: 'u', time: 't' });
    expect([e.line, e.column]).toEqual([5, 2]);
    expect(e.reason).toBe('"t": time 2 does not increase within unit 1 (previous time 2 on line 4)');
  });

  it('the group, time and conditions columns never take missing values, even with missing: nan', () => {
    const opts = { group: 'u', time: 't', conditions: 'c', missing: 'nan' } as const;
    expect(csvError('u,t,c,x\n,1,0,0\n', opts).reason).toContain('missing unit id ""');
    expect(csvError('u,t,c,x\n1,NA,0,0\n', opts).column).toBe(2);
    expect(csvError('u,t,c,x\n1,1,,0\n', opts).column).toBe(3);
    expect(csvError('u,t,c,x\n1,1,1.5,0\n', opts).reason).toContain('condition label must be a non-negative integer, got 1.5');
    expect(csvError('u,t,c,x\n1,1,-1,0\n', opts).reason).toContain('got -1');
  });

  it('the labels column takes no missing value, even with missing: nan', () => {
    const e = csvError('x,y\n1,a\n2,NA\n', { labels: 'y', missing: 'nan' });
    expect([e.line, e.column]).toEqual([3, 2]);
    expect(e.reason).toBe('"y": missing label "NA"');
  });

  it('with a group column, a unit whose rows disagree on the label is an error naming both lines', () => {
    const e = csvError('id,x,y\n1,0,a\n2,0,b\n1,0,c\n', { group: 'id', labels: 'y' });
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.reason).toBe('"y": unit 1 is labelled "c" here and "a" on line 2; with a group column each unit (sequence) has one label');
  });

  it('a column the options name but the file lacks is an error on the header line', () => {
    expect(csvError('a,b\n1,2\n', { columns: ['c'] }).reason).toBe('columns[0] column "c" not found (columns: "a", "b")');
    expect(csvError('a,b\n1,2\n', { group: 5 }).reason).toBe('group column index 5 is out of range: rows have 2 fields');
    expect(csvError('\n\nx\n1\n', { time: 'y' }).line).toBe(3);
  });

  it('a value column that is also the group, time or labels column, or is listed twice, is an error on the header line', () => {
    const text = 'unit,cycle,a\n1,1,0.5\n';
    expect(csvError(text, { group: 0, time: 1, columns: [0, 'a'] }).reason).toBe('columns[0] is column "unit", the group column: a value column must be another one');
    expect(csvError(text, { group: 'unit', time: 'cycle', columns: ['a', 1] }).reason).toBe('columns[1] is column "cycle", the time column: a value column must be another one');
    expect(csvError('x,y\n1,a\n', { labels: 'y', columns: ['x', 'y'] }).reason).toBe('columns[1] is column "y", the labels column: a value column must be another one');
    const twice = csvError(text, { group: 0, columns: ['a', 2] });
    expect(twice.reason).toBe('columns[1] repeats column "a" (columns[0])');
    expect(twice.line).toBe(1);
  });

  it('a header that names a column twice is an error at the second one, whatever the options select', () => {
    const e = csvError('b,a,a\n1,2,3\n');
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe('<string>:1:3: duplicate column name "a" in the header (also column 2): each column needs its own name');
    expect(csvError('a,a\n1,2\n', { time: 'a' }).column).toBe(2);
    expect(() => parseCsv('1,2\n', { header: false, names: ['x', 'x'] })).toThrow(OptionError);
  });

  it('an unclosed quote and empty input are CsvErrors too', () => {
    expect(csvError('a,b\n1,"2\n3,4\n').reason).toContain('Quote Not Closed');
    expect(csvError('').reason).toBe('no header row: the input is empty');
    expect(csvError('\n \n', { header: false }).reason).toBe('no rows: the input is empty');
  });

  it('readCsv names the file and the right line deep in a streamed file', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `${i},${i % 7}`);
    rows[41_234] = '41234,oops';
    const path = join(dir, 'deep.csv');
    writeFileSync(path, `id,v\n${rows.join('\n')}\n`);
    const e = await readCsv(path).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toBe(`${path}:41236:2: "v": "oops" is not a number`);
    expect((e as CsvError).file).toBe(path);
  });

  it('a missing file rejects with the file system error', async () => {
    await expect(readCsv(join(dir, 'absent.csv'))).rejects.toThrow(/ENOENT/);
  });
});

describe('bad options', () => {
  it.each([
    [{ delimter: ',' }, OptionError, 'unknown option "delimter"'],
    [{ delimiter: ',,' }, OptionError, 'delimiter must be a single character'],
    [{ delimiter: '"' }, OptionError, 'delimiter must be a single character'],
    [{ header: 'yes' }, OptionError, 'header must be true or false'],
    [{ names: ['a'] }, OptionError, 'names is only for a file without a header'],
    [{ header: false, names: [] }, OptionError, 'names must be a non-empty array of strings'],
    [{ columns: [] }, OptionError, 'columns must be a non-empty array'],
    [{ columns: [-1] }, OptionError, 'columns[0] must be a non-negative integer'],
    [{ group: true }, OptionError, 'group must be a column name or a 0-based column index'],
    [{ missing: 'zero' }, OptionError, "missing must be one of 'error', 'nan'"],
    [{ comment: ',' }, OptionError, 'comment must differ from the delimiter'],
  ])('%j', (options, type, message) => {
    expect(() => parseCsv('a\n1\n', options as CsvOptions)).toThrow(type);
    expect(() => parseCsv('a\n1\n', options as CsvOptions)).toThrow(message);
  });

  it('readCsv checks its path and options before opening anything', async () => {
    await expect(readCsv(42 as unknown as string)).rejects.toThrow('readCsv: path must be a non-empty string, got 42');
    await expect(readCsv('x.csv', { header: 1 } as unknown as CsvOptions)).rejects.toThrow('readCsv: header must be true or false, got 1');
  });
});
