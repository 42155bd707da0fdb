/**
 * `keel demo`: the README's main job — the regularisation study (src/study/) on the built-in data,
 * or with --data on the user's own run-to-failure units (../study-source.ts), printed as a table and
 * written as a report folder (src/report/). Defaults finish in about a minute on 2 cores; --quick in
 * a few seconds.
 */
import { join } from 'node:path';
import { backendInfo } from '../../backend/index.js';
import { writeStudyReport } from '../../report/study.js';
import { findingsText, textTable } from '../../report/text-table.js';
import { rmseCycles } from '../../study/data.js';
import { regularisationStudy } from '../../study/regularisation.js';
import { studyReport, studyRow, studyTable } from '../../study/report.js';
import { STUDY_VARIANT_NAMES } from '../../study/variants.js';
import { defineCommand, intOption, listOption } from '../args.js';
import { applyThreads, threadsText } from '../threads.js';
import { outputPath } from '../output-path.js';
import { RunProgress } from '../progress.js';
import { loadStudySource, STUDY_DATA_OPTIONS, STUDY_DATA_USAGE } from '../study-source.js';

const DEFAULT_EPOCHS = 40;
const QUICK_EPOCHS = 8;

/** keel-reports/demo-2026-12-03T13-05-09 (local time, no characters a file system minds). */
function defaultOut(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return join('keel-reports', `demo-${stamp}`);
}

export const demo = defineCommand({
  name: 'demo',
  summary: 'the regularisation study: none / L2 / Dropout / BatchNorm / recipe on the built-in data or yours',
  usage: `Usage: keel demo [options]

Trains the Conv1d backbone on the built-in run-to-failure data once per variant — no regularisation,
L2 (weight decay), Dropout, BatchNorm, and the recipe (BatchNorm + Dropout + AdamW + early stopping) —
from the same initial weights on the same batches, then prints the table and writes a report folder
(index.html with the curves, SVGs, results.json, results.md). With --data csv:FILE the same study
runs on your own run-to-failure units: split by unit, the scaler fitted on the fitting units.

Options:
  --seed N          seed of the data (with --data, of its split), weights, batch order and dropout
                    (default 0)
  --epochs N        epochs per variant, 1..1000 (default ${DEFAULT_EPOCHS}; ${QUICK_EPOCHS} with --quick)
  --quick           a short run (${QUICK_EPOCHS} epochs): seconds instead of a minute
  --variants LIST   comma-separated, from ${STUDY_VARIANT_NAMES.join(', ')} (default all)
  --bn-virtual-batch N  the BatchNorm variants normalise ghost batches of N samples in training
                    (BatchNorm1d's virtualBatchSize; default: the whole batch, as PyTorch)
  --out DIR         report folder (default keel-reports/demo-<date>T<time>)
  --threads N       native kernel threads (default: all cores)
  --json            print one JSON result on stdout (progress stays on stderr)
${STUDY_DATA_USAGE}
  -h, --help        this text

Examples:
  keel demo
  keel demo --quick --variants none,dropout --json
  keel demo --seed 7 --epochs 60 --out study-7
  keel demo --data csv:train_FD001.txt --columns 6,7,8,11,12,13,15,16,17,18,19,21,24,25
  keel demo --data csv:train_FD001.txt --test csv:test_FD001.txt --rul RUL_FD001.txt --quick
`,
  options: {
    seed: { type: 'string', default: '0' },
    epochs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    variants: { type: 'string' },
    'bn-virtual-batch': { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
    ...STUDY_DATA_OPTIONS,
  },
  async run(values, _positionals, io) {
    const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    const epochs = values.epochs !== undefined ? intOption('epochs', values.epochs, 1, 1000) : values.quick ? QUICK_EPOCHS : DEFAULT_EPOCHS;
    const variants = values.variants !== undefined ? listOption('variants', values.variants, STUDY_VARIANT_NAMES) : STUDY_VARIANT_NAMES;
    const bnVirtualBatchSize = values['bn-virtual-batch'] !== undefined ? intOption('bn-virtual-batch', values['bn-virtual-batch'], 1, Number.MAX_SAFE_INTEGER) : null;
    applyThreads(values.threads, io.err);
    const out = outputPath('out', values.out ?? defaultOut(), 'folder');
    const data = await loadStudySource(values, io.err, 'demo');

    const info = backendInfo();
    const progress = new RunProgress(io);
    const on = data ? `${data.description} (split with seed ${seed})` : `the built-in run-to-failure data (seed ${seed})`;
    io.err.write(`keel demo: ${variants.length} variants × ${epochs} epochs on ${on}, ${info.backend} backend (${info.isa}), ${threadsText()}\n`);
    const started = performance.now();
    const cycles = (mse: number | undefined) => rmseCycles(mse).toFixed(1);
    const study = await regularisationStudy({
      seed, epochs, variants, bnVirtualBatchSize, ...(data ? { data } : {}),
      onEpoch: (variant, logs, total) => {
        progress.epoch(`[${variants.indexOf(variant.name) + 1}/${variants.length}] ${variant.name.padEnd(9)} epoch ${logs.epoch}/${total}  train ${cycles(logs.loss)}  val ${cycles(logs.valLoss)} cycles`);
      },
      onVariant: (v) => progress.done(`  ${v.name.padEnd(9)} best val RMSE ${v.bestValRmse.toFixed(2)} at epoch ${v.bestEpoch}, divergence ${v.divergenceEpoch ?? 'none'}, ${v.seconds.toFixed(1)} s`),
    });
    const seconds = (performance.now() - started) / 1000;

    const content = studyReport(study, [
      `${info.backend} backend (${info.isa}), ${threadsText()}, Node ${process.version}; the whole study took ${seconds.toFixed(1)} s.`,
    ]);
    const report = writeStudyReport(out, content);
    if (values.json) {
      io.out.write(`${JSON.stringify({ variants: study.variants.map(studyRow), reportDir: report.dir })}\n`);
    } else {
      io.out.write(`\n${textTable(studyTable(study))}\n${findingsText(content.findings!)}Report: ${report.html}\n`);
    }
    return 0;
  },
});
