// CSVLogger and JSONLLogger in fit, in both modes: exact file contents, append, and option validation.
import { readFileSync } from 'node:fs';
import { OptionError } from '../../src/errors.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchLogs } from '../../src/train/callbacks/callback.js';
import { CSVLogger, JSONLLogger } from '../../src/train/callbacks/loggers.js';
import { fit } from '../../src/train/fit.js';
import type { EpochLogs } from '../../src/train/history.js';
import { Trace, linearFitOptions, linearNet, tempDirs } from './helpers.js';

const tempDir = tempDirs('keel-loggers-');

const options = linearFitOptions();

function csvRow(e: EpochLogs): string {
  return [e.epoch, e.loss, e.metrics.mae, e.valLoss, e.metrics.valMae, e.lr[0], e.seconds, e.samplesPerSecond].map(String).join(',');
}

describe('CSVLogger and JSONLLogger', () => {
  it('write a header and one row per epoch / one JSON object per epoch (and batch); append continues a file (both modes)', async () => {
    for (const worker of [false, true]) {
      const dir = tempDir();
      const csv = join(dir, 'logs', 'train.csv');
      const jsonl = join(dir, 'logs', 'train.jsonl');
      const model = linearNet();
      const trace = new Trace();
      const first = await fit(model, options(worker, { metrics: ['mae'], callbacks: [new CSVLogger(csv), new JSONLLogger(jsonl, { batches: true }), trace] }));
      const header = 'epoch,loss,mae,valLoss,valMae,lr,seconds,samplesPerSecond\n';
      expect(readFileSync(csv, 'utf8')).toBe(header + first.epochs.map((e) => `${csvRow(e)}\n`).join(''));
      const lines = trace.calls
        .filter((c) => c[0] === 'batchEnd' || c[0] === 'epochEnd')
        .map((c) => (c[0] === 'batchEnd' ? JSON.stringify({ event: 'batch', batch: c[1], ...(c[2] as BatchLogs) }) : JSON.stringify({ event: 'epoch', ...(c[2] as EpochLogs) })));
      expect(lines.length).toBe(2 * 4 + 2);
      expect(readFileSync(jsonl, 'utf8')).toBe(lines.map((l) => `${l}\n`).join(''));

      // Resuming with append: no second header, the new epoch's row after the old ones.
      const second = await fit(model, options(worker, { metrics: ['mae'], initialEpoch: 2, epochs: 3, callbacks: [new CSVLogger(csv, { append: true }), new JSONLLogger(jsonl, { append: true })] }));
      expect(second.epochs.map((e) => e.epoch)).toEqual([3]);
      expect(readFileSync(csv, 'utf8')).toBe(header + [...first.epochs, ...second.epochs].map((e) => `${csvRow(e)}\n`).join(''));
      expect(readFileSync(jsonl, 'utf8')).toBe([...lines, JSON.stringify({ event: 'epoch', ...second.epochs[0] })].map((l) => `${l}\n`).join(''));

      // Without append the file is replaced.
      const third = await fit(model, options(worker, { metrics: ['mae'], epochs: 1, callbacks: [new CSVLogger(csv, { separator: ';' })] }));
      expect(readFileSync(csv, 'utf8')).toBe(`${header.replaceAll(',', ';')}${csvRow(third.epochs[0]!).replaceAll(',', ';')}\n`);
    }
  });

  it('reject bad options', () => {
    expect(() => new CSVLogger('')).toThrow(new OptionError('CSVLogger: path must be a non-empty string, got ""'));
    expect(() => new CSVLogger('a.csv', { separator: '"' })).toThrow(OptionError);
    expect(() => new CSVLogger('a.csv', { apend: true } as never)).toThrow('CSVLogger: unknown option "apend"');
    expect(() => new JSONLLogger('a.jsonl', { batches: 'yes' as never })).toThrow(new OptionError('JSONLLogger: batches must be a boolean, got "yes"'));
  });
});
