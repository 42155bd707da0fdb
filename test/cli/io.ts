// What the train/eval/predict tests share: runCli with captured streams, and a small model folder
// trained on a few built-in engines for two epochs (about a second).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { captureIO } from './capture.js';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function run(...argv: string[]): Promise<CliRun> {
  const io = captureIO();
  const status = await runCli(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-cli-'));
}

/** `keel train` on 6 built-in engines (seed 0) for 2 epochs into a new folder; returns the folder. */
export async function trainSmallModel(...extra: string[]): Promise<string> {
  const dir = join(tempDir(), 'model');
  const r = await run('train', '--data', 'runtofailure', '--units', '6', '--epochs', '2', '--out', dir, ...extra);
  if (r.status !== 0) throw new Error(`keel train failed (${r.status}): ${r.stderr}`);
  return dir;
}
