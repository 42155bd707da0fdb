/**
 * loadStateDict reads every entry once — its dtype, shape and data, and the elements of a plain-array
 * shape or data — and checks and copies those reads, never the caller's object again. An entry whose
 * getters answer differently on a second read (a checked array first, something else after) gets the
 * checked values loaded, or a FormatError with the model unchanged: never unchecked data copied, and
 * never a RangeError halfway through the copy with the earlier entries already loaded.
 */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import type { StateDict } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { expectSameSnapshot, snapshot } from './helpers.js';

/** A Linear(2, 2) and a valid dict for it whose weight (loaded before bias) differs from the model's. */
function setup(): { model: nn.Linear; dict: StateDict } {
  manualSeed(5);
  const model = new nn.Linear(2, 2);
  const dict = { weight: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } } as unknown as StateDict;
  return { model, dict };
}

/** Makes target[name] a getter answering `first`, then `later` on every further read; returns its read count. */
function twoFaced<T>(target: object, name: string, first: T, later: T): () => number {
  let n = 0;
  Object.defineProperty(target, name, { enumerable: true, get: () => (n++ === 0 ? first : later) });
  return () => n;
}

/** The error `fn` throws (fails the test if it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('no error thrown');
}

describe('loadStateDict with entries whose getters change their answer', () => {
  it('data: the checked array is the one copied (a longer second answer once threw a RangeError after weight was loaded)', () => {
    const { model, dict } = setup();
    const bias = { dtype: 'F32', shape: [2] };
    const reads = twoFaced(bias, 'data', Float32Array.of(9, 8), new Float32Array(5));
    (dict as Record<string, unknown>).bias = bias;
    expect(model.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(model.bias!.data)).toEqual([9, 8]);
    expect(Array.from(model.weight.data)).toEqual([1, 2, 3, 4]);
    expect(reads()).toBe(1);
  });

  it('shape: a failed check leaves the model unchanged (a matching second answer once let 3 values into 2)', () => {
    const { model, dict } = setup();
    const bias = { dtype: 'F32', data: Float32Array.of(7, 7, 7) };
    const reads = twoFaced(bias, 'shape', [3], [2]);
    (dict as Record<string, unknown>).bias = bias;
    const before = snapshot(model);
    const e = thrown(() => model.loadStateDict(dict));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain('size mismatch for bias: copying a param with shape (3) from checkpoint, the shape in current model is (2).');
    expect((e as FormatError & { mismatchedKeys: string[] }).mismatchedKeys).toEqual(['bias']);
    expectSameSnapshot(snapshot(model), before);
    expect(reads()).toBe(1);
  });

  it('a plain-array element: the checked number is copied (a string second answer once loaded NaN)', () => {
    const { model, dict } = setup();
    const data = [0, 6];
    const reads = twoFaced<unknown>(data, '0', 5, 'five');
    (dict as Record<string, unknown>).bias = { dtype: 'F32', shape: [2], data };
    model.loadStateDict(dict);
    expect(Array.from(model.bias!.data)).toEqual([5, 6]);
    expect(reads()).toBe(1);
  });
});
