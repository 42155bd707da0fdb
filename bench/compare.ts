/**
 * Side by side: keel against PyTorch (and onnxruntime-node for backbone.eval.fwd) in one run, at the
 * same thread count, with the SIMD issue's required ratios (./targets.ts).
 *
 *   npm run bench:compare -- [--threads 2] [--case SUBSTRING] [--ort-dir DIR] [--json]
 *
 * 1. the machine figures (stream bandwidth, FMA peak: ./machine.ts);
 * 2. PyTorch: bench/torch_cases.py with python3 + torch (KEEL_BENCH_PYTHON, /usr/bin/python3,
 *    python3), which also exports the eval backbone to ONNX when onnxruntime-node is available, and
 *    says which BLAS PyTorch's GEMMs run on: the report's header gives it with a verdict, and a loud
 *    warning when it is not an optimised one (the reference BLAS makes PyTorch's Linear ~10x slower,
 *    and OpenBLAS's pre-AVX kernels, its fallback for a CPU newer than the release, ~4.6x: the script
 *    then runs itself again with OPENBLAS_CORETYPE set);
 * 3. keel: the same cases on the native addon (KEEL_ADDON_PATH, KEEL_CPU as for bench/run.ts);
 * 4. onnxruntime-node's session.run on the exported backbone, batch 256, when it is resolvable
 *    (optional, never a dependency: see bench/README.md).
 * Then one row per case: torch ms, keel ms, torch/keel, the required ratio and PASS/MISS, keel's
 * throughput and fraction of the machine's roof with the issue's machine-relative bar. Without
 * torch it says so and prints keel's numbers only. The exit status is 0 unless something failed to
 * run: a MISS is a result, not an error.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli, usageError } from './cli.js';
import { CASES } from './cases.js';
import { machineJsonLines, type MachineFigures, measureMachine, remeasureMachine } from './machine.js';
import { loadOrt, type Ort, timeOrtBackbone } from './ort.js';
import {
  formatMs, formatRatio, formatRoof, formatThroughput, loadText, machineText, policyText, roofFraction, sessionText, table,
} from './report.js';
import { type CaseResult, DEFAULT_THREADS, openSession, resultJson, runCase, selectCases } from './suite.js';
import { FMA_FRACTION, ORT_RATIO, STREAM_FRACTION, TARGETS } from './targets.js';
import { NATIVE_POLICY, type Timing } from './timing.js';
import {
  blasVerdict, findTorch, parseTorchOutput, runTorchCases, type TorchBlas, type TorchPython, type TorchResult, torchEnvText,
} from './torch.js';

const USAGE = `Usage: tsx bench/compare.ts [options]   (npm run bench:compare -- [options])

  --threads N            threads for keel's pool, torch.set_num_threads and onnxruntime (default: ${DEFAULT_THREADS})
  --case SUBSTRING       only the cases whose name contains SUBSTRING
  --ort-dir DIR          where onnxruntime-node is installed (also KEEL_BENCH_ORT_DIR; default: resolve from here)
  --onnx-model PATH      the eval backbone as ONNX (default: exported by torch_cases.py --onnx in this run)
  --no-ort               skip onnxruntime-node
  --no-torch             skip PyTorch (keel's numbers only)
  --torch-results FILE   use recorded PyTorch results (JSON lines of torch_cases.py) instead of running it
  --interleave           per case, PyTorch then keel (one torch_cases.py process per case): on a busy
                         machine both sides of a ratio then see about the same load
  --no-machine           skip the stream / FMA peak measurement
  --json                 JSON lines instead of the table: machine, torch's BLAS ("case": "blas"), torch, keel
                         ("impl": "native") and ort rows
  --help                 this text
`;

function fail(message: string): never {
  return usageError('bench:compare', message);
}

function parseOptions() {
  const values = parseCli('bench:compare', USAGE, {
    threads: { type: 'string', default: String(DEFAULT_THREADS) },
    case: { type: 'string', default: '' },
    'ort-dir': { type: 'string' },
    'onnx-model': { type: 'string' },
    'no-ort': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'torch-results': { type: 'string' },
    'no-machine': { type: 'boolean', default: false },
    interleave: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) fail(`--threads must be an integer in [1, 1024], got "${values.threads}"`);
  const cases = selectCases(values.case);
  if (cases.length === 0) fail(`--case "${values.case}" matches no case (cases: ${CASES.map((c) => c.name).join(', ')})`);
  return {
    threads,
    filter: values.case,
    cases,
    ortDir: values['ort-dir'] ?? process.env.KEEL_BENCH_ORT_DIR,
    onnxModel: values['onnx-model'],
    ort: !values['no-ort'],
    torch: !values['no-torch'],
    torchResults: values['torch-results'],
    machine: !values['no-machine'],
    interleave: values.interleave,
    json: values.json,
  };
}

const ORT_CASE = 'backbone.eval.fwd';

async function main(): Promise<void> {
  const opts = parseOptions();
  const notes: string[] = [];
  const warn = (m: string) => process.stderr.write(`bench:compare: ${m}\n`);
  const wantOrt = opts.ort && opts.cases.some((c) => c.name === ORT_CASE);

  // onnxruntime-node: found now (so torch_cases.py exports the model only when it will be used), run last.
  let ort: Ort | null = null;
  if (wantOrt) {
    const o = loadOrt(opts.ortDir);
    if ('problem' in o) notes.push(`onnxruntime-node: not compared — ${o.problem}. See bench/README.md to install it.`);
    else ort = o;
  }

  // 1. machine figures
  const machine: MachineFigures | null = opts.machine ? measureMachine(opts.threads) : null;

  // 2. PyTorch (all cases first; or, with --interleave, per case just before keel's run of it)
  let torch = new Map<string, TorchResult>();
  let blas: TorchBlas | undefined;
  let torchVersion: string | null = null;
  let torchPython: TorchPython | null = null;
  let onnxPath = opts.onnxModel ?? null;
  let exportedOnnx: string | null = null;
  if (opts.torchResults) {
    ({ results: torch, blas } = parseTorchOutput(readFileSync(opts.torchResults, 'utf8')));
    torchVersion = `${[...torch.values()][0]?.impl ?? 'torch'} (recorded, ${opts.torchResults})`;
  } else if (opts.torch) {
    const t = findTorch();
    if ('problem' in t) {
      torchVersion = `not available — ${t.problem}; keel's numbers only`;
    } else {
      torchPython = t;
      torchVersion = `torch ${t.version} (${t.python}), ${torchEnvText()}${opts.interleave ? ', interleaved per case' : ''}`;
      if (ort && !onnxPath) onnxPath = exportedOnnx = join(tmpdir(), `keel-bench-backbone-${randomBytes(4).toString('hex')}.onnx`);
    }
  } else {
    torchVersion = "skipped (--no-torch); keel's numbers only";
  }
  const runTorch = (filter: string, exact: boolean, onnx: string | undefined) => {
    if (!torchPython) return;
    const r = runTorchCases(torchPython, opts.threads, filter, onnx, exact);
    for (const [k, v] of r.results) torch.set(k, v);
    blas ??= r.blas;
    if (r.problem) notes.push(`PyTorch: ${r.problem}`);
  };
  if (torchPython && !opts.interleave) {
    if (!opts.json) process.stderr.write(`bench:compare: running PyTorch ${torchPython.version} (${opts.threads} threads)…\n`);
    runTorch(opts.filter, false, exportedOnnx ?? undefined);
  }

  // 3. keel
  if (!opts.json) process.stderr.write(`bench:compare: running keel (${opts.threads} threads)…\n`);
  const session = await openSession(opts.threads, true);
  if (!session.native) fail(`the native addon did not load — ${session.nativeProblem ?? ''}`);
  const keel = new Map<string, CaseResult>();
  let failures = 0;
  for (const [i, c] of opts.cases.entries()) {
    if (torchPython && opts.interleave) runTorch(c.name, true, i === 0 ? exportedOnnx ?? undefined : undefined);
    const { results, failures: f } = runCase(session, c, ['native'], warn);
    failures += f;
    const r = results[0];
    if (r) keel.set(c.name, r);
    if (r && !opts.json && process.stderr.isTTY) process.stderr.write(`  ${c.name}: ${formatMs(r.ms)} ms\n`);
  }

  // 4. onnxruntime-node
  let ortTiming: Timing | null = null;
  if (ort) {
    if (!onnxPath || !existsSync(onnxPath)) {
      notes.push(`onnxruntime-node ${ort.version}: found, but no ONNX model of the backbone (torch_cases.py --onnx needs PyTorch; or pass --onnx-model PATH).`);
    } else {
      try {
        ortTiming = await timeOrtBackbone(ort, onnxPath, opts.threads);
      } catch (e) {
        notes.push(`onnxruntime-node ${ort.version}: failed — ${(e as Error).message}`);
        failures++;
      }
    }
  }
  if (exportedOnnx) rmSync(exportedOnnx, { force: true });
  for (const w of remeasureMachine(machine, opts.threads)) {
    warn(w);
    notes.push(w);
  }
  if (blas) {
    const { text, warning } = blasVerdict(blas);
    torchVersion += `; ${text}`;
    if (warning) {
      warn(`WARNING: ${warning}`);
      torchVersion += `\nWARNING: ${warning}`; // in the report's header, under the PyTorch line
    }
  } else if (torch.size > 0) {
    torchVersion += '; BLAS not reported (recorded results from an older torch_cases.py?)';
  }

  if (opts.json) {
    if (machine) for (const l of machineJsonLines(machine)) console.log(l);
    if (blas) console.log(JSON.stringify({ case: 'blas', impl: [...torch.values()][0]?.impl ?? 'torch', blas: blas.lib, optimised: blas.optimised, ...(blas.hint ? { hint: blas.hint } : {}) }));
    for (const t of torch.values()) console.log(JSON.stringify(t));
    for (const r of keel.values()) console.log(resultJson(r));
    if (ortTiming && ort) {
      const ms = Math.round(ortTiming.ms * 1e4) / 1e4;
      console.log(JSON.stringify({ case: ORT_CASE, impl: `onnxruntime-node-${ort.version}`, ms, runs: ortTiming.runs, threads: opts.threads }));
    }
  } else {
    printReport(opts.threads, session, machine, torch, torchVersion, keel, ort, ortTiming, notes);
  }
  if (failures > 0) process.exitCode = 1;
}

function printReport(
  threads: number, session: Awaited<ReturnType<typeof openSession>>, machine: MachineFigures | null,
  torch: Map<string, TorchResult>, torchVersion: string | null, keel: Map<string, CaseResult>,
  ort: Ort | null, ortTiming: Timing | null, notes: string[],
): void {
  console.log(
    [
      ...sessionText(session),
      ...machineText(machine, threads),
      `PyTorch: ${torchVersion ?? 'not run'}`,
      `onnxruntime-node: ${ort ? `${ort.version} (${ort.from})` : 'not used'}`,
      `timing: ${policyText('keel, torch and ort', NATIVE_POLICY)}, upper median`,
      '',
    ].join('\n'),
  );
  const rows: string[][] = [];
  let met = 0, judged = 0;
  const verdict = (ok: boolean) => {
    judged++;
    if (ok) met++;
    return ok ? 'PASS' : 'MISS';
  };
  const aboveCeiling: string[] = [];
  for (const c of CASES) {
    const k = keel.get(c.name), t = torch.get(c.name), target = TARGETS[c.name];
    if (!k && !t) continue;
    const ratio = k && t ? t.ms / k.ms : undefined;
    const roof = k ? roofFraction(c, k.ms, k.threads, machine) : undefined;
    // PyTorch against the same roof: at 100% of it keel would be 1/fraction times faster, and no more.
    const torchRoof = t ? roofFraction(c, t.ms, threads, machine) : undefined;
    const ceiling = torchRoof ? 1 / torchRoof.fraction : undefined;
    if (target && ceiling !== undefined && target.ratio > ceiling) {
      aboveCeiling.push(`${c.name} (>= ${target.ratio}x required; PyTorch at ${formatRoof(torchRoof)}, ceiling ${formatRatio(ceiling)})`);
    }
    const bar = STREAM_FRACTION[c.name] ?? FMA_FRACTION[c.name];
    rows.push([
      c.name,
      t ? formatMs(t.ms) : '-',
      formatRoof(torchRoof),
      k ? formatMs(k.ms) : '-',
      formatRatio(ratio),
      formatRatio(ceiling),
      target ? `>= ${target.ratio}x` : '',
      ratio !== undefined && target ? verdict(ratio >= target.ratio) : '',
      k ? formatThroughput(c, k.ms) : '',
      formatRoof(roof),
      bar !== undefined ? `>= ${Math.round(bar * 100)}%` : '',
      bar !== undefined && roof ? verdict(roof.fraction >= bar) : '',
    ]);
  }
  console.log(
    table(
      [
        { title: 'case', left: true }, { title: 'torch ms' }, { title: 'torch of roof' }, { title: 'keel ms' }, { title: 'torch/keel' },
        { title: 'ceiling' }, { title: 'required' },
        { title: '', left: true }, { title: 'keel throughput' }, { title: 'of roof' }, { title: 'bar' }, { title: '', left: true },
      ],
      rows,
    ),
  );
  const k = keel.get(ORT_CASE);
  if (ortTiming && ort) {
    const r = k ? ortTiming.ms / k.ms : undefined;
    const need = ORT_RATIO[ORT_CASE]!;
    console.log(
      `\n${ORT_CASE} vs onnxruntime-node ${ort.version}: ort ${formatMs(ortTiming.ms)} ms (${ortTiming.runs} runs), ` +
        `keel ${k ? formatMs(k.ms) : '-'} ms, ort/keel ${formatRatio(r)} — required >= ${need}x: ${r !== undefined ? verdict(r >= need) : '-'}`,
    );
  }
  console.log(
    `\n${met} of ${judged} bars met. torch/keel (and ort/keel): the other's median over keel's; above 1x keel is faster.` +
      '\nof roof: GB/s over the stream copy bandwidth, or GFLOP/s over the FMA peak, each measured at the same thread count.' +
      '\nceiling: the torch/keel keel would reach at 100% of the roof (1 / PyTorch\'s fraction of it). A required ratio above it' +
      ' cannot be met against this PyTorch on this machine where the roof is the FMA peak; where it is the stream bandwidth,' +
      ' only by data that stays in the caches.',
  );
  if (aboveCeiling.length > 0) console.log(`required ratios above their ceiling on this machine: ${aboveCeiling.join('; ')}`);
  console.log(`at end: ${loadText()}`);
  for (const n of notes) console.log(n);
}

await main();
