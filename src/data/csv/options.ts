/**
 * readCsv/parseCsv options: the typed interface a user fills in, its checks, and its translation into
 * csv-parse settings. csv-parse does the tokenising (quotes, escaped quotes, CR/LF/CRLF, BOM,
 * comments, blank lines, line counting); keel's row handling (./table.ts) does everything numeric,
 * so field counts, missing values and number syntax are checked the same way in both delimiter
 * modes and reported with one error type.
 */
import type { Options as ParserOptions } from 'csv-parse';
import { OptionError } from '../../errors.js';
import { boolean, checkOptions, nonNegativeInt, oneOf, show } from '../../functional/validate.js';

/** A column by name (as in the header or `names`) or by 0-based position in the row. */
export type ColumnRef = string | number;

/** Options of readCsv and parseCsv. */
export interface CsvOptions {
  /**
   * The field separator: one character, or 'whitespace' for runs of spaces and tabs with leading and
   * trailing ones ignored (the NASA C-MAPSS train_FD001.txt layout). Default ','.
   */
  delimiter?: string;
  /** True: the first row names the columns. False: `names` does, or they are 'c0', 'c1', …. Default true. */
  header?: boolean;
  /** Column names for a file without a header (only with header: false). Default 'c0', 'c1', …. */
  names?: readonly string[];
  /**
   * The value columns to keep, in this order. Default: every column that is not the group, time or
   * conditions column. Only these are parsed as numbers; other columns may hold anything.
   */
  columns?: readonly ColumnRef[];
  /**
   * A grouping column (e.g. the unit id). With it the result is a SeriesTable with one unit per
   * distinct value, in order of first appearance, each unit's rows in file order. Numeric ids are
   * compared as numbers ("1" and "1.0" are one unit) and returned as numbers. Default none.
   */
  group?: ColumnRef;
  /**
   * A time column (e.g. the cycle). Returned as a Float64Array; with `group`, it must strictly
   * increase within each unit. Default none.
   */
  time?: ColumnRef;
  /** An operating-condition column of non-negative integer labels, returned as an Int32Array. Default none. */
  conditions?: ColumnRef;
  /**
   * A column of class labels or targets kept as written (any text, numbers included), returned as
   * `labels`, one string per row; an empty or NA-like label ('', 'NA', 'N/A', 'NaN', 'nan', 'null') is
   * an error ("None", "NULL" or "?" may name a class). With `group`, a label per unit
   * (a labelled sequence): every row of a unit must hold the same one, returned as the unit's
   * `label`. Default none.
   */
  labels?: ColumnRef;
  /**
   * What a missing value ('', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '?', '\\N') in
   * a value column does: 'error' throws a CsvError naming its line and column, 'nan' keeps it as NaN.
   * The group, time and conditions columns never accept missing values. Default 'error'.
   */
  missing?: 'error' | 'nan';
  /** A character that starts a comment running to the end of its line. Default none. */
  comment?: string;
  /** Skip lines that are empty or hold only whitespace. Default true. */
  skipEmptyLines?: boolean;
}

/** The options after checking, with their defaults filled in. */
export interface CsvSettings {
  readonly whitespace: boolean;
  readonly header: boolean;
  readonly names: readonly string[] | undefined;
  readonly columns: readonly ColumnRef[] | undefined;
  readonly group: ColumnRef | undefined;
  readonly time: ColumnRef | undefined;
  readonly conditions: ColumnRef | undefined;
  readonly labels: ColumnRef | undefined;
  readonly missingAsNaN: boolean;
  readonly skipEmptyLines: boolean;
  readonly delimiter: string;
  readonly comment: string | undefined;
}

const KNOWN = ['delimiter', 'header', 'names', 'columns', 'group', 'time', 'conditions', 'labels', 'missing', 'comment', 'skipEmptyLines'] as const;

/**
 * One record may not exceed this many characters: a file with the wrong delimiter or no line breaks
 * fails with a CsvError instead of growing one field until memory runs out.
 */
const MAX_RECORD_CHARS = 1 << 24;

/** A single character that can separate fields or start a comment (not a quote or a line break). */
function char(fn: string, name: string, v: unknown): string {
  if (typeof v !== 'string' || v.length !== 1 || v === '"' || v === '\n' || v === '\r') {
    throw new OptionError(`${fn}: ${name} must be a single character other than a quote or a line break${name === 'delimiter' ? ", or 'whitespace'" : ''}, got ${show(v)}`);
  }
  return v;
}

function columnRef(fn: string, name: string, v: unknown): ColumnRef {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return nonNegativeInt(fn, name, v);
  throw new OptionError(`${fn}: ${name} must be a column name or a 0-based column index, got ${show(v)}`);
}

function optionalRef(fn: string, name: string, v: unknown): ColumnRef | undefined {
  return v === undefined ? undefined : columnRef(fn, name, v);
}

export function csvSettings(fn: string, options: CsvOptions | undefined): CsvSettings {
  const o = checkOptions(fn, options, KNOWN);
  const delimiter = o.delimiter === undefined ? ',' : o.delimiter === 'whitespace' ? 'whitespace' : char(fn, 'delimiter', o.delimiter);
  const header = o.header === undefined ? true : boolean(fn, 'header', o.header);
  let names: string[] | undefined;
  if (o.names !== undefined) {
    if (header) throw new OptionError(`${fn}: names is only for a file without a header (pass header: false), got header: true`);
    if (!Array.isArray(o.names) || o.names.length === 0 || !o.names.every((n) => typeof n === 'string')) {
      throw new OptionError(`${fn}: names must be a non-empty array of strings, got ${show(o.names)}`);
    }
    const twice = o.names.find((n, i) => o.names!.indexOf(n) !== i);
    if (twice !== undefined) throw new OptionError(`${fn}: names must be distinct (a duplicate makes column selection ambiguous), got ${show(twice)} twice`);
    names = [...o.names];
  }
  let columns: ColumnRef[] | undefined;
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns) || o.columns.length === 0) throw new OptionError(`${fn}: columns must be a non-empty array of column names or indices, got ${show(o.columns)}`);
    columns = o.columns.map((c, i) => columnRef(fn, `columns[${i}]`, c));
  }
  const comment = o.comment === undefined ? undefined : char(fn, 'comment', o.comment);
  if (comment !== undefined && comment === delimiter) throw new OptionError(`${fn}: comment must differ from the delimiter, both are ${show(comment)}`);
  const group = optionalRef(fn, 'group', o.group), labels = optionalRef(fn, 'labels', o.labels);
  return {
    whitespace: delimiter === 'whitespace',
    header,
    names,
    columns,
    group,
    time: optionalRef(fn, 'time', o.time),
    conditions: optionalRef(fn, 'conditions', o.conditions),
    labels,
    missingAsNaN: (o.missing === undefined ? 'error' : oneOf(fn, 'missing', o.missing, ['error', 'nan'])) === 'nan',
    skipEmptyLines: o.skipEmptyLines === undefined ? true : boolean(fn, 'skipEmptyLines', o.skipEmptyLines),
    delimiter,
    comment,
  };
}

/**
 * csv-parse settings for `s`, feeding every record to `onRow(fields, line)`. Field counts are left to
 * onRow (relax_column_count), and records are never collected (on_record returns null), so memory
 * holds the parsed numbers only. In whitespace mode the delimiter is any single space or tab and the
 * empty fields that runs of them produce are dropped, which is what "runs of whitespace" means (a
 * field there can be empty only if quoted, and a quoted "" is dropped too).
 */
export function parserOptions(s: CsvSettings, onRow: (fields: string[], line: number) => void): ParserOptions {
  return {
    delimiter: s.whitespace ? [' ', '\t'] : s.delimiter,
    trim: !s.whitespace,
    relax_column_count: true,
    skip_empty_lines: s.skipEmptyLines,
    bom: true,
    comment: s.comment ?? '',
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], info) => {
      const fields = s.whitespace ? record.filter((f) => f !== '') : record;
      // A line of blanks is an empty line too (csv-parse skips only lines with no character at all).
      const blank = fields.length === 0 || (fields.length === 1 && fields[0] === '');
      if (!(blank && s.skipEmptyLines)) onRow(fields, info.lines);
      return null;
    },
  };
}
