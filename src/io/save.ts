/**
 * Saving and loading state dicts as safetensors files.
 *
 *     await save('model.safetensors', model.stateDict(), { metadata: { epoch: '12' } });
 *     model.loadStateDict(await load('model.safetensors'));
 *
 * Nothing is lost:
 * - save is atomic. The whole file is encoded in memory first (an invalid state dict throws before
 *   the file system is touched), written to a new temporary file beside the target (unique name,
 *   created exclusively), fsynced, renamed over the target, and the directory is fsynced so the
 *   rename itself survives a crash. Readers see the old file or the new one, never a mix; if any
 *   step fails the temporary file is removed and an existing target is left byte for byte as it
 *   was. Concurrent saves to one path leave one of the complete files. A process killed mid-save
 *   leaves its temporary file; the next save to the same path removes those of writers that no
 *   longer run, so kills never pile up debris. A target that is a symlink
 *   is followed (the file it points to is replaced, as torch.save would overwrite it); a new file
 *   takes the default mode (0o666 less the umask), a replaced one keeps its permission bits.
 * - load reads and fully validates the file before returning anything (see decodeSafetensors), and
 *   Module.loadStateDict checks every key, shape and dtype before changing anything: a bad file or
 *   a mismatched model throws and leaves the model as it was.
 *
 * load returns the StateDict alone; loadWithMetadata also returns the file's __metadata__ strings.
 * F32 entries come back as Tensors (requiresGrad false), usable directly as model inputs; F64 and
 * integer entries are plain {dtype, shape, data} objects (see decodeSafetensors).
 * Every function has a synchronous twin (saveSync, loadSync, loadWithMetadataSync).
 *
 * Errors: problems with the file's contents (or with the state dict being saved) are
 * SafetensorsError (a FormatError); a file system that refuses a read or write (no space left, a
 * read-only or missing folder, no permission) is a StorageError whose message names the path and
 * the reason in words, with the system's `code` (ENOSPC, EDQUOT, EROFS, EACCES, ENOENT, ...), the
 * user's `path` and the original error as `cause`; a save that fails so leaves the old file as it
 * was and no temporary file. Files are read whole into memory, so Node's 2 GiB limit on a single
 * read applies.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { OptionError, StorageError } from '../errors.js';
import { checkOptions } from '../functional/validate.js';
import {
  type DecodeOptions,
  decodeSafetensors,
  describeValue,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsContents,
} from './safetensors.js';
import type { LoadedStateDict, StateDict } from './state.js';

/** Options of save and saveSync. */
export interface SaveOptions {
  /** String metadata stored in the header's "__metadata__" (e.g. { format: 'pt' }). */
  metadata?: Record<string, string>;
}

/** Options of load, loadSync and loadWithMetadata: decodeSafetensors' (maxHeaderBytes). */
export type LoadOptions = DecodeOptions;

/** Directory fsync is unsupported on some platforms/file systems; these codes mean "cannot", not "failed". */
const DIR_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF']);

function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? ((e as { code?: unknown }).code as string | undefined) : undefined;
}

/** What the file-system error codes a save or load meets mean, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'the file or its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'the path is a folder',
  EIO: 'the device reported an input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EXDEV: 'the temporary file and the target are on different file systems',
};

/** A file-system error as a StorageError naming the call, the user's path and the reason in words. */
function storageError(fn: string, path: string, e: unknown): StorageError {
  const msg = e instanceof Error ? e.message : String(e);
  const reason = REASONS[codeOf(e) ?? ''];
  return new StorageError(`${fn}(${JSON.stringify(path)}) failed: ${reason ? `${reason} (${msg})` : msg}`, path, e);
}

/** decodeSafetensors, with the path in front of a SafetensorsError's message. */
function decodeFile(path: string, bytes: Uint8Array, options: LoadOptions): SafetensorsContents {
  try {
    return decodeSafetensors(bytes, options);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`load(${JSON.stringify(path)}): ${e.message}`, { cause: e });
    throw e;
  }
}

/** A fresh name beside the target: hidden, with pid and random bytes, short enough for any file system. */
function tempPathFor(target: string): string {
  const dir = nodePath.dirname(target);
  const base = nodePath.basename(target).slice(0, 96);
  return nodePath.join(dir, `.${base}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
}

/** The pid in a temp name of tempPathFor's form for `target`'s basename, or null for any other name. */
function tempWriterPid(name: string, base: string): number | null {
  if (!name.startsWith(`.${base}.`) || !name.endsWith('.tmp')) return null;
  const m = /^(\d+)\.[0-9a-f]{16}$/.exec(name.slice(base.length + 2, -'.tmp'.length));
  return m ? Number(m[1]) : null;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === 'EPERM';
  }
}

/**
 * The temp files beside `target` left by writers that no longer exist (a process killed mid-save):
 * tempPathFor's names whose pid is not a running process. Our own pid's are never stale (another
 * save in this process may be writing one), and a reused pid only keeps a file until a later save.
 * On a directory shared between machines a pid says nothing about the other machine: such a writer's
 * rename then fails with ENOENT and its save throws; no complete file is ever touched.
 */
function staleTemps(target: string, names: string[]): string[] {
  const base = nodePath.basename(target).slice(0, 96);
  return names
    .filter((name) => {
      const pid = tempWriterPid(name, base);
      return pid !== null && pid !== process.pid && !alive(pid);
    })
    .map((name) => nodePath.join(nodePath.dirname(target), name));
}

function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path === 'string' && path !== '') return;
  // An object where the path belongs is most often torch.save's order, (obj, path).
  const swapped = fn.startsWith('save') && typeof path === 'object' && path !== null && !Array.isArray(path) && !ArrayBuffer.isView(path);
  const hint = swapped ? ` (the arguments are (path, stateDict), path first: ${fn}(path, model.stateDict()))` : '';
  const got = typeof path === 'object' && path !== null ? describeValue(path) : typeof path === 'string' ? '""' : String(path);
  throw new OptionError(`${fn}: path must be a non-empty string, got ${got}${hint}`);
}

// -------------------------------------------------------------------------------------------------
// Async
// -------------------------------------------------------------------------------------------------

async function resolveTarget(path: string): Promise<{ target: string; mode: number | null }> {
  try {
    const target = await fsp.realpath(path);
    const st = await fsp.stat(target);
    return { target, mode: st.isFile() ? st.mode & 0o7777 : null };
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return { target: nodePath.resolve(path), mode: null };
    throw e;
  }
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let h: fsp.FileHandle;
  try {
    h = await fsp.open(dir, 'r');
  } catch (e) {
    if (DIR_SYNC_UNSUPPORTED.has(codeOf(e) ?? '')) return;
    throw e;
  }
  try {
    await h.sync();
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has(codeOf(e) ?? '')) throw e;
  } finally {
    await h.close();
  }
}

/**
 * Writes bytes to path atomically: temp file beside it, fsync, rename, fsync the directory. A file
 * system that refuses throws StorageError (naming `fn`, the caller, and `path`) and leaves the old
 * file as it was, with no temporary file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, fn = 'writeFileAtomic'): Promise<void> {
  try {
    await writeAtomic(path, bytes);
  } catch (e) {
    throw storageError(fn, path, e);
  }
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { target, mode } = await resolveTarget(path);
  // Best effort: a directory that cannot be listed still gets its save.
  const names = await fsp.readdir(nodePath.dirname(target)).catch(() => []);
  await Promise.all(staleTemps(target, names).map((f) => fsp.rm(f, { force: true }).catch(() => undefined)));
  const tmp = tempPathFor(target);
  let handle: fsp.FileHandle | null = null;
  let created = false;
  let renamed = false;
  try {
    handle = await fsp.open(tmp, 'wx', 0o666);
    created = true;
    if (mode !== null) await handle.chmod(mode).catch(() => undefined); // best effort (some file systems refuse)
    await handle.writeFile(bytes);
    await handle.sync();
    const h = handle;
    handle = null;
    await h.close();
    await fsp.rename(tmp, target);
    renamed = true;
    await syncDir(nodePath.dirname(target));
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    if (created && !renamed) await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Saves a state dict as a safetensors file, atomically (see the module comment). */
export async function save(path: string, stateDict: StateDict, options: SaveOptions = {}): Promise<void> {
  checkPath('save', path);
  await writeFileAtomic(path, encodeSafetensors(stateDict, checkOptions('save', options, ['metadata']).metadata), 'save');
}

/** Reads and validates a safetensors file: its tensors and metadata. */
export async function loadWithMetadata(path: string, options: LoadOptions = {}): Promise<SafetensorsContents> {
  checkPath('load', path);
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(path);
  } catch (e) {
    throw storageError('load', path, e);
  }
  return decodeFile(path, bytes, options);
}

/** Reads and validates a safetensors file; the idiom is `model.loadStateDict(await load(path))`. */
export async function load(path: string, options: LoadOptions = {}): Promise<LoadedStateDict> {
  return (await loadWithMetadata(path, options)).tensors;
}

// -------------------------------------------------------------------------------------------------
// Sync
// -------------------------------------------------------------------------------------------------

function resolveTargetSync(path: string): { target: string; mode: number | null } {
  try {
    const target = fs.realpathSync(path);
    const st = fs.statSync(target);
    return { target, mode: st.isFile() ? st.mode & 0o7777 : null };
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return { target: nodePath.resolve(path), mode: null };
    throw e;
  }
}

function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    if (DIR_SYNC_UNSUPPORTED.has(codeOf(e) ?? '')) return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has(codeOf(e) ?? '')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** writeFileAtomic's synchronous twin. */
export function writeFileAtomicSync(path: string, bytes: Uint8Array, fn = 'writeFileAtomicSync'): void {
  try {
    writeAtomicSync(path, bytes);
  } catch (e) {
    throw storageError(fn, path, e);
  }
}

function writeAtomicSync(path: string, bytes: Uint8Array): void {
  const { target, mode } = resolveTargetSync(path);
  try {
    for (const f of staleTemps(target, fs.readdirSync(nodePath.dirname(target)))) fs.rmSync(f, { force: true });
  } catch {
    // best effort, as in writeFileAtomic
  }
  const tmp = tempPathFor(target);
  let fd: number | null = null;
  let created = false;
  let renamed = false;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
    created = true;
    if (mode !== null) {
      try {
        fs.fchmodSync(fd, mode);
      } catch {
        // best effort (some file systems refuse)
      }
    }
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    const f = fd;
    fd = null;
    fs.closeSync(f);
    fs.renameSync(tmp, target);
    renamed = true;
    syncDirSync(nodePath.dirname(target));
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    if (created && !renamed) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing more to do
      }
    }
    throw e;
  }
}

/** save's synchronous twin. */
export function saveSync(path: string, stateDict: StateDict, options: SaveOptions = {}): void {
  checkPath('saveSync', path);
  writeFileAtomicSync(path, encodeSafetensors(stateDict, checkOptions('saveSync', options, ['metadata']).metadata), 'save');
}

/** loadWithMetadata's synchronous twin. */
export function loadWithMetadataSync(path: string, options: LoadOptions = {}): SafetensorsContents {
  checkPath('loadSync', path);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw storageError('load', path, e);
  }
  return decodeFile(path, bytes, options);
}

/** load's synchronous twin. */
export function loadSync(path: string, options: LoadOptions = {}): LoadedStateDict {
  return loadWithMetadataSync(path, options).tensors;
}
