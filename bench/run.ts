/**
 * Benchmark runner: times every case of ./cases.ts on the JS reference kernels and on the native
 * addon, and prints an aligned table or (with --json) one JSON object per line in the format of the
 * PyTorch anchor script, so the two can be compared line by line.
 *
 *   npm run bench -- [--case SUBSTRING] [--impl ref,native] [--threads N] [--json]
 *   npx tsx bench/run.ts --case conv1d --impl native --json
 *
 * The native kernel set is chosen as the library chooses it with KEEL_BACKEND=native: the CPU level
 * is KEEL_CPU if set, else the detected one, and KEEL_ADDON_PATH selects the addon file. If the
 * addon cannot be loaded, native is skipped with a message (and the run fails if nothing is left).
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type KernelSet, referenceKernels } from '../src/backend/kernel-set.js';
import { type BackendInfo, loadBackend } from '../src/backend/loader.js';
import { type BenchCase, CASES } from './cases.js';
import { medianMs, NATIVE_POLICY, REF_POLICY, type Timing, type TimingPolicy } from './timing.js';

type ImplName = 'ref' | 'native';
const IMPL_NAMES: readonly ImplName[] = ['ref', 'native'];

interface Impl {
  name: ImplName;
  kernels: KernelSet;
  policy: Readonly<TimingPolicy>;
  /** The variant of each kernel ('js' for ref; 'scalar', 'avx2', ... for native). */
  variant: (k: BenchCase['kernels'][number]) => string;
}

const USAGE = `Usage: tsx bench/run.ts [options]

  --case SUBSTRING   only the cases whose name contains SUBSTRING
  --impl LIST        comma-separated implementations: ref, native (default: ref,native)
  --threads N        thread count to record in the output (default: 1)
  --json             one JSON object per line: {"case", "impl", "ms", "runs", "threads"}
  --help             this text

Environment: KEEL_CPU=scalar|avx2|avx512|neon forces the native CPU level; KEEL_ADDON_PATH the addon file.

Cases:
${CASES.map((c) => `  ${c.name.padEnd(20)} ${c.what}`).join('\n')}
`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function parseCli() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        case: { type: 'string' },
        impl: { type: 'string', default: 'ref,native' },
        threads: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const impls = values.impl.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const i of impls) {
    if (!(IMPL_NAMES as readonly string[]).includes(i)) fail(`--impl: unknown implementation "${i}" (known: ${IMPL_NAMES.join(', ')})`);
  }
  if (impls.length === 0) fail('--impl: no implementation given');
  // Recorded only: the kernels are single-threaded for now. The thread pool arrives with the SIMD
  // issue, which will pass this count to the addon; until then every run uses one thread whatever N is.
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) fail(`--threads must be a positive integer, got "${values.threads}"`);
  const filter = values.case ?? '';
  const cases = CASES.filter((c) => c.name.includes(filter));
  if (cases.length === 0) fail(`--case "${filter}" matches no case (cases: ${CASES.map((c) => c.name).join(', ')})`);
  return { impls: [...new Set(impls)] as ImplName[], threads, json: values.json, cases };
}

/** The native kernel set with KEEL_BACKEND=native semantics, or null (with a message) when the addon is unusable. */
function loadNative(): { kernels: KernelSet; info: BackendInfo } | null {
  try {
    const loaded = loadBackend({ env: { ...process.env, KEEL_BACKEND: 'native' } });
    return { kernels: loaded.kernels, info: loaded.info };
  } catch (e) {
    process.stderr.write(`bench: skipping native — ${(e as Error).message}\n`);
    return null;
  }
}

function loadImpls(names: readonly ImplName[]): { impls: Impl[]; native: BackendInfo | null } {
  const impls: Impl[] = [];
  let native: BackendInfo | null = null;
  for (const name of names) {
    if (name === 'ref') {
      impls.push({ name, kernels: referenceKernels, policy: REF_POLICY, variant: () => 'js' });
    } else {
      const n = loadNative();
      if (!n) continue;
      native = n.info;
      impls.push({ name, kernels: n.kernels, policy: NATIVE_POLICY, variant: (k) => n.info.variants[k] });
    }
  }
  return { impls, native };
}

// --- table output ---------------------------------------------------------------------------------

const COLUMNS = [
  { title: 'case', width: 18, left: true },
  { title: 'impl', width: 6, left: true },
  { title: 'variant', width: 8, left: true },
  { title: 'median ms', width: 11, left: false },
  { title: 'runs', width: 5, left: false },
  { title: 'throughput', width: 15, left: false },
  { title: 'ref/native', width: 10, left: false },
] as const;

function row(cells: readonly string[]): string {
  return COLUMNS.map((c, i) => (c.left ? cells[i]!.padEnd(c.width) : cells[i]!.padStart(c.width))).join('  ').trimEnd();
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(3) : ms.toFixed(4);
}

function throughput(c: BenchCase, ms: number): string {
  if (c.flops !== undefined) return `${(c.flops / (ms * 1e6)).toFixed(2)} GFLOP/s`;
  if (c.bytes !== undefined) return `${(c.bytes / (ms * 1e6)).toFixed(2)} GB/s`;
  return '-';
}

function header(impls: readonly Impl[], native: BackendInfo | null, threads: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `keel bench — node ${process.version}, ${process.platform}-${process.arch}, ${cpu} (${cpus().length} logical CPUs)`,
    `threads: ${threads} (recorded only; the kernels are single-threaded until the thread pool lands)`,
    `impls: ${impls.map((i) => i.name).join(', ')}`,
  ];
  if (native) {
    const counts = new Map<string, number>();
    for (const v of Object.values(native.variants)) counts.set(v, (counts.get(v) ?? 0) + 1);
    const variants = [...counts].map(([v, n]) => `${v} x${n}`).join(', ');
    lines.push(
      `native: level ${native.isa}${process.env.KEEL_CPU ? ' (KEEL_CPU)' : ''}, detected ${native.detectedIsa}, ` +
        `supported ${native.supportedIsas.join('/')}; kernel variants ${variants}; ${native.addonPath}`,
    );
  }
  lines.push(
    `timing (median of the timed runs): ${impls.map((i) => `${i.name} ${policyText(i.policy)}`).join('; ')}`,
    '',
    row(COLUMNS.map((c) => c.title)),
    row(COLUMNS.map((c) => '-'.repeat(c.width))),
  );
  return lines.join('\n');
}

function policyText(p: Readonly<TimingPolicy>): string {
  return `${p.warmup} warm-up, >= ${p.minRuns} runs and >= ${p.minSeconds} s (max ${p.maxRuns})`;
}

// --- main -----------------------------------------------------------------------------------------

function main(): void {
  const opts = parseCli();
  const { impls, native } = loadImpls(opts.impls);
  if (impls.length === 0) {
    process.stderr.write('bench: nothing to run (no implementation could be loaded)\n');
    process.exit(1);
  }
  if (!opts.json) console.log(header(impls, native, opts.threads));

  let failed = false;
  for (const c of opts.cases) {
    const bind = c.setup(); // inputs allocated and filled once per case, shared by the impls
    const times = new Map<ImplName, number>();
    for (const impl of impls) {
      let t: Timing;
      try {
        t = medianMs(bind(impl.kernels), impl.policy);
      } catch (e) {
        failed = true;
        process.stderr.write(`bench: ${c.name} [${impl.name}] failed: ${(e as Error).message}\n`);
        continue;
      }
      times.set(impl.name, t.ms);
      if (opts.json) {
        const ms = Math.round(t.ms * 1e4) / 1e4; // 4 decimals, as the PyTorch script prints
        console.log(JSON.stringify({ case: c.name, impl: impl.name, ms, runs: t.runs, threads: opts.threads }));
      } else {
        const variants = [...new Set(c.kernels.map(impl.variant))].join('+');
        const ref = times.get('ref'), nat = times.get('native');
        // The ratio goes on the case's second row, once both times are known.
        const ratio = ref !== undefined && nat !== undefined ? `${(ref / nat).toFixed(1)}x` : '';
        console.log(row([c.name, impl.name, variants, formatMs(t.ms), String(t.runs), throughput(c, t.ms), ratio]));
      }
    }
  }
  if (failed) process.exitCode = 1;
}

main();
