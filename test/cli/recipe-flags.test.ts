// keel train's recipe flags as fit options (src/cli/recipe-flags.ts): --augment's mixing transforms on a
// classifier chain — the first mixes the class indices, any after it the probability rows it returns.
import { describe, expect, it } from 'vitest';
import { Augmentation } from '../../src/augment/augmentation.js';
import { recipeFitOptions } from '../../src/cli/recipe-flags.js';
import { manualSeed, randn, tensor } from '../../src/index.js';

const flags = (augment: string, classes: number) =>
  recipeFitOptions({ optimizer: 'adamw', schedule: 'none', augment }, 1e-3, 0, { timeSeries: true, classes }).fit.augment as Augmentation;

describe('--augment with several mixing transforms', () => {
  it('mixup,cutmix on a classifier: the labels become mixed rows that sum to 1 (before: CutMix refused the rows)', () => {
    const aug = flags('mixup,jitter,cutmix', 3);
    expect(aug.toSpec().options.transforms).toMatchObject([
      { type: 'mixup', options: { targets: 'classes', numClasses: 3 } },
      { type: 'jitter' },
      { type: 'cutmix', options: { targets: 'probabilities', numClasses: 3 } },
    ]);
    manualSeed(0);
    const y = aug.apply(randn([8, 2, 8]), tensor([0, 1, 2, 1, 0, 2, 2, 1], [8])).y!;
    expect(y.shape).toEqual([8, 3]);
    for (let i = 0; i < 8; i++) expect(y.data[3 * i]! + y.data[3 * i + 1]! + y.data[3 * i + 2]!).toBeCloseTo(1, 6);
  });

  it('on a regressor every mixing transform mixes the targets as values', () => {
    const aug = flags('cutmix,mixup', 0);
    expect(aug.toSpec().options.transforms).toMatchObject([
      { type: 'cutmix', options: { targets: 'regression' } },
      { type: 'mixup', options: { targets: 'regression' } },
    ]);
    manualSeed(0);
    expect(aug.apply(randn([4, 2, 8]), randn([4, 1])).y!.shape).toEqual([4, 1]);
  });
});
