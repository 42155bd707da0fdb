/**
 * The classes nn throws besides the option and shape checks of the layers (test/nn/validation.test.ts):
 * a name registered twice is a StateError, a module tree description (toJSON form or its text) that
 * cannot be rebuilt a FormatError, a bad argument to the registry an OptionError — each a KeelError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FormatError, OptionError, StateError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { Module } from '../../src/nn/module.js';
import { expectTypedError } from '../helpers/typed-error.js';


const bad = (v: unknown): any => v;

/** A module that registers the same name twice (or a bad name) when asked. */
class Twice extends Module {
  constructor(name: string) {
    super();
    this.registerModule('a', new nn.ReLU());
    this.registerModule(name, new nn.ReLU());
  }
  forward(x: never): never {
    return x;
  }
  toJSON(): never {
    throw new Error('not serialisable');
  }
}

describe('nn error classes', () => {
  afterEach(() => nn.registerModuleType('ZzTest', () => new nn.ReLU(), { replace: true }));

  it('StateError: a name registered twice (module attribute, module type)', () => {
    expectTypedError(() => new Twice('a'), StateError, '"a" is already registered');
    nn.registerModuleType('ZzTest', () => new nn.ReLU(), { replace: true });
    expectTypedError(() => nn.registerModuleType('ZzTest', () => new nn.ReLU()), StateError, 'registerModuleType: module type "ZzTest" is already registered');
  });

  it('OptionError: a bad name or factory', () => {
    expectTypedError(() => new Twice('b.c'), OptionError, 'invalid name "b.c" (non-empty, no ".")');
    expectTypedError(() => nn.registerModuleType('', () => new nn.ReLU()), OptionError, 'registerModuleType: name must be a non-empty string, got ""');
    expectTypedError(() => nn.registerModuleType('ZzTest', bad(3), { replace: true }), OptionError, 'registerModuleType: factory for "ZzTest" must be a function, got 3');
  });

  it('FormatError: JSON text or a module description that cannot be rebuilt', () => {
    expectTypedError(() => nn.fromJSON('{'), FormatError, /^fromJSON: invalid JSON text: /);
    expect(() => nn.fromJSON('{')).toThrow(expect.objectContaining({ cause: expect.any(SyntaxError) }));
    expectTypedError(() => nn.fromJSON(bad({ type: 'NoSuchLayer' })), FormatError, /^fromJSON: unknown module type "NoSuchLayer" at the root; registered types: /);
    expectTypedError(() => nn.fromJSON(bad({ type: 'Sequential', children: {} })), FormatError, 'fromJSON: "children" of Sequential at the root must be an array, got {}');
    expectTypedError(() => nn.fromJSON(bad({ type: 'ReLU', children: [{ type: 'ReLU' }] })), FormatError, 'fromJSON: building ReLU at the root: ReLU takes no children, got 1');
    expectTypedError(() => nn.fromJSON(bad([1])), FormatError, 'fromJSON: expected a module object {type, options?, children?} at the root, got [1]');
  });
});
