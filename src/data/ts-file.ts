/**
 * readTs and parseTs: the time-series archives' text files as a SeriesTable of labelled series, one
 * unit per case, ready for slidingWindows. Two layouts, told apart by the first non-blank line:
 *
 * - **`.ts`**, sktime's and aeon's format (the UEA multivariate and UCR univariate classification
 *   archives, the Monash regression archive): comments (`#` or `%`) and `@tag value` lines up to `@data`,
 *   then one case a line, its dimensions separated by `:`, each a comma-separated series, and the
 *   class label (`@classLabel true A B …`) or the target value (`@targetLabel true`) last.
 * - **UCR 2018's `.tsv`** (and the older `.txt`): one series a line, the label first and then the
 *   values, separated by tabs (else commas, else spaces); a shorter series padded with trailing NaN.
 *   Tokenised by readCsv (csv-parse).
 *
 *   const train = await data.readTs('BasicMotions_TRAIN.ts');
 *   // → 40 units of (100, 6): columns dim_0 … dim_5, label 'Standing' | 'Running' | …
 *
 * A case's id is its 1-based position among the cases, its values (T, D) with channel d the
 * case's dimension d (named dim_d, as sktime names them), its label the class or target as written.
 * Series may differ in length between cases, not between one case's dimensions. Anything the reader
 * does not take — a missing value (`?`, NaN inside a series), time stamps (`@timeStamps true`), a
 * label the header does not declare — is a TsError naming file and line.
 */
import { readFile } from 'node:fs/promises';
import { FormatError, OptionError, registerErrorClass, StorageError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { CsvError, parseCsv } from './csv.js';
import { DECIMAL } from './csv/table.js';
import type { SeriesTable, UnitSeries } from './series.js';
import { describe } from './validate.js';

/** A problem in a .ts or UCR file at file:line (the message reads "file:line: reason"). */
export class TsError extends FormatError {
  constructor(
    /** The path read, or "<string>" for parseTs. */
    readonly file: string,
    /** 1-based line of the problem. */
    readonly line: number,
    /** The message without its "file:line: " prefix. */
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}
registerErrorClass(TsError);

/** What the cases' labels are: classes (the header's list, or for UCR files those found) or regression targets. */
export type TsTarget =
  | {
      /** Each label one of `classes`. */
      kind: 'classification';
      /** The labels `@classLabel` declares, in its order (a UCR file: those found, in order of appearance). */
      classes: string[];
    }
  | {
      /** Each label a number (`@targetLabel true`). */
      kind: 'regression';
    };

export interface TsTable extends SeriesTable {
  /** Which layout the text had. */
  readonly layout: 'ts' | 'ucr';
  /** `@problemName`, when given. */
  readonly problem: string | null;
  /** null: the cases carry no label (`@classLabel false` and no `@targetLabel`). */
  readonly target: TsTarget | null;
}

/** Reads a .ts or UCR file (see the module header); a TsError names the line of anything it does not take. */
export async function readTs(path: string): Promise<TsTable> {
  if (typeof path !== 'string' || path === '') throw new OptionError(`readTs: path must be a non-empty string, got ${describe(path)}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new StorageError(`readTs: cannot read ${path} (${(e as Error).message})`, path, e);
  }
  return parseTsText(text, path);
}

/** readTs on a string (errors name the file "<string>"). */
export function parseTs(text: string): TsTable {
  if (typeof text !== 'string') throw new OptionError(`parseTs: text must be a string, got ${describe(text)}`);
  return parseTsText(text, '<string>');
}

function parseTsText(text: string, file: string): TsTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  return /^[@#%]/.test(first) ? parseTsLayout(lines, file) : parseUcrLayout(text, lines, first, file);
}

/** The header's tags as the format uses them (names are case-insensitive). */
interface Header {
  problem: string | null;
  dimensions: number | null;
  equalLength: boolean;
  seriesLength: number | null;
  classes: string[] | null;
  regression: boolean;
}

function readHeader(lines: readonly string[], file: string): { header: Header; data: number } {
  const header: Header = { problem: null, dimensions: null, equalLength: false, seriesLength: null, classes: null, regression: false };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('%')) continue;
    const fail = (reason: string): never => {
      throw new TsError(file, i + 1, reason);
    };
    if (!line.startsWith('@')) fail(`expected a @tag line or a comment (# or %) before @data, got ${JSON.stringify(line.slice(0, 40))}`);
    const [tag, ...words] = line.split(/\s+/) as [string, ...string[]];
    const flag = (): boolean => {
      const w = words[0]?.toLowerCase();
      if (words.length !== 1 || (w !== 'true' && w !== 'false')) fail(`${tag} takes true or false, got ${JSON.stringify(words.join(' '))}`);
      return w === 'true';
    };
    const count = (): number => {
      const n = Number(words[0]);
      if (words.length !== 1 || !Number.isSafeInteger(n) || n < 1) fail(`${tag} takes a positive integer, got ${JSON.stringify(words.join(' '))}`);
      return n;
    };
    switch (tag.toLowerCase()) {
      case '@data':
        return { header, data: i + 1 };
      case '@problemname':
        header.problem = words.join(' ') || null;
        break;
      case '@timestamps':
        if (flag()) fail('@timeStamps true: series given as (time, value) pairs are not read; write them as plain values');
        break;
      case '@univariate':
        if (flag()) header.dimensions = 1;
        break;
      case '@dimension':
      case '@dimensions':
        header.dimensions = count();
        break;
      case '@equallength':
        header.equalLength = flag();
        break;
      case '@serieslength':
        header.seriesLength = count();
        break;
      case '@classlabel':
        if (words[0]?.toLowerCase() === 'true') {
          if (words.length < 2) fail('@classLabel true must list the class labels after it');
          header.classes = words.slice(1);
        } else if (words.length !== 1 || words[0]!.toLowerCase() !== 'false') {
          fail(`@classLabel takes true followed by the labels, or false, got ${JSON.stringify(words.join(' '))}`);
        }
        break;
      case '@targetlabel':
        header.regression = flag();
        break;
      default: // @missing and tags of later versions: nothing the values need
    }
  }
  throw new TsError(file, lastLine(lines), 'no @data line: a .ts file lists its cases after @data');
}

/** The 1-based number of the last non-blank line (1 for a blank text). */
function lastLine(lines: readonly string[]): number {
  let i = lines.length;
  while (i > 1 && lines[i - 1]!.trim() === '') i--;
  return i;
}

/** A series' values as float32, each checked; `where` names it in errors ("dimension 2"). */
function seriesValues(fields: readonly string[], where: string, fail: (reason: string) => never): Float32Array {
  return Float32Array.from(fields, (f, k) => {
    const s = f.trim();
    if (s === '?' || s.toLowerCase() === 'nan') fail(`${where}, value ${k + 1}: missing value ${JSON.stringify(s)}; keel takes no missing values, fill them first`);
    const v = DECIMAL.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(Math.fround(v))) fail(`${where}, value ${k + 1}: ${JSON.stringify(s)} is not a number float32 holds`);
    return v;
  });
}

/** A case as a unit: (T, D) from its dimensions' series (each of length T). */
function unitOf(id: number, series: readonly Float32Array[], label: string | undefined): UnitSeries {
  const D = series.length, T = series[0]!.length;
  const values = new Float32Array(T * D);
  series.forEach((s, d) => s.forEach((v, t) => (values[t * D + d] = v)));
  return { id, values: new Tensor(values, [T, D]), ...(label !== undefined ? { label } : {}) };
}

function parseTsLayout(lines: readonly string[], file: string): TsTable {
  const { header, data } = readHeader(lines, file);
  if (header.classes && header.regression) throw new TsError(file, data, 'the header has both @classLabel true and @targetLabel true; a case has one label');
  const labelled = header.classes !== null || header.regression;
  const classes = new Set(header.classes);
  const units: UnitSeries[] = [];
  let dimensions = header.dimensions, length = header.seriesLength, lengthLine = 0;
  for (let i = data; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fail = (reason: string): never => {
      throw new TsError(file, i + 1, reason);
    };
    const parts = line.split(':');
    const label = labelled ? parts.pop()!.trim() : undefined;
    if (parts.length === 0 || (parts.length === 1 && parts[0]!.trim() === '')) fail(`a case needs its values before its label, got ${JSON.stringify(line.slice(0, 40))}`);
    if (dimensions !== null && parts.length !== dimensions) {
      fail(`${parts.length} dimension${parts.length === 1 ? '' : 's'} (separated by ':') where ${header.dimensions !== null ? 'the header says' : 'the first case has'} ${dimensions}${labelled ? ', then the label' : ''}`);
    }
    dimensions = parts.length;
    const series = parts.map((p, d) => seriesValues(p.split(','), `dimension ${d + 1}`, fail));
    const T = series[0]!.length;
    const uneven = series.findIndex((s) => s.length !== T);
    if (uneven > 0) fail(`dimension ${uneven + 1} has ${series[uneven]!.length} values and dimension 1 has ${T}; a case's dimensions have one length`);
    if (header.equalLength || header.seriesLength !== null) {
      if (length !== null && T !== length) fail(`a series of ${T} values where ${lengthLine === 0 ? `@seriesLength says ${length}` : `the case on line ${lengthLine} has ${length} (@equalLength true)`}`);
      if (length === null) [length, lengthLine] = [T, i + 1];
    }
    if (label !== undefined) {
      if (label === '') fail('a case without its label after the last ":"');
      if (header.classes && !classes.has(label)) fail(`label ${JSON.stringify(label)} is not among the classes @classLabel declares (${header.classes.join(' ')})`);
      if (header.regression && !(DECIMAL.test(label) && Number.isFinite(Math.fround(Number(label))))) fail(`target ${JSON.stringify(label)} is not a number float32 holds (@targetLabel true)`);
    }
    units.push(unitOf(units.length + 1, series, label));
  }
  if (units.length === 0) throw new TsError(file, lastLine(lines), 'no case after @data');
  return {
    layout: 'ts', problem: header.problem, units,
    columns: Array.from({ length: dimensions! }, (_, d) => `dim_${d}`),
    target: header.classes ? { kind: 'classification', classes: header.classes } : header.regression ? { kind: 'regression' } : null,
  };
}

/** UCR 2018: label, then the values; trailing NaN pads a shorter series (csv-parse tokenises). */
function parseUcrLayout(text: string, lines: readonly string[], first: string, file: string): TsTable {
  const delimiter = first.includes('\t') ? '\t' : first.includes(',') ? ',' : 'whitespace';
  let table;
  try {
    table = parseCsv(text, { delimiter, header: false, labels: 0, missing: 'nan' });
  } catch (e) {
    throw e instanceof CsvError ? new TsError(file, e.line, `${e.reason} (read as a UCR file: the label, then the values; a .ts file starts with @ tags)`) : e;
  }
  const width = table.values.shape[1]!;
  if (width === 0) throw new TsError(file, 1, 'a UCR line holds the label and then the series; this one has only the label');
  // The 1-based line of each row parseCsv returned (it skips blank lines).
  const lineOf = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i + 1]));
  const units = table.labels!.map((label, r): UnitSeries => {
    const row = table.values.data.subarray(r * width, (r + 1) * width);
    let T = width;
    while (T > 0 && Number.isNaN(row[T - 1]!)) T--;
    const gap = row.subarray(0, T).findIndex(Number.isNaN);
    if (T === 0) throw new TsError(file, lineOf[r]!, 'a series with no value (only NaN after the label)');
    if (gap >= 0) throw new TsError(file, lineOf[r]!, `value ${gap + 1}: missing value inside the series (NaN pads only its end); keel takes no missing values, fill them first`);
    return unitOf(r + 1, [row.slice(0, T)], label);
  });
  return {
    layout: 'ucr', problem: null, units, columns: ['dim_0'],
    target: { kind: 'classification', classes: [...new Set(table.labels)] },
  };
}
