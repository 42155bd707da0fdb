/**
 * readCsv and parseCsv: numeric tables from delimited text — CSV, TSV, or whitespace-separated files
 * such as NASA C-MAPSS's train_FD001.txt (no header, single spaces, trailing blanks) — as a (rows, C)
 * tensor, or with a grouping column as a SeriesTable of units ready for slidingWindows:
 *
 *   const fd001 = await data.readCsv('train_FD001.txt', {
 *     delimiter: 'whitespace', header: false, group: 0, time: 1,
 *     columns: [6, 7, 8, 11, 12, 13, 15, 16, 17, 18, 19, 21, 24, 25],   // the 14 informative sensors
 *   });                                                                  // → SeriesTable, 100 units
 *
 * Tokenising is csv-parse's (node-csv; RFC 4180 quotes, CR/LF/CRLF, BOM, comments, line counting; no
 * dependencies, streaming): it has the corner cases a hand-rolled split gets wrong, and at ~70k rows/s
 * on the C-MAPSS layout (0.3 s for FD001's 20,631 rows) it is not what limits training on the data.
 * readCsv streams the file through it (fs.createReadStream), so only the parsed numbers are held;
 * parseCsv runs the same row handling on a string. Anything wrong in the text is a CsvError naming
 * file, line and column (./csv/error.ts); options are documented in ./csv/options.ts.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError as ParseError, type Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { OptionError, StorageError } from '../errors.js';
import type { SeriesTable } from './series.js';
import { CsvError } from './csv/error.js';
import { csvSettings, parserOptions, type ColumnRef, type CsvOptions } from './csv/options.js';
import { TableBuilder, type CsvTable } from './csv/table.js';
import { describe } from './validate.js';

export { CsvError } from './csv/error.js';
export type { ColumnRef, CsvOptions } from './csv/options.js';
export type { CsvTable } from './csv/table.js';

/**
 * csv-parse's own errors (an unclosed quote, a record over the size limit) as a CsvError, and the
 * file system's (a missing file, no permission) as a StorageError; ours pass through.
 */
function asCsvError(file: string, err: unknown): unknown {
  if ((err as NodeJS.ErrnoException | null)?.syscall !== undefined) return new StorageError(`readCsv: cannot read ${file} (${(err as Error).message})`, file, err);
  if (!(err instanceof ParseError)) return err;
  const lines = (err as ParseError & { lines?: unknown }).lines;
  return new CsvError(file, typeof lines === 'number' ? lines : 0, 0, err.message);
}

/** Reads a delimited text file, streaming it; with `group`, a SeriesTable (see the header). */
export function readCsv(path: string, options: CsvOptions & { group: ColumnRef }): Promise<SeriesTable>;
export function readCsv(path: string, options?: CsvOptions & { group?: undefined }): Promise<CsvTable>;
export function readCsv(path: string, options?: CsvOptions): Promise<CsvTable | SeriesTable>;
export async function readCsv(path: string, options?: CsvOptions): Promise<CsvTable | SeriesTable> {
  if (typeof path !== 'string' || path === '') throw new OptionError(`readCsv: path must be a non-empty string, got ${describe(path)}`);
  const s = csvSettings('readCsv', options);
  const table = new TableBuilder(path, s);
  const parser: Parser = parse(parserOptions(s, (fields, line) => table.row(fields, line)));
  try {
    await pipeline(createReadStream(path), parser);
  } catch (err) {
    throw asCsvError(path, err);
  }
  return table.finish(parser.info.lines);
}

/** parseCsv(text, options): readCsv on a string (errors name the file "<string>"). */
export function parseCsv(text: string, options: CsvOptions & { group: ColumnRef }): SeriesTable;
export function parseCsv(text: string, options?: CsvOptions & { group?: undefined }): CsvTable;
export function parseCsv(text: string, options?: CsvOptions): CsvTable | SeriesTable;
export function parseCsv(text: string, options?: CsvOptions): CsvTable | SeriesTable {
  if (typeof text !== 'string') throw new OptionError(`parseCsv: text must be a string, got ${describe(text)}`);
  const s = csvSettings('parseCsv', options);
  const table = new TableBuilder('<string>', s);
  let lastLine = 1;
  try {
    parseSync(
      text,
      parserOptions(s, (fields, line) => {
        table.row(fields, line);
        lastLine = line;
      }),
    );
  } catch (err) {
    throw asCsvError('<string>', err);
  }
  return table.finish(lastLine);
}
