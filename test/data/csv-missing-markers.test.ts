// readCsv/parseCsv's missing-value markers: besides '', NA, N/A, NaN, nan and null, spreadsheets'
// #N/A, UCI's ?, and databases' NULL, None and \N are missing values (NaN with missing: 'nan', else a
// CsvError saying "missing") and never a unit id; a label may be one of them ("fault: None"), only an
// empty or NA-like label is missing.
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '../../src/data/csv.js';

describe('parseCsv: missing-value markers', () => {
  it.each(['#N/A', '?', 'NULL', 'None', '\\N'])('%s is a missing value', (marker) => {
    const t = parseCsv(`x,y\n1,2\n${marker},3\n`, { missing: 'nan' });
    expect(Number.isNaN(t.values.data[2]!)).toBe(true);
    expect(() => parseCsv(`x,y\n1,2\n${marker},3\n`)).toThrow(`"x": missing value ${JSON.stringify(marker)}`);
  });

  it.each(['#N/A', '?', 'None'])('%s is refused as a unit id, and kept as a label (a class may be called so)', (marker) => {
    expect(() => parseCsv(`id,x\n1,2\n${marker},3\n`, { group: 'id' })).toThrow(`"id": missing unit id ${JSON.stringify(marker)}`);
    expect(parseCsv(`x,y\n1,a\n2,${marker}\n`, { labels: 'y' }).labels).toEqual(['a', marker]);
  });

  it.each(['', 'NA', 'NaN'])('%j is refused as a label', (marker) => {
    expect(() => parseCsv(`x,y\n1,a\n2,${marker}\n`, { labels: 'y' })).toThrow(new CsvError('<string>', 3, 2, `"y": missing label ${JSON.stringify(marker)}`));
  });
});
