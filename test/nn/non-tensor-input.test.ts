/**
 * Non-Tensor arguments are named: every layer's forward and every functional op throws an OptionError
 * naming the layer/op and the argument when given something that is not a Tensor — before reading
 * any shape, so the message is never a shape complaint. A plain state entry {dtype, shape, data}
 * says so, with its dtype and shape and how to make a Tensor of it; the suggested fix is checked to
 * work. Sequential's fused Conv1d → BatchNorm1d → ReLU → Dropout path checks too.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import * as F from '../../src/functional/index.js';
import type { StateTensor } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import { Module, type ModuleJSON } from '../../src/nn/module.js';
import { fusionEnabled, setFusion } from '../../src/nn/sequential.js';
import { randn, tensor } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A deliberately ill-typed argument (the type checker would reject it; a JS caller might not). */
const bad = (v: unknown): any => v;

const F32_FIX = 'wrap it: new Tensor(entry.data, entry.shape), or tensor(entry.data, entry.shape)';
const F64_FIX = 'convert it to float32: tensor(entry.data, entry.shape)';
const I64_FIX = 'convert it: tensor(Array.from(entry.data, Number), entry.shape)';

/** A plain entry holding the values 0, 1, 2, … / 8 of a shape, in the given dtype. */
function entry(dtype: 'F32' | 'F64' | 'I64' | 'I32', shape: number[]): StateTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (dtype === 'I64' || dtype === 'I32' ? i % 5 : (i % 17) / 8));
  const data = dtype === 'F32' ? Float32Array.from(values) : dtype === 'F64' ? Float64Array.from(values)
    : dtype === 'I32' ? Int32Array.from(values) : BigInt64Array.from(values, (v) => BigInt(v));
  return { dtype, shape, data };
}

/** The error a call throws (fails the test if it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('layers', () => {
  it('Conv1d names itself, the argument, the dtype and shape of a plain entry, and the fix', () => {
    manualSeed(0);
    const conv = new nn.Conv1d(6, 10, 3);
    const e32 = thrown(() => conv.forward(bad(entry('F32', [7, 6, 33]))));
    expect(e32).toBeInstanceOf(OptionError);
    expect(e32.message).toBe(`Conv1d(6→10): input must be a Tensor, got a plain object with dtype/shape/data (F32 (7, 6, 33)) — ${F32_FIX}`);
    const e64 = thrown(() => conv.forward(bad(entry('F64', [7, 6, 33]))));
    expect(e64).toBeInstanceOf(OptionError);
    expect(e64.message).toBe(`Conv1d(6→10): input must be a Tensor, got a plain object with dtype/shape/data (F64 (7, 6, 33)) — ${F64_FIX}`);
  });

  it('the suggested fixes work: the wrapped entry gives the output of the same values as a Tensor', () => {
    manualSeed(1);
    const conv = new nn.Conv1d(6, 4, 3).eval();
    const f32 = entry('F32', [2, 6, 9]), f64 = entry('F64', [2, 6, 9]), i64 = entry('I64', [2, 6, 9]);
    const want = noGrad(() => conv.forward(new Tensor(Float32Array.from(f32.data as Float32Array), [2, 6, 9]))).toArray();
    // Exactly the code the messages print, with `entry` bound to each.
    expect(noGrad(() => conv.forward(new Tensor(f32.data as Float32Array, f32.shape))).toArray()).toEqual(want);
    expect(noGrad(() => conv.forward(tensor(f32.data as Float32Array, f32.shape))).toArray()).toEqual(want);
    expect(noGrad(() => conv.forward(tensor(f64.data as Float64Array, f64.shape))).toArray()).toEqual(want); // k/8: exact in float32
    const wantInt = noGrad(() => conv.forward(new Tensor(Float32Array.from(i64.data as BigInt64Array, Number), [2, 6, 9]))).toArray();
    expect(noGrad(() => conv.forward(tensor(Array.from(i64.data as BigInt64Array, Number), i64.shape))).toArray()).toEqual(wantInt);
  });

  const layers: Array<[string, () => Module, number[]]> = [
    ['Conv1d(4→8)', () => new nn.Conv1d(4, 8, 3), [2, 4, 6]],
    ['BatchNorm1d(4)', () => new nn.BatchNorm1d(4), [2, 4, 6]],
    ['Linear(6→3)', () => new nn.Linear(6, 3), [2, 6]],
    ['Dropout(p=0.5)', () => new nn.Dropout(0.5), [2, 4, 6]],
    ['Dropout1d(p=0.5)', () => new nn.Dropout1d(0.5), [2, 4, 6]],
    ['ReLU', () => new nn.ReLU(), [2, 4]],
    ['LeakyReLU', () => new nn.LeakyReLU(0.2), [2, 4]],
    ['GELU', () => new nn.GELU(), [2, 4]],
    ['Flatten(startDim=1, endDim=-1)', () => new nn.Flatten(), [2, 4, 6]],
    ['LayerNorm([6])', () => new nn.LayerNorm(6), [2, 6]],
    ['MaxPool1d(kernelSize=2)', () => new nn.MaxPool1d(2), [2, 4, 6]],
    ['AvgPool1d(kernelSize=2)', () => new nn.AvgPool1d(2), [2, 4, 6]],
    ['AdaptiveAvgPool1d(outputSize=1)', () => new nn.AdaptiveAvgPool1d(1), [2, 4, 6]],
    ['Sequential', () => new nn.Sequential(new nn.Conv1d(4, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.1)), [2, 4, 6]],
  ];

  for (const [name, make, shape] of layers) {
    it(`${name}: an OptionError naming the layer and "input", for entries and other non-Tensors`, () => {
      const m = make();
      const shapeText = `(${shape.join(', ')})`;
      const cases: Array<[unknown, string]> = [
        [entry('F32', shape), `a plain object with dtype/shape/data (F32 ${shapeText}) — ${F32_FIX}`],
        [entry('I64', shape), `a plain object with dtype/shape/data (I64 ${shapeText}) — ${I64_FIX}`],
        [entry('I32', shape), `a plain object with dtype/shape/data (I32 ${shapeText}) — ${F64_FIX}`],
        [undefined, 'undefined'],
        [null, 'null'],
        [3, '3'],
        [new Float32Array(5), 'a Float32Array of length 5 — make a Tensor of it: tensor(values, shape)'],
        [[1, 2], '[1, 2] — an array; make a Tensor of it: tensor(values) or tensor(values, shape)'],
      ];
      for (const [value, got] of cases) {
        const e = thrown(() => m.forward(bad(value)));
        expect(e, String(got)).toBeInstanceOf(OptionError);
        expect(e.message).toBe(`${name}: input must be a Tensor, got ${got}`);
      }
      // The same module accepts the Tensor (the check is not over-eager).
      const out = m.forward(randn(shape));
      expect(out).toBeInstanceOf(Tensor);
    });
  }

  it('a Tensor that went through a structured clone is a plain object with dtype/shape/data', () => {
    const relu = new nn.ReLU();
    const cloned = structuredClone(randn([3, 5]));
    expect(() => relu.forward(bad(cloned))).toThrow(
      new OptionError(`ReLU: input must be a Tensor, got a plain object with dtype/shape/data (F32 (3, 5)) — ${F32_FIX}`),
    );
  });

  it('a Tensor of another copy of keel is recognised as such', () => {
    class Foreign {
      constructor(readonly data: Float32Array, readonly shape: number[]) {}
    }
    Object.defineProperty(Foreign, 'name', { value: 'Tensor' });
    const e = thrown(() => new nn.Linear(2, 1).forward(bad(new Foreign(new Float32Array(4), [2, 2]))));
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toMatch(/^Linear\(2→1\): input must be a Tensor, got a Tensor of shape \(2, 2\) from another copy of keel/);
  });

  /** Passes its input through unchanged, except that it returns `out` (a non-Tensor) when set. */
  class Leaky extends Module {
    constructor(private readonly out: unknown) {
      super();
    }
    forward(): Tensor {
      return this.out as Tensor;
    }
    toJSON(): ModuleJSON {
      return { type: 'Leaky' };
    }
  }

  for (const training of [true, false]) {
    it(`Sequential's fused block checks a non-Tensor from the child before it (${training ? 'training' : 'eval'}), before reading .shape`, () => {
      const was = fusionEnabled();
      setFusion(true);
      try {
        manualSeed(2);
        const seq = new nn.Sequential(new Leaky(null), new nn.Conv1d(4, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.1));
        seq.train(training);
        // null: reading .ndim would throw a bare "Cannot read properties of null".
        expect(() => noGrad(() => seq.forward(randn([2, 4, 6])))).toThrow(new OptionError('Conv1d(4→8): input must be a Tensor, got null'));
        const seq2 = new nn.Sequential(new Leaky(entry('F64', [2, 4, 6])), new nn.Conv1d(4, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU());
        seq2.train(training);
        expect(() => seq2.forward(randn([2, 4, 6]))).toThrow(
          new OptionError(`Conv1d(4→8): input must be a Tensor, got a plain object with dtype/shape/data (F64 (2, 4, 6)) — ${F64_FIX}`),
        );
        // The BatchNorm's state did not move: the check came before beginForward.
        expect((seq2.at(2) as nn.BatchNorm1d).numBatchesTracked!.value).toBe(0);
      } finally {
        setFusion(was);
      }
    });
  }
});

describe('functional ops', () => {
  const x3 = () => randn([2, 4, 6]);
  const e = entry('F32', [2, 4, 6]);
  const desc = `a plain object with dtype/shape/data (F32 (2, 4, 6)) — ${F32_FIX}`;
  const cases: Array<[string, () => unknown, string]> = [
    ['conv1d input', () => F.conv1d(bad(e), randn([8, 4, 3])), `conv1d: input must be a Tensor, got ${desc}`],
    ['conv1d weight', () => F.conv1d(x3(), bad(entry('F32', [8, 4, 3]))), `conv1d: weight must be a Tensor, got a plain object with dtype/shape/data (F32 (8, 4, 3)) — ${F32_FIX}`],
    ['conv1d bias', () => F.conv1d(x3(), randn([8, 4, 3]), bad(new Float32Array(8))), 'conv1d: bias must be a Tensor, got a Float32Array of length 8 — make a Tensor of it: tensor(values, shape)'],
    ['batchNorm1d input', () => F.batchNorm1d(bad(e), null, null, null, null, { training: true }), `batchNorm1d: input must be a Tensor, got ${desc}`],
    ['batchNorm1d runningMean', () => F.batchNorm1d(x3(), bad(entry('F32', [4])), randn([4])), `batchNorm1d: runningMean must be a Tensor, got a plain object with dtype/shape/data (F32 (4)) — ${F32_FIX}`],
    ['batchNorm1d weight', () => F.batchNorm1d(x3(), null, null, bad([1, 1, 1, 1])), 'batchNorm1d: weight must be a Tensor, got [1, 1, 1, 1] — an array; make a Tensor of it: tensor(values) or tensor(values, shape)'],
    ['batchNorm1dReluDropout input', () => F.batchNorm1dReluDropout(bad(e), null, null), `batchNorm1dReluDropout: input must be a Tensor, got ${desc}`],
    ['batchNorm1dReluDropout bias', () => F.batchNorm1dReluDropout(x3(), null, null, null, bad(2)), 'batchNorm1dReluDropout: bias must be a Tensor, got 2'],
    ['dropout', () => F.dropout(bad(e), 0.5), `dropout: input must be a Tensor, got ${desc}`],
    ['dropout (eval: would return its input as is)', () => F.dropout(bad(e), 0.5, false), `dropout: input must be a Tensor, got ${desc}`],
    ['dropout1d', () => F.dropout1d(bad(e), 0.5), `dropout1d: input must be a Tensor, got ${desc}`],
    ['relu', () => F.relu(bad(e)), `relu: input must be a Tensor, got ${desc}`],
    ['linear input', () => F.linear(bad(e), randn([3, 6])), `linear: input must be a Tensor, got ${desc}`],
    ['linear weight', () => F.linear(randn([2, 6]), bad(undefined)), 'linear: weight must be a Tensor, got undefined'],
    ['linear bias', () => F.linear(randn([2, 6]), randn([3, 6]), bad(entry('F64', [3]))), `linear: bias must be a Tensor, got a plain object with dtype/shape/data (F64 (3)) — ${F64_FIX}`],
    ['leakyRelu', () => F.leakyRelu(bad(e)), `leakyRelu: input must be a Tensor, got ${desc}`],
    ['gelu', () => F.gelu(bad(e)), `gelu: input must be a Tensor, got ${desc}`],
    ['sigmoid', () => F.sigmoid(bad(e)), `sigmoid: input must be a Tensor, got ${desc}`],
    ['tanh', () => F.tanh(bad(e)), `tanh: input must be a Tensor, got ${desc}`],
    ['exp', () => F.exp(bad(e)), `exp: input must be a Tensor, got ${desc}`],
    ['sum', () => F.sum(bad(e)), `sum: input must be a Tensor, got ${desc}`],
    ['add other', () => F.add(x3(), bad(e)), `add: other must be a Tensor or a number, got ${desc}`],
    ['mul input', () => F.mul(bad(e), 2), `mul: input must be a Tensor or a number, got ${desc}`],
    ['layerNorm', () => F.layerNorm(bad(e), 6), `layerNorm: input must be a Tensor, got ${desc}`],
    ['maxPool1d', () => F.maxPool1d(bad(e), 2), `maxPool1d: input must be a Tensor, got ${desc}`],
    ['adaptiveAvgPool1d', () => F.adaptiveAvgPool1d(bad(e), 1), `adaptiveAvgPool1d: input must be a Tensor, got ${desc}`],
    ['softmax', () => F.softmax(bad(e), 1), `softmax: input must be a Tensor, got ${desc}`],
    ['flatten', () => F.flatten(bad(e)), `flatten: input must be a Tensor, got ${desc}`],
    ['mseLoss target', () => F.mseLoss(x3(), bad(e)), `mseLoss: target must be a Tensor, got ${desc}`],
    ['crossEntropy input', () => F.crossEntropy(bad(e), [0, 1]), `crossEntropy: input must be a Tensor, got ${desc}`],
    ['crossEntropy target: an I64 entry (PyTorch long labels)', () => F.crossEntropy(randn([2, 3]), bad(entry('I64', [2]))),
      `crossEntropy: target must be a Tensor, an Int32Array or an array of class indices, got a plain object with dtype/shape/data (I64 (2)) — ${I64_FIX}`],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      const err = thrown(fn);
      expect(err).toBeInstanceOf(OptionError);
      expect(err.message).toBe(message);
    });
  }
});
