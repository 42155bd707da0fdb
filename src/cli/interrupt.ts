/**
 * Ctrl-C and `kill` for the commands that train for a long time (train, tune). The first SIGINT or
 * SIGTERM aborts the AbortSignal the command hands to fit or tune: the running epoch stops at a batch
 * boundary, and the command keeps what had finished — train writes the model and report of the
 * completed epochs, tune the finished trials — then exits 130 or 143, the status a shell reports for
 * a process that the signal ended (128 + its number). The handlers come off at the first signal, so a
 * second Ctrl-C ends the process at once, as it would have without keel.
 */
import type { CommandIO } from './args.js';

const EXIT_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;
type Caught = keyof typeof EXIT_STATUS;

export interface Interrupt {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** 130 after a SIGINT, 143 after a SIGTERM, null when neither came. */
  exitStatus(): number | null;
  /** Removes the handlers (call in a finally). */
  dispose(): void;
}

/** Catches the first SIGINT or SIGTERM; `keeping` says on stderr what the command keeps ("the finished trials"). */
export function catchInterrupt(io: CommandIO, command: string, keeping: string): Interrupt {
  const controller = new AbortController();
  let caught: Caught | null = null;
  const handlers = (Object.keys(EXIT_STATUS) as Caught[]).map((name) => {
    const handler = () => {
      dispose();
      caught = name;
      io.err.write(`\nkeel ${command}: ${name} — stopping after the current batch and keeping ${keeping} (again to quit at once)\n`);
      controller.abort(new Error(`keel ${command} received ${name}`));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  function dispose(): void {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  }
  return { signal: controller.signal, exitStatus: () => (caught === null ? null : EXIT_STATUS[caught]), dispose };
}

/** When the interrupt came before the first epoch finished: nothing to keep. Returns the exit status. */
export function nothingTrained(io: CommandIO, interrupt: Interrupt): number {
  io.err.write('keel train: interrupted before the first epoch finished; nothing written\n');
  return interrupt.exitStatus() ?? 1;
}
