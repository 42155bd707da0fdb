/**
 * `keel demo --data csv:FILE [--test csv:FILE --rul FILE]`: the regularisation study on a user's own
 * run-to-failure units instead of the built-in engines, read exactly as keel train and keel eval read
 * them (the same column flags, delimiter and header detection, RUL file pairing), so a user sees what
 * BatchNorm, Dropout and weight decay do on their data. `npm run bench:regularisation` takes the same
 * flags to count the wins over many seeds on that data.
 */
import type { StudySource } from '../study/data.js';
import { DataError } from '../errors.js';
import { intOption, numberOption, rejectOptions } from './args.js';
import { checkShortUnits, CONDITIONS_OPTION, csvColumns, type CsvFlags, DATA_OPTIONS, loadData, parseDataSpec, withRulFile } from './data-source.js';
import { UsageError } from './errors.js';

export const STUDY_DATA_OPTIONS = {
  data: DATA_OPTIONS.data,
  test: { type: 'string' },
  rul: { type: 'string' },
  columns: DATA_OPTIONS.columns,
  ...CONDITIONS_OPTION,
  'unit-column': DATA_OPTIONS['unit-column'],
  'time-column': DATA_OPTIONS['time-column'],
  delimiter: DATA_OPTIONS.delimiter,
  header: DATA_OPTIONS.header,
  'no-header': DATA_OPTIONS['no-header'],
  window: { type: 'string' },
  'val-units': { type: 'string' },
} as const;

export const STUDY_DATA_USAGE = `  --data csv:FILE   your run-to-failure units instead of the built-in engines (each unit's rows
                    end at its failure), read as keel train reads them; split by unit with --seed
  --test csv:FILE   test units cut before failure, scored on their last window (with --rul)
  --rul FILE        the true RUL at each test unit's last row, one line per unit in order of id
                    (NASA's RUL_FD001.txt)
  --columns LIST, --unit-column COL, --time-column COL, --delimiter D, --header, --no-header
                    how to read the CSV files, as keel train --help says (default: every column
                    but the unit (0) and time (1) columns is a channel)
  --conditions LIST the operating-setting columns (C-MAPSS FD002, FD004: 2,3,4), as keel train
                    --help says: every channel standardised per operating condition
  --window N        cycles per window, with --data (default 30)
  --val-units F     share of the units held out for validation, with --data (default 0.2)`;

type StudyFlags = CsvFlags & { data?: string; test?: string; rul?: string; window?: string; 'val-units'?: string };

/** The study's data from the flags: undefined for the built-in engines (no --data). */
export async function loadStudySource(values: StudyFlags, err: { write(s: string): unknown }, command: string): Promise<StudySource | undefined> {
  if (values.data === undefined) {
    rejectOptions(values, ['test', 'rul', 'columns', 'conditions', 'unit-column', 'time-column', 'delimiter', 'header', 'no-header', 'window', 'val-units'], 'the built-in data (they are for --data csv:FILE)');
    return undefined;
  }
  const csvFile = (flag: string, text: string) => {
    const spec = parseDataSpec(text);
    if (spec.kind !== 'csv') throw new UsageError(`--${flag} takes csv:FILE (run-to-failure units in a CSV file), got "${text}"; without --data the study runs on the built-in engines, and --seed draws others`);
    return spec;
  };
  const train = csvFile('data', values.data);
  const csv = csvColumns(values);
  const window = intOption('window', values.window ?? '30', 1, 100000);
  const validationShare = numberOption('val-units', values['val-units'] ?? '0.2', 0, 1, true);
  if ((values.test === undefined) !== (values.rul === undefined)) {
    throw new UsageError(values.test === undefined
      ? '--rul needs --test csv:FILE, the test units whose true RUL it gives'
      : "--test needs --rul FILE: the true RUL at each test unit's last row, one line per unit (as NASA's RUL_FD001.txt)");
  }
  const data = await loadData(train, 'train', undefined, csv);
  checkShortUnits(err, command, data.table, window, { padded: false, fix: (longest) => `use a --window of ${longest} or less` });
  const settings = data.settings && { channels: data.channels, conditions: data.settings };
  const description = data.settings ? `${data.description}, each channel standardised per operating condition of ${data.settings.join(', ')}` : data.description;
  if (values.test === undefined) return { train: data.table, ...settings, validationShare, window, description };

  const loaded = await loadData(csvFile('test', values.test), 'test', undefined, csv);
  const same = loaded.table.columns.length === data.table.columns.length && loaded.table.columns.every((c, i) => c === data.table.columns[i]);
  if (!same) throw new DataError(`--test ${values.test} has the channels ${loaded.table.columns.join(', ')}, but --data has ${data.table.columns.join(', ')}: the test units must have the training units' columns`);
  checkShortUnits(err, command, loaded.table, window, { padded: true });
  const test = await withRulFile(loaded.table, values.rul!);
  return { train: data.table, test, ...settings, validationShare, window, description: `${description}; test units from ${loaded.description}` };
}
