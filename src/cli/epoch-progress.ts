/**
 * keel train's per-epoch progress: one line redrawn in place on a terminal, one line per epoch
 * elsewhere (a pipe, a CI log), written to stderr. What the line says comes from the caller, since a
 * regression run reports RMSE in cycles and a classifier its loss and accuracy.
 */
import { Callback } from '../train/callbacks/callback.js';
import type { EpochLogs, StopReason } from '../train/history.js';
import type { CommandIO } from './args.js';

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
