/**
 * Parsing one command's arguments: node's util.parseArgs (strict: unknown options and missing values
 * are usage errors), `--help` on every command, and typed readers for the values, each of which names
 * the option, what it takes and what it got. A command describes itself once (Command); main.ts and
 * the help text both read that description.
 */
import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isTypoOf } from '../typo.js';
import { UsageError } from './errors.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Where a command writes: progress and human messages to `err`, results to `out`. */
export interface CommandIO {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export interface Command<T extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for `keel --help`. */
  summary: string;
  /** The command's --help text: usage, options, at least one example. */
  usage: string;
  options: T;
  /** Runs the command with the parsed values; resolves to the exit status (0 unless it says otherwise). */
  run(values: ParsedValues<T>, positionals: string[], io: CommandIO): Promise<number | void>;
  /** Positional arguments allowed (default none). */
  positionals?: boolean;
}

export type ParsedValues<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>>['values'];

/** Defines a command with its option types inferred from `options`. */
export function defineCommand<const T extends OptionSpecs>(command: Command<T>): Command<T> {
  return command;
}

/**
 * A command with a `config` option reads options from a JSON file: `--config FILE` holding
 * { "option-name": value, ... } (what `keel tune` writes for `keel train`). Its options go in front of
 * the command line, so a flag given on the command line wins (parseArgs keeps an option's last value).
 */
function withConfigFile(options: OptionSpecs, argv: string[]): string[] {
  const at = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (!('config' in options) || at < 0) return argv;
  const file = argv[at]!.startsWith('--config=') ? argv[at]!.slice('--config='.length) : argv[at + 1];
  if (file === undefined || file.startsWith('--')) throw new UsageError('--config needs a file: --config FILE.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read it as JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`--config ${file} must hold a JSON object of option names and values, got ${JSON.stringify(json)}`);
  const args: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    const spec = options[key];
    if (spec === undefined || key === 'config') throw new UsageError(`--config ${file}: unknown option "${key}"`);
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw new UsageError(`--config ${file}: "${key}" must be true or false, got ${JSON.stringify(value)}`);
      if (value) args.push(`--${key}`);
    } else {
      if (typeof value !== 'string' && typeof value !== 'number') throw new UsageError(`--config ${file}: "${key}" must be a string or a number, got ${JSON.stringify(value)}`);
      args.push(`--${key}=${value}`);
    }
  }
  return [...args, ...argv];
}

/**
 * A usage error about an option whose value came from the --config file (not the command line) says
 * so, since the user is looking at the command line: "--epochs must be … (from --config best.json)".
 */
export function blameConfigFile(e: unknown, argv: readonly string[]): void {
  const at = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (!(e instanceof UsageError) || at < 0) return;
  const file = argv[at]!.startsWith('--config=') ? argv[at]!.slice('--config='.length) : argv[at + 1];
  const flag = /^--([a-z][a-z0-9-]*)\b/.exec(e.message)?.[1];
  if (file === undefined || flag === undefined || flag === 'config') return;
  if (argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))) return; // typed on the command line
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  if (typeof config === 'object' && config !== null && flag in config) e.message += ` (from --config ${file})`;
}

/** A negative number as an option's value (`--lr -0.1`), which parseArgs would take for an option. */
const NEGATIVE = /^-(\d|\.\d)/;

/** `--name -1` as `--name=-1` for options that take a value, so the option's own check judges the number. */
function joinNegativeValues(options: OptionSpecs, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && NEGATIVE.test(argv[i + 1] ?? '')) out.push(`--${name}=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

/** parseArgs' error in the CLI's words: the flag, what is wrong, and the flag that was probably meant. */
function parseArgsError(e: Error & { code?: string }, options: OptionSpecs): UsageError {
  const flag = /Option '(-[^ ']+)/.exec(e.message)?.[1] ?? /Unknown option '([^']+)'/.exec(e.message)?.[1];
  let message = e.message;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const near = Object.keys(options).find((o) => isTypoOf(flag.replace(/^-+/, ''), o));
    message = `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`;
  } else if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    message = options[flag.replace(/^-+/, '')]?.type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value`;
  }
  return new UsageError(message, { cause: e });
}

/** Parses argv for `command`: null when --help was asked (the caller prints the usage). */
export function parseCommand<T extends OptionSpecs>(command: Command<T>, argv: string[]): { values: ParsedValues<T>; positionals: string[] } | null {
  if (argv.includes('--help') || argv.includes('-h')) return null;
  let parsed;
  try {
    const args = joinNegativeValues(command.options, withConfigFile(command.options, argv));
    parsed = parseArgs({ args, options: command.options, strict: true, allowPositionals: true });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw parseArgsError(e as Error & { code?: string }, command.options);
  }
  if (!command.positionals && parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
  return { values: parsed.values as ParsedValues<T>, positionals: parsed.positionals };
}

/** Decimal notation, with an exponent allowed (3, -0.5, 1e-3, 2.5E4): not hex (0x10), binary or blanks, which Number() also reads. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** An integer option in [min, max], written in decimal. */
export function intOption(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!DECIMAL.test(text) || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  return v;
}

/** A comma-separated list of values from `allowed`, without repeats, in the order given. */
export function listOption<const A extends readonly string[]>(name: string, text: string, allowed: A): A[number][] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item)) throw new UsageError(`--${name} takes a comma-separated list of ${allowed.join(', ')}; got "${item}" in "${text}"`);
  }
  if (new Set(items).size !== items.length) throw new UsageError(`--${name} lists a value twice: "${text}"`);
  return items as A[number][];
}

/** A number option in [min, max] (in (min, max) when `open`), in decimal or exponent notation (0.001, 1e-3). */
export function numberOption(name: string, text: string, min: number, max: number, open = false): number {
  const v = Number(text);
  const inside = open ? v > min && v < max : v >= min && v <= max;
  if (!DECIMAL.test(text) || !Number.isFinite(v) || !inside) throw new UsageError(`--${name} must be a number in ${open ? '(' : '['}${min}, ${max}${open ? ')' : ']'}, got "${text}"`);
  return v;
}

/** The value of an option the command cannot run without. */
export function requiredOption<T>(name: string, value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`--${name} is required: ${what}`);
  return value;
}

/** A usage error when any of `names` was given: those options do not apply to `context`. */
export function rejectOptions(values: Record<string, unknown>, names: readonly string[], context: string): void {
  const given = names.find((n) => values[n] !== undefined && values[n] !== false);
  if (given !== undefined) throw new UsageError(`--${given} does not apply to ${context}`);
}
