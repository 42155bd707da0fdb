/**
 * writeFileAtomic: a file written so that a reader never sees half of it — the contents go to a
 * temporary name in the same folder (same file system, so the rename cannot turn into a copy),
 * then one rename replaces the target. A failed write or rename removes the temporary file and
 * throws a StorageError whose path is the target (the temporary name means nothing to the user,
 * so the system's message names the target instead: `EFBIG: file too large, write 'FILE'`) and whose code is the system's (ENOSPC, EFBIG…).
 * The temporary name carries the process id and a per-process counter, so two writers never share one.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StorageError } from '../errors.js';

let counter = 0;

export function writeFileAtomic(path: string, contents: string): void {
  writeFilesAtomic([[path, contents]]);
}

/**
 * Several files written as one: every temporary file first, then the renames, so a failed write
 * (a full disk) replaces none of them — files that must agree (a search's results and its best
 * configuration) never end up one new and one old. Only a rename failing after another succeeded
 * could split them, and renames within a folder do not run out of space.
 */
export function writeFilesAtomic(files: ReadonlyArray<readonly [path: string, contents: string]>): void {
  const temps = files.map(([path]) => join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`));
  let i = 0;
  try {
    for (; i < files.length; i++) writeFileSync(temps[i]!, files[i]![1], { flag: 'wx' });
    for (i = 0; i < files.length; i++) renameSync(temps[i]!, files[i]![0]);
  } catch (err) {
    for (const temp of temps) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // The folder cannot hold the temporary file either (ENOTDIR, EACCES): there is nothing to remove.
      }
    }
    const [path] = files[i]!, temp = temps[i]!;
    // Node's message names the temporary file (open) or no file (write): make it name the target, in Node's style.
    const system = err instanceof Error ? err.message.split(temp).join(path) : String(err);
    throw new StorageError(system.includes(path) ? system : `${system} '${path}'`, path, err);
  }
}
