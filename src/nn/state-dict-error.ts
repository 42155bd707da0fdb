/**
 * StateDictError: what Module.loadStateDict throws for a state dict that does not fit the model —
 * PyTorch's message, and the keys by problem as typed fields (the same lists loadStateDict returns for
 * missing and unexpected keys). It is a FormatError (name 'StateDictError'); nothing was loaded.
 */
import { FormatError, registerErrorClass } from '../errors.js';

/** A state dict that does not fit the model (see the header). */
export class StateDictError extends FormatError {
  constructor(
    message: string,
    /** The model's keys the dict lacks. */
    readonly missingKeys: string[],
    /** The dict's keys the model does not have. */
    readonly unexpectedKeys: string[],
    /** Well-formed entries of another shape or dtype than the model's. */
    readonly mismatchedKeys: string[],
    /** Entries that are no tensor at all (null, no shape, data of the wrong type or length). */
    readonly invalidKeys: string[],
  ) {
    super(message);
  }
}
registerErrorClass(StateDictError);
