/**
 * The classes the tensor layer throws (issue 12): a bad shape or length is a ShapeError, an argument
 * of the wrong type or value an OptionError, a call the tensor's autograd state does not allow a
 * StateError — each also a KeelError, with the message naming the call, the argument and the value.
 */
import { describe, it } from 'vitest';
import { OptionError, ShapeError, StateError } from '../../src/errors.js';
import { tensor } from '../../src/tensor/create.js';
import '../../src/tensor/methods.js';
import { manualSeed } from '../../src/tensor/random.js';
import { fromOp, Tensor } from '../../src/tensor/tensor.js';
import { expectTypedError } from '../helpers/typed-error.js';

const bad = (v: unknown): any => v;


describe('tensor errors', () => {
  it('ShapeError: data that does not fill the shape, ragged arrays, bad dimensions, reshape, item, backward gradients', () => {
    expectTypedError(() => new Tensor(new Float32Array(5), [2, 3]), ShapeError, 'Tensor: data has 5 elements but shape (2, 3) needs 6');
    expectTypedError(() => tensor([[1, 2], [3]]), ShapeError, 'tensor: ragged nested array');
    expectTypedError(() => tensor([1, 2, 3], [2, 2]), ShapeError, 'tensor: 3 values do not fill shape (2, 2) (4 elements)');
    expectTypedError(() => new Tensor(new Float32Array(0), [-1]), ShapeError, 'Tensor: shape must be an array of non-negative integers, got [-1]');
    expectTypedError(() => new Tensor(new Float32Array(0), [0.5]), ShapeError, 'got [0.5]');
    expectTypedError(() => tensor([1, 2, 3, 4, 5, 6]).reshape(4, -1), ShapeError, 'reshape: cannot reshape 6 elements into (4, -1)');
    expectTypedError(() => tensor([1, 2]).item(), ShapeError, 'Tensor.item: expected one element, got shape (2)');
    const x = tensor([1, 2], [2], { requiresGrad: true });
    expectTypedError(() => x.mul(2).backward(), ShapeError, 'backward: gradient can be implicit only for one-element outputs, got shape (2)');
    expectTypedError(() => x.mul(2).backward(tensor([1, 1, 1])), ShapeError, 'backward: gradient shape (3) does not match tensor shape (2)');
  });

  it('ShapeError: a custom op whose backward returns a gradient of the wrong length', () => {
    const x = tensor([1, 2, 3], [3], { requiresGrad: true });
    const y = fromOp('myOp', new Float32Array(1), [], [x], () => [new Float32Array(2)]);
    expectTypedError(() => y.backward(), ShapeError, 'myOp backward: gradient for input 0 has 2 elements, expected 3');
  });

  it('OptionError: data that is not a Float32Array, a bad seed, a dim out of range', () => {
    expectTypedError(() => new Tensor(bad([1, 2]), [2]), OptionError, 'Tensor: data must be a Float32Array, got [1, 2]');
    expectTypedError(() => manualSeed(-1), OptionError, 'manualSeed: seed must be an integer in [0, 2^53 - 1], got -1');
    expectTypedError(() => tensor([1, 2]).size(3), OptionError, 'Tensor.size: dim 3 out of range for shape (2)');
  });

  it('StateError: backward without grad, twice through a freed graph, requiresGrad_(false) on a non-leaf', () => {
    expectTypedError(() => tensor([1]).backward(), StateError, 'backward: this tensor does not require grad and has no gradFn');
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expectTypedError(() => y.backward(), StateError, 'trying to backward through the graph a second time');
    expectTypedError(() => x.mul(2).requiresGrad_(false), StateError, 'requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
  });
});
