/**
 * The CLI's error for a command line that cannot work as written (an unknown option, a value out of
 * range, a missing argument) and how main.ts turns any error into an exit status. UsageError is an
 * OptionError: a bad option value, here one that came from the command line (or --config's file).
 *
 * Exit statuses (main.ts prints `keel <command>: <name>: <message>` on stderr for every failure, so
 * the class shows, with or without --json; --json keeps stdout for results only):
 *   2  UsageError — every check of a value the user typed throws one. Where a command hands a
 *      command-line value to a library function that validates it (`--augment`'s JSON spec to
 *      augment.fromSpec), that function's OptionError is rethrown as a UsageError with it as
 *      `cause`: an OptionError raised while validating command-line values is a usage error.
 *   1  everything else: the other KeelErrors (a malformed file: FormatError/CsvError/IdxError; bad
 *      data: DataError, DatasetNotFoundError; a refused read or write: StorageError; a model folder
 *      that does not fit the data: ShapeError; a broken build or addon: BackendError; an OptionError
 *      from values the CLI computed or read from a file, which is a bug or a bad file, not a bad
 *      command line) and any non-keel error.
 */
import { OptionError, registerErrorClass } from '../errors.js';

export class UsageError extends OptionError {}
registerErrorClass(UsageError);

/** The exit status for an error a command threw (the table in the header). */
export function exitStatus(e: unknown): 1 | 2 {
  return e instanceof UsageError ? 2 : 1;
}
