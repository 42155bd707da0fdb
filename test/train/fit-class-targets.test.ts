/**
 * fit with loss 'crossEntropy' checks class-index targets before the first step
 * (src/train/class-targets.ts): a label outside [0, C) — C the model's logits per sample — or not an
 * integer is a DataError naming the sample, in both modes, and nothing is trained. The ignore index
 * −100 and class-probability targets pass. With metric 'accuracy' (or 'top<k>Accuracy'), whatever the
 * loss, the targets must be what the metric scores, checked the same way: 0 and 1 for one logit per
 * sample, class indices for C > 1. With an augmentation whose first MixUp or CutMix mixes class indices,
 * the training labels must be what it accepts (no −100), and its numClasses the model's logit count,
 * checked up front too.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { augment, fit, manualSeed, nn, optim, randn, tensor } from '../../src/index.js';
import { classTargetsCheck } from '../../src/train/class-targets.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';

function setup(labels: number[]) {
  manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  return { model, optimizer, x: randn([labels.length, 4]), y: tensor(labels, [labels.length]) };
}

const labels = (n: number, at: number, bad: number) => Array.from({ length: n }, (_, i) => (i === at ? bad : i % 3));

describe.each([false, true])('fit crossEntropy class targets (worker: %s)', (worker) => {
  it('refuses a class the model has no logit for, naming the sample, before any step', async () => {
    const { model, optimizer, x, y } = setup(labels(100, 90, 3));
    const before = snapshot(model);
    await expect(fit(model, { x, y, loss: 'crossEntropy', optimizer, shuffle: false, batchSize: 32, worker, verbose: false })).rejects.toThrow(
      new DataError("fit: y must hold class indices in [0, 3) for loss 'crossEntropy' (the model gives 3 logits per sample), got 3 at index 90 (sample 90); nothing was trained"),
    );
    expectSameSnapshot(snapshot(model), before);
    expect(optimizer.state.size, 'no optimizer step').toBe(0);
    expect(model.training, 'modes restored after the check').toBe(true);
  });

  it('refuses negative and fractional labels, and checks validationData.y', async () => {
    for (const bad of [-1, 1.5]) {
      const { model, x, y } = setup(labels(40, 7, bad));
      await expect(fit(model, { x, y, loss: 'crossEntropy', worker, verbose: false })).rejects.toThrow(`got ${bad} at index 7 (sample 7)`);
    }
    const { model, x, y } = setup(labels(40, 0, 0));
    const val = setup(labels(20, 12, 5));
    await expect(fit(model, { x, y, validationData: { x: val.x, y: val.y }, loss: 'crossEntropy', worker, verbose: false })).rejects.toThrow(
      "fit: validationData.y must hold class indices in [0, 3) for loss 'crossEntropy' (the model gives 3 logits per sample), got 5 at index 12 (sample 12)",
    );
  });

  it('refuses targets that are all the ignore index −100 (a NaN loss from the first batch)', async () => {
    const { model, x } = setup(labels(40, 0, 0));
    await expect(fit(model, { x, y: tensor(new Array(40).fill(-100), [40]), loss: 'crossEntropy', worker, verbose: false })).rejects.toThrow(
      new DataError("fit: y holds only the ignore index -100, so loss 'crossEntropy' has no sample to score; nothing was trained"),
    );
  });

  it("refuses −100 before any step when the augmentation mixes class indices (MixUp/CutMix 'classes')", async () => {
    const { model, optimizer, x, y } = setup(labels(40, 30, -100));
    const before = snapshot(model);
    await expect(fit(model, { x, y, loss: 'crossEntropy', optimizer, batchSize: 8, shuffle: false, worker, verbose: false,
      augment: augment.mixup({ targets: 'classes', numClasses: 3 }) })).rejects.toThrow(/^fit: y must hold class indices in \[0, 3\) for augment's MixUp or CutMix with targets 'classes'.*got -100 at index 30 \(sample 30\); nothing was trained$/);
    expectSameSnapshot(snapshot(model), before);
    expect(optimizer.state.size, 'no optimizer step').toBe(0);
  });

  it('refuses a MixUp or CutMix whose numClasses is not the model\'s logit count, before any step (before: a ShapeError of the loss)', async () => {
    const { model, optimizer, x, y } = setup(labels(40, -1, 0));
    const before = snapshot(model);
    for (const mixing of [augment.mixup({ targets: 'classes', numClasses: 5 }), augment.cutmix({ targets: 'classes', numClasses: 2 })]) {
      await expect(fit(model, { x, y, loss: 'crossEntropy', optimizer, batchSize: 8, worker, verbose: false, augment: mixing })).rejects.toThrow(
        new DataError(`fit: augment's MixUp or CutMix turns labels into rows of numClasses (${mixing.numClasses}) probabilities, but the model gives 3 logits per sample; give it numClasses: 3; nothing was trained`),
      );
    }
    expectSameSnapshot(snapshot(model), before);
    expect(optimizer.state.size, 'no optimizer step').toBe(0);
  });

  it('accepts the ignore index −100 and class probabilities', async () => {
    const { model, x, y } = setup(labels(40, 5, -100));
    expect((await fit(model, { x, y, loss: 'crossEntropy', epochs: 1, worker, verbose: false })).epochs).toHaveLength(1);
    const probs = tensor(Array.from({ length: 40 * 3 }, (_, i) => (i % 3 === 0 ? 0.5 : 0.25)), [40, 3]);
    expect((await fit(model, { x, y: probs, loss: 'crossEntropy', epochs: 1, worker, verbose: false })).epochs).toHaveLength(1);
  });
});

describe.each([false, true])('fit metrics that cannot score the output (worker: %s)', (worker) => {
  it('top5Accuracy of 3 logits fails at the first batch with the model as it was (before: after the first step)', async () => {
    const { model, optimizer, x, y } = setup(labels(40, 0, 0));
    const before = snapshot(model);
    await expect(fit(model, { x, y, loss: 'crossEntropy', metrics: ['top5Accuracy'], optimizer, batchSize: 16, worker, verbose: false })).rejects.toThrow();
    expectSameSnapshot(snapshot(model), before);
  });
});

describe.each([false, true])('fit accuracy metric targets (worker: %s)', (worker) => {
  it("refuses targets 'accuracy' cannot score, training or validation, before any step (one logit per sample: 0 or 1)", async () => {
    manualSeed(4);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    const before = snapshot(model);
    const x = randn([64, 4]);
    const binary = tensor(Array.from({ length: 64 }, (_, i) => i % 2), [64, 1]);
    const y = tensor(Array.from({ length: 64 }, (_, i) => (i === 50 ? 2 : i % 2)), [64, 1]);
    const common = { loss: 'bce' as const, metrics: ['accuracy' as const], optimizer, batchSize: 16, worker, verbose: false as const };
    await expect(fit(model, { x, y, ...common })).rejects.toThrow(
      new DataError("fit: y must hold 0 or 1 for metric 'accuracy' (the model gives one logit per sample), got 2 at index 50 (sample 50); nothing was trained"),
    );
    await expect(fit(model, { x, y: binary, validationData: { x, y: randn([64, 1]) }, ...common })).rejects.toThrow(/^fit: validationData\.y must hold 0 or 1 for metric 'accuracy'/);
    expectSameSnapshot(snapshot(model), before);
    expect(optimizer.state.size, 'no optimizer step').toBe(0);
  });

  it("refuses a class index top<k>Accuracy cannot score, with another loss than crossEntropy", async () => {
    const { model, x } = setup(labels(40, 0, 0));
    const onehot = (c: number) => [0, 1, 2].map((k) => (k === c ? 1 : 0));
    const y = tensor(labels(40, 9, 7), [40]);
    await expect(fit(model, { x, y: tensor(labels(40, 0, 0).flatMap(onehot), [40, 3]), validationData: { x, y }, loss: 'mse', metrics: ['top2Accuracy'], worker, verbose: false })).rejects.toThrow(
      "fit: validationData.y must hold class indices in [0, 3) for metric 'top2Accuracy' (the model gives 3 logits per sample), got 7 at index 9 (sample 9); nothing was trained",
    );
  });
});

describe('class targets an augmentation mixes (classTargetsCheck with fit\'s augment option)', () => {
  const mixup = augment.mixup({ targets: 'classes', numClasses: 3 });
  const check = (a: Parameters<typeof classTargetsCheck>[1]['augment'], crossEntropy = true) =>
    classTargetsCheck(setup(labels(12, 0, 0)).model, { crossEntropy, accuracy: null, augment: a });

  it("refuses the ignore index −100 in the training y when MixUp or CutMix mixes class indices, naming the sample (before: mid-training, by batch row)", () => {
    const { x, y } = setup(labels(12, 11, -100));
    expect(() => check(mixup)!(x, y, 'y')).toThrow(
      new DataError("fit: y must hold class indices in [0, 3) for augment's MixUp or CutMix with targets 'classes' (they become probability rows, where the ignore index -100 has no meaning), got -100 at index 11 (sample 11); nothing was trained"),
    );
    // Validation batches are never augmented: −100 stays crossEntropy's ignore index there.
    expect(() => check(mixup)!(x, y, 'validationData.y')).not.toThrow();
    // Without crossEntropy, what the mixing transform refuses is still refused up front.
    const mse = check([augment.jitter(), augment.cutmix({ targets: 'classes', numClasses: 3 })], false);
    expect(() => mse!(x, tensor(labels(12, 4, 3), [12]), 'y')).toThrow(/got 3 at index 4 \(sample 4\)/);
  });

  it('reads the first mixing transform of a compose or a list; later ones, and other targets, read mixed rows', () => {
    const { x, y } = setup(labels(12, 2, -100));
    const chain = augment.compose([augment.scaling(), augment.compose([mixup]), augment.cutmix({ targets: 'probabilities', numClasses: 3 })]);
    for (const a of [chain, [augment.jitter(), mixup]]) expect(() => check(a)!(x, y, 'y')).toThrow(/got -100 at index 2 \(sample 2\)/);
    for (const a of [augment.mixup({ targets: 'probabilities' }), [augment.jitter()], (xx: never, yy: never) => ({ x: xx, y: yy })]) {
      expect(() => check(a as never)!(x, y, 'y')).not.toThrow();
    }
    expect(check(augment.mixup({ targets: 'regression' }), false)).toBeNull();
  });
});
