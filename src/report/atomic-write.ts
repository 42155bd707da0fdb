/**
 * writeFileAtomic: a file written so that a reader never sees half of it — the contents go to a
 * temporary name in the same folder (same file system, so the rename cannot turn into a copy),
 * then one rename replaces the target. A failed write or rename removes the temporary file and
 * rethrows. The temporary name carries the process id and a per-process counter, so two writers
 * never share one.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function writeFileAtomic(path: string, contents: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    writeFileSync(temp, contents, { flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
