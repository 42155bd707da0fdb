/**
 * What the tensor constructors refuse before allocating anything (issue 12): data that is not
 * numbers (named with the index of the first bad element), ragged or self-containing nesting,
 * detached and resizable buffers, shapes that are not whole safe integers or too large for one
 * Float32Array (MAX_ELEMENTS), option typos; and a tensor whose buffer is detached after creation,
 * refused by the first op that reads it. Each error is its typed class and a KeelError.
 */
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { full, ones, onesLike, randn, tensor, zeros } from '../../src/tensor/create.js';
import '../../src/tensor/methods.js';
import { randperm } from '../../src/tensor/random.js';
import { MAX_ELEMENTS } from '../../src/tensor/shape.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectTypedError } from '../helpers/typed-error.js';

const bad = (v: unknown): any => v;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}


/** A Float32Array whose buffer has been transferred away. */
function detach(a: Float32Array): Float32Array {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}

describe('tensor(): data', () => {
  it('names the first element that is not a number, with its index', () => {
    expectTypedError(() => tensor(bad([1, 'a', 3])), OptionError, /^tensor: data must hold only numbers, got "a" at data\[1\]$/);
    expectTypedError(() => tensor(bad([[1, 2], [3, 4n]])), OptionError, /got 4n \(a BigInt\) at data\[1\]\[1\]/);
    expectTypedError(() => tensor(bad([1, , 3])), OptionError, /a hole \(a sparse array\) at data\[1\]/);
    expectTypedError(() => tensor(bad([1, , 3, 4]), [2, 2]), OptionError, /a hole .* at data\[1\]/);
    expectTypedError(() => tensor(bad([true])), OptionError, /got true at data\[0\]/);
  });

  it('refuses data that is not a number, an array or a typed array, and BigInt typed arrays', () => {
    for (const v of [null, undefined, 'abc', { length: 2 }, 1n]) expectTypedError(() => tensor(bad(v)), OptionError, /^tensor: data must be a number, an array/);
    expectTypedError(() => tensor(bad(new BigInt64Array(2))), OptionError, /BigInt64Array/);
  });

  it('calls nesting that does not match the first path ragged, and stops at 64 levels (a self-containing array)', () => {
    expectTypedError(() => tensor(bad([1, [2]])), ShapeError, /ragged nested array: data\[1\] is an array/);
    expectTypedError(() => tensor(bad([[1], 2])), ShapeError, /ragged nested array: data\[1\] is a number/);
    expectTypedError(() => tensor([[1, 2], [3]]), ShapeError, /data\[1\] has 1 elements where .* gave 2/);
    const loop: unknown[] = [];
    loop.push(loop);
    expectTypedError(() => tensor(bad(loop)), ShapeError, /deeper than 64 levels/);
  });

  it('refuses a detached typed array, and copies what it accepts', () => {
    expectTypedError(() => tensor(detach(new Float32Array(4))), OptionError, /detached/);
    expectTypedError(() => tensor(detach(new Float32Array(4)), [4]), ShapeError, /0 values do not fill shape \(4\).*detached/);
    const src = [[1, 2], [3, 4]];
    const t = tensor(src);
    src[0]![0] = 9;
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('checks its options', () => {
    expectTypedError(() => tensor([1], [1], bad({ requiresgrad: true })), OptionError, /unknown option "requiresgrad"/);
    expectTypedError(() => tensor([1], [1], bad({ requiresGrad: 1 })), OptionError, /requiresGrad must be true or false, got 1/);
    expectTypedError(() => zeros([1], bad('yes')), OptionError, /^zeros: options must be an object/);
    expect(tensor([1], [1], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});

describe('shapes', () => {
  it('describes a BigInt, a string or a hole in a shape without failing to print it', () => {
    expectTypedError(() => zeros(bad([2, 3n])), ShapeError, /^zeros: shape must be an array of non-negative integers, got \[2, 3n \(a BigInt\)\] \(dimension 1/);
    expectTypedError(() => ones(bad([2, '3'])), ShapeError, /dimension 1 is "3"/);
    const holey: number[] = [2];
    holey.length = 2;
    expectTypedError(() => new Tensor(new Float32Array(2), holey), ShapeError, /dimension 1 is a hole/);
  });

  it('refuses a dimension past 2^53 even when another is 0', () => {
    expectTypedError(() => zeros([0, 2 ** 60]), ShapeError, /dimension 1 is 1152921504606847000, past 2\^53 - 1/);
  });

  it('refuses a product past MAX_ELEMENTS before allocating, naming the shape, the count and the limit', () => {
    expect(MAX_ELEMENTS).toBeGreaterThanOrEqual(2 ** 30 - 16);
    for (const make of [zeros, randn]) {
      const err = thrown(() => make([2 ** 17, 2 ** 17]));
      expect(err).toBeInstanceOf(ShapeError);
      expect(err.message).toContain(`shape (131072, 131072) has 17179869184 elements, more than the ${MAX_ELEMENTS}`);
    }
  });
});

describe('constructors', () => {
  it('new Tensor refuses a resizable buffer and option typos', () => {
    const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
    expectTypedError(() => new Tensor(new Float32Array(new Resizable(16, { maxByteLength: 64 })), [4]), OptionError, /resizable/);
    expectTypedError(() => new Tensor(new Float32Array(1), [1], bad({ requires_grad: true })), OptionError, /^Tensor: unknown option "requires_grad"/);
  });

  it('full needs a number fill value; the *Like constructors need a Tensor', () => {
    expectTypedError(() => full([2], bad('1')), OptionError, /^full: fill value must be a number, got "1"$/);
    expectTypedError(() => full([2], bad(1n)), OptionError, /got 1n/);
    expectTypedError(() => onesLike(bad([1, 2])), OptionError, /^onesLike: input must be a Tensor/);
    expect(Array.from(full([2], NaN).data)).toEqual([NaN, NaN]);
  });

  it('randperm needs a non-negative integer n it can hold', () => {
    for (const n of [-1, 2.5, NaN]) expectTypedError(() => randperm(n), OptionError, /^randperm: n must be a non-negative integer/);
    expectTypedError(() => randperm(2 ** 40), ShapeError, /^randperm: n = 1099511627776/);
    expect(randperm(0)).toHaveLength(0);
  });
});

describe('a tensor whose buffer is detached after creation', () => {
  it('keeps numel, and the first op that reads it throws a ShapeError', () => {
    const t = new Tensor(new Float32Array(6), [2, 3]);
    detach(t.data);
    expect(t.numel).toBe(6);
    expectTypedError(() => t.add(1), ShapeError, /^add: input of shape \(2, 3\) needs 6 elements but its data now has 0 \(its buffer was detached/);
    expectTypedError(() => t.relu(), ShapeError, /relu: input of shape \(2, 3\)/);
  });
});
