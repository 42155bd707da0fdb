/**
 * Run by test/adam-multi.detach.test.ts in a child process, so that a native crash is a signal the
 * parent sees instead of a dead test runner. Calls adamUpdateMulti of kernel set argv[2] (a native
 * CPU level, or ref: the JS reference) with a list whose getter (case argv[3]) shrinks or detaches an array the binding has already
 * checked, and prints what happened as one JSON line: { error: class name, message } or { completed }.
 *
 *   node --import tsx test/adam-multi.detach-child.ts avx2 resize
 */
import type { AdamTensor, AdamUpdateParams } from '../src/ref/optim.js';
import { allSets } from './helpers/backends.js';

const [isa, kase] = process.argv.slice(2);
// 64 MiB per array: large enough that a freed or shrunk buffer is unmapped, so a stale pointer faults.
const N = 1 << 24;
const params = (count: number): AdamUpdateParams => ({
  count, beta1: 0.9, beta2: 0.999, oneMinusBeta1: 0.1, oneMinusBeta2: 0.001, weightDecay: 0, eps: 1e-8, decay: 1, c2Sqrt: 0.5,
  negStep: -1e-3, decoupled: true, maximize: false, amsgrad: false,
});
const entry = (param: Float32Array): AdamTensor<Float32Array> => ({
  param, expAvg: new Float32Array(param.length), expAvgSq: new Float32Array(param.length), maxExpAvgSq: null,
  grad: new Float32Array(param.length), params: params(param.length),
});

/** An ArrayBuffer that can shrink (ES2024: not in this project's lib). */
interface Resizable extends ArrayBuffer {
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => Resizable;

/** The entry's own grad getter shrinks its param (a resizable buffer) to nothing. */
function resizeInGrad(): AdamTensor<Float32Array>[] {
  const buffer = new Resizable(N * 4, { maxByteLength: N * 4 });
  const e = entry(new Float32Array(buffer));
  const grad = e.grad;
  Object.defineProperty(e, 'grad', { get: () => (buffer.resize(0), grad) });
  return [e];
}

/** The next entry's params getter detaches the first entry's param (transferred away). */
function detachInNextParams(): AdamTensor<Float32Array>[] {
  const first = entry(new Float32Array(N));
  const second = entry(new Float32Array(4));
  const p = second.params;
  Object.defineProperty(second, 'params', { get: () => (structuredClone(first.param.buffer, { transfer: [first.param.buffer as ArrayBuffer] }), p) });
  return [first, second];
}

const kernels = allSets.find((s) => s.name === isa || s.name === `native-${isa}`)?.kernels;
if (!kernels) throw new Error(`no kernel set ${isa}`);
const list = { resize: resizeInGrad, detach: detachInNextParams }[kase as 'resize' | 'detach']();
try {
  kernels.adamUpdateMulti(list);
  console.log(JSON.stringify({ completed: true }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).constructor.name, message: (e as Error).message }));
}
