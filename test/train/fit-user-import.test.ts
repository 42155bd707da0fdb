// A script that registers its own layer type with { module: import.meta.url } and calls fit at its top
// level: fit's worker imports the script, whose fit is refused there with the cure in the message, and
// the caller's fit trains. Without the guard each worker started another, without end; the child
// process is killed after its timeout then.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../fixtures/train/fit-at-import.ts');

it('fit called at the top level of the module that registers a layer type: refused in the worker, trains in the caller', async () => {
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("worker: fit refused: StateError: fit: called while keel's training worker was importing file://");
  expect(r.stdout).toContain('Move the layer class and its registerModuleType call to a module of its own');
  expect(r.stdout).toContain('main: fit resolved, completed');
  expect(r.stdout.match(/fit refused/g)).toHaveLength(1);
}, 90_000);
