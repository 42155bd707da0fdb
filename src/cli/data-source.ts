/**
 * What `--data` names and how the train/eval/predict commands load it as a SeriesTable of units:
 * `runtofailure[:SEED]`, the built-in engines (training engines for `keel train`, the test engines
 * cut before failure for `keel eval` and `keel predict`), or `csv:FILE`, a table with a unit column
 * and a time column laid out like NASA C-MAPSS's files. A CSV file's delimiter (semicolon where the
 * first line has more of them than commas, else comma, else runs of whitespace) and header (a first record with a field of text, not a number, empty field or missing-value marker; the unit ids aside) are
 * read off its first line, so train_FD001.txt and an exported spreadsheet both load without flags; --delimiter and
 * --header / --no-header say them instead. Which columns to read, and the format flags given, are
 * saved in model.json (CsvColumns), so eval and predict read a new file the way training did.
 * `fashion-mnist[:DIR]` is Zalando's Fashion-MNIST read from its IDX files (Debian's
 * dataset-fashion-mnist by default): the 60,000 training images for `keel train`, the 10,000 test
 * images for eval and predict, the first --limit N of them when asked.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse';
import { readCsv } from '../data/csv.js';
import { CsvError } from '../data/csv/error.js';
import { type ColumnRef, csvSettings, parserOptions } from '../data/csv/options.js';
import { DECIMAL, MISSING } from '../data/csv/table.js';
import type { SeriesTable } from '../data/series.js';
import { FASHION_MNIST_DIR, fashionMnistSplit } from '../datasets/fashion-mnist.js';
import { MAX_UNITS, runToFailure } from '../datasets/run-to-failure.js';
import { DataError, StorageError } from '../errors.js';
import { narrow } from '../functional/indexing.js';
import type { Tensor } from '../tensor/tensor.js';
import { intOption, rejectOptions } from './args.js';
import { UsageError } from './errors.js';
import type { CsvColumns } from '../model-folder/format.js';

/** A parsed --data value. */
export type DataSpec = SeriesSpec | TsSpec | ImagesSpec;
/** The sources of run-to-failure units (loadData). */
export type SeriesSpec = { kind: 'runtofailure'; seed: number | undefined } | { kind: 'csv'; file: string };
/** --data ts:FILE: a .ts or UCR file of labelled series (../data/ts-file.ts), read by ./sequence-data.ts. */
export interface TsSpec {
  kind: 'ts';
  file: string;
}

/** --data fashion-mnist[:DIR] (dir undefined: Debian's location). */
export interface ImagesSpec {
  kind: 'fashion-mnist';
  dir: string | undefined;
}

/** Fashion-MNIST's class names by label index (Zalando's README). */
export const FASHION_MNIST_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** The options every data-reading command takes besides --data (util.parseArgs specs). */
export const DATA_OPTIONS = {
  data: { type: 'string' },
  units: { type: 'string' },
  columns: { type: 'string' },
  'unit-column': { type: 'string' },
  'time-column': { type: 'string' },
  delimiter: { type: 'string' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  limit: { type: 'string' },
} as const;

/** --conditions: keel train's, tune's and demo --data's (eval and predict read the model's), so not among DATA_OPTIONS. */
export const CONDITIONS_OPTION = { conditions: { type: 'string' } } as const;
/** --conditions' help; `effect` says what the command does with the conditions (its lines indented as the help's). */
export function conditionsUsage(effect: string): string {
  return `  --conditions LIST   CSV: the operating-setting columns, names or 0-based indices (C-MAPSS FD002
                      and FD004: 2,3,4), not channels themselves. Rows whose settings agree form one
                      operating condition (a setting's values fall into levels apart by over 1% of
                      its range).
                      ${effect}`;
}

/** The flags of DATA_OPTIONS (and --conditions) that only the series sources (runtofailure, csv) read. */
export const SERIES_FLAGS = ['units', 'columns', 'unit-column', 'time-column', 'delimiter', 'header', 'no-header', 'conditions'] as const;
/** The flags of SERIES_FLAGS that only a CSV file reads. */
const CSV_FLAGS = SERIES_FLAGS.filter((f) => f !== 'units');

/** Their --help lines; `units` says which engines --units counts ("test engines …" for eval and predict). */
export function dataUsage(units: string): string {
  const test = units.includes('test');
  const sources = `  --data SOURCE       runtofailure[:SEED] (built-in engines; seed default ${test ? "the model's" : '0'}), csv:FILE
                      (comma-, semicolon- or whitespace-separated; a header row is detected),
                      ts:FILE (labelled series: sktime/aeon's .ts, as the UEA and UCR archives ship
                      them, or UCR's .tsv) or fashion-mnist[:DIR] (the IDX files; default DIR
                      ${FASHION_MNIST_DIR})
  --limit N           fashion-mnist: the first N ${test ? 'test' : 'training'} images (default all)`;
  return `${sources}
  --units N           built-in data only: the first N ${units}
  --columns LIST      CSV: the channel columns, names or 0-based indices (default every column
                      but the unit and time columns${test ? '; with --model, those it was trained on' : ''})
  --unit-column COL   CSV: the unit id column, name or 0-based index (default 0)
  --time-column COL   CSV: the time (cycle) column, name or 0-based index (default 1); under a
                      header the model keeps both by the names it gives them, so they are found by
                      name in files with more or reordered columns
  --delimiter D       CSV: one character, tab or whitespace (default: from the first line, a
                      semicolon if it has more of them than commas, else a comma if it has one,
                      else whitespace${test ? "; with --model, the one it was trained with" : ''})
  --header, --no-header
                      CSV: whether the first row names the columns (default: detected, a header
                      has a field of text: not a number, quoted or not, not empty and not a missing
                      value such as NaN, NA or ?, besides the unit column's). A column
                      given as digits is an index unless the header names a column so`;
}

/** The CSV flags make no sense for the built-in data or a .ts file: a usage error when one is given with them. */
export function rejectCsvFlags(spec: DataSpec, values: CsvFlags): void {
  if (spec.kind === 'runtofailure') rejectOptions(values, CSV_FLAGS, '--data runtofailure (it is for csv:FILE)');
  if (spec.kind === 'ts') rejectOptions(values, CSV_FLAGS, '--data ts:FILE (its header and layout say how to read it; the flag is for csv:FILE)');
}

export function parseDataSpec(text: string): DataSpec {
  const builtin = /^runtofailure(?::(.*))?$/.exec(text);
  if (builtin) {
    const seed = builtin[1];
    if (seed !== undefined && !(/^\d+$/.test(seed) && Number.isSafeInteger(Number(seed)))) {
      throw new UsageError(`--data runtofailure:SEED takes a seed that is an integer in [0, ${Number.MAX_SAFE_INTEGER}], got "${seed}"`);
    }
    return { kind: 'runtofailure', seed: seed === undefined ? undefined : Number(seed) };
  }
  if (text.startsWith('csv:') && text.length > 4) return { kind: 'csv', file: text.slice(4) };
  if (text.startsWith('ts:') && text.length > 3) return { kind: 'ts', file: text.slice(3) };
  const images = /^fashion-mnist(?::(.+))?$/.exec(text);
  if (images) return { kind: 'fashion-mnist', dir: images[1] };
  throw new UsageError(`--data must be runtofailure[:SEED], csv:FILE or ts:FILE, got "${text}" (or fashion-mnist[:DIR] for the images)`);
}

/** "3" → column 3, "s2" → the column named s2 (`flag` names the option in errors); see preferNamed. */
export function columnRef(flag: string, text: string): ColumnRef {
  return /^\d+$/.test(text) ? intOption(flag, text, 0, Number.MAX_SAFE_INTEGER) : text;
}

/** --delimiter's value as readCsv's: "tab" is a tab, "whitespace" runs of blanks, else one character. */
function delimiterOption(text: string): string {
  if (text === 'tab') return '\t';
  if (text === 'whitespace' || (text.length === 1 && !/["\r\n]/.test(text))) return text;
  throw new UsageError(`--delimiter must be one character (not a quote or line break), tab or whitespace, got "${text}"`);
}

/** The flags csvColumns reads (a type alias, not an interface, so it is a Record<string, unknown> for rejectOptions). */
export type CsvFlags = {
  columns?: string;
  conditions?: string;
  'unit-column'?: string;
  'time-column'?: string;
  delimiter?: string;
  header?: boolean;
  'no-header'?: boolean;
};

/** The CSV columns and format from the flags, each missing one taken from `saved` (a model's) or the defaults. */
export function csvColumns(values: CsvFlags, saved?: CsvColumns): CsvColumns {
  const columns = columnList('columns', values.columns);
  const conditions = columnList('conditions', values.conditions) ?? saved?.conditions;
  if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other; give one');
  const delimiter = values.delimiter !== undefined ? delimiterOption(values.delimiter) : saved?.delimiter;
  const header = values.header ? true : values['no-header'] ? false : saved?.header;
  const csv: CsvColumns = {
    unit: values['unit-column'] !== undefined ? columnRef('unit-column', values['unit-column']) : saved?.unit ?? 0,
    time: values['time-column'] !== undefined ? columnRef('time-column', values['time-column']) : saved?.time ?? 1,
    columns: columns ?? saved?.columns ?? null,
    ...(conditions !== undefined && { conditions }),
    ...(delimiter !== undefined && { delimiter }),
    ...(header !== undefined && { header }),
  };
  // A setting groups rows into conditions; it is not also the unit, the time or a channel.
  const clash = csv.conditions?.find((c) => c === csv.unit || c === csv.time || csv.columns?.includes(c));
  if (clash !== undefined) {
    const as = clash === csv.unit ? 'the unit column' : clash === csv.time ? 'the time column' : 'a channel (--columns)';
    throw new UsageError(`--conditions lists ${JSON.stringify(String(clash))}, which is also ${as}; an operating setting is none of these`);
  }
  return csv;
}

/** A comma-separated --columns or --conditions list as column references (undefined when not given). */
function columnList(flag: string, text: string | undefined): ColumnRef[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim());
  if (list.some((c) => c === '')) throw new UsageError(`--${flag} must be a comma-separated list of column names or indices, got "${text}"`);
  if (new Set(list).size !== list.length) throw new UsageError(`--${flag} lists a column twice: "${text}"`);
  return list.map((c) => columnRef(flag, c));
}

/**
 * Delimiter and header from the start of the file (the header comment says how); `delimiter` when
 * given. The delimiter is counted on the first non-blank line (any line ending: LF, CRLF or an old
 * Mac's CR). `fields` is the first record as csv-parse reads it for readCsv — quotes removed, doubled
 * quotes unescaped, however long — so a column's name here is the name readCsv gives it. Header
 * evidence is a field that is text, or an empty first field before names (pandas' unnamed index
 * column, ",0,1,2"): a number (quoted or not), another empty field or a missing-value
 * marker (NaN, NA, …) is what a data row holds, so it is none. The columns `text` (the unit ids, a
 * target's labels) do not count: they may hold text in every row. `detected` is that verdict alone;
 * `header` is also true when a column is given by name, which needs a header row to find it by.
 */
export async function sniff(file: string, given: string | undefined, ...text: ColumnRef[]): Promise<{ delimiter: string; header: boolean; detected: boolean; line: string; fields: string[] }> {
  const head = Buffer.alloc(65536);
  let bytes: number;
  try {
    const fd = openSync(file, 'r');
    try {
      bytes = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new StorageError(`--data csv:${file}: cannot read it (${(e as Error).message})`, file, e);
  }
  const line = head.toString('utf8', 0, bytes).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  // Semicolons where they outnumber commas: the spreadsheet export of locales with a decimal comma (UCI's wine-quality files).
  const count = (c: string) => line.split(c).length - 1;
  const delimiter = given ?? (count(';') > count(',') ? ';' : line.includes(',') ? ',' : 'whitespace');
  const fields = await firstRecord(file, delimiter) ?? (delimiter === 'whitespace' ? line.trim().split(/\s+/) : line.split(delimiter));
  const isText = (f: string, i: number) => !text.includes(i) && f !== '' && !MISSING.has(f) && !DECIMAL.test(f);
  // pandas' to_csv heads its index column with nothing: ",0,1,2" names columns 0, 1 and 2.
  const pandasIndex = fields.length > 1 && fields[0] === '' && fields.slice(1).every((f) => f !== '');
  const detected = pandasIndex || fields.some(isText);
  return { delimiter, header: text.some((t) => typeof t === 'string') || detected, detected, line, fields };
}

/**
 * The first non-blank record of the file, parsed as readCsv parses it, reading no further than it
 * ends; undefined when csv-parse refuses it (an unclosed quote: readCsv then says where).
 */
function firstRecord(file: string, delimiter: string): Promise<string[] | undefined> {
  const settings = csvSettings('sniff', { delimiter, header: false });
  return new Promise((resolve) => {
    const input = createReadStream(file);
    const parser = parse(parserOptions(settings, (fields) => {
      resolve(fields);
      input.destroy(); // the record is all sniff needs: stop reading
    }));
    parser.on('error', () => {
      resolve(undefined);
      input.destroy(); // or its descriptor stays open
    });
    parser.on('end', () => resolve([])); // no record: an empty file
    parser.resume(); // it passes no records on (parserOptions), but must flow to end
    input.on('error', () => resolve(undefined));
    input.on('close', () => parser.writableEnded || parser.end());
    input.pipe(parser);
  });
}

/**
 * A column typed as digits is an index unless the file's header names a column so: under a header of
 * numbers (years, sensor ids), --target 5 is the column headed "5", as pandas reads it, not the
 * sixth column. `fields` is the file's first record, as sniff() parses it.
 */
export function preferNamed<R extends ColumnRef | null | undefined>(ref: R, header: boolean, fields: readonly string[]): R | string {
  if (typeof ref !== 'number' || !header) return ref;
  const name = String(ref);
  return fields.includes(name) ? name : ref;
}

/** readCsv's reason for a value such as "10,346" or "1.234,5": a number written with a decimal comma. */
const DECIMAL_COMMA = /: "[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+),\d+" is not a number$/;

/**
 * A CsvError as a command-line user can act on it: readCsv's hint at its API option for missing values
 * becomes what to do instead (the commands take no missing values), a column option is named by its
 * flag, a decimal comma is named with how to convert it, and a delimiter that split nothing is named:
 * guessed (when the first line holds another likely one, the message names --delimiter) or given (by
 * --delimiter or model.json).
 */
export function withCliHint(e: CsvError, guessed: { delimiter: string; line: string } | null, delimiter: string): CsvError {
  let reason = e.reason.replace(/ \(pass missing: 'nan'[^)]*\)$/, "; keel's commands take no missing values: fill or drop them first");
  // The readers' option names as the command line spells them.
  reason = reason
    .replace(/^group column/, '--unit-column').replace(/^time column/, '--time-column')
    .replace(/^columns\[(\d+)\] column/, (_, k: string) => `--columns entry ${Number(k) + 1}`);
  // A locale's decimal comma (10,346) is a number written another way, not a column to encode.
  if (DECIMAL_COMMA.test(reason)) {
    reason += ' (a decimal comma: keel reads numbers with a decimal point only; convert the file first, e.g. export it with "." as the decimal separator, or, when its fields are separated by ";" or tabs and no number has a thousands separator, sed \'s/,/./g\' FILE > NEW)';
  }
  const other = guessed && [';', '\t', '|'].find((d) => d !== guessed.delimiter && guessed.line.includes(d));
  if (guessed && other) {
    reason += ` (read as ${guessed.delimiter === ',' ? 'comma' : guessed.delimiter === ';' ? 'semicolon' : 'whitespace'}-separated; if the fields are separated by ${JSON.stringify(other)}, pass --delimiter ${other === '\t' ? 'tab' : `'${other}'`})`;
  } else if (!guessed && (/rows have 1 fields$/.test(reason) || /not found \(columns: "[^"]*"\)$/.test(reason))) {
    // One field per row: the given delimiter splits nothing. The one header field shows the file's.
    const field = /not found \(columns: "([^"]*)"\)$/.exec(reason)?.[1] ?? '';
    const seen = [';', ',', '\t', '|'].find((d) => d !== delimiter && field.includes(d));
    const fix = seen ? ` Its header suggests --delimiter ${seen === '\t' ? 'tab' : `'${seen}'`}` : '';
    reason += ` (read with the delimiter ${JSON.stringify(delimiter)} from --delimiter or model.json, which splits no row: is it the file's?${fix})`;
  }
  return reason === e.reason ? e : new CsvError(e.file, e.line, e.column, reason);
}

export interface LoadedData {
  table: SeriesTable;
  /** The channels the model reads, by name (columns of `table`). */
  channels: readonly string[];
  /** The operating-setting columns, by name (columns of `table`, not channels), when the CSV columns name them. */
  settings?: readonly string[];
  /** A CSV file's columns as model.json records them: by name when it has a header (byName). */
  csv?: CsvColumns;
  /** What was loaded, for messages and reports. */
  description: string;
}

/**
 * Loads the data: the built-in training engines (set 'train') or test engines (set 'test') of the
 * spec's seed (else `seed`), limited to the first `units`; or the CSV file with `csv`'s columns (every
 * value column is a channel).
 */
export async function loadData(spec: SeriesSpec, set: 'train' | 'test', units: string | undefined, csv: CsvColumns, seed = 0): Promise<LoadedData> {
  if (spec.kind === 'runtofailure') {
    seed = spec.seed ?? seed;
    const n = units === undefined ? undefined : intOption('units', units, set === 'train' ? 2 : 1, MAX_UNITS);
    const ds = runToFailure({ seed, ...(n === undefined ? {} : set === 'train' ? { trainUnits: n } : { testUnits: n }) });
    const table = set === 'train' ? ds.train : ds.test;
    return { table, channels: ds.informative, description: `built-in run-to-failure data (seed ${seed}), ${table.units.length} ${set === 'train' ? 'training' : 'test'} engines` };
  }
  if (units !== undefined) throw new UsageError('--units applies to the built-in data only; select rows of a CSV file before reading it');
  const detected = await sniff(spec.file, csv.delimiter, csv.unit);
  const header = csv.header ?? detected.header;
  const named = <R extends ColumnRef | undefined>(ref: R) => preferNamed(ref, header, detected.fields);
  if (csv.header === undefined) requireHeaderFor(spec.file, csv, detected);
  // The settings are read besides the channels: every column when none are named, else both lists.
  const read = csv.columns && [...csv.columns, ...(csv.conditions ?? [])];
  let table: SeriesTable;
  try {
    table = await readCsv(spec.file, {
      delimiter: detected.delimiter, header,
      group: named(csv.unit), time: named(csv.time), ...(read ? { columns: read.map(named) } : {}),
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    let hinted = withCliHint(e, csv.delimiter === undefined ? detected : null, detected.delimiter);
    // The settings were read as entries after --columns': named as --conditions entries.
    const entry = /^--columns entry (\d+) /.exec(hinted.reason);
    if (csv.columns && entry && Number(entry[1]) > csv.columns.length) {
      hinted = new CsvError(hinted.file, hinted.line, hinted.column, hinted.reason.replace(/^--columns entry \d+/, `--conditions entry ${Number(entry[1]) - csv.columns.length}`));
    }
    // Times that fall within a "unit" of training data are most often a table of independent rows
    // read as series (keel train or tune without --target).
    if (set !== 'train' || !/: time .* does not increase within unit /.test(hinted.reason)) throw hinted;
    const how = `read as run-to-failure series, with unit ids from ${describeColumn(csv.unit)} and time from ${describeColumn(csv.time)}`;
    throw new CsvError(hinted.file, hinted.line, hinted.column, `${hinted.reason} (${how}; if the rows are a table of independent samples, name the column to predict with --target)`);
  }
  if (table.units.length === 0) throw new DataError(`${spec.file} has no data rows${header ? ' after its header' : ''}`);
  const settings = csv.conditions?.map((ref) => columnName(named(ref), header, detected.fields));
  const missing = settings?.findIndex((name) => !table.columns.includes(name)) ?? -1;
  if (missing >= 0) throw new CsvError(spec.file, 1, 0, `--conditions entry ${missing + 1} ${JSON.stringify(String(csv.conditions![missing]))} not found (columns: ${JSON.stringify(table.columns.join(','))})`);
  return {
    table, channels: table.columns.filter((c) => !settings?.includes(c)), ...(settings && { settings }),
    csv: header ? byName(csv, detected.fields) : csv,
    description: `${spec.file}, ${table.units.length} units (unit ids from ${describeColumn(csv.unit)}, time from ${describeColumn(csv.time)})`,
  };
}

/** The name readCsv gives the column `ref`: its header field, or c<i> in a file without a header ('' past the last field). */
function columnName(ref: ColumnRef, header: boolean, fields: readonly string[]): string {
  if (typeof ref === 'string') return ref;
  return header ? fields[ref] ?? '' : `c${ref}`;
}

/**
 * The columns as model.json records them: under a header, by the names it gives them, so a file
 * with a column more or in another order (pandas' index column) is read right or refused, never
 * read by position into the wrong columns. `fields` is the header (sniff).
 */
function byName(csv: CsvColumns, fields: readonly string[]): CsvColumns {
  const name = (ref: ColumnRef) => (typeof ref === 'number' ? fields[ref]! : ref);
  return { ...csv, unit: name(csv.unit), time: name(csv.time), columns: csv.columns?.map(name) ?? null, ...(csv.conditions && { conditions: csv.conditions.map(name) }) };
}

/**
 * A unit or time column given by name (model.json records them so for a file with a header) in a
 * file whose first line is data: the error says so, instead of reading that line as the header.
 */
function requireHeaderFor(file: string, csv: CsvColumns, detected: { detected: boolean; line: string }): void {
  if (detected.detected) return;
  const [flag, ref] = typeof csv.unit === 'string' ? ['--unit-column', csv.unit] : ['--time-column', csv.time];
  if (typeof ref !== 'string') return;
  const first = detected.line.length > 60 ? `${detected.line.slice(0, 60)}…` : detected.line;
  throw new CsvError(file, 1, 0, `${flag} ${JSON.stringify(ref)} not found: the file has no header row (its first line is data: "${first}"); add the header that names the columns, or pass --header if that line is one`);
}

/** "column 0", or "column \"cycle\"" for one given by name. */
function describeColumn(ref: ColumnRef): string {
  return typeof ref === 'number' ? `column ${ref}` : `column "${ref}"`;
}

/**
 * Says on stderr which units are shorter than `window` rows, which a user should hear about rather
 * than find out. `padded` (the last window of each unit, a short one repeating its first row): they
 * are still scored or predicted, from rows made up. Otherwise they give no window and are left out,
 * and when that leaves no window at all it is an error here, saying what to change (`fix`), instead
 * of the windowing's, which names an API option the command line does not have.
 */
export function checkShortUnits(
  err: { write(s: string): unknown }, command: string, table: SeriesTable, window: number,
  how: { padded: true } | { padded: false; fix: (longest: number) => string }, noun = 'units',
): void {
  const short = table.units.filter((u) => u.values.shape[0]! < window).map((u) => u.id);
  if (short.length === 0) return;
  if (!how.padded && short.length === table.units.length) {
    const longest = Math.max(0, ...table.units.map((u) => u.values.shape[0]!));
    throw new DataError(`every ${noun.slice(0, -1)} has fewer than ${window} rows (the longest has ${longest}), so there is no window; ${how.fix(longest)}`);
  }
  const ids = short.length <= 10 ? short.join(', ') : `${short.slice(0, 10).join(', ')}, …`;
  const fate = how.padded ? 'their window repeats their first row to fill it' : 'so no window, and are left out';
  err.write(`keel ${command}: ${short.length} of ${table.units.length} ${noun} have fewer than ${window} rows, ${fate} (${noun} ${ids})\n`);
}

/**
 * The table with each unit's true RUL at its last row from `file`: one number per line, line k for
 * the unit with the k-th smallest id, as NASA's RUL_FD001.txt pairs line i with unit i. The pairing
 * is by id, not by where a unit first appears, so a test file sorted another way (units written 10 →
 * 1, rows by cycle) is scored against its own units' RUL; ids must therefore be numbers.
 */
export async function withRulFile(table: SeriesTable, file: string): Promise<SeriesTable> {
  let rul: Awaited<ReturnType<typeof readCsv>>;
  try {
    rul = await readCsv(file, { delimiter: 'whitespace', header: false });
  } catch (e) {
    if (e instanceof StorageError) throw new StorageError(`--rul ${file}: cannot read it (${e.code ?? e.message})`, file, e.cause);
    throw e;
  }
  const [rows, cols] = rul.values.shape as [number, number];
  if (cols !== 1 || rows !== table.units.length) {
    throw new DataError(`--rul ${file}: expected one number per line for each of the ${table.units.length} units, got ${rows} lines of ${cols} values`);
  }
  const byId = unitsById(table, file);
  const bad = rul.values.data.findIndex((v) => !(v >= 0));
  if (bad >= 0) throw new DataError(`--rul ${file} line ${bad + 1}: expected a remaining useful life ≥ 0 cycles (unit ${table.units[byId[bad]!]!.id}), got ${rul.values.data[bad]}`);
  const rulAt = new Float64Array(table.units.length);
  byId.forEach((unit, line) => (rulAt[unit] = rul.values.data[line]!));
  return { columns: table.columns, units: table.units.map((u, i) => ({ ...u, rulAtEnd: rulAt[i]! })) };
}

/** The units' positions in `table` in increasing order of their numeric ids; a text id is a DataError (--rul pairs lines with ids). */
function unitsById(table: SeriesTable, file: string): number[] {
  const text = table.units.find((u) => typeof u.id !== 'number' && !/^[+-]?\d+$/.test(u.id));
  if (text) throw new DataError(`--rul ${file}: line k is the true RUL of the unit with the k-th smallest id, but unit ${JSON.stringify(text.id)} has an id that is not a number; number the units as the RUL file lists them`);
  // Integer ids beyond 2^53 stay text (readCsv): compared exactly as BigInt.
  const key = (id: string | number) => (typeof id === 'number' && !Number.isInteger(id) ? id : BigInt(id));
  const order = table.units.map((u, i) => ({ key: key(u.id), i }));
  return order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((o) => o.i);
}

export interface LoadedImages {
  /** (N, 784) for 'flat', (N, 28, 28) — 28 channels (rows) × 28 steps (columns) — for 'sequence'; values in [0, 1]. */
  x: Tensor;
  /** (N) class indices 0–9. */
  y: Tensor;
  description: string;
}

/** The training ('train') or test ('test') images of Fashion-MNIST, the first `limit` of them when given. */
export async function loadImages(spec: ImagesSpec, set: 'train' | 'test', layout: 'flat' | 'sequence', limit: string | undefined): Promise<LoadedImages> {
  const dir = spec.dir ?? FASHION_MNIST_DIR;
  const split = await fashionMnistSplit(set, dir, { layout });
  const total = split.x.shape[0]!;
  const n = limit === undefined ? total : intOption('limit', limit, set === 'train' ? 2 : 1, total);
  const what = set === 'train' ? 'training' : 'test';
  return {
    x: n === total ? split.x : narrow(split.x, 0, 0, n),
    y: n === total ? split.y : narrow(split.y, 0, 0, n),
    description: `Fashion-MNIST (${dir}), ${n === total ? `${n}` : `the first ${n} of ${total}`} ${what} images`,
  };
}
