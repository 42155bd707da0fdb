// Bad options and inputs throw keel's typed errors (OptionError for options, ShapeError for shapes, DataError
// for class indices out of range) naming the transform, the argument, the expectation and the value.
import { describe, expect, it } from 'vitest';
import * as augment from '../../src/augment/index.js';
import { DataError, OptionError, ShapeError } from '../../src/errors.js';
import { typedError } from '../data/helpers.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { series } from './helpers.js';

const x = series(4, 2, 6, (i, ch, t) => i + ch + t);
const classes = (...v: number[]) => new Tensor(Float32Array.from(v), [v.length]);

describe('augment: bad options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['sigma < 0', () => augment.jitter({ sigma: -0.1 }), /augment.jitter: sigma must be a finite number >= 0, got -0.1/],
    ['sigma NaN', () => augment.scaling({ sigma: NaN }), /augment.scaling: sigma must be a finite number >= 0, got NaN/],
    ['sigma as a string', () => augment.magnitudeWarp({ sigma: '0.2' as never }), /augment.magnitudeWarp: sigma must be a finite number >= 0, got "0.2"/],
    ['knots 0', () => augment.magnitudeWarp({ knots: 0 }), /augment.magnitudeWarp: knots must be a positive integer, got 0/],
    ['knots 2.5', () => augment.timeWarp({ knots: 2.5 }), /augment.timeWarp: knots must be a positive integer, got 2.5/],
    ['p > 1', () => augment.timeWarp({ p: 1.5 }), /augment.timeWarp: p must be a number in \[0, 1\], got 1.5/],
    // Unbounded, σ in the hundreds overflowed exp to NaN outputs and a billion knots a bare RangeError.
    ['timeWarp sigma > 1', () => augment.timeWarp({ sigma: 400 }), /augment.timeWarp: sigma must be a number in \[0, 1\], got 400/],
    ['timeWarp sigma Infinity', () => augment.timeWarp({ sigma: Infinity }), /augment.timeWarp: sigma must be a number in \[0, 1\], got Infinity/],
    ['magnitudeWarp knots 1e9', () => augment.magnitudeWarp({ knots: 1e9 }), /augment.magnitudeWarp: knots must be an integer in \[1, 100\] \(a smooth curve over the window\), got 1000000000/],
    ['timeWarp knots 101', () => augment.timeWarp({ knots: 101 }), /augment.timeWarp: knots must be an integer in \[1, 100\] .*got 101/],
    ['ratio 0', () => augment.windowSlice({ ratio: 0 }), /augment.windowSlice: ratio must be a number in \(0, 1\], got 0/],
    ['ratio > 1', () => augment.windowSlice({ ratio: 1.2 }), /ratio must be a number in \(0, 1\], got 1.2/],
    ['maxShift in steps', () => augment.timeShift({ maxShift: 3 }), /augment.timeShift: maxShift must be a fraction of the length in \[0, 1\), got 3/],
    ['mode pad', () => augment.timeShift({ mode: 'pad' as never }), /augment.timeShift: mode must be one of 'replicate', 'constant', 'circular', got "pad"/],
    ['channel p < 0', () => augment.channelDropout({ p: -0.5 }), /augment.channelDropout: p must be a number in \[0, 1\], got -0.5/],
    ['unknown key', () => augment.scaling({ std: 0.1 } as never), /augment.scaling: unknown option "std" \(known options: sigma, p\)/],
    ['options not an object', () => augment.jitter(0.03 as never), /augment.jitter: options must be an object, got 0.03/],
    ['alpha 0', () => augment.mixup({ alpha: 0, targets: 'regression' }), /augment.mixup: alpha must be a finite number > 0, got 0/],
    ['alpha Infinity', () => augment.cutmix({ alpha: Infinity, targets: 'regression' }), /augment.cutmix: alpha must be a finite number > 0, got Infinity/],
    ['targets missing', () => augment.mixup({} as never), /augment.mixup: targets is required/],
    ['targets misspelt', () => augment.cutmix({ targets: 'class' as never }), /augment.cutmix: targets must be one of 'regression', 'classes', 'probabilities', got "class"/],
    ['numClasses missing', () => augment.mixup({ targets: 'classes' }), /augment.mixup: numClasses is required with targets 'classes'/],
    ['numClasses for regression', () => augment.mixup({ targets: 'regression', numClasses: 3 }), /numClasses applies to class targets, not to targets 'regression'/],
    ['numClasses 0', () => augment.cutmix({ targets: 'classes', numClasses: 0 }), /augment.cutmix: numClasses must be a positive integer, got 0/],
    ['compose of a non-augmentation', () => augment.compose([augment.jitter(), (() => 1) as never]), /augment.compose: transforms\[1\] must be an Augmentation .*got a function/],
  ];
  it.each(bad)('%s', async (_, make, message) => {
    await typedError(make, OptionError, message);
  });

  it('a malformed spec is an OptionError too', async () => {
    await typedError(() => augment.fromSpec({ type: 'jiter', options: {} }), OptionError, /augment.fromSpec: spec.type must be one of 'compose', .*got "jiter"/);
    await typedError(() => augment.fromSpec({ type: 'jitter', options: { sigma: -1 } }), OptionError, /augment.jitter: sigma must be/);
  });
});

describe('augment: bad inputs', () => {
  it('x must be a Tensor; the time-series transforms need (N, C, L)', async () => {
    expect(() => augment.jitter().apply([1, 2, 3] as never)).toThrow(/Jitter.apply: x must be a Tensor, got \[1, 2, 3\]/);
    expect(() => augment.jitter().apply(new Tensor(new Float32Array([1]), []))).toThrow(/Jitter.apply: x must be a batch of shape \(N, \.\.\.\), got a 0-d tensor/);
    const flat = new Tensor(new Float32Array(12), [4, 3]);
    for (const [name, t] of [
      ['Scaling', augment.scaling()],
      ['MagnitudeWarp', augment.magnitudeWarp()],
      ['TimeWarp', augment.timeWarp()],
      ['WindowSlice', augment.windowSlice()],
      ['TimeShift', augment.timeShift()],
      ['ChannelDropout', augment.channelDropout()],
    ] as const) {
      expect(() => t.apply(flat)).toThrow(new RegExp(`${name}.apply: x must be a batch of series of shape \\(N, C, L\\), got shape \\(4, 3\\)`));
    }
    await typedError(() => augment.cutmix({ targets: 'regression' }).apply(flat, classes(1, 2, 3, 4)), ShapeError, /CutMix.apply: x must be a batch of series of shape \(N, C, L\)/);
  });

  it('mixing transforms need targets with one row per sample, class indices in range, probability rows of K columns', async () => {
    const mix = augment.mixup({ targets: 'classes', numClasses: 3 });
    await typedError(() => mix.apply(x), OptionError, /MixUp.apply: y is required/);
    await typedError(() => mix.apply(x, classes(0, 1, 2)), ShapeError, /MixUp.apply: y must have 4 rows \(one per sample of x\), got shape \(3\)/);
    await typedError(() => mix.apply(x, classes(0, 1, 3, 2)), DataError, /MixUp.apply: y\[2\] must be a class index in \[0, 3\), got 3/);
    expect(() => mix.apply(x, classes(0, 1, 0.5, 2))).toThrow(/y\[2\] must be a class index in \[0, 3\), got 0.5/);
    expect(() => mix.apply(x, classes(0, -1, 0, 2))).toThrow(/y\[1\] must be a class index in \[0, 3\), got -1/);
    expect(() => mix.apply(x, new Tensor(new Float32Array(4), [4, 1]))).toThrow(/class targets must be \(N\) class indices, got shape \(4, 1\); reshape y to \(4\)/);
    // (N, K) rows: what a mixing transform with targets 'classes' returns, so a second one must take 'probabilities'.
    const rows = mix.apply(x, classes(0, 1, 2, 1)).y!;
    await typedError(() => augment.cutmix({ targets: 'classes', numClasses: 3 }).apply(x, rows), ShapeError,
      /CutMix.apply: class targets must be \(N\) class indices, got shape \(4, 3\); rows of class probabilities \(what an earlier MixUp or CutMix with targets 'classes' returns\) need targets 'probabilities'/);
    const probs = augment.cutmix({ targets: 'probabilities', numClasses: 3 });
    expect(() => probs.apply(x, classes(0, 1, 0, 1))).toThrow(/CutMix.apply: probability targets must be \(N, K, \.\.\.\), got shape \(4\)/);
    expect(() => probs.apply(x, new Tensor(new Float32Array(8), [4, 2]))).toThrow(/must have numClasses = 3 columns, got shape \(4, 2\)/);
    expect(() => augment.mixup({ targets: 'regression' }).apply(x, 'y' as never)).toThrow(/MixUp.apply: y must be a Tensor, got "y"/);
  });
});
