/**
 * The benchmarks' command lines: strict option parsing with --help, and usage errors that print the
 * problem and the usage and exit with status 2 (what run.ts, compare.ts and fit.ts share).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Prints `prog: message` to stderr and exits with status 2. */
export function usageError(prog: string, message: string): never {
  process.stderr.write(`${prog}: ${message}\n`);
  process.exit(2);
}

type WithHelp<T extends Options> = T & { help: { type: 'boolean'; default: false } };

type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ options: WithHelp<T>; strict: true; allowPositionals: false }>>['values'];

/** The parsed options (strict, no positionals); --help prints `usage` and exits 0; a bad option exits 2. */
export function parseCli<const T extends Options>(prog: string, usage: string, options: T): Parsed<T> {
  const config = { options: { ...options, help: { type: 'boolean', default: false } } as WithHelp<T>, strict: true as const, allowPositionals: false as const };
  const parse = (): Parsed<T> => {
    try {
      return parseArgs(config).values as Parsed<T>;
    } catch (e) {
      return usageError(prog, `${(e as Error).message}\n\n${usage}`);
    }
  };
  const values = parse();
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return values;
}

/** The integer value of option --name, at least `min`; anything else is a usage error. */
export function intOption(prog: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) usageError(prog, `--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}
