#!/usr/bin/env node
/**
 * The `keel` executable (package.json "bin"): `keel <command> [options]`. It finds the command, parses
 * its options, runs it and turns the outcome into an exit status — 0 success, 1 runtime failure,
 * 2 usage error (bad command line: the message says what was wrong and points at --help); errors.ts
 * maps error classes to statuses. Human output goes to stderr (progress and `name: message` of a
 * failure) and stdout (results); `--json` commands print one JSON value on stdout.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { blameConfigFile, type CommandIO, parseCommand } from './args.js';
import { exitStatus, UsageError } from './errors.js';
import { version } from '../version.js';

type Commands = (typeof import('./commands/index.js'))['COMMANDS'];

/**
 * The commands, imported when the CLI runs rather than with this module: importing them loads the
 * kernels, which throws a BackendError on a bad KEEL_BACKEND, KEEL_CPU or KEEL_NUM_THREADS — and a
 * throw while modules load would print a stack trace instead of keel's one-line message.
 */
async function loadCommands(): Promise<Commands> {
  return (await import('./commands/index.js')).COMMANDS;
}

function mainUsage(commands: Commands): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `keel ${version()} — train Conv1d/BatchNorm/Dropout networks in Node.js

Usage: keel <command> [options]      (keel <command> --help for a command's options)

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Example:
  keel demo            the regularisation study on the built-in data (about a minute)
`;
}

/** Runs the CLI on `argv` (without node and the script) and resolves to the exit status. */
export async function runCli(argv: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  // `keel help train` is `keel train --help`.
  const [name, ...rest] = argv[0] === 'help' && argv[1] !== undefined ? [argv[1], '--help'] : argv;
  if (name === '--version' || name === '-v') {
    io.out.write(`${version()}\n`);
    return 0;
  }
  let commands: Commands;
  try {
    commands = await loadCommands();
  } catch (e) {
    // The loader's messages start with "keel: " already.
    io.err.write(`keel: ${e instanceof Error ? `${e.name}: ${e.message.replace(/^keel: /, '')}` : String(e)}\n`);
    return exitStatus(e);
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(mainUsage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; the commands are ${commands.map((c) => c.name).join(', ')}`);
    const parsed = parseCommand(command, rest);
    if (parsed === null) {
      io.out.write(command.usage);
      return 0;
    }
    return (await command.run(parsed.values, parsed.positionals, io)) ?? 0;
  } catch (e) {
    blameConfigFile(e, rest);
    const status = exitStatus(e);
    io.err.write(`keel${command ? ` ${command.name}` : ''}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    if (status === 2) io.err.write(`Run "keel ${command ? `${command.name} ` : ''}--help" for usage.\n`);
    else if (process.env.KEEL_DEBUG) io.err.write(`${(e as Error).stack}\n`);
    return status;
  }
}

/** Whether this file is the program node was started with (through npm's .bin symlink too). */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

// No top-level await: the module graph stays loadable by require() (issue 11).
if (isMain()) {
  // `keel predict … | head`: once the reader has gone, stop quietly, as Unix tools do, instead of
  // dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  // The library's warnings (process.emitWarning: a pitfall of the model, a fit moved to the caller's
  // thread) as keel's own lines, without node's "(node:PID) [CODE] Warning:" frame and its hint at
  // --trace-warnings, which speak to a developer of the program, not to its user. Only where node
  // would print them: --no-warnings and NODE_NO_WARNINGS=1 still silence them.
  // `keel build` is what the no-addon warning asks for: running it needs no such warning.
  if (process.listenerCount('warning') > 0) {
    const building = process.argv[2] === 'build';
    process.removeAllListeners('warning');
    process.on('warning', (w: Error & { code?: string }) => {
      if (building && w.code === 'KEEL_NO_NATIVE') return;
      process.stderr.write(`keel: warning: ${w.message.replace(/^keel: /, '')}\n`);
    });
  }
  void runCli(process.argv.slice(2)).then((status) => (process.exitCode = status));
}
