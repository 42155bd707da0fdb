/**
 * The errors keel throws: one small hierarchy under `KeelError`, so a caller can tell a bad shape
 * from a bad option, bad data, a bad file, a broken backend or an abort with `instanceof`, and catch
 * everything keel raised with one `instanceof KeelError`. Every message names the function or layer,
 * the argument, what was expected and what was got (`Conv1d(14→64): expected input (N, 14, L), got
 * (32, 12, 30)`). The classes survive a worker thread: fit in worker mode rebuilds the same class on
 * the caller's side (see `reviveError`), and the native binding throws these classes too.
 */

/** Everything keel throws on purpose. `name` is the class's name, also after a trip through a worker. */
export class KeelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    named(this, new.target.name);
  }
}

/**
 * A tensor, array or dimension that does not have the shape, length or size the call needs: a
 * wrong rank or channel count, data whose length does not match its shape, a negative, fractional
 * or too large dimension, an empty batch where one sample or more is needed.
 */
export class ShapeError extends KeelError {}

/**
 * An argument or option of the wrong type or value: a hyperparameter out of range, NaN or not a
 * number, a misspelled option key, a value not among the allowed ones.
 */
export class OptionError extends KeelError {}

/**
 * Data whose content cannot be used as given: labels out of range, too few samples or groups for a
 * split, missing columns, NaN or infinity where data must be finite.
 */
export class DataError extends KeelError {}

/** Bytes that are not what they claim to be: a truncated, malformed or lying file or state dict. */
export class FormatError extends KeelError {}

/**
 * A call the object's current state does not allow: a scaler used before it is fitted, a name
 * registered twice, backward from a tensor that does not require grad.
 */
export class StateError extends KeelError {}

/**
 * A NaN or infinity where a finite value is needed: a gradient an optimiser would apply, a training
 * loss (NonFiniteLossError). What it would have changed is left as it was.
 */
export class NonFiniteError extends KeelError {}

/**
 * A file system that refused a read or write: no space left, a read-only or missing folder, no
 * permission. `code` is the system's (ENOSPC, EROFS, EACCES, ENOENT…), `cause` the original error,
 * `path` the file. A save that fails this way leaves the old file as it was.
 */
export class StorageError extends KeelError {
  /** The system's error code (ENOSPC, EROFS, EACCES, ENOENT…), undefined if the cause had none. */
  readonly code: string | undefined;
  /** The file keel was reading or writing, as the caller named it. */
  readonly path: string;
  constructor(message: string, path: string, cause: unknown) {
    super(message, { cause });
    this.path = path;
    this.code = (cause as NodeJS.ErrnoException | null)?.code;
  }
}

/** The native addon or its thread pool: an addon that cannot load, a `KEEL_*` setting it cannot honour. */
export class BackendError extends KeelError {}

/**
 * An operation stopped by its AbortSignal. `cause` is the signal's reason. Its name is
 * 'AbortError', as for Node's and the DOM's aborts, so `err.name === 'AbortError'` checks work.
 */
export class AbortError extends KeelError {
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An error class as reviveError needs it: its name and prototype (constructors differ). */
type ErrorClass = { readonly name: string; readonly prototype: Error };

/** The classes `reviveError` rebuilds by name; subclasses defined elsewhere register themselves. */
const byName = new Map<string, ErrorClass>(
  [KeelError, ShapeError, OptionError, DataError, FormatError, StateError, NonFiniteError, StorageError, BackendError, AbortError, Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError].map(
    (c) => [c.name, c],
  ),
);

/** Lets `reviveError` rebuild a KeelError subclass declared in another module (e.g. CsvError). */
export function registerErrorClass(c: ErrorClass): void {
  byName.set(c.name, c);
}

/** An error as it crosses a worker boundary: its class name, message, stack, own data fields and cause. */
export interface PlainError {
  name: string;
  message: string;
  stack?: string;
  fields?: Record<string, unknown>;
  /** The cause: another error described the same way, or a cloneable value. */
  cause?: PlainError | { value: unknown };
}

/** The structured-clone-safe form of an error, for postMessage. */
export function plainError(e: unknown): PlainError {
  const err = e instanceof Error ? e : new Error(String(e));
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (k !== 'name' && k !== 'message' && k !== 'stack' && isCloneable(v)) fields[k] = v;
  const out: PlainError = { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...(Object.keys(fields).length ? { fields } : {}) };
  if ('cause' in err) out.cause = err.cause instanceof Error ? plainError(err.cause) : { value: isCloneable(err.cause) ? err.cause : String(err.cause) };
  return out;
}

function isCloneable(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v) || (Array.isArray(v) && v.every(isCloneable));
}

/**
 * The error `plainError` described, rebuilt as the same class (Error for a class it does not know)
 * with the same message, fields and the worker's stack. No constructor runs: subclasses such as
 * NonFiniteLossError take their fields, not a message.
 */
export function reviveError(e: PlainError): Error {
  const err = new Error(e.message);
  Object.setPrototypeOf(err, (byName.get(e.name) ?? Error).prototype);
  named(err, e.name);
  if (e.stack) err.stack = e.stack;
  if (e.cause) Object.defineProperty(err, 'cause', { value: 'value' in e.cause ? e.cause.value : reviveError(e.cause), writable: true, configurable: true, enumerable: false });
  return Object.assign(err, e.fields ?? {});
}

/** A non-enumerable own `name`, as the built-in errors have it on their prototypes: printouts stay clean. */
function named(err: Error, name: string): void {
  Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}
