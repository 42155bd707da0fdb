/**
 * BackupAndRestore: a fit interrupted after an epoch or in the middle of one, then run again with the
 * same options, ends with bitwise the weights, BatchNorm buffers, optimiser and schedule state and
 * history of the fit that was never interrupted — with dropout, AdamW and a per-batch OneCycleLR,
 * EarlyStopping restoring its best weights, and ReduceLROnPlateau — in a worker thread, on the
 * caller's, and across the two. The backup is deleted when the fit ends as planned and kept after an
 * abort; a backup of another run (another seed, architecture, optimiser or file) is refused, changing nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callbacks, fit, nn, optim, StateError, Tensor } from '../../src/index.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import type { FitHistory } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/options.js';
import { prng } from '../io/helpers.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';
import { smallBackbone, tempDirs } from './helpers.js';

const tempDir = tempDirs('keel-backup-');

/** n windows of 4 channels × 12 steps, uniform in [−1, 1), and y = sin(3·mean of channel 0) + mean of channel 1 · x[2, 11]. */
function windows(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = prng(seed);
  const x = Float32Array.from({ length: n * 48 }, () => 2 * r() - 1);
  const mean = (i: number, c: number) => x.subarray(i * 48 + c * 12, i * 48 + c * 12 + 12).reduce((s, v) => s + v, 0) / 12;
  const y = Float32Array.from({ length: n }, (_, i) => Math.sin(3 * mean(i, 0)) + mean(i, 1) * x[i * 48 + 35]!);
  return { x: new Tensor(x, [n, 4, 12]), y: new Tensor(y, [n, 1]) };
}

const data = windows(96, 31), val = windows(32, 32);

/** Aborts the fit at the end of epoch `epoch`, or before batch `batch` of it. */
class Interrupt extends Callback {
  constructor(private readonly controller: AbortController, private readonly epoch: number, private readonly batch?: number) {
    super();
  }

  override onEpochEnd(epoch: number): void {
    if (this.batch === undefined && epoch === this.epoch) this.controller.abort();
  }

  override onBatchEnd(batch: number, logs: { epoch: number }): void {
    if (logs.epoch === this.epoch && batch + 1 === this.batch) this.controller.abort();
  }
}

type Recipe = 'onecycle' | 'plateau';

/** A fit with everything a backup must carry; `signal` and `interrupt` added for an interrupted run. */
function options(dir: string, worker: boolean, recipe: Recipe, extra: Partial<FitOptions> = {}, interrupt: Callback[] = []): FitOptions {
  const model = recipe === 'plateau'
    ? [new callbacks.ReduceLROnPlateau({ factor: 0.5, patience: 0 })]
    : [new callbacks.EarlyStopping({ patience: 2, restoreBestWeights: true })];
  return {
    ...data, validationData: val, epochs: 7, batchSize: 16, shuffle: true, seed: 11, verbose: false, worker,
    optimizer: (_p, m) => new optim.AdamW(optim.weightDecayGroups(m, 0.05), { lr: 3e-3 }),
    ...(recipe === 'onecycle' ? { scheduler: (opt: optim.Optimizer, info: { epochs: number; stepsPerEpoch: number }) => new optim.OneCycleLR(opt, { maxLr: 2e-2, epochs: info.epochs, stepsPerEpoch: info.stepsPerEpoch }) } : {}),
    callbacks: [...model, new callbacks.BackupAndRestore({ backupDir: dir }), ...interrupt],
    ...extra,
  };
}

const model = () => smallBackbone(4, { dropout: 0.2, headDropout: 0.3 });
const curves = (h: FitHistory) => ({ epochs: h.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, lr: e.lr })), stopped: h.stopped, bestEpoch: h.bestEpoch });

async function uninterrupted(worker: boolean, recipe: Recipe) {
  const m = model();
  const dir = tempDir();
  const h = await fit(m, options(dir, worker, recipe));
  expect(existsSync(join(dir, 'backup.safetensors')), 'deleted at the end').toBe(false);
  return { state: snapshot(m), curves: curves(h), optimizer: h.optimizer.stateDict(), scheduler: h.scheduler?.stateDict() };
}

describe('BackupAndRestore', () => {
  const cases: Array<[string, Recipe, boolean, boolean, number, number | undefined]> = [
    // name, recipe, first run's worker, second's, epoch interrupted, batch
    ['after epoch 2, in a worker', 'onecycle', true, true, 2, undefined],
    ['in the middle of epoch 3, on the caller\'s thread', 'onecycle', false, false, 3, 4],
    ['in the middle of epoch 2 in a worker, resumed on the caller\'s thread', 'onecycle', true, false, 2, 3],
    ['after epoch 3 with ReduceLROnPlateau, in a worker', 'plateau', true, true, 3, undefined],
  ];
  for (const [name, recipe, first, second, epoch, batch] of cases) {
    it(`interrupted ${name}: the run again ends as the run never interrupted`, async () => {
      const want = await uninterrupted(second, recipe);
      const dir = tempDir();
      const controller = new AbortController();
      const m = model();
      const stopped = await fit(m, options(dir, first, recipe, { signal: controller.signal }, [new Interrupt(controller, epoch, batch)]));
      expect(stopped.stopped).toBe('aborted');
      expect(stopped.epochs).toHaveLength(batch === undefined ? epoch : epoch - 1);
      expect(existsSync(join(dir, 'backup.safetensors')), 'kept after an abort').toBe(true);

      const resumed = model(); // new weights: the backup's replace them
      const seen: number[] = [];
      const h = await fit(resumed, options(dir, second, recipe, {}, [new (class extends Callback {
        override onTrainBegin(logs: { epoch: number }): void {
          seen.push(logs.epoch, this.context.params.initialEpoch, this.context.history.epochs.length);
        }
      })()]));
      expect(seen, 'onTrainBegin sees the epochs the backup holds').toEqual(Array(3).fill(stopped.epochs.length));
      expect(curves(h)).toEqual(want.curves);
      expectSameSnapshot(snapshot(resumed), want.state);
      expect(h.optimizer.stateDict()).toEqual(want.optimizer);
      expect(h.scheduler?.stateDict()).toEqual(want.scheduler);
      expect(existsSync(join(dir, 'backup.safetensors')), 'deleted at the end').toBe(false);
    });
  }

  it('keeps the backup with deleteCheckpoint: false; a finished run\'s backup resumes into no epoch', async () => {
    const dir = tempDir();
    const keep = (o: FitOptions) => ({ ...o, callbacks: [new callbacks.BackupAndRestore({ backupDir: dir, deleteCheckpoint: false })] });
    const m = model();
    const h = await fit(m, keep(options(dir, false, 'plateau', { epochs: 2 })));
    expect(existsSync(join(dir, 'backup.safetensors'))).toBe(true);
    const again = model();
    const h2 = await fit(again, keep(options(dir, false, 'plateau', { epochs: 2 })));
    expect(curves(h2)).toEqual(curves(h));
    expectSameSnapshot(snapshot(again), snapshot(m));
  });

  it('refuses a backup of another run, changing nothing: another seed, architecture or optimiser, not a backup', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    await fit(model(), options(dir, false, 'plateau', { signal: controller.signal }, [new Interrupt(controller, 1)]));
    const file = join(dir, 'backup.safetensors');
    const m = model(), before = snapshot(m);
    await expect(fit(m, options(dir, false, 'plateau', { seed: 12 }))).rejects.toThrow(
      `BackupAndRestore: cannot resume from ${file}: it was written by a fit with seed 11, and this fit has seed 12. Nothing was changed; delete the file to start afresh`,
    );
    const wider = smallBackbone(4, { widths: [8, 16] });
    const widerBefore = snapshot(wider);
    const other = fit(wider, options(dir, true, 'plateau'));
    await expect(other).rejects.toThrow(StateError);
    await expect(fit(wider, options(dir, true, 'plateau'))).rejects.toThrow(/^BackupAndRestore: cannot resume from .*backup\.safetensors: Error\(s\) in loading state_dict for Sequential:.*size mismatch.*Nothing was changed; delete the file to start afresh$/s);
    expectSameSnapshot(snapshot(wider), widerBefore);
    // The weights load, then the optimiser's groups do not (one group, not the backup's two): the weights go back.
    await expect(fit(m, options(dir, false, 'plateau', { optimizer: (p) => new optim.AdamW(p, { lr: 3e-3 }) }))).rejects.toThrow(
      `BackupAndRestore: cannot resume from ${file}: AdamW.loadStateDict: loaded state dict has a different number of parameter groups (2, the optimizer has 1)`,
    );
    expectSameSnapshot(snapshot(m), before);
    writeFileSync(file, 'not a backup');
    await expect(fit(m, options(dir, false, 'plateau'))).rejects.toThrow(`BackupAndRestore: cannot resume from ${file}: `);
    expectSameSnapshot(snapshot(m), before);
  });

  it('refuses bad options with what it takes', () => {
    expect(() => new callbacks.BackupAndRestore('runs/backup' as never)).toThrow('BackupAndRestore: takes an options object, { backupDir: "runs/backup" }, got the string "runs/backup"');
    expect(() => new callbacks.BackupAndRestore({ backupDir: '' })).toThrow('BackupAndRestore: backupDir must be a non-empty folder path, got ""');
    expect(() => new callbacks.BackupAndRestore({ backupDir: 'x', deleteCheckpoint: 1 as never })).toThrow('BackupAndRestore: deleteCheckpoint must be a boolean, got 1');
  });
});

void nn;
