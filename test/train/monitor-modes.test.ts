/**
 * Mode 'auto' of EarlyStopping, ModelCheckpoint and ReduceLROnPlateau, and History.bestEpoch, follow the
 * direction the fit's loss and metrics declare (FitParams.modes) — a custom metric's `mode: 'max'`
 * included, which no rule on its name could know — in a worker and on the caller's thread; a monitored
 * key nothing declares a direction for (lr) is refused when training starts rather than guessed.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { SGD } from '../../src/optim/sgd.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Callback, type FitParams } from '../../src/train/callbacks/callback.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { ModelCheckpoint } from '../../src/train/callbacks/model-checkpoint.js';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce-lr-on-plateau.js';
import { fit } from '../../src/train/fit.js';
import { linearFitOptions, linearNet, tempDirs } from './helpers.js';

const options = linearFitOptions();
const tempDir = tempDirs('keel-monitor-modes-');

/** Minus the mean squared error: larger is better, and its name says nothing of that. */
const score = {
  name: 'score',
  mode: 'max' as const,
  fn: (p: Tensor, y: Tensor) => {
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s -= (p.data[i]! - y.data[i]!) ** 2;
    return s / y.data.length;
  },
};

/** Records the params the callbacks see. */
class Params extends Callback {
  params: FitParams | null = null;
  override onTrainBegin(): void {
    this.params = this.context.params;
  }
}

describe("mode 'auto' follows the fit's declared modes", () => {
  it("a custom metric with mode 'max' is maximised by EarlyStopping, ModelCheckpoint, ReduceLROnPlateau and History", async () => {
    const dir = tempDir();
    const es = new EarlyStopping({ monitor: 'valScore', patience: 0 });
    const ck = new ModelCheckpoint({ path: `${dir}/m-{epoch:02d}.safetensors`, monitor: 'valScore', saveBestOnly: true });
    const rlr = new ReduceLROnPlateau({ monitor: 'valScore', patience: 0, factor: 0.5 });
    const seen = new Params();
    // A function metric keeps the run on the caller's thread (worker: false says so).
    const history = await fit(linearNet(), options(false, { epochs: 5, optimizer: (p) => new SGD(p, { lr: 0.05 }), metrics: [score], callbacks: [es, ck, rlr, seen] }));
    const curve = history.values('valScore');
    // The score rises every epoch: every epoch is an improvement in its declared direction.
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThan(curve[i - 1]!);
    expect([es.mode, ck.mode, rlr.scheduler!.mode]).toEqual(['max', 'max', 'max']);
    expect(history.stopped).toBe('completed');
    expect(es.bestEpoch).toBe(5);
    expect(ck.saved.map((f) => f.slice(dir.length + 1))).toEqual([1, 2, 3, 4, 5].map((e) => `m-0${e}.safetensors`));
    expect(history.values('lr')).toEqual([0.05, 0.05, 0.05, 0.05, 0.05]);
    expect(seen.params!.modes).toEqual({ loss: 'min', score: 'max', valLoss: 'min', valScore: 'max' });
    expect(history.modes).toEqual(seen.params!.modes);
    history.monitor = 'valScore';
    expect(history.bestEpoch).toBe(5);
  });

  it("a custom metric declared 'min' is minimised even when its name reads as an accuracy", async () => {
    const es = new EarlyStopping({ monitor: 'valFooAccuracy', patience: 0 });
    const fooAccuracy = { ...score, name: 'fooAccuracy', mode: 'min' as const };
    const history = await fit(linearNet(), options(false, { epochs: 3, optimizer: (p) => new SGD(p, { lr: 0.05 }), metrics: [fooAccuracy], callbacks: [es] }));
    expect(es.mode).toBe('min');
    // The value rises (it is minus an error): in its declared direction the second epoch is no better.
    expect(history.stopped).toBe('earlyStopping');
    expect(es.stoppedEpoch).toBe(2);
  });

  it('in a worker and on the caller\'s thread alike: the same resolved modes, carried back to the caller\'s callbacks', async () => {
    const outcomes = [];
    for (const worker of [true, false]) {
      const es = new EarlyStopping({ monitor: 'valR2', patience: 5 });
      const ck = new ModelCheckpoint({ path: `${tempDir()}/best.safetensors`, monitor: 'valR2', saveBestOnly: true });
      const rlr = new ReduceLROnPlateau({ monitor: 'valR2', patience: 5 });
      const seen = new Params();
      const history = await fit(linearNet(), options(worker, { epochs: 3, metrics: ['r2'], callbacks: [es, ck, rlr, seen] }));
      expect(seen.params!.mode).toBe(worker ? 'worker' : 'thread');
      expect(seen.params!.modes).toEqual({ loss: 'min', r2: 'max', valLoss: 'min', valR2: 'max' });
      outcomes.push({ es: es.mode, ck: ck.mode, rlr: (rlr.exportState().scheduler as { mode: string }).mode, modes: history.modes, best: es.best });
    }
    expect(outcomes[0]).toMatchObject({ es: 'max', ck: 'max', rlr: 'max' });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('a monitored key no loss or metric declares a direction for (lr) is refused at the start with mode auto, in both modes; an explicit mode is taken', async () => {
    for (const worker of [true, false]) {
      for (const make of [
        () => new EarlyStopping({ monitor: 'lr' }),
        () => new ModelCheckpoint({ path: `${tempDir()}/m.safetensors`, monitor: 'lr', saveBestOnly: true }),
        () => new ReduceLROnPlateau({ monitor: 'lr' }),
      ]) {
        const cb = make();
        const name = cb.constructor.name;
        await expect(fit(linearNet(), options(worker, { callbacks: [cb] }))).rejects.toThrow(
          new OptionError(
            `${name}: mode 'auto' cannot tell whether 'lr' is better small or large (only the loss and the metrics declare a direction, for: loss, valLoss); pass mode: 'min' or 'max'`,
          ),
        );
      }
      const es = new EarlyStopping({ monitor: 'lr', mode: 'min' });
      await fit(linearNet(), options(worker, { callbacks: [es] }));
      expect(es.mode).toBe('min');
    }
  });

  it("ModelCheckpoint without saveBestOnly needs no direction: 'auto' on an undeclared key saves every epoch", async () => {
    const ck = new ModelCheckpoint({ path: `${tempDir()}/m-{epoch}.safetensors`, monitor: 'lr' });
    await fit(linearNet(), options(false, { callbacks: [ck] }));
    expect(ck.saved).toHaveLength(2);
    expect(ck.mode).toBe('auto');
  });
});
