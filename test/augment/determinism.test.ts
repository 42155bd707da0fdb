// Every transform draws only from keel's generator: the same seed gives the same output, another seed another output.
import { describe, expect, it } from 'vitest';
import * as augment from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { series } from './helpers.js';

const n = 8, c = 3, l = 20;
const x = series(n, c, l, (i, ch, t) => Math.cos(0.3 * t + i) + 2 * ch);
const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);

const transforms: augment.Augmentation[] = [
  augment.jitter(),
  augment.scaling(),
  augment.magnitudeWarp(),
  augment.timeWarp(),
  augment.windowSlice(),
  augment.timeShift({ maxShift: 0.3 }),
  augment.channelDropout({ p: 0.5 }),
  augment.mixup({ targets: 'regression' }),
  augment.cutmix({ targets: 'classes', numClasses: n }),
  augment.jitter({ p: 0.5 }),
];

function run(t: augment.Augmentation, seed: number): number[] {
  manualSeed(seed);
  const out = t.apply(x, y);
  return [...out.x.data, ...(out.y?.data ?? [])];
}

describe('augmentation determinism', () => {
  it.each(transforms.map((t) => [t.type, t] as const))('%s: same seed → identical output, different seed → different output', (_, t) => {
    const a = run(t, 1234), b = run(t, 1234), other = run(t, 1235);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
    const xCopy = series(n, c, l, (i, ch, tt) => Math.cos(0.3 * tt + i) + 2 * ch);
    expect(x.data).toEqual(xCopy.data); // never mutates its input
  });

  it('consecutive batches under one seed differ (each apply takes fresh streams)', () => {
    manualSeed(3);
    const t = augment.timeWarp();
    expect(t.apply(x).x.data).not.toEqual(t.apply(x).x.data);
  });
});
