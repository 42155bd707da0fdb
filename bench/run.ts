/**
 * Benchmark runner: times the cases of ./cases.ts on the JS reference and on the native addon,
 * measures the machine's stream bandwidth and FMA peak in the same run (./machine.ts), and prints
 * an aligned table or (with --json) one JSON object per line in the format of bench/torch_cases.py,
 * so the two can be compared line by line (bench/compare.ts does that, with the issue's targets).
 *
 *   npm run bench -- [--case SUBSTRING] [--impl ref,native] [--threads N] [--json]
 *   npx tsx bench/run.ts --case conv1d --impl native --json
 *
 * The native kernel set is chosen as the library chooses it with KEEL_BACKEND=native: the CPU level
 * is KEEL_CPU if set, else the detected one, and KEEL_ADDON_PATH selects the addon file. If the
 * addon cannot be loaded, native is skipped with a message (and the run fails if nothing is left).
 */
import { readFileSync } from 'node:fs';
import { parseCli, usageError } from './cli.js';
import { CASES } from './cases.js';
import { machineJsonLines, type MachineFigures, measureMachine, remeasureMachine } from './machine.js';
import {
  formatMs, formatRatio, formatRoof, formatThroughput, machineText, policyText, roofFraction, sessionText, table,
} from './report.js';
import { type CaseResult, DEFAULT_THREADS, IMPL_NAMES, type ImplName, openSession, resultJson, runCase, selectCases } from './suite.js';
import { NATIVE_POLICY, REF_POLICY } from './timing.js';
import { findTorch, parseTorchLines, runTorchCases, type TorchResult } from './torch.js';

const USAGE = `Usage: tsx bench/run.ts [options]

  --case SUBSTRING       only the cases whose name contains SUBSTRING
  --impl LIST            comma-separated implementations: ref, native (default: ref,native)
  --threads N            native thread pool size, set with setNumThreads (default: ${DEFAULT_THREADS})
  --json                 one JSON object per line: {"case", "impl", "ms", "runs", "threads"},
                         plus "machine.stream" / "machine.fma_peak" lines with the machine figures
  --no-machine           do not measure the stream bandwidth and FMA peak
  --torch                also run bench/torch_cases.py (python3 with torch) first, for the torch/x column
  --torch-results FILE   read PyTorch results (JSON lines of torch_cases.py) for the torch/x column
  --help                 this text

Environment: KEEL_CPU=scalar|avx2|avx512|neon forces the native CPU level; KEEL_ADDON_PATH the addon
file; KEEL_BENCH_PYTHON the Python with torch; KEEL_BENCH_BIN_DIR the CMake build of native/bench.

Cases:
${CASES.map((c) => `  ${c.name.padEnd(20)} ${c.what}`).join('\n')}
`;

function fail(message: string): never {
  return usageError('bench', message);
}

function parseOptions() {
  const values = parseCli('bench', USAGE, {
    case: { type: 'string' },
    impl: { type: 'string', default: 'ref,native' },
    threads: { type: 'string', default: String(DEFAULT_THREADS) },
    json: { type: 'boolean', default: false },
    'no-machine': { type: 'boolean', default: false },
    torch: { type: 'boolean', default: false },
    'torch-results': { type: 'string' },
    exact: { type: 'boolean', default: false }, // internal: --case is a full name (child runs)
  });
  const impls = values.impl.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const i of impls) {
    if (!(IMPL_NAMES as readonly string[]).includes(i)) fail(`--impl: unknown implementation "${i}" (known: ${IMPL_NAMES.join(', ')})`);
  }
  if (impls.length === 0) fail('--impl: no implementation given');
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) fail(`--threads must be an integer in [1, 1024], got "${values.threads}"`);
  const filter = values.case ?? '';
  const cases = selectCases(filter, values.exact);
  if (cases.length === 0) fail(`--case "${filter}" matches no case (cases: ${CASES.map((c) => c.name).join(', ')})`);
  return {
    impls: [...new Set(impls)] as ImplName[],
    threads,
    json: values.json,
    machine: !values['no-machine'],
    torch: values.torch,
    torchResults: values['torch-results'],
    filter,
    cases,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const warn = (m: string) => process.stderr.write(`bench: ${m}\n`);

  // PyTorch first (its own process, before keel loads anything), when asked for.
  let torch = new Map<string, TorchResult>();
  if (opts.torchResults) torch = parseTorchLines(readFileSync(opts.torchResults, 'utf8'));
  if (opts.torch) {
    const t = findTorch();
    if ('problem' in t) warn(`--torch: ${t.problem}; no torch/x column`);
    else {
      const r = runTorchCases(t, opts.threads, opts.filter);
      if (r.problem) warn(r.problem);
      for (const [k, v] of r.results) torch.set(k, v);
    }
  }

  const machine: MachineFigures | null = opts.machine ? measureMachine(opts.threads) : null;
  const session = await openSession(opts.threads, opts.impls.includes('native'));
  if (opts.impls.includes('native') && !session.native) warn(`skipping native — ${session.nativeProblem ?? 'not loaded'}`);
  const pool = session.keel.getNumThreads();
  if (session.native && pool !== opts.threads) warn(`the native pool has ${pool} threads, not the ${opts.threads} asked for`);

  if (opts.json) {
    if (machine) for (const l of machineJsonLines(machine)) console.log(l);
  } else {
    console.log(
      [
        ...sessionText(session),
        ...machineText(machine, opts.threads),
        `timing (median of the timed runs): ${policyText('native', NATIVE_POLICY)}; ${policyText('ref', REF_POLICY)}`,
        torch.size > 0 ? `PyTorch: ${[...torch.values()][0]!.impl} at ${[...torch.values()][0]!.threads} threads` : '',
        '',
      ].filter((l, i, a) => l !== '' || i === a.length - 1).join('\n'),
    );
  }

  const rows: string[][] = [];
  let failures = 0, ran = 0;
  for (const c of opts.cases) {
    const { results, failures: f } = runCase(session, c, opts.impls, warn);
    failures += f;
    ran += results.length;
    const ref = results.find((r) => r.impl === 'ref');
    for (const r of results) {
      if (opts.json) {
        console.log(resultJson(r));
        continue;
      }
      const t = torch.get(c.name);
      rows.push([
        c.name, r.impl, r.variant, formatMs(r.ms), String(r.runs), String(r.threads), formatThroughput(c, r.ms),
        formatRoof(roofFraction(c, r.ms, r.threads, machine)),
        r.impl === 'ref' || !ref ? '' : formatRatio(ref.ms / r.ms),
        t ? formatRatio(t.ms / r.ms) : '',
      ] satisfies string[]);
      progress(r);
    }
  }
  const drift = remeasureMachine(machine, opts.threads);
  for (const w of drift) warn(w);
  if (opts.json && machine) for (const l of machineJsonLines(machine, 'end')) console.log(l);
  if (!opts.json) {
    console.log(
      table(
        [
          { title: 'case', left: true }, { title: 'impl', left: true }, { title: 'variant', left: true }, { title: 'median ms' },
          { title: 'runs' }, { title: 'thr' }, { title: 'throughput' }, { title: 'of roof' }, { title: 'ref/x' }, { title: 'torch/x' },
        ],
        rows,
      ),
    );
    console.log('\nof roof: GB/s over the stream copy bandwidth, or GFLOP/s over the FMA peak, each measured at the same thread count.');
    console.log('ref/x, torch/x: the reference\'s (or PyTorch\'s) median over this row\'s; above 1x this row is faster.');
    for (const w of drift) console.log(w);
  }
  if (ran === 0) {
    warn('nothing ran');
    process.exitCode = 1;
  }
  if (failures > 0) process.exitCode = 1;
}

/** Progress on stderr for the readable table (it is printed at the end, aligned). */
function progress(r: CaseResult): void {
  if (process.stderr.isTTY) process.stderr.write(`  ${r.case} [${r.impl}] ${formatMs(r.ms)} ms\n`);
}

await main();
