/**
 * File loggers: CSVLogger writes one row per epoch (Keras' CSVLogger), JSONLLogger one JSON object per
 * epoch (and optionally per batch) — each line is written and flushed as the epoch ends, so a crashed or
 * aborted run keeps every completed epoch. Both run on the caller's thread and never slow training.
 */
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OptionError } from '../../errors.js';
import { show } from '../../nn/validate.js';
import type { EpochLogs } from '../history.js';
import { logValue } from '../logs.js';
import { type BatchLogs, Callback, type TrainLogs } from './callback.js';
import { callbackOptions } from './options.js';
import { checkBoolean } from '../../options.js';

/** Options every file logger takes. */
export interface FileLoggerOptions {
  /** Append to an existing file instead of replacing it (e.g. when resuming with initialEpoch). Default false. */
  append?: boolean;
}

abstract class FileLogger extends Callback {
  /** The file written. */
  readonly path: string;
  /** Whether an existing file is appended to instead of replaced. */
  readonly append: boolean;
  /** The open file during fit; null before onTrainBegin and after onTrainEnd. */
  protected file: FileHandle | null = null;

  constructor(where: string, path: string, options: FileLoggerOptions | undefined, extraKeys: readonly string[] = []) {
    super();
    if (typeof path !== 'string' || path === '') throw new OptionError(`${where}: path must be a non-empty string, got ${show(path)}`);
    const o = callbackOptions(where, options, ['append', ...extraKeys]);
    this.path = path;
    this.append = checkBoolean(where, 'append', o.append ?? false);
  }

  override get passive(): boolean {
    return true;
  }

  /** Opens the file (appending or replacing it). */
  override async onTrainBegin(_logs: TrainLogs): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.file = await open(this.path, this.append ? 'a' : 'w');
  }

  /** Writes one line (a newline is added). */
  protected async writeLine(line: string): Promise<void> {
    await this.file!.appendFile(`${line}\n`);
  }

  override async onTrainEnd(_logs: TrainLogs): Promise<void> {
    await this.file?.close();
    this.file = null;
  }
}

/** A CSV cell: quoted when it holds a separator, a quote or a line break (RFC 4180). */
function cell(v: string, separator: string): string {
  return v.includes(separator) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Options of CSVLogger (Keras' CSVLogger). */
export interface CSVLoggerOptions extends FileLoggerOptions {
  /** Column separator. Default ','. */
  separator?: string;
}

/** Columns: epoch, then every log key of the run (loss, valLoss, metrics, lr…, seconds, samplesPerSecond). */
export class CSVLogger extends FileLogger {
  /** The column separator, one character. */
  readonly separator: string;
  private columns: string[] = [];

  constructor(path: string, options?: CSVLoggerOptions) {
    super('CSVLogger', path, options, ['separator']);
    const sep = options?.separator ?? ',';
    if (typeof sep !== 'string' || sep.length !== 1 || /["\r\n]/.test(sep)) {
      throw new OptionError(`CSVLogger: separator must be one character other than a quote or a line break, got ${show(sep)}`);
    }
    this.separator = sep;
  }

  override async onTrainBegin(logs: TrainLogs): Promise<void> {
    const existing = this.append ? await hasContent(this.path) : false;
    await super.onTrainBegin(logs);
    this.columns = ['epoch', ...this.context.params.logKeys];
    if (!existing) await this.writeLine(this.columns.map((c) => cell(c, this.separator)).join(this.separator));
  }

  override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    await this.writeLine(this.columns.map((c) => {
      const v = logValue(logs, c);
      return v === undefined ? '' : String(v);
    }).join(this.separator));
  }
}

async function hasContent(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

/** Options of JSONLLogger. */
export interface JSONLLoggerOptions extends FileLoggerOptions {
  /** Also write a line per batch ({"event":"batch", ...}). Default false. */
  batches?: boolean;
}

/** One JSON object per line: {"event":"epoch", "epoch":1, "loss":…, "valLoss":…, "metrics":{…}, "lr":[…], …}. */
export class JSONLLogger extends FileLogger {
  /** Whether a line is also written per batch. */
  readonly batches: boolean;

  constructor(path: string, options?: JSONLLoggerOptions) {
    super('JSONLLogger', path, options, ['batches']);
    this.batches = checkBoolean('JSONLLogger', 'batches', options?.batches ?? false);
  }

  override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    await this.writeLine(JSON.stringify({ event: 'epoch', ...logs }));
  }

  override async onBatchEnd(batch: number, logs: BatchLogs): Promise<void> {
    if (this.batches) await this.writeLine(JSON.stringify({ event: 'batch', batch, ...logs }));
  }
}
