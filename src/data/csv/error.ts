/**
 * CsvError: what readCsv and parseCsv throw for anything wrong with the text itself — a field that is
 * not a number, a missing value where none is allowed, a row with the wrong number of fields, a time
 * that does not increase within a unit, a column the options name but the file lacks, an unclosed
 * quote. It points at the cell as compilers do, "file:line:column: reason", and carries the three as
 * fields. `line` is the 1-based line of the file on which the record ends; `column` is the 1-based
 * field number, or 0 when the problem is the whole line (then the message reads "file:line: reason").
 * It is a FormatError (name 'CsvError'). Bad options (a wrong type, an unknown key) are OptionErrors
 * as everywhere in keel, since they are wrong whatever the file holds.
 */
import { FormatError, registerErrorClass } from '../../errors.js';

/** A problem in CSV text at file:line:column (see the header). */
export class CsvError extends FormatError {
  constructor(
    /** The path read, or "<string>" for parseCsv. */
    readonly file: string,
    /** 1-based line of the problem in the file. */
    readonly line: number,
    /** 1-based column (field) of the problem, or 0 when it concerns the whole line. */
    readonly column: number,
    /** The message without its "file:line:column: " prefix. */
    readonly reason: string,
  ) {
    super(`${file}:${line}${column > 0 ? `:${column}` : ''}: ${reason}`);
  }
}
registerErrorClass(CsvError);
