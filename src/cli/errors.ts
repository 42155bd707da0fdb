/**
 * The CLI's error for a command line that cannot work as written (an unknown option, a value out of
 * range, a missing argument): main.ts prints its message with a pointer to --help and exits with
 * status 2. Every other error is a runtime failure: status 1.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
