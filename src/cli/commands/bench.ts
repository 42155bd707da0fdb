/**
 * `keel bench`: times the layer-level cases of ../bench-cases.ts on this machine (median of N runs,
 * samples/s) and prints a table, or one JSON object with the backend and CPU it ran on — numbers are
 * meaningless without them. The default run takes a few seconds.
 */
import { availableParallelism, cpus } from 'node:os';
import { backendInfo, getNumThreads } from '../../backend/index.js';
import { defineCommand, intOption } from '../args.js';
import { applyThreads } from '../threads.js';
import { BENCH_CASES, runCase } from '../bench-cases.js';
import { UsageError } from '../errors.js';
import { version } from '../../version.js';

export const bench = defineCommand({
  name: 'bench',
  summary: 'time a backbone training step, its eval forward and an MLP step on this machine',
  usage: `Usage: keel bench [options]

Times layer-level cases through keel's public API on the kernels this installation selected
(keel info says which): the median of --repeats runs after --warmup untimed ones, and samples/s.
The cases:
${BENCH_CASES.map((c) => `  ${c.name.padEnd(20)} ${c.what}`).join('\n')}
The full suite (kernel-level cases, the JS reference, PyTorch ratios) is "npm run bench" in a
checkout of the keel repository; it is not part of the package.

Options:
  --cases LIST        comma-separated substrings of case names to run (default all)
  --repeats N         timed runs per case (default 20)
  --warmup N          untimed runs first (default 3)
  --threads N         native kernel threads (default: all cores)
  --json              one JSON object on stdout
  -h, --help          this text

Examples:
  keel bench
  keel bench --cases backbone --repeats 50 --json
`,
  options: {
    cases: { type: 'string' },
    repeats: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(values, _positionals, io) {
    const repeats = intOption('repeats', values.repeats, 1, 100000);
    const warmup = intOption('warmup', values.warmup, 0, 100000);
    applyThreads(values.threads, io.err);
    const patterns = values.cases?.split(',').map((s) => s.trim());
    if (patterns?.some((p) => p === '')) throw new UsageError(`--cases must be a comma-separated list of parts of case names, got "${values.cases}"`);
    const cases = patterns ? BENCH_CASES.filter((c) => patterns.some((p) => c.name.includes(p))) : BENCH_CASES;
    if (cases.length === 0) throw new UsageError(`--cases "${values.cases}" matches no case; the cases are ${BENCH_CASES.map((c) => c.name).join(', ')}`);

    const b = backendInfo();
    const machine = { keel: version(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), backend: b.backend, isa: b.isa, threads: getNumThreads() };
    if (!values.json) io.err.write(`keel bench: ${machine.cpu}, ${machine.backend} kernels (${machine.isa}), ${machine.threads} threads; median of ${repeats} runs\n`);
    const results = [];
    for (const c of cases) {
      // Synchronous timing loops: yield between cases so the progress line reaches the terminal.
      await new Promise((r) => setImmediate(r));
      results.push(runCase(c, repeats, warmup));
    }

    if (values.json) {
      io.out.write(`${JSON.stringify({ ...machine, repeats, warmup, cases: results })}\n`);
      return 0;
    }
    const width = Math.max(4, ...results.map((r) => r.name.length));
    const lines = [`${'case'.padEnd(width)}  ${'batch'.padStart(5)}  ${'median ms'.padStart(10)}  ${'min ms'.padStart(8)}  ${'samples/s'.padStart(10)}`];
    for (const r of results) {
      lines.push(`${r.name.padEnd(width)}  ${String(r.batch).padStart(5)}  ${r.medianMs.toFixed(2).padStart(10)}  ${r.minMs.toFixed(2).padStart(8)}  ${Math.round(r.samplesPerSecond).toString().padStart(10)}`);
    }
    io.out.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
