/**
 * keel train's per-epoch progress: one line redrawn in place on a terminal, one line per epoch
 * elsewhere (a pipe, a CI log), written to stderr. What the line says comes from the caller, since a
 * regression run reports RMSE in cycles and a classifier its loss and accuracy. Also what the train
 * paths share around a run: the fit call itself (trainWithProgress), how it ended, which weights were
 * saved, the recipe sentence of the report's summary, and what is printed at the end.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import type { ReportTable } from '../report/study.js';
import { findingsText, textTable } from '../report/text-table.js';
import { BACKUP_FILE, BackupAndRestore } from '../train/callbacks/backup-and-restore.js';
import { Callback } from '../train/callbacks/callback.js';
import { fit } from '../train/fit.js';
import type { EpochLogs, History, StopReason } from '../train/history.js';
import { NonFiniteLossError } from '../train/errors.js';
import type { FitOptions } from '../train/options.js';
import type { CommandIO } from './args.js';
import { UsageError } from './errors.js';
import { catchInterrupt, type Interrupt } from './interrupt.js';
import { type BatchNormFlags, batchNormText } from './batchnorm-flags.js';
import type { Recipe } from './recipe-flags.js';

export class EpochProgress extends Callback {
  readonly #tty: boolean;

  constructor(
    private readonly err: CommandIO['err'],
    private readonly epochs: number,
    /** The line's text after "epoch i/n  ". */
    private readonly describe: (logs: EpochLogs) => string,
    /** The backup a resumed run came from, named when it resumes. */
    private readonly backup: string,
  ) {
    super();
    this.#tty = Boolean(err.isTTY) && !process.env.CI;
  }

  // It only reports, so fit may run in a worker and send it the logs.
  override get passive(): boolean {
    return true;
  }

  /** The epoch the run resumed after (0: a run from the start). */
  resumedAfter = 0;

  override onTrainBegin(): void {
    this.resumedAfter = this.context.params.initialEpoch;
    if (this.resumedAfter > 0) this.err.write(`keel train: resuming after epoch ${this.resumedAfter}, from ${this.backup}\n`);
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    const text = `epoch ${epoch}/${this.epochs}  ${this.describe(logs)}`;
    this.err.write(this.#tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  override onTrainEnd(): void {
    if (this.#tty) this.err.write('\n');
  }
}

/**
 * How a run ended, as the report tells it. A run blew up when a loss went NaN or ±Infinity: the
 * training loss (fit rejects with a NonFiniteLossError) or the validation loss (early stopping's
 * checkFinite ends the run, which fit records as 'earlyStopping'); both are told as 'nonFinite', so
 * no report calls a run that blew up an ordinary early stop.
 */
export interface RunEnd {
  /** fit's StopReason, 'nonFinite' for a run that blew up. */
  stopped: StopReason | null;
  /** Which loss was not finite when the run blew up; null when it did not. */
  nonFinite: 'training' | 'validation' | null;
  /** fit's error when the training loss blew up: the command keeps the completed epochs, then rethrows it (finishRun). */
  failure: NonFiniteLossError | null;
}

/** The RunEnd of a run whose history fit returned, or whose NonFiniteLossError carried it (`failure`). */
export function runEnd(history: History, failure: NonFiniteLossError | null = null): RunEnd {
  if (failure) return { stopped: 'nonFinite', nonFinite: 'training', failure };
  const last = history.epochs.at(-1)?.valLoss;
  const validation = history.stopped === 'earlyStopping' && last !== undefined && !Number.isFinite(last);
  return validation ? { stopped: 'nonFinite', nonFinite: 'validation', failure: null } : { stopped: history.stopped, nonFinite: null, failure: null };
}

/** The backup file of a train command's run in folder `out` (BackupAndRestore's). */
const backupFile = (out: string): string => join(out, BACKUP_FILE);

/**
 * Before a train command reads its data: with --resume, the backup it resumes must be there; without,
 * a backup an interrupted run left is removed, so that this run starts afresh instead of resuming it.
 */
export function prepareBackup(out: string, resume: boolean): void {
  const file = backupFile(out);
  if (!resume) return rmSync(file, { force: true });
  if (!existsSync(file)) {
    throw new UsageError(`--resume: ${out} holds no backup of an interrupted run (${BACKUP_FILE}), so there is nothing to resume; run without --resume to start afresh`);
  }
}

/**
 * fit() as every keel train path runs it: early stopping after `patience` epochs without a better
 * validation loss (restoring the best weights; 0 = off), the progress line `describe` says,
 * Ctrl-C or SIGTERM stopping after the current batch, and a backup of each finished epoch in `out`
 * (BackupAndRestore: --resume goes on from it). Returns the history, the wall time, the
 * interrupt and how the run ended. A training loss that is not finite after at least one completed
 * epoch does not reject: like an interrupt, the command keeps the completed epochs (model and
 * report), then finishRun rethrows the error, so the exit status is still 1 and the message the same.
 */
export async function trainWithProgress(
  io: CommandIO, model: Module, options: FitOptions, patience: number, describe: (logs: EpochLogs) => string, out: string,
): Promise<{ history: History; seconds: number; epochsRun: number; interrupt: Interrupt; end: RunEnd }> {
  const started = performance.now();
  const interrupt = catchInterrupt(io, 'train', 'the completed epochs');
  let failure: NonFiniteLossError | null = null;
  const progress = new EpochProgress(io.err, options.epochs ?? 1, describe, backupFile(out));
  const history = await fit(model, {
    ...options,
    ...(patience > 0 ? { earlyStopping: { patience, restoreBestWeights: true } } : {}),
    callbacks: [new BackupAndRestore({ backupDir: out }), progress],
    verbose: false,
    signal: interrupt.signal,
  }).catch((e: unknown) => {
    if (!(e instanceof NonFiniteLossError) || !e.history || e.history.epochs.length === 0) throw e;
    failure = e;
    io.err.write(`\nkeel train: the training loss is ${e.value} in epoch ${e.epoch}: training blew up; keeping the completed epochs\n`);
    return e.history;
  }).finally(interrupt.dispose);
  const last = history.epochs.at(-1)?.epoch;
  if (history.stopped === 'aborted' && last !== undefined) {
    io.err.write(`keel train: the training state after epoch ${last} is in ${backupFile(out)}: the same command with --resume goes on from there\n`);
  }
  // Epochs this run trained (a resumed run's history also holds the ones before its backup).
  const epochsRun = history.epochs.filter((e) => e.epoch > progress.resumedAfter).length;
  return { history, seconds: (performance.now() - started) / 1000, epochsRun, interrupt, end: runEnd(history, failure) };
}

/** A train command's exit status once its files are written: the interrupt's (130 / 143), else 0; a run whose training loss blew up throws its error (exit 1). */
export function finishRun(interrupt: Interrupt, end: RunEnd): number {
  if (end.failure) throw end.failure;
  return interrupt.exitStatus() ?? 0;
}

/** How a run ended, as train's summary line says it ("40 epochs (all run) in 12.3 s"). */
export const STOP_TEXT: Readonly<Record<StopReason, string>> = {
  completed: 'all run',
  earlyStopping: 'stopped early',
  callback: 'stopped by a callback',
  aborted: 'interrupted',
  nonFinite: 'stopped: the loss was not finite',
  error: 'failed',
};

/** The chart subtitle's "<what> ended training at epoch N" for a run that stopped before its last epoch. */
export function stoppedBy(reason: StopReason | null): string {
  if (reason === 'nonFinite') return 'A non-finite loss (training blew up)';
  return reason === 'aborted' ? 'An interrupt (Ctrl-C or SIGTERM)' : 'Early stopping';
}

/**
 * Which weights train wrote, for the report's "Saved model" note: the best epoch's, those at an
 * interrupt, those of the last finite step, or the last epoch's. `reason` is fit's own (history.stopped),
 * not RunEnd's: only a training loss that blew up ('nonFinite' there) keeps early stopping from restoring.
 */
export function savedWeightsText(patience: number, reason: StopReason | null): string {
  if (reason === 'nonFinite') {
    return `those of the last finite step, before the batch whose training loss was not finite${patience > 0 ? "; early stopping does not restore the best epoch's after it" : ''}`;
  }
  if (patience > 0) return "early stopping restored the best epoch's";
  return reason === 'aborted' ? "those at the interrupt: the last epoch's and the finished batches of the interrupted one" : "the last epoch's";
}

/** A classifier's progress line: training loss and accuracy, then validation's. */
export function classifierProgress(l: EpochLogs): string {
  return `train loss ${l.loss.toFixed(4)} accuracy ${(l.metrics.accuracy ?? NaN).toFixed(4)}  val loss ${(l.valLoss ?? NaN).toFixed(4)} accuracy ${(l.metrics.valAccuracy ?? NaN).toFixed(4)}`;
}

/**
 * What a run was trained with and how it ended, the second sentence of the report's summary; with
 * `modelConfig` (--model-config) the architecture is that file's, not the BatchNorm and dropout flags'.
 */
export function trainingText(o: {
  bn: BatchNormFlags; dropout: number; headDropout?: number; modelConfig?: string | undefined; recipe: Recipe; lr: number; weightDecay: number;
  batchSize: number; patience: number; epochs: number; stopped: StopReason | null; seconds: number;
}): string {
  const schedule = o.recipe.schedule === 'none' ? '' : ` (${o.recipe.schedule})`;
  const augment = o.recipe.augment ? `, augment ${o.recipe.augment}` : '';
  const early = o.patience > 0 ? `early stopping after ${o.patience} epochs` : 'no early stopping';
  const architecture = o.modelConfig !== undefined
    ? `the architecture of ${o.modelConfig}`
    : `${batchNormText(o.bn)}, dropout ${o.dropout}${o.headDropout === undefined ? '' : ` / head ${o.headDropout}`}`;
  return `${architecture}, ${o.recipe.optimizer} lr ${o.lr}${schedule}${augment}, ` +
    `weight decay ${o.weightDecay}, batch ${o.batchSize}, ${early}; ${o.epochs} epochs (${STOP_TEXT[o.stopped ?? 'completed']}) in ${o.seconds.toFixed(1)} s.`;
}

/** The end of a run on stdout: one JSON object with --json, else the table, what the run shows and where the files are. */
export function printRun(io: CommandIO, json: boolean, run: {
  out: string; result: object; files: string[]; report: { html: string; files: string[] }; table: ReportTable; findings: string[];
}): void {
  if (json) {
    io.out.write(`${JSON.stringify({ modelDir: run.out, ...run.result, files: [...run.files, ...run.report.files] })}\n`);
  } else {
    io.out.write(`\n${textTable(run.table)}\n${findingsText(run.findings)}Model: ${run.files.join(', ')}\nReport: ${run.report.html}\n`);
  }
}
