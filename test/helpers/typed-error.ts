/**
 * The assertion every typed-error test makes: the call throws, the error is an instance of the
 * expected class and of KeelError, and its message names what it should (a substring or a pattern).
 * Calls fn once: some failures (a failed backward) change what a second call would throw.
 */
import { expect } from 'vitest';
import { KeelError } from '../../src/errors.js';

export function expectTypedError(fn: () => unknown, cls: typeof KeelError, message: string | RegExp, label?: string): Error {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, label).toBeInstanceOf(cls);
  expect(err, label).toBeInstanceOf(KeelError);
  const text = (err as Error).message;
  if (typeof message === 'string') expect(text, label).toContain(message);
  else expect(text, label).toMatch(message);
  return err as Error;
}
