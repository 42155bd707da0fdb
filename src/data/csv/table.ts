/**
 * Row handling shared by readCsv and parseCsv: turns the records csv-parse hands over (string fields
 * and the line each ends on) into numbers, one row at a time, so a streamed file is never held as
 * text. The first record fixes the column names (the header, `names`, or c0, c1, …) and the field
 * count every later record must have; the options' column references are resolved against those
 * names once. Value columns become float32, the time column float64, the conditions column int32,
 * the labels column strings as written; with a group column each unit gets its own growing buffers,
 * created in order of first appearance, and one label (every row of a unit must repeat it).
 *
 * Numbers are strict: a field must be a decimal literal, [+-]? (digits [. digits?] | . digits)
 * ([eE] [+-]? digits)?, and a value must fit in float32 (|x| ≤ 3.4028234663852886e38). Anything else —
 * "12abc", "0x10", "1,5", "Infinity" — is a CsvError, as is a missing value unless missing: 'nan'.
 */
import { Tensor } from '../../tensor/tensor.js';
import type { SeriesTable, UnitSeries } from '../series.js';
import { CsvError } from './error.js';
import type { ColumnRef, CsvSettings } from './options.js';

/** What readCsv/parseCsv return without a group column. */
export interface CsvTable {
  /** Names of the value columns, one per column of `values`. */
  readonly columns: string[];
  /** (rows, columns.length), rows in file order. */
  readonly values: Tensor;
  /** The time column, one value per row, when `time` was given. */
  readonly time?: Float64Array;
  /** The operating-condition column, one label per row, when `conditions` was given. */
  readonly conditions?: Int32Array;
  /** The labels column as written, one string per row, when `labels` was given. */
  readonly labels?: string[];
}

/** The strict decimal literal of the header's rule: what readCsv accepts as a number. */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/**
 * Missing-value markers: pandas' usual ones, spreadsheets' #N/A, UCI's ?, and databases' NULL and \N
 * exports. A marker is never read as a number or a unit id.
 */
export const MISSING: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '?', '\\N']);
/**
 * The markers a label may not be. Fewer: "None", "NULL" or "?" can name a class ("fault: None"), and
 * model folders trained on such labels must keep loading; an empty or NA label is missing.
 */
const MISSING_LABEL: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null']);
const MAX_LABEL = 2 ** 31 - 1;

type Typed = Float32Array | Float64Array | Int32Array;

/** A typed array that grows by doubling. */
class Growing<A extends Typed> {
  private buf: A;
  length = 0;

  constructor(private readonly make: (n: number) => A) {
    this.buf = make(64);
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = this.make(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }

  /** The values pushed, in an array of exactly their length. */
  take(): A {
    return this.buf.slice(0, this.length) as A;
  }
}

/** One unit's rows (the whole table when there is no group column). */
class UnitRows {
  readonly values = new Growing((n) => new Float32Array(n));
  readonly time = new Growing((n) => new Float64Array(n));
  readonly conditions = new Growing((n) => new Int32Array(n));
  readonly labels: string[] = [];
  /** With a group column: the unit's one label and the line it was first read on. */
  label: string | undefined;
  labelLine = 0;
  rows = 0;
  lastTime = -Infinity;
  lastTimeLine = 0;

  constructor(readonly id: string | number) {}
}

/** Column positions, resolved once the names are known. */
interface Layout {
  readonly names: readonly string[];
  readonly source: string;
  readonly values: readonly number[];
  readonly group: number | undefined;
  readonly time: number | undefined;
  readonly conditions: number | undefined;
  readonly labels: number | undefined;
}

export class TableBuilder {
  private layout: Layout | undefined;
  private readonly units = new Map<string | number, UnitRows>();

  constructor(
    private readonly file: string,
    private readonly s: CsvSettings,
  ) {}

  private fail(line: number, column: number, reason: string): never {
    throw new CsvError(this.file, line, column, reason);
  }

  /** Where `ref` points among `names`, or a CsvError naming the option and the columns there are. */
  private resolve(option: string, ref: ColumnRef, names: readonly string[], line: number): number {
    if (typeof ref === 'number') {
      if (ref >= names.length) this.fail(line, 0, `${option} column index ${ref} is out of range: rows have ${names.length} fields`);
      return ref;
    }
    const i = names.indexOf(ref);
    const known = names.length <= 30 ? names.map((n) => JSON.stringify(n)).join(', ') : `${names.length} columns`;
    if (i < 0) this.fail(line, 0, `${option} column ${JSON.stringify(ref)} not found (columns: ${known})`);
    return i;
  }

  private setLayout(names: readonly string[], source: string, line: number): void {
    const s = this.s;
    const at = (option: string, ref: ColumnRef | undefined) => (ref === undefined ? undefined : this.resolve(option, ref, names, line));
    const group = at('group', s.group);
    const time = at('time', s.time);
    const conditions = at('conditions', s.conditions);
    const labels = at('labels', s.labels);
    const values = s.columns
      ? s.columns.map((ref, k) => this.resolve(`columns[${k}]`, ref, names, line))
      : names.map((_, i) => i).filter((i) => i !== group && i !== time && i !== conditions && i !== labels);
    // A unit id, a time or a label read as a value would be learnt from: refused, as is a column listed twice.
    const roles: Array<[string, number | undefined]> = [['group', group], ['time', time], ['conditions', conditions], ['labels', labels]];
    values.forEach((c, k) => {
      const role = roles.find(([, at]) => at === c);
      if (role) this.fail(line, 0, `columns[${k}] is column ${JSON.stringify(names[c])}, the ${role[0]} column: a value column must be another one`);
      if (values.indexOf(c) !== k) this.fail(line, 0, `columns[${k}] repeats column ${JSON.stringify(names[c])} (columns[${values.indexOf(c)}])`);
    });
    this.layout = { names, source, values, group, time, conditions, labels };
  }

  /** A header that names a column twice: selecting by that name would be ambiguous, so it is refused. */
  private checkUnique(names: readonly string[], line: number): void {
    const first = new Map<string, number>();
    names.forEach((n, c) => {
      const earlier = first.get(n);
      if (earlier !== undefined) this.fail(line, c + 1, `duplicate column name ${JSON.stringify(n)} in the header (also column ${earlier + 1}): each column needs its own name`);
      first.set(n, c);
    });
  }

  /** One record: the header, or a data row. */
  row(fields: string[], line: number): void {
    if (this.layout === undefined) {
      if (this.s.header) {
        this.checkUnique(fields, line);
        return this.setLayout(fields, 'as in the header', line);
      }
      if (this.s.names) this.setLayout(this.s.names, 'as in names', line);
      else this.setLayout(fields.map((_, i) => `c${i}`), 'as in the first row', line);
    }
    const L = this.layout!;
    if (fields.length !== L.names.length) {
      this.fail(line, Math.min(fields.length, L.names.length) + 1, `expected ${L.names.length} fields (${L.source}), got ${fields.length}`);
    }
    const unit = L.group === undefined ? this.unit(0) : this.unit(this.groupId(fields[L.group]!, line, L.group));
    for (const c of L.values) unit.values.push(this.value(fields[c]!, line, c));
    if (L.time !== undefined) {
      const t = this.number(fields[L.time]!, line, L.time);
      if (L.group !== undefined && !(t > unit.lastTime)) {
        this.fail(line, L.time + 1, `${this.name(L.time)}: time ${t} does not increase within unit ${unit.id} (previous time ${unit.lastTime} on line ${unit.lastTimeLine})`);
      }
      unit.lastTime = t;
      unit.lastTimeLine = line;
      unit.time.push(t);
    }
    if (L.conditions !== undefined) unit.conditions.push(this.label(fields[L.conditions]!, line, L.conditions));
    if (L.labels !== undefined) {
      const label = fields[L.labels]!;
      if (MISSING_LABEL.has(label)) this.fail(line, L.labels + 1, `${this.name(L.labels)}: missing label ${JSON.stringify(label)}`);
      if (L.group === undefined) unit.labels.push(label);
      else if (unit.label === undefined) [unit.label, unit.labelLine] = [label, line];
      else if (label !== unit.label) {
        this.fail(line, L.labels + 1, `${this.name(L.labels)}: unit ${unit.id} is labelled ${JSON.stringify(label)} here and ${JSON.stringify(unit.label)} on line ${unit.labelLine}; with a group column each unit (sequence) has one label`);
      }
    }
    unit.rows++;
  }

  private name(c: number): string {
    return JSON.stringify(this.layout!.names[c]);
  }

  /**
   * A group column's value as a unit id: a number when it is one that a double holds exactly enough
   * to tell ids apart, else the text. An integer beyond 2^53 (an 18-digit serial) stays text, as
   * written: as a double, neighbouring ids would be one unit, printed changed.
   */
  private groupId(field: string, line: number, c: number): string | number {
    if (MISSING.has(field)) this.fail(line, c + 1, `${this.name(c)}: missing unit id ${JSON.stringify(field)}`);
    if (!DECIMAL.test(field)) return field;
    const id = Number(field);
    return Math.abs(id) <= Number.MAX_SAFE_INTEGER ? id : field;
  }

  /** The rows of unit `id` (0 for the whole table without a group column), created on first use. */
  private unit(id: string | number): UnitRows {
    let unit = this.units.get(id);
    if (!unit) this.units.set(id, (unit = new UnitRows(id)));
    return unit;
  }

  /** A strict decimal number (rule in the header), or a CsvError. */
  private number(field: string, line: number, c: number): number {
    if (DECIMAL.test(field)) return Number(field);
    const what = MISSING.has(field) ? `missing value ${JSON.stringify(field)} (not allowed in this column)` : `${JSON.stringify(field)} is not a number`;
    return this.fail(line, c + 1, `${this.name(c)}: ${what}`);
  }

  /** A value-column entry: a number that fits float32, or NaN for a missing value when allowed. */
  private value(field: string, line: number, c: number): number {
    if (MISSING.has(field)) {
      if (this.s.missingAsNaN) return NaN;
      this.fail(line, c + 1, `${this.name(c)}: missing value ${JSON.stringify(field)} (pass missing: 'nan' to keep missing values as NaN)`);
    }
    const x = this.number(field, line, c);
    if (!Number.isFinite(Math.fround(x))) this.fail(line, c + 1, `${this.name(c)}: ${field} is outside the float32 range`);
    return x;
  }

  private label(field: string, line: number, c: number): number {
    const x = this.number(field, line, c);
    if (!Number.isInteger(x) || x < 0 || x > MAX_LABEL) this.fail(line, c + 1, `${this.name(c)}: condition label must be a non-negative integer, got ${field}`);
    return x;
  }

  /** The table read so far: a SeriesTable with a group column, a CsvTable without. */
  finish(endLine: number): CsvTable | SeriesTable {
    if (this.layout === undefined) {
      if (this.s.names) this.setLayout(this.s.names, 'as in names', endLine);
      else this.fail(endLine, 0, this.s.header ? 'no header row: the input is empty' : 'no rows: the input is empty');
    }
    const L = this.layout!;
    const columns = L.values.map((c) => L.names[c]!);
    const build = (u: UnitRows) => ({
      values: new Tensor(u.values.take(), [u.rows, columns.length]),
      ...(L.time !== undefined ? { time: u.time.take() } : {}),
      ...(L.conditions !== undefined ? { conditions: u.conditions.take() } : {}),
    });
    if (L.group !== undefined) {
      const units: UnitSeries[] = [...this.units.values()].map((u) => ({ id: u.id, ...build(u), ...(L.labels !== undefined ? { label: u.label! } : {}) }));
      return { columns, units };
    }
    const all = this.unit(0);
    return { columns, ...build(all), ...(L.labels !== undefined ? { labels: all.labels } : {}) };
  }
}
