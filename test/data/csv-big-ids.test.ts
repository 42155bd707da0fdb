// Numeric unit ids a double cannot hold exactly (integers beyond 2^53, such as 18-digit serials)
// stay text as written: as numbers, neighbouring ids would merge into one unit and print changed.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';

describe('parseCsv: unit ids beyond 2^53', () => {
  it('18-digit ids stay distinct units with their ids as written; smaller ids are numbers', () => {
    const text = 'device,x\n123456789012345671,1\n123456789012345672,2\n123456789012345671,3\n7,4\n7.0,5\n';
    const t = parseCsv(text, { group: 'device' });
    expect(t.units.map((u) => u.id)).toEqual(['123456789012345671', '123456789012345672', 7]);
    expect(t.units.map((u) => Array.from(u.values.data))).toEqual([[1, 3], [2], [4, 5]]);
  });

  it('2^53 − 1 is still a number, 2^53 + 1 is text', () => {
    expect(parseCsv('id,x\n9007199254740991,1\n9007199254740993,2\n', { group: 'id' }).units.map((u) => u.id)).toEqual([9007199254740991, '9007199254740993']);
  });
});
