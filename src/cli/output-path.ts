/**
 * outputPath: before a command spends minutes training, check that what it will write can be
 * written — `--out` names a folder (or a file) that exists as that kind or can be created, under a
 * writable folder — so a typo fails at once with the flag's name, not after the run whose results it
 * would have lost. The first missing folder is created and removed again to prove it can be. The write
 * itself can still fail (a full disk); it is atomic either way. A folder keel did not write (no keel
 * model.json or report in it) that holds a file of the names keel writes is refused, so `--out .` in
 * a project does not replace its index.html; a folder keel wrote is written over, as a rerun expects.
 * The names are the model's two files, a run's backup (keel train --resume) and REPORT_FILE, the
 * pattern writeStudyReport also uses when it removes an earlier report's charts the new report does
 * not draw: any file of those names in a folder keel writes to is keel's to replace or remove.
 */
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { holdsKeelReport, REPORT_FILE } from '../report/study.js';
import { BACKUP_FILE, isBackupFile } from '../train/callbacks/backup-and-restore.js';
import { UsageError } from './errors.js';

function stat(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The files a model folder holds (src/model-folder/format.ts) and keel train's backup; a report's are REPORT_FILE (src/report/study.ts). */
const MODEL_FILE = /^model\.(json|safetensors)$/;
const keelFile = (name: string): boolean => MODEL_FILE.test(name) || name === BACKUP_FILE || REPORT_FILE.test(name);

/** The names in folder `dir`; none when it cannot be read (the write check below then says why). */
function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Whether keel wrote the folder: a model.json of keel's format, a report (the same test
 * writeStudyReport uses before it removes an earlier report's files), or the backup of a run killed
 * before it wrote either.
 */
function writtenByKeel(dir: string): boolean {
  if (isBackupFile(join(dir, BACKUP_FILE))) return true;
  try {
    if ((JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>).format === 'keel-model') return true;
  } catch {
    // no model.json of keel's: a report may still say keel wrote the folder
  }
  return holdsKeelReport(dir);
}

/**
 * `--flag text` as an absolute path that can be written as a `kind`; throws a UsageError (empty, a
 * file where a folder goes, or the reverse) or a StorageError (not writable).
 */
export function outputPath(flag: string, text: string, kind: 'folder' | 'file'): string {
  if (text.trim() === '') throw new UsageError(`--${flag} must name a ${kind}, got an empty string`);
  const path = resolve(text);
  const found = stat(path);
  if (found) {
    if (kind === 'folder' && !found.isDirectory()) throw new UsageError(`--${flag} ${path} is a file; give a folder (it is created when missing)`);
    if (kind === 'file' && found.isDirectory()) throw new UsageError(`--${flag} ${path} is a folder; give a file name`);
    const replaced = kind === 'folder' ? listing(path).filter(keelFile).sort() : [];
    if (replaced.length > 0 && !writtenByKeel(path)) {
      throw new UsageError(`--${flag} ${path} holds ${replaced.join(', ')}, which keel would replace, and keel did not write this folder; give a new or empty folder`);
    }
  }
  // The folder that must accept a new entry: the path itself when it is an existing folder, else its
  // nearest existing ancestor (the folders in between are created).
  let folder = found?.isDirectory() ? path : dirname(path);
  let s = stat(folder);
  while (!s && dirname(folder) !== folder) {
    folder = dirname(folder);
    s = stat(folder);
  }
  if (!s?.isDirectory()) throw new UsageError(`--${flag} ${path}: ${folder} is a file, so nothing can be written under it`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw new StorageError(`--${flag} ${path}: cannot write in ${folder} (${(e as Error).message})`, folder, e);
  }
  // A writable-looking folder can still refuse new entries (root under /proc passes the access check),
  // so the first folder to be created is created and removed now.
  let missing = found ? null : path;
  while (missing !== null && dirname(missing) !== folder) missing = dirname(missing);
  if (missing !== null && (kind === 'folder' || missing !== path)) {
    try {
      mkdirSync(missing);
      rmdirSync(missing);
    } catch (e) {
      throw new StorageError(`--${flag} ${path}: cannot create ${missing} (${(e as Error).message})`, missing, e);
    }
  }
  return path;
}
