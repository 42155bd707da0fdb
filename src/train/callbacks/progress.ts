/**
 * Showing progress (fit's `verbose`): on a terminal, a bar per epoch redrawn in place (batch k/n, running
 * loss, samples/s, ETA) that becomes a summary line with the validation metrics when the epoch ends;
 * plain summary lines when the stream is not a TTY or `CI` is set; one JSON object per epoch for
 * machines ('jsonl'). A small module of our own: a progress line is a dozen lines of code, and keel's
 * runtime dependencies stay few. It runs on the caller's thread and is passive (never slows training).
 */
import type { EpochLogs } from '../history.js';
import { type BatchLogs, Callback, type TrainLogs } from './callback.js';

/** How progress shows: a live bar per epoch, one summary line per epoch, or one JSON object per epoch. */
export type ProgressMode = 'bar' | 'lines' | 'jsonl';

/** Where progress goes: anything with write(string) (process.stderr, a file stream); isTTY enables the bar. */
export interface ProgressStream {
  /** Writes text (no newline added). */
  write(s: string): unknown;
  /** True for a terminal: enables the redrawn bar. */
  isTTY?: boolean;
  /** Terminal width in characters (the line is cut to fit); default 120. */
  columns?: number;
}

/** fit's `verbose` value → a mode, or null for silence. 'auto': bar on a TTY, lines otherwise or under CI. */
export function progressMode(verbose: 'auto' | ProgressMode | boolean, stream: ProgressStream, env: Record<string, string | undefined> = process.env): ProgressMode | null {
  if (verbose === false) return null;
  if (verbose === 'auto' || verbose === true) return stream.isTTY && !env.CI ? 'bar' : 'lines';
  return verbose;
}

/** 0.000123 → "1.230e-4", 12.5 → "12.50": four significant digits, fixed width where it can. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/** fit's progress display (its verbose option): a live bar per epoch on a terminal, summary lines otherwise, or one JSON object per epoch; passive, on the caller's thread. */
export class ProgressLogger extends Callback {
  private epochStart = 0;
  private lastDraw = 0;
  private seen = 0;
  private lossSum = 0;
  private epochNumber = 0;

  constructor(
    /** How progress shows. */
    readonly mode: ProgressMode,
    /** Where it is written (process.stderr for fit's verbose). */
    readonly stream: ProgressStream,
  ) {
    super();
  }

  override get passive(): boolean {
    return true;
  }

  private get total(): string {
    return String(this.context.params.epochs);
  }

  override onEpochBegin(epoch: number): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.seen = 0;
    this.lossSum = 0;
    this.epochNumber = epoch;
  }

  override onBatchEnd(batch: number, logs: BatchLogs): void {
    if (this.mode !== 'bar') return;
    this.seen += logs.size;
    this.lossSum += logs.loss * logs.size;
    const now = performance.now(), steps = this.context.params.stepsPerEpoch;
    if (now - this.lastDraw < REDRAW_MS && batch < steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const filled = Math.round((BAR_WIDTH * batch) / steps);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const rate = this.seen / Math.max(elapsed, 1e-9);
    const eta = (elapsed / batch) * (steps - batch);
    const line = `Epoch ${String(this.epochNumber).padStart(this.total.length)}/${this.total} ${bar} ${batch}/${steps}  loss ${formatValue(this.lossSum / this.seen)}  ${Math.round(rate)} samples/s  ETA ${formatSeconds(eta)}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (this.stream.columns ?? 120) - 1))}`);
  }

  override onEpochEnd(epoch: number, logs: EpochLogs): void {
    if (this.mode === 'jsonl') {
      this.stream.write(`${JSON.stringify({ event: 'epoch', ...logs })}\n`);
      return;
    }
    const parts = [`loss ${formatValue(logs.loss)}`];
    for (const [k, v] of Object.entries(logs.metrics)) if (!k.startsWith('val')) parts.push(`${k} ${formatValue(v)}`);
    if (logs.valLoss !== undefined) parts.push(`valLoss ${formatValue(logs.valLoss)}`);
    for (const [k, v] of Object.entries(logs.metrics)) if (k.startsWith('val')) parts.push(`${k} ${formatValue(v)}`);
    parts.push(`lr ${formatValue(logs.lr[0] ?? NaN)}`, `${formatSeconds(logs.seconds)}`, `${Math.round(logs.samplesPerSecond)} samples/s`);
    const clear = this.mode === 'bar' ? '\r\x1b[2K' : '';
    this.stream.write(`${clear}Epoch ${String(epoch).padStart(this.total.length)}/${this.total}  ${parts.join('  ')}\n`);
  }

  override onTrainEnd(_logs: TrainLogs): void {
    const h = this.context.history;
    if (this.mode === 'jsonl') {
      this.stream.write(`${JSON.stringify({ event: 'end', stopped: h.stopped, bestEpoch: h.bestEpoch, divergenceEpoch: h.divergenceEpoch })}\n`);
      return;
    }
    if (this.mode === 'bar') this.stream.write('\r\x1b[2K');
    const best = h.bestEpoch;
    const bestValue = best === null ? undefined : h.values(h.monitor)[best - h.epochs[0]!.epoch];
    const parts = [`${h.epochs.length} epoch${h.epochs.length === 1 ? '' : 's'} trained (${h.stopped ?? 'stopped'})`];
    if (best !== null && bestValue !== undefined) parts.push(`best ${h.monitor} ${formatValue(bestValue)} at epoch ${best}`);
    const d = h.divergenceEpoch;
    if (d !== null) parts.push(`validation loss diverged from training loss at epoch ${d}`);
    this.stream.write(`${parts.join('; ')}\n`);
  }
}
