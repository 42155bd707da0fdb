/**
 * `keel tune`: the hyper-parameter search of src/tune/ from the command line — a grid (or `--trials N`
 * seeded random configurations) over dropout, weight decay, BatchNorm momentum, learning rate and batch
 * size, each scored by k-fold cross-validation by unit of the Conv1d backbone (or by sequence of the
 * backbone on labelled sequences, by row of the MLP on a CSV table with --target, or on Fashion-MNIST's
 * images: ../tune-subject.ts), fits running in parallel worker threads. It prints the table sorted by mean held-out score and writes the best
 * configuration as a `keel train` config: a JSON object whose keys are keel train's option names (a
 * CSV's path in it is absolute, so the config works from any folder). Every finished trial is also saved at once, with
 * the search's settings, in the results file (--results), so nothing finished is lost to a crash or a
 * kill. Ctrl-C or SIGTERM stops the running fits and keeps the finished trials: the table and the best
 * so far are still written, and the exit status is 130 (143 for SIGTERM), as shells report them;
 * `--resume` reruns such a search, running only the trials its results file lacks (../tune-resume.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { StorageError } from '../../errors.js';
import { writeFilesAtomic } from '../../report/atomic-write.js';
import type { ReportTable } from '../../report/study.js';
import { textTable } from '../../report/text-table.js';
import { DEFAULT_CONFIG, type TrialConfig, TUNE_KEYS, type TuneSpace } from '../../tune/space.js';
import { byMean, type TrialResult, tune, type TuneResult } from '../../tune/tune.js';
import { defineCommand, intOption, numberOption } from '../args.js';
import { count } from '../count.js';
import { applyThreads } from '../threads.js';
import { CONDITIONS_OPTION, conditionsUsage, DATA_OPTIONS, dataUsage, parseDataSpec } from '../data-source.js';
import { UsageError } from '../errors.js';
import { checkRowBatchSizes } from '../batchnorm-flags.js';
import { catchInterrupt } from '../interrupt.js';
import { outputPath } from '../output-path.js';
import { type Score, tuneSubject } from '../tune-subject.js';
import { readFinishedTrials } from '../tune-resume.js';
import { IMAGE_DEFAULTS } from './train-images.js';
import { SEQUENCE_DEFAULTS } from './train-sequences.js';
import { TABLE_DEFAULTS } from './train-table.js';

/** A comma-separated list of distinct values, each read by `read` (which names the option). */
function listOf(name: string, text: string | undefined, read: (item: string) => number): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((item) => read(item.trim()));
  if (new Set(values).size !== values.length) throw new UsageError(`--${name} lists a value twice: "${text}"`);
  return values;
}

/** Short labels of the configuration columns, in TUNE_KEYS order. */
const CONFIG_COLUMNS: Array<{ key: keyof TrialConfig; label: string }> = [
  { key: 'dropout', label: 'Dropout' },
  { key: 'weightDecay', label: 'Weight decay' },
  { key: 'bnMomentum', label: 'BN momentum' },
  { key: 'lr', label: 'LR' },
  { key: 'batchSize', label: 'Batch' },
];

/** A trial's score as the progress lines print it: a non-finite mean is a fold that diverged. */
const scoreText = (t: TrialResult, s: Score): string => (Number.isFinite(t.mean)
  ? `${s.name} ${t.mean.toFixed(s.digits)} ± ${t.std.toFixed(s.digits)}${s.unit === undefined ? '' : ` ${s.unit}`}`
  : `diverged (a fold's ${s.name} is not finite)`);

function resultTable(result: TuneResult, s: Score): ReportTable {
  const folds = Array.from({ length: result.folds }, (_, f) => ({ key: `fold${f + 1}`, label: `Fold ${f + 1}`, digits: s.digits }));
  return {
    columns: [...CONFIG_COLUMNS, { key: 'mean', label: `Mean ${s.name}`, ...(s.unit === undefined ? {} : { unit: s.unit }), digits: s.digits }, { key: 'std', label: 'Std', digits: s.digits, missing: '' }, ...folds],
    rows: result.trials.map((t) => ({
      ...t.config,
      ...(Number.isFinite(t.mean) ? { mean: t.mean, std: t.std } : { mean: 'diverged', std: null }),
      ...Object.fromEntries(t.scores.map((s, f) => [`fold${f + 1}`, s])),
    })),
  };
}

/** Writes the file of --flag; a refusal (a full disk, a quota, a read-only folder) is a StorageError naming the flag and the file. */
/** Writes the files of the flags as one (writeFilesAtomic: a refused write replaces none of them), creating their folders. */
function writeOutputs(files: ReadonlyArray<readonly [flag: string, path: string, contents: string]>): void {
  const refused = (flag: string, path: string, e: unknown) => new StorageError(`--${flag} ${path}: cannot write it (${(e as Error).message})`, path, e);
  for (const [flag, path] of files) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw refused(flag, path, e);
    }
  }
  try {
    writeFilesAtomic(files.map(([, path, contents]) => [path, contents] as const));
  } catch (e) {
    const [flag, path] = files.find(([, p]) => e instanceof StorageError && e.path === p) ?? files[0]!;
    throw refused(flag, path, e);
  }
}

/** Removes the file of --flag if there is one (a previous run's best configuration, which no longer holds). */
function removeOutput(flag: string, path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (e) {
    throw new StorageError(`--${flag} ${path}: cannot remove the previous run's file (${(e as Error).message})`, path, e);
  }
}

/**
 * Trials as --json and the results file give them: JSON has no Infinity, so a diverged fold's score
 * reads null; `diverged` says so explicitly rather than leaving a bare null to guess at.
 */
function withDiverged(trials: readonly TrialResult[]): Array<TrialResult & { diverged: boolean }> {
  return trials.map((t) => ({ ...t, diverged: !Number.isFinite(t.mean) }));
}

/** The best configuration as `keel train` options (option name → value). */
function trainConfig(best: TrialResult, data: Record<string, string | number | boolean | undefined>, epochs: number, seed: number): Record<string, string | number | boolean> {
  const given = Object.entries(data).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  return {
    ...Object.fromEntries(given),
    epochs, 'batch-size': best.config.batchSize, lr: best.config.lr, 'weight-decay': best.config.weightDecay,
    dropout: best.config.dropout, 'bn-momentum': best.config.bnMomentum,
    // Scored after the last epoch, without early stopping: train the same way.
    'early-stopping': 0, seed,
  };
}

export const tuneCommand = defineCommand({
  name: 'tune',
  summary: 'hyper-parameter search (grid or random) scored by k-fold cross-validation',
  usage: `Usage: keel tune [options]

Searches dropout, weight decay, BatchNorm momentum, learning rate and batch size for the Conv1d
backbone (on the built-in engines unless --data says otherwise): every combination of the lists
given (or --trials N random ones), each scored by k-fold cross-validation BY UNIT (no engine on both
sides; the scaler fitted on the training units of each fold). The score is the held-out units' RMSE
in cycles after the last epoch. With --data csv:FILE --target COL it tunes the MLP of keel train
--target instead, by k-fold over the table's rows (the scaler fitted on each fold's training rows),
scored by RMSE in the target's units or, for a classifier, by mean cross-entropy; with --target and
--unit-column (or --data ts:FILE), the backbone on labelled sequences, by k-fold over the
sequences, scored the same way; with --data fashion-mnist[:DIR], the images' MLP by k-fold over the
images, scored by mean cross-entropy. Prints the trials sorted by mean score with the spread across
folds, and writes the best one as a keel train config. Ctrl-C or SIGTERM stops early and keeps the
finished trials (exit status 130 or 143).

Options:
${dataUsage('training engines (default 20)')}
${conditionsUsage('Each fold standardises every channel per condition of its training units')}
  --target COL        CSV: tune the MLP on the table's rows to predict this column (as keel train);
                      with --unit-column, the backbone on labelled sequences
  --task NAME         with --target: classification, regression or auto (default)
  --hidden LIST       the MLP's hidden widths (default ${TABLE_DEFAULTS.hidden} for a table, ${IMAGE_DEFAULTS.hidden} for
                      images)
  --standardize HOW   labelled sequences: training (default) or sequence, as keel train takes it
  --window N          run-to-failure units: cycles per window (default 30); units shorter than it
                      give no window and are left out of the folds, with a warning (as keel train)
  --dropout LIST      dropout rates to try, in [0, 1] (default keel train's: 0.15; the MLP of a
                      table ${TABLE_DEFAULTS.dropout}, of fashion-mnist ${IMAGE_DEFAULTS.mlpDropout})
  --weight-decay LIST AdamW weight decays, >= 0 (default keel train's: 0.1; a table
                      ${TABLE_DEFAULTS.weightDecay}, fashion-mnist ${IMAGE_DEFAULTS.weightDecay}, labelled sequences ${SEQUENCE_DEFAULTS.weightDecay})
  --bn-momentum LIST  BatchNorm momenta, in [0, 1] (default 0.1)
  --lr LIST           learning rates, > 0 (default 0.001)
  --batch-size LIST   batch sizes (default 128)
  --trials N          random search: N distinct combinations (default: the whole grid)
  --folds K           cross-validation folds, by unit, sequence or row (default 3)
  --epochs N          epochs per fold (default 10)
  --seed N            seed of the folds, the random search, the weights, batch order and dropout (default 0)
  --concurrency N     fits at once, each in a worker thread (default: the core count)
  --threads N         native kernel threads (default: the core count / --concurrency, at least 1)
  --out FILE          the best configuration as keel train options, for keel train --config FILE
                      (default tune-best.json; none, a previous one removed, when every trial diverged)
  --results FILE      every finished trial and the search's settings, as JSON (default
                      tune-results.json); it and --out are rewritten together as each trial
                      finishes, so a rerun stopped before its first trial leaves both as they were.
                      A refused write (a full disk) stops the search and prints the finished trials
  --resume            go on with the search whose --results file this is (stopped by Ctrl-C, a
                      kill or a crash): its finished trials are kept, only the others run. The
                      options must be that search's
  --json              print one JSON result on stdout (progress stays on stderr)
  -h, --help          this text

Examples:
  keel tune --dropout 0,0.15,0.3 --weight-decay 0,0.01,0.1
  keel tune --lr 3e-4,1e-3,3e-3 --batch-size 64,128,256 --trials 4 --folds 5 --json
  keel tune --dropout 0,0.15,0.3 --weight-decay 0,0.01,0.1 --resume   (after Ctrl-C: the rest)
  keel tune --data csv:iris.csv --target species --dropout 0,0.3,0.5 --epochs 50
  keel tune --data fashion-mnist --limit 10000 --dropout 0.2,0.5 --epochs 3
  keel tune --data csv:har.csv --target activity --unit-column id --dropout 0,0.15,0.3
  keel tune --data ts:BasicMotions_TRAIN.ts --dropout 0,0.3 --lr 1e-3,3e-3
`,
  options: {
    ...DATA_OPTIONS,
    ...CONDITIONS_OPTION,
    target: { type: 'string' },
    task: { type: 'string' },
    hidden: { type: 'string' },
    standardize: { type: 'string' },
    window: { type: 'string' },
    dropout: { type: 'string' },
    'weight-decay': { type: 'string' },
    'bn-momentum': { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    trials: { type: 'string' },
    folds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '0' },
    concurrency: { type: 'string' },
    threads: { type: 'string' },
    out: { type: 'string', default: 'tune-best.json' },
    results: { type: 'string', default: 'tune-results.json' },
    resume: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  async run(values, _positionals, io) {
    const dataText = values.data ?? 'runtofailure'; // the built-in engines by default
    const spec = parseDataSpec(dataText);
    const space: TuneSpace = {
      dropout: listOf('dropout', values.dropout, (v) => numberOption('dropout', v, 0, 1)),
      weightDecay: listOf('weight-decay', values['weight-decay'], (v) => numberOption('weight-decay', v, 0, Infinity)),
      bnMomentum: listOf('bn-momentum', values['bn-momentum'], (v) => numberOption('bn-momentum', v, 0, 1)),
      lr: listOf('lr', values.lr, (v) => numberOption('lr', v, 0, Infinity, true)),
      batchSize: listOf('batch-size', values['batch-size'], (v) => intOption('batch-size', v, 1, 1 << 20)),
    };
    const size = Object.values(space).reduce((n, v) => n * (v?.length ?? 1), 1);
    const trials = values.trials === undefined ? undefined : intOption('trials', values.trials, 1, Number.MAX_SAFE_INTEGER);
    if (trials !== undefined && trials > size) {
      const lists = Object.entries(space).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v!.length}`).join(' × ');
      throw new UsageError(`--trials ${trials}: the grid has ${count(size, 'combination')} (${lists || 'no list given: one configuration'}); give at most ${size}, or more values to --lr, --dropout, --weight-decay, --bn-momentum or --batch-size`);
    }
    const folds = intOption('folds', values.folds, 2, 100000);
    const epochs = intOption('epochs', values.epochs, 1, 100000);
    const seed = intOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    const concurrency = values.concurrency === undefined ? availableParallelism() : intOption('concurrency', values.concurrency, 1, 1024);
    // Fits at once share the cores: each gets cores / concurrency kernel threads unless --threads says
    // otherwise (2 fits × 2 threads on 2 cores ran 10–15% slower than 2 × 1: the pool is one per
    // process, so a second fit runs its kernels serially while the pool's threads spin beside it).
    applyThreads(values.threads ?? String(Math.max(1, Math.floor(availableParallelism() / concurrency))), io.err);
    const out = outputPath('out', values.out, 'file');
    const resultsFile = outputPath('results', values.results, 'file');
    if (out === resultsFile) throw new UsageError(`--out and --results are the same file (${out}); give two`);

    const subject = await tuneSubject(spec, dataText, values, { epochs, seed, folds }, io.err);
    // A key left out is one value: keel train's default for this data (the MLP's dropout and weight decay differ from the backbone's).
    for (const key of TUNE_KEYS) space[key] ??= [subject.defaults[key] ?? DEFAULT_CONFIG[key]];
    if (subject.rows) checkRowBatchSizes(space.batchSize ?? [], '');
    const planned = trials ?? size;

    // What makes two runs the same search (--resume checks it): the plan, and how each trial trains and is scored.
    const settings = {
      search: trials === undefined ? 'grid' : 'random', planned, folds, epochs, seed, data: subject.flags.data,
      score: `${subject.score.text} (lower is better; a diverged trial's is null)`,
      space, dataOptions: subject.flags,
    };
    const resumed = values.resume ? readFinishedTrials(resultsFile, settings) : [];
    // The results file and the best configuration are written together, only once a trial of this run
    // has finished: an interrupted rerun leaves a previous run's pair as it was, and a finished trial
    // never leaves a best configuration that disagrees with the results beside it.
    const saveAll = (finished: readonly TrialResult[], status: 'running' | 'complete' | 'interrupted') => {
      const sorted = [...finished].sort(byMean);
      const best = sorted[0] !== undefined && Number.isFinite(sorted[0].mean) ? sorted[0] : null;
      const config = best ? trainConfig(best, subject.flags, epochs, seed) : null;
      const results = ['results', resultsFile, `${JSON.stringify({ ...settings, status, bestConfig: config, trials: withDiverged(sorted) }, null, 2)}\n`] as const;
      if (config) {
        writeOutputs([results, ['out', out, `${JSON.stringify(config, null, 2)}\n`]]);
      } else {
        writeOutputs([results]);
        removeOutput('out', out); // every trial so far diverged: no configuration, not a previous run's
      }
      return config;
    };
    // A refused write stops the search (see stopOnWriteFailure); the finished trials are still printed.
    const writes = new AbortController();
    let writeFailure: unknown = null;
    const stopOnWriteFailure = (e: unknown) => {
      writeFailure = e;
      io.err.write(`keel tune: ${(e as Error).message}; stopping the search (the finished trials are printed below)\n`);
      writes.abort(e);
    };
    const interrupt = catchInterrupt(io, 'tune', 'the finished trials');
    // Announced once the handlers are on: a signal sent on seeing this line stops the search, not the process.
    io.err.write(`keel tune: ${count(planned, 'configuration')} (${trials === undefined ? 'grid' : 'random'}) × ${count(folds, 'fold')} × ${count(epochs, 'epoch')} on ${subject.description}; ${concurrency} at once\n`);
    if (values.resume) io.err.write(`keel tune: resuming ${resultsFile}: ${resumed.length} of ${planned} trials finished, ${planned - resumed.length} to run\n`);
    let result: TuneResult;
    try {
      result = await tune(space, {
        ...subject.options, epochs, folds, seed, concurrency, signal: AbortSignal.any([interrupt.signal, writes.signal]), finished: resumed,
        ...(trials === undefined ? {} : { trials }),
        onTrial: (t, done, total, finished) => {
          const c = t.config;
          io.err.write(`[${done}/${total}] dropout ${c.dropout}  weight decay ${c.weightDecay}  BN momentum ${c.bnMomentum}  lr ${c.lr}  batch ${c.batchSize}: ${scoreText(t, subject.score)}\n`);
          if (writeFailure !== null) return;
          try {
            saveAll(finished, 'running');
          } catch (e) {
            stopOnWriteFailure(e);
          }
        },
      });
    } finally {
      interrupt.dispose();
    }

    let config: Record<string, string | number | boolean> | null = null;
    if (writeFailure === null && result.trials.length > 0) {
      try {
        config = saveAll(result.trials, result.interrupted ? 'interrupted' : 'complete');
      } catch (e) {
        stopOnWriteFailure(e);
      }
    }
    const kept = writeFailure !== null ? 'not written' : 'left as they were';
    const outcome = config
      ? `Best configuration (keel train options): ${out}`
      : result.trials.length === 0 ? `No trial finished: no configuration written (${out} and ${resultsFile} ${kept}).`
        : writeFailure !== null ? `Saving stopped at the refused write below: ${resultsFile} and ${out} keep what was saved before it.` : 'Every trial diverged: no configuration written.';
    const saved = writeFailure === null && result.trials.length > 0;
    if (values.json) {
      io.out.write(`${JSON.stringify({ ...result, score: settings.score, trials: withDiverged(result.trials), bestConfig: config, out: config ? out : null, results: saved ? resultsFile : null })}\n`);
    } else {
      const rest = saved ? ' The same command with --resume runs the others.' : '';
      const note = result.interrupted ? `\nInterrupted: ${result.trials.length} of ${result.planned} trials finished.${rest}` : '';
      io.out.write(`\n${textTable(resultTable(result, subject.score))}${note}\n${outcome}\n${saved ? `Every trial: ${resultsFile}\n` : ''}`);
    }
    // After the table: the trials that finished are on stdout even when their file could not be written.
    if (writeFailure !== null) throw writeFailure;
    return interrupt.exitStatus() ?? (result.trials.length > 0 && !config ? 1 : 0);
  },
});
