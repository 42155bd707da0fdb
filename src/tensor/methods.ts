/**
 * PyTorch's tensor methods (`x.sum()`, `a.mul(b)`, `logits.softmax(1)`), delegating to the F ops.
 * Attached to Tensor.prototype here, not in tensor.ts, so that the core does not import the op
 * layer; the package entry point imports this module once for its effect, and the declarations
 * below give the methods their types.
 */
import * as A from '../functional/arithmetic.js';
import type { AddOptions, Dims, Operand, ReduceOptions } from '../functional/arithmetic.js';
import { relu } from '../functional/relu.js';
import { sigmoid, tanh } from '../functional/activation.js';
import { logSoftmax, softmax } from '../functional/softmax.js';
import { Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    add(other: Operand, options?: AddOptions): Tensor;
    sub(other: Operand, options?: AddOptions): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    neg(): Tensor;
    pow(exponent: number): Tensor;
    square(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    sum(dim?: Dims, options?: ReduceOptions): Tensor;
    mean(dim?: Dims, options?: ReduceOptions): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

type MethodName = 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'pow' | 'square' | 'abs' | 'exp' | 'log' | 'sqrt' | 'sum' | 'mean' |
  'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'logSoftmax';

const methods: Pick<Tensor, MethodName> & ThisType<Tensor> = {
  add(other, options) { return A.add(this, other, options); },
  sub(other, options) { return A.sub(this, other, options); },
  mul(other) { return A.mul(this, other); },
  div(other) { return A.div(this, other); },
  neg() { return A.neg(this); },
  pow(exponent) { return A.pow(this, exponent); },
  square() { return A.square(this); },
  abs() { return A.abs(this); },
  exp() { return A.exp(this); },
  log() { return A.log(this); },
  sqrt() { return A.sqrt(this); },
  sum(dim, options) { return A.sum(this, dim, options); },
  mean(dim, options) { return A.mean(this, dim, options); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  softmax(dim) { return softmax(this, dim); },
  logSoftmax(dim) { return logSoftmax(this, dim); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
