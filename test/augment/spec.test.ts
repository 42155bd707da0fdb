// toSpec / fromSpec: every transform and compositions survive a JSON round trip with identical output under the same seed; bad specs fail by name.
import { describe, expect, it } from 'vitest';
import * as augment from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { series } from './helpers.js';

const n = 6, c = 2, l = 12;
const x = series(n, c, l, (i, ch, t) => Math.sin(0.5 * t + i) + ch);
const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i % 3), [n]);

const cases: [string, augment.Augmentation][] = [
  ['jitter', augment.jitter({ sigma: 0.5, p: 0.5 })],
  ['scaling', augment.scaling({ sigma: 0.3 })],
  ['magnitudeWarp', augment.magnitudeWarp({ sigma: 0.4, knots: 2, p: 0.7 })],
  ['timeWarp', augment.timeWarp({ sigma: 0.3, knots: 3 })],
  ['windowSlice', augment.windowSlice({ ratio: 0.6 })],
  ['timeShift', augment.timeShift({ maxShift: 0.25, mode: 'circular', p: 0.9 })],
  ['channelDropout', augment.channelDropout({ p: 0.4 })],
  ['mixup', augment.mixup({ alpha: 0.4, targets: 'classes', numClasses: 3 })],
  ['cutmix', augment.cutmix({ alpha: 0.5, targets: 'classes', numClasses: 3 })],
  ['compose', augment.compose([augment.jitter(), augment.compose([augment.timeWarp(), augment.scaling()]), augment.cutmix({ targets: 'classes', numClasses: 3 })])],
];

function run(t: augment.Augmentation, seed: number) {
  manualSeed(seed);
  return t.apply(x, y);
}

describe('augment specs', () => {
  it.each(cases)('%s: fromSpec(JSON of toSpec()) gives the same spec and the same output under the same seed', (type, t) => {
    const spec = t.toSpec();
    expect(spec.type).toBe(type);
    const rebuilt = augment.fromSpec(JSON.parse(JSON.stringify(spec)));
    expect(rebuilt.constructor).toBe(t.constructor);
    expect(rebuilt.toSpec()).toEqual(spec);
    const a = run(t, 77), b = run(rebuilt, 77);
    expect(b.x.data).toEqual(a.x.data);
    expect(b.y!.data).toEqual(a.y!.data);
  });

  it('compose nests the specs of its parts and applies them in order', () => {
    const t = augment.compose([augment.timeShift({ maxShift: 0.5, mode: 'constant' }), augment.channelDropout({ p: 0.5 })]);
    expect(t.toSpec()).toEqual({
      type: 'compose',
      options: {
        transforms: [
          { type: 'timeShift', options: { maxShift: 0.5, mode: 'constant', p: 1 } },
          { type: 'channelDropout', options: { p: 0.5 } },
        ],
      },
    });
    manualSeed(5);
    const composed = t.apply(x, y);
    manualSeed(5);
    const step = augment.channelDropout({ p: 0.5 }).apply(augment.timeShift({ maxShift: 0.5, mode: 'constant' }).apply(x).x);
    expect(composed.x.data).toEqual(step.x.data);
    expect(composed.y).toBe(y);
  });

  it('compose([]) is the identity as every transform is: a fresh copy of x outside the graph, x untouched, y passed through', () => {
    const g = new Tensor(new Float32Array(x.data), x.shape, { requiresGrad: true });
    const out = augment.compose([]).apply(g, y);
    expect(out.x).not.toBe(g);
    expect(out.x.data).not.toBe(g.data);
    expect(out.x.requiresGrad).toBe(false);
    expect(out.x.shape).toEqual(g.shape);
    expect(out.x.data).toEqual(g.data);
    expect(out.y).toBe(y);
    out.x.data[0] = 123;
    expect(g.data[0]).toBe(x.data[0]);
    expect(() => augment.compose([]).apply([1, 2] as never)).toThrow(/Compose.apply: x must be a Tensor, got \[1, 2\]/);
  });

  it('rejects malformed specs, unknown types and bad options, naming where', () => {
    expect(() => augment.fromSpec(null)).toThrow(/augment.fromSpec: spec must be an object \{ type, options \}, got null/);
    expect(() => augment.fromSpec({ type: 'jitter' })).toThrow(/spec.options must be an object, got undefined/);
    expect(() => augment.fromSpec({ type: 'flip', options: {} })).toThrow(/spec.type must be one of 'compose', 'jitter', .*got "flip"/);
    expect(() => augment.fromSpec({ type: 'jitter', options: {}, extra: 1 })).toThrow(/unknown keys extra/);
    expect(() => augment.fromSpec({ type: 'jitter', options: { sigma: -1 } })).toThrow(/augment.jitter: sigma must be a finite number >= 0, got -1/);
    expect(() => augment.fromSpec({ type: 'jitter', options: { sigm: 1 } })).toThrow(/augment.jitter: unknown option "sigm"/);
    expect(() => augment.fromSpec({ type: 'compose', options: { transforms: [{ type: 'jitter', options: {} }, 3] } })).toThrow(
      /spec.options.transforms\[1\] must be an object/,
    );
    expect(() => augment.fromSpec({ type: 'compose', options: {} })).toThrow(/must be \{ transforms: \[spec, …\] \} for type 'compose'/);
    expect(() => augment.fromSpec({ type: 'mixup', options: { targets: 'classes' } })).toThrow(/augment.mixup: numClasses is required/);
  });
});
