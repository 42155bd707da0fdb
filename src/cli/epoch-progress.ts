/**
 * keel train's per-epoch progress: one line redrawn in place on a terminal, one line per epoch
 * elsewhere (a pipe, a CI log), written to stderr. What the line says comes from the caller, since a
 * regression run reports RMSE in cycles and a classifier its loss and accuracy. Also what the train
 * paths share around a run: the fit call itself (trainWithProgress), how it ended, which weights were
 * saved, the recipe sentence of the report's summary, and what is printed at the end.
 */
import type { Module } from '../nn/module.js';
import type { ReportTable } from '../report/study.js';
import { findingsText, textTable } from '../report/text-table.js';
import { Callback } from '../train/callbacks/callback.js';
import { fit } from '../train/fit.js';
import type { EpochLogs, History, StopReason } from '../train/history.js';
import type { FitOptions } from '../train/options.js';
import type { CommandIO } from './args.js';
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
  ) {
    super();
    this.#tty = Boolean(err.isTTY) && !process.env.CI;
  }

  // It only reports, so fit may run in a worker and send it the logs.
  override get passive(): boolean {
    return true;
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
 * fit() as every keel train path runs it: early stopping after `patience` epochs without a better
 * validation loss (restoring the best weights; 0 = off), the progress line `describe` says, and
 * Ctrl-C or SIGTERM stopping after the current batch. Returns the history, the wall time and the
 * interrupt (whose exit status the command returns).
 */
export async function trainWithProgress(
  io: CommandIO, model: Module, options: FitOptions, patience: number, describe: (logs: EpochLogs) => string,
): Promise<{ history: History; seconds: number; interrupt: Interrupt }> {
  const started = performance.now();
  const interrupt = catchInterrupt(io, 'train', 'the completed epochs');
  const history = await fit(model, {
    ...options,
    ...(patience > 0 ? { earlyStopping: { patience, restoreBestWeights: true } } : {}),
    callbacks: [new EpochProgress(io.err, options.epochs ?? 1, describe)],
    verbose: false,
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  return { history, seconds: (performance.now() - started) / 1000, interrupt };
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
  return reason === 'aborted' ? 'An interrupt (Ctrl-C or SIGTERM)' : 'Early stopping';
}

/** Which weights train wrote, for the report's "Saved model" note: the best epoch's, those at an interrupt, or the last epoch's. */
export function savedWeightsText(patience: number, reason: StopReason | null): string {
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
