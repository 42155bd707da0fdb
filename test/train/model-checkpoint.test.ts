// ModelCheckpoint in fit, in both modes: the path template (its fields checked before the first step), files that load back as the model of that epoch (nothing left half written), saveBestOnly, extra metadata.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { OptionError, StorageError } from '../../src/errors.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, loadWithMetadata } from '../../src/io/save.js';
import * as nn from '../../src/nn/index.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import { formatCheckpointPath, ModelCheckpoint } from '../../src/train/callbacks/model-checkpoint.js';
import { fit } from '../../src/train/fit.js';
import type { EpochLogs } from '../../src/train/history.js';
import { linearData, linearFitOptions, linearNet, stateValues, tempDirs } from './helpers.js';

const tempDir = tempDirs('keel-model-checkpoint-');

const options = linearFitOptions();

/** On the caller's thread only (callbacks see the live model there): the model's state at each epoch end. */
class EpochSnapshots extends Callback {
  readonly states = new Map<number, Record<string, Array<number | bigint>>>();

  override onEpochEnd(epoch: number): void {
    this.states.set(epoch, stateValues(this.context.model.stateDict()));
  }
}

describe('ModelCheckpoint', () => {
  it('formats the path template', () => {
    const logs: EpochLogs = { epoch: 7, loss: 0.25, valLoss: 0.123456, metrics: { rmse: 0.98765 }, lr: [0.001], seconds: 1, samplesPerSecond: 10 };
    expect(formatCheckpointPath('ckpt/m-{epoch:03d}-{valLoss:.4f}.safetensors', logs)).toBe('ckpt/m-007-0.1235.safetensors');
    expect(formatCheckpointPath('{epoch}_{loss}_{rmse:.2f}_{epoch:4d}.safetensors', logs)).toBe('7_0.25_0.99_   7.safetensors');
    expect(() => formatCheckpointPath('m-{valAcc:.2f}.safetensors', logs)).toThrow(
      new OptionError('ModelCheckpoint: the path template uses {valAcc}, which this fit does not log (in "m-{valAcc:.2f}.safetensors")'),
    );
    expect(() => new ModelCheckpoint({ path: 'ckpt/model.pt' })).toThrow(new OptionError('ModelCheckpoint: path must be a file path ending in .safetensors, got "ckpt/model.pt"'));
  });

  it("formats Python's format specs exactly as Python does (expected strings from Python 3's str.format)", () => {
    const logs: EpochLogs = { epoch: 7, loss: 0.125, valLoss: 0.123456, metrics: { rmse: 0.98765, small: 0.000012345, big: 123456789, tiny: 5e-324 }, lr: [0.001], seconds: 1, samplesPerSecond: 10 };
    // 0.125 is a tie at two decimals: Python rounds half to even ('0.12'), toFixed would give '0.13'.
    expect(formatCheckpointPath('m-{epoch:03}-{valLoss:.3e}-{valLoss:.4g}-{epoch:>3}-{rmse:+08.2f}-{loss:.2f}-{loss:.1f}-{{x}}.safetensors', logs)).toBe(
      'm-007-1.235e-01-0.1235-  7-+0000.99-0.12-0.1-{x}.safetensors',
    );
    expect(formatCheckpointPath('{epoch:<3}|{epoch:^5}|{epoch:x=+5}|{small:.2G}|{big:.3g}|{tiny:.2e}.safetensors', logs)).toBe('7  |  7  |+xxx7|1.2E-05|1.23e+08|4.94e-324.safetensors');
  });

  it('refuses, at construction and naming the field, any brace field it cannot format (nothing is left in the path as text)', () => {
    const refused: Array<[string, string]> = [
      ['m-{valLoss:,.2f}.safetensors', '{valLoss:,.2f} has a format spec ",.2f" that is not'],
      ['m-{valLoss:.1%}.safetensors', '{valLoss:.1%} has a format spec ".1%" that is not'],
      ['m-{valLoss:#.2f}.safetensors', '{valLoss:#.2f} has a format spec "#.2f" that is not'],
      ['m-{epoch!r}.safetensors', '{epoch!r} does not name a log key'],
      ['m-{}.safetensors', '{} does not name a log key'],
      ['m-{valLoss:05d}.safetensors', "{valLoss:05d} formats valLoss as an integer ('d'), but only epoch is one; give a type for a float: f, e or g (e.g. {valLoss:.4f})"],
      ['m-{valLoss:.3}.safetensors', '{valLoss:.3} formats valLoss as an integer (no type), but only epoch is one'],
      ['m-{epoch:.2d}.safetensors', '{epoch:.2d} gives a precision to an integer (Python refuses it too)'],
      ['m-{epoch:{w}}.safetensors', `"{epoch:{w}" is not closed by } (write {{ for a literal brace)`],
      ['m-{epoch.safetensors', `"{epoch.safetensors" is not closed by }`],
      ['m-epoch}.safetensors', `'}' closes nothing (write }} for a literal brace)`],
    ];
    for (const [path, why] of refused) {
      expect(() => new ModelCheckpoint({ path }), path).toThrow(new RegExp(`^ModelCheckpoint: the path template's field ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(() => new ModelCheckpoint({ path }), path).toThrow(OptionError);
    }
  });

  it("saves one file per epoch with specs a Keras user writes ({epoch:03}, {valLoss:.3e}, {epoch:>3}), in both modes", async () => {
    for (const worker of [false, true]) {
      const dir = tempDir();
      const checkpoint = new ModelCheckpoint({ path: join(dir, 'm-{epoch:03}-{valLoss:.3e}-{epoch:>3}.safetensors') });
      const history = await fit(linearNet(), options(worker, { epochs: 3, callbacks: [checkpoint] }));
      const names = history.values('valLoss').map((v, i) => `m-00${i + 1}-${v.toExponential(3).replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`)}-  ${i + 1}.safetensors`);
      expect(checkpoint.saved).toEqual(names.map((n) => join(dir, n)));
      expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()).toEqual([...names].sort());
    }
    expect(() => new ModelCheckpoint({ path: 'm.safetensors', saveBest: true } as never)).toThrow('ModelCheckpoint: unknown option "saveBest"');
  });

  it('every epoch: safetensors + architecture JSON that load back as the model of that epoch, identical from both modes', async () => {
    const files: Record<string, Buffer>[] = [];
    for (const worker of [false, true]) {
      const dir = tempDir();
      const model = linearNet();
      const checkpoint = new ModelCheckpoint({ path: join(dir, 'sub', 'm-{epoch:03d}-{valLoss:.4f}.safetensors') });
      const snapshots = new EpochSnapshots();
      const history = await fit(model, options(worker, { epochs: 3, callbacks: worker ? [checkpoint] : [checkpoint, snapshots] }));
      const valLoss = history.values('valLoss');
      const names = [1, 2, 3].map((e) => `m-00${e}-${valLoss[e - 1]!.toFixed(4)}`);
      expect(checkpoint.saved).toEqual(names.map((n) => join(dir, 'sub', `${n}.safetensors`)));
      // The two files of each save and nothing else (no temporary file left behind).
      expect(readdirSync(join(dir, 'sub')).sort()).toEqual(names.flatMap((n) => [`${n}.json`, `${n}.safetensors`]).sort());
      for (const [i, name] of names.entries()) {
        const epoch = i + 1;
        const { tensors, metadata } = await loadWithMetadata(join(dir, 'sub', `${name}.safetensors`));
        expect(metadata).toMatchObject({ format: 'pt', epoch: String(epoch), loss: String(history.values('loss')[i]), valLoss: String(valLoss[i]) });
        const rebuilt = nn.fromJSON(JSON.parse(readFileSync(join(dir, 'sub', `${name}.json`), 'utf8')));
        expect(rebuilt.toJSON()).toEqual(model.toJSON());
        rebuilt.loadStateDict(tensors);
        if (!worker) expect(stateValues(rebuilt.stateDict())).toEqual(snapshots.states.get(epoch));
        expect(stateValues(tensors)['1.num_batches_tracked']).toEqual([BigInt(4 * epoch)]);
      }
      // The last checkpoint is the trained model.
      expect(stateValues(await load(checkpoint.saved[2]!))).toEqual(stateValues(model.stateDict()));
      files.push(Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, 'sub', `${n}.safetensors`))])));
    }
    expect(Object.keys(files[1]!)).toEqual(Object.keys(files[0]!));
    for (const name of Object.keys(files[0]!)) expect(files[1]![name]!.equals(files[0]![name]!), name).toBe(true);
  });

  it('saveBestOnly: writes only at the epochs that improve on the best so far (both modes alike)', async () => {
    // Validation targets 0.4·x·W: validation loss falls, then rises as the model learns x·W.
    const saved: string[][] = [];
    for (const worker of [false, true]) {
      const dir = tempDir();
      const checkpoint = new ModelCheckpoint({ path: join(dir, 'best-{epoch:02d}.safetensors'), saveBestOnly: true });
      const history = await fit(linearNet(), options(worker, { epochs: 8, validationData: linearData(20, 11, 0.4), callbacks: [checkpoint] }));
      const valLoss = history.values('valLoss');
      const improving: number[] = [];
      let best = Infinity;
      valLoss.forEach((v, i) => {
        if (v < best) {
          best = v;
          improving.push(i + 1);
        }
      });
      expect(improving.length).toBeGreaterThan(1);
      expect(improving.length).toBeLessThan(8);
      expect(checkpoint.best).toBe(best);
      const names = improving.map((e) => `best-${String(e).padStart(2, '0')}.safetensors`);
      expect(checkpoint.saved).toEqual(names.map((n) => join(dir, n)));
      expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()).toEqual(names);
      saved.push(names);
    }
    expect(saved[1]).toEqual(saved[0]);
  });

  it('metadata: extra strings in every file (a scaler travels with its weights), from a worker too; the log keys win', async () => {
    const dir = tempDir();
    const scaler = JSON.stringify({ type: 'Standardizer', mean: [1.5], scale: [2] });
    const checkpoint = new ModelCheckpoint({ path: join(dir, 'm.safetensors'), metadata: { scaler, epoch: 'mine' } });
    await fit(linearNet(), options(true, { epochs: 2, callbacks: [checkpoint] }));
    const { metadata } = await loadWithMetadata(join(dir, 'm.safetensors'));
    expect(metadata.scaler).toBe(scaler);
    expect(metadata.epoch).toBe('2');
    expect(() => new ModelCheckpoint({ path: 'm.safetensors', metadata: { scaler: { mean: 1 } } as never })).toThrow(
      'ModelCheckpoint: metadata.scaler must be a string, got {"mean":1}',
    );
  });

  it('a path string as Keras takes it says what to pass; a folder that cannot be made is a StorageError naming the file', async () => {
    expect(() => new ModelCheckpoint('m.safetensors' as never)).toThrow(new OptionError('ModelCheckpoint: takes an options object, { path: "m.safetensors" }, got the string "m.safetensors"'));
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const checkpoint = new ModelCheckpoint({ path: join(dir, 'file', 'm.safetensors') });
    const failed = fit(linearNet(), options(false, { epochs: 1, callbacks: [checkpoint] }));
    await expect(failed).rejects.toBeInstanceOf(StorageError);
    await expect(failed).rejects.toThrow(`ModelCheckpoint: cannot create the folder of ${join(dir, 'file', 'm.safetensors')}`);
  });

  it.each([false, true])('a path field this fit does not log is refused before the first step, not when epoch 1 ends (worker: %s)', async (worker) => {
    const model = linearNet();
    const before = stateValues(model.stateDict());
    const checkpoint = new ModelCheckpoint({ path: join(tempDir(), 'm-{valLoss:.3f}.safetensors') });
    const failed = fit(model, options(worker, { validationData: undefined, callbacks: [checkpoint] }));
    await expect(failed).rejects.toThrow(/^ModelCheckpoint: the path template uses \{valLoss\}, which this fit does not log \(in ".*"\); available: epoch, loss, lr, seconds, samplesPerSecond \(validation keys need validationData or validationSplit\)$/);
    expect(stateValues(model.stateDict())).toEqual(before);
  });
});
