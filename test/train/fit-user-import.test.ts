// A script that registers its own layer type with { module: import.meta.url } and trains. When the
// module that registers it is imported by the script (and trains at its top level), fit's worker
// imports it and its fit is refused there with the cure in the message, while the caller's fit trains:
// without the guard each worker started another, without end (the child process is killed after its
// timeout then). When it is the script itself, training after an await in an async main(), fit
// trains on the caller's thread and says why, instead of a worker running the whole script again,
// whether the script was started by its file name or, as Node allows, without its extension.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/train', name);

function runScript(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

it('fit called at the top level of a module that registers a layer type: refused in the worker, trains in the caller', async () => {
  const r = await runScript(fixture('fit-at-import-entry.ts'));
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("worker: fit refused: StateError: fit: called while keel's training worker was importing file://");
  expect(r.stdout).toContain('Move the layer class and its registerModuleType call to a module of its own');
  expect(r.stdout).toContain('main: fit resolved, completed');
  expect(r.stdout.match(/fit refused/g)).toHaveLength(1);
}, 90_000);

it('the script the process runs registers the layer type and trains in an async main(): fit trains on its thread and says why, no worker runs the script again', async () => {
  const script = fixture('fit-in-entry.ts');
  const r = await runScript(script);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('main() runs on the main thread\nfit resolved, completed\n');
  expect(r.stderr).toContain(`[KEEL_FIT_IN_THREAD] Warning: fit: training on the caller's thread (yielding to the event loop between batches) because file://${script} registers a type the worker must import to rebuild the run, and it is the script this process runs`);
  const explicit = await runScript(script, 'true');
  expect(explicit.stdout).toContain(`fit refused: OptionError: fit: worker: true, but the run cannot move to a worker thread: file://${script} registers a type`);
  expect(explicit.stdout).not.toContain('runs on the worker');
}, 90_000);

it('so does the script started without its extension (node script for script.ts), as Node resolves it', async () => {
  const script = fixture('fit-in-entry.ts');
  const r = await runScript(script.slice(0, -'.ts'.length));
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('main() runs on the main thread\nfit resolved, completed\n');
  expect(r.stderr).toContain(`because file://${script} registers a type the worker must import to rebuild the run, and it is the script this process runs`);
}, 90_000);
