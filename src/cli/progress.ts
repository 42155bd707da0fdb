/**
 * The CLI's progress line for runs of several fits (keel demo): on a terminal, one line redrawn in
 * place per epoch ("[2/5] dropout  epoch 12/40  train 9.8  val 14.2 cycles"); elsewhere (a pipe, a CI
 * log) one line per finished fit, so logs stay short. Written to stderr, never to stdout.
 */
import type { CommandIO } from './args.js';

export class RunProgress {
  readonly #err: CommandIO['err'];
  readonly #tty: boolean;
  #drawn = false;

  constructor(io: CommandIO) {
    this.#err = io.err;
    this.#tty = Boolean(io.err.isTTY) && !process.env.CI;
  }

  /** An epoch ended: redraw the line (terminals only). */
  epoch(text: string): void {
    if (!this.#tty) return;
    const width = Math.max(20, (this.#err.columns ?? 80) - 1);
    this.#err.write(`\r\x1b[2K${text.slice(0, width)}`);
    this.#drawn = true;
  }

  /** A fit finished: a permanent line. */
  done(text: string): void {
    this.#clear();
    this.#err.write(`${text}\n`);
  }

  #clear(): void {
    if (this.#drawn) this.#err.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
