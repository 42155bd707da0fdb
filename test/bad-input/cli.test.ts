/**
 * Bad-input battery (issue 12) for the command line: a usage error (bad flag values, unknown flags,
 * missing required flags, NaN/negative/fractional numbers) exits 2 with a message naming the flag
 * and no stack trace; a runtime failure (a missing or damaged model folder, a malformed CSV) exits 1,
 * also without a stack; stdout stays empty and the files a failed command was pointed at stay as
 * they were. Most cases run runCli in this process, as test/cli does; two spawn the real program to
 * check the process exit status.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIO } from '../cli/capture.js';
import { battery, type Case, fileState } from './battery.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-bad-input-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome { status: number | null; stdout: string; stderr: string }

/** What every failing command must look like: the status, the message, no stack, nothing on stdout. */
function failed(status: 1 | 2, message: RegExp) {
  return (v: unknown) => {
    const r = v as Outcome;
    const problems = [
      r.status !== status && `exit ${r.status}, expected ${status}`,
      !message.test(r.stderr) && `stderr does not match ${message}`,
      /^\s+at .+:\d+:\d+\)?$/m.test(r.stderr) && 'a stack trace on stderr',
      status === 2 && !/--help" for usage/.test(r.stderr) && 'no pointer to --help',
      r.stdout !== '' && 'output on stdout',
    ].filter(Boolean);
    if (problems.length) throw new Error(`${problems.join('; ')}\nstderr: ${r.stderr}`);
  };
}

async function run(argv: string[]): Promise<Outcome> {
  const io = captureIO();
  const status = await runCli(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

/** A case: `keel <argv>` fails with `status` and a message matching `message`; `watch` files must not change. */
function cli(name: string, argv: string[], status: 1 | 2, message: RegExp, watch?: string): Case {
  return { name: `exit ${status}: ${name}`, call: () => run(argv), result: failed(status, message), ...(watch ? { state: fileState(watch) } : {}) };
}

// Fixtures: a model folder that exists with damaged files, one with a model.json that is not a keel
// model, a CSV that is malformed, and an output folder holding a file no failed command may touch.
const garbled = join(dir, 'garbled');
mkdirSync(garbled);
writeFileSync(join(garbled, 'model.json'), '{"format": "keel-model", ');
writeFileSync(join(garbled, 'model.safetensors'), 'not safetensors');
const foreign = join(dir, 'foreign');
mkdirSync(foreign);
writeFileSync(join(foreign, 'model.json'), JSON.stringify({ format: 'something-else', version: 9 }));
const badCsv = join(dir, 'bad.csv');
writeFileSync(badCsv, 'unit,cycle,s1\n1,1,0.5\n1,2\n1,3,x\n');
const badConfig = join(dir, 'bad-config.json');
writeFileSync(badConfig, JSON.stringify({ data: 'runtofailure', epochs: 'abc' }));
const missing = join(dir, 'missing.csv');
writeFileSync(missing, 'unit,cycle,s1\n1,1,NA\n1,2,0.6\n');
const pipes = join(dir, 'pipes.csv');
writeFileSync(pipes, 'unit|cycle|s1\n1|1|0.5\n1|2|0.6\n');
const out = join(dir, 'out');
mkdirSync(out);
const kept = join(out, 'model.json');
writeFileSync(kept, '{"format": "keel-model", "keep": true}'); // keel's format: --out writes over a folder keel wrote
const onnx = join(dir, 'old.onnx');
writeFileSync(onnx, 'old onnx bytes');

/** The built-in data, so a case fails on the flag it is about, not on a missing --data. */
const D = ['--data', 'runtofailure'];

const usage: Case[] = [
  cli('an unknown command', ['trian'], 2, /unknown command "trian"/),
  cli('train --epochs 0', ['train', ...D, '--epochs', '0', '--out', out], 2, /--epochs/, kept),
  cli('train --epochs abc', ['train', ...D, '--epochs', 'abc', '--out', out], 2, /--epochs/, kept),
  cli('train --epochs 1.5', ['train', ...D, '--epochs', '1.5', '--out', out], 2, /--epochs/, kept),
  cli('train --epochs 1e400', ['train', ...D, '--epochs', '1e400', '--out', out], 2, /--epochs/, kept),
  cli('train --lr NaN', ['train', ...D, '--lr', 'NaN', '--out', out], 2, /--lr/, kept),
  cli('train --lr -0.1', ['train', ...D, '--lr=-0.1', '--out', out], 2, /--lr/, kept),
  cli('train --lr Infinity', ['train', ...D, '--lr', 'Infinity', '--out', out], 2, /--lr/, kept),
  cli('train --lr 0.1.2', ['train', ...D, '--lr', '0.1.2', '--out', out], 2, /--lr/, kept),
  cli('train --batch-size 0', ['train', ...D, '--batch-size', '0', '--out', out], 2, /--batch-size/, kept),
  cli('train --batch-size 2^53', ['train', ...D, '--batch-size', String(2 ** 53), '--out', out], 2, /--batch-size/, kept),
  cli('train --window -3', ['train', ...D, '--window=-3', '--out', out], 2, /--window/, kept),
  cli('train --units 0', ['train', ...D, '--units', '0', '--out', out], 2, /--units/, kept),
  cli('train --data bogus:x', ['train', '--data', 'bogus:x', '--out', out], 2, /--data/, kept),
  cli('train --data with no value', ['train', '--out', out, '--data'], 2, /--data/, kept),
  cli('train --delimiter of two characters', ['train', '--data', `csv:${badCsv}`, '--delimiter', ';;', '--out', out], 2, /--delimiter/, kept),
  cli('train an option typo --epoch', ['train', ...D, '--epoch', '3', '--out', out], 2, /--epoch/, kept),
  cli('train --threads 0', ['train', ...D, '--threads', '0', '--out', out], 2, /--threads/, kept),
  cli('train a stray positional argument', ['train', ...D, 'extra', '--out', out], 2, /extra/, kept),
  cli('predict --mc-dropout 1', ['predict', ...D, '--model', garbled, '--mc-dropout', '1'], 2, /--mc-dropout/),
  cli('predict --seed -1', ['predict', ...D, '--model', garbled, '--seed=-1'], 2, /--seed/),
  cli('export --opset 12', ['export', '--model', garbled, '--onnx', onnx, '--opset', '12'], 2, /--opset/, onnx),
  cli('tune --folds 1', ['tune', '--folds', '1'], 2, /--folds/),
  cli('tune --dropout 1.5', ['tune', '--dropout', '1.5'], 2, /--dropout/),
  cli('tune --dropout 0.1,abc', ['tune', '--dropout', '0.1,abc'], 2, /--dropout/),
  cli('tune --trials 0', ['tune', '--trials', '0'], 2, /--trials/),
  cli('eval without --model', ['eval'], 2, /--model/),
  cli('bench --threads abc', ['bench', '--threads', 'abc'], 2, /--threads/),
  cli('train --epochs 0x10 (hex)', ['train', ...D, '--epochs', '0x10', '--out', out], 2, /--epochs must be an integer/, kept),
  cli('train --units 99999', ['train', ...D, '--units', '99999', '--out', out], 2, /--units must be an integer in \[2, 1000\], got "99999"/, kept),
  cli('train --out ""', ['train', ...D, '--out', ''], 2, /--out must name a folder, got an empty string/),
  cli('train --columns with the built-in data', ['train', ...D, '--columns', 's2', '--out', out], 2, /--columns does not apply to --data runtofailure/, kept),
  cli('train --columns a,a', ['train', '--data', `csv:${badCsv}`, '--columns', 's1,s1', '--out', out], 2, /--columns lists a column twice: "s1,s1"/, kept),
  cli('eval --rul with the built-in data', ['eval', ...D, '--model', garbled, '--rul', badCsv], 2, /--rul does not apply to --data runtofailure/),
  cli('predict --seed without --mc-dropout', ['predict', ...D, '--model', garbled, '--seed', '5'], 2, /--seed does not apply to predict without --mc-dropout/),
  cli('demo --out a file', ['demo', '--out', kept], 2, /--out .*model\.json is a file; give a folder/, kept),
  cli('train --config with a bad value: the message names the file', ['train', '--config', badConfig, '--out', out], 2, /--epochs must be an integer in \[1, 100000\], got "abc" \(from --config .*bad-config\.json\)/, kept),
  cli('tune --out a folder', ['tune', '--out', out], 2, /--out .* is a folder; give a file name/),
];

const runtime: Case[] = [
  cli('eval a model folder that does not exist', ['eval', ...D, '--model', join(dir, 'absent')], 1, /absent/),
  cli('eval a model.json that is not JSON', ['eval', ...D, '--model', garbled], 1, /model\.json/, join(garbled, 'model.json')),
  cli('predict a model.json of another format', ['predict', ...D, '--model', foreign], 1, /model\.json|format/, join(foreign, 'model.json')),
  cli('export a damaged model over an existing ONNX file', ['export', '--model', garbled, '--onnx', onnx], 1, /model\.json/, onnx),
  cli('train on a malformed CSV', ['train', '--data', `csv:${badCsv}`, '--out', out, '--epochs', '1'], 1, /bad\.csv/, kept),
  cli('train on a |-separated CSV without --delimiter', ['train', '--data', `csv:${pipes}`, '--out', out, '--epochs', '1'], 1, /read as whitespace-separated; if the fields are separated by "\|", pass --delimiter '\|'/, kept),
  cli('train on a CSV with a missing value: what to do, not an API option', ['train', '--data', `csv:${missing}`, '--out', out, '--epochs', '1'], 1, /missing\.csv:2:3: "s1": missing value "NA"; keel's commands take no missing values: fill or drop them first$/m, kept),
  cli('train on a CSV that does not exist', ['train', '--data', `csv:${join(dir, 'none.csv')}`, '--out', out, '--epochs', '1'], 1, /none\.csv/, kept),
];

/** The real program, spawned: the process's exit status and streams. */
function spawned(argv: string[], env: Record<string, string> = {}): () => Outcome {
  return () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], { encoding: 'utf8', env: { ...process.env, KEEL_DEBUG: '', ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
const processes: Case[] = [
  { name: 'exit 2 from the process: train --epochs -1', call: spawned(['train', ...D, '--epochs=-1', '--out', out]), result: failed(2, /--epochs/), state: fileState(kept) },
  { name: 'exit 1 from the process: eval a damaged model folder', call: spawned(['eval', ...D, '--model', garbled]), result: failed(1, /model\.json/) },
  // Loading the kernels checks the environment: a bad value is keel's one-line message, even for --help.
  { name: 'exit 1 from the process: KEEL_NUM_THREADS=0', call: spawned(['--help'], { KEEL_NUM_THREADS: '0' }), result: failed(1, /^keel: BackendError: KEEL_NUM_THREADS must be an integer in \[1, 1024\], got "0"$/m) },
  { name: 'exit 1 from the process: KEEL_CPU=avx9', call: spawned(['info'], { KEEL_CPU: 'avx9' }), result: failed(1, /KEEL_CPU must be one of/) },
];

battery('CLI usage errors', usage);
battery('CLI runtime failures', runtime);
battery('CLI process', processes);
