// What the train/eval/predict tests share: runCli with captured streams, and a small model folder
// trained on a few built-in engines for two epochs (about a second).
import { spawn } from 'node:child_process';
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

/** Runs `keel ...argv` in a process of its own, sends `signal` once stderr matches `when`; resolves with the exit status and output. */
export function interrupted(argv: string[], when: RegExp, signal: NodeJS.Signals): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
